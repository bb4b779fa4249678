// Which of the protections being built exist yet. A browser case that needs one is marked todo with
// "needs <feature>" until its check passes; then it runs for real. Each check looks at behaviour (a
// request the feature must refuse) or at the code's surface, never at a flag in this file.
//
// FEATURE_OPTIONS is the one place to wire a feature into the suite once it lands, if it has to be
// switched on: the options are given to the probe API of the feature's cases and of its check.

import { execFile } from 'node:child_process';
import { createGatehouse, type GatehouseOptions } from '../../src/gatehouse.ts';
import { send } from '../helpers/httpClient.ts';
import { startProbeApi, upgradeCheckOf } from './probeApi.ts';

export const FEATURE_OPTIONS: {
  fetchMetadata: Omit<GatehouseOptions, 'cors'>;
  csrf: Omit<GatehouseOptions, 'cors'>;
} = {
  // Secure by default: Fetch Metadata and the CSRF check are expected to be on without settings.
  fetchMetadata: {},
  csrf: {},
};

export interface Capability {
  readonly available: boolean;
  /** "needs …": why the cases wait, for the todo marker. */
  readonly needs: string;
}

const TRUSTED = 'http://app.example';

/** A cross-site <img> request (no Origin, Sec-Fetch-Site: cross-site) must be refused before the handler. */
export async function fetchMetadataCapability(): Promise<Capability> {
  const api = await startProbeApi({ ...FEATURE_OPTIONS.fetchMetadata, cors: { allowedOrigins: [TRUSTED] } });
  try {
    const answer = await send(api.url, 'GET', '/api/posts/?via=check', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' });
    return { available: answer.status === 403 && api.count('handled', 'check') === 0, needs: 'needs Fetch Metadata checks (Sec-Fetch-Site) in the engine and the node adapter' };
  } finally {
    await api.close();
  }
}

/**
 * A form POST with a session cookie but no CSRF token, from a browser that sends neither Origin nor
 * Sec-Fetch-* (so neither strict mode nor Fetch Metadata can refuse it), must be refused.
 */
export async function csrfCapability(): Promise<Capability> {
  const api = await startProbeApi({ ...FEATURE_OPTIONS.csrf, cors: { allowedOrigins: [TRUSTED] } });
  try {
    const answer = await send(api.url, 'POST', '/api/posts/?via=check', { 'content-type': 'application/x-www-form-urlencoded', cookie: 'gh_session=1' });
    return { available: answer.status === 403 && api.count('handled', 'check') === 0, needs: 'needs the CSRF check in the engine and the node adapter' };
  } finally {
    await api.close();
  }
}

/** The engine decides upgrade requests (gatehouse.upgrades), which the probe API's WebSocket endpoint asks. */
export function webSocketCapability(): Capability {
  return { available: upgradeCheckOf(createGatehouse({ logger: false })) !== undefined, needs: 'needs the WebSocket Origin check (gatehouse.upgrades) in the engine' };
}

/** The development certificate is made with openssl; serve() listens over HTTPS with it. */
export async function httpsCapability(): Promise<Capability> {
  const openssl = await new Promise<boolean>((resolve) => execFile('openssl', ['version'], (error) => resolve(error === null)));
  return { available: openssl, needs: 'needs openssl, which makes the development certificate' };
}
