// PEM parsing for the TLS files, with the diagnosis a user needs when a file is not what the flag
// expects: swapped certificate and key, DER instead of PEM, a passphrase-protected key.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ConfigIssue } from '../errors.ts';
import type { TlsSettingNames } from './tlsFiles.ts';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemLabels(text: string): string[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => m[1]!);
}

export function parseCertificates(setting: string, file: string, text: string, names: TlsSettingNames): X509Certificate[] | ConfigIssue {
  const blocks = [...text.matchAll(PEM_BLOCK)].filter((m) => m[1] === 'CERTIFICATE');
  if (blocks.length === 0) return notPem(setting, file, text, 'CERTIFICATE', names);
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block[0]));
    } catch (error) {
      return { setting, value: file, message: `certificate ${i + 1} in the file cannot be parsed: ${(error as Error).message}` };
    }
  }
  return certificates;
}

export function parsePrivateKey(setting: string, file: string, text: string, names: TlsSettingNames): KeyObject | ConfigIssue {
  const labels = pemLabels(text);
  // Checked before parsing: OpenSSL would otherwise look for a passphrase.
  if (labels.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    return { setting, value: file, message: 'the key is encrypted with a passphrase, which the server cannot type at start or renewal', hint: `decrypt it into a file only the server's user can read: openssl pkey -in ${file} -out key.pem && chmod 600 key.pem` };
  }
  const keyLabel = labels.find((label) => /^(?:RSA |EC )?PRIVATE KEY$/.test(label));
  if (keyLabel === undefined) return notPem(setting, file, text, 'PRIVATE KEY', names);
  try {
    return createPrivateKey(text);
  } catch (error) {
    return { setting, value: file, message: `the ${keyLabel} block cannot be parsed: ${(error as Error).message}` };
  }
}

function notPem(setting: string, file: string, text: string, expected: 'CERTIFICATE' | 'PRIVATE KEY', names: TlsSettingNames): ConfigIssue {
  const labels = pemLabels(text);
  const holdsTheOther = expected === 'CERTIFICATE' ? labels.some((l) => l.endsWith('PRIVATE KEY')) : labels.includes('CERTIFICATE');
  if (holdsTheOther) {
    return { setting, value: file, message: `holds a ${expected === 'CERTIFICATE' ? 'private key' : 'certificate'}, not a ${expected === 'CERTIFICATE' ? 'certificate' : 'private key'}`, hint: `are ${names.cert} and ${names.key} swapped?` };
  }
  // DER starts with an ASN.1 SEQUENCE (0x30) and is binary.
  if (labels.length === 0 && text.charCodeAt(0) === 0x30 && /[^\t\n\r\x20-\x7e]/.test(text.slice(0, 64))) {
    return { setting, value: file, message: 'is binary DER, not PEM', hint: `convert it: openssl ${expected === 'CERTIFICATE' ? 'x509' : 'pkey'} -inform der -in ${file} -out ${file}.pem` };
  }
  const found = labels.length === 0 ? 'no PEM block at all' : `only ${labels.join(', ')}`;
  return { setting, value: file, message: `is not PEM: expected a -----BEGIN ${expected}----- block, found ${found}` };
}
