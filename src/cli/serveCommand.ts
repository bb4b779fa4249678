// `gatehouse serve`: start the server and print what a new user needs: the URL, the allowed origins,
// the demo admin's password when one was just created, a development token, and three curl commands
// that work as printed.

import { InvalidArgumentError, type Command } from 'commander';
import type { LoadedConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { devCertificateInstructions } from '../https/devCertificate.ts';
import { TLS_FLAG_NAMES } from '../https/tlsFiles.ts';
import { serve, type RunningServer, type ServeOptions } from '../server/serve.ts';
import { EXIT, loadCliConfig } from './cliContext.ts';

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

export function allowedOriginsText(config: LoadedConfig): string {
  const cors = config.cors;
  const allowed = cors.allowAllOrigins ? ['* (every origin)'] : [...(cors.allowedOrigins ?? []), ...(cors.allowedOriginPatterns ?? []), ...(cors.allowedOriginRegexes ?? []).map((r) => `/${r}/`)];
  return allowed.length > 0 ? allowed.join(', ') : 'none (no browser on another origin can read this API)';
}

function gatewayBanner(running: RunningServer, config: LoadedConfig): string {
  const origin = config.cors.allowedOrigins?.[0] ?? 'https://app.example.com';
  const curl = running.devCertificate === undefined ? 'curl -si' : `curl -si --cacert ${running.devCertificate.caCert}`;
  return [
    `Gatehouse gateway listening on ${running.url}`,
    `  forwarding to:   ${running.upstream}`,
    `  allowed origins: ${allowedOriginsText(config)}`,
    ...(running.redirectUrl === undefined ? [] : [`  HTTP redirect:   ${running.redirectUrl} → ${running.url}`]),
    `  config:          ${config.sources.length > 0 ? config.sources.join(', ') : 'defaults'}`,
    '',
    'Requests that pass CORS, the cross-site checks, authentication, the permission table and the rate limits',
    'are forwarded; the rest are answered here. A preflight never reaches the upstream:',
    `  ${curl} -X OPTIONS ${running.url}/ -H 'Origin: ${origin}' -H 'Access-Control-Request-Method: PUT'`,
    '',
  ].join('\n');
}

async function banner(running: RunningServer, config: LoadedConfig): Promise<string> {
  if (running.upstream !== undefined) return gatewayBanner(running, config);
  const url = running.url;
  const origin = config.cors.allowedOrigins?.[0];
  // With the development CA, curl must be told to trust it.
  const curl = running.devCertificate === undefined ? 'curl -si' : `curl -si --cacert ${running.devCertificate.caCert}`;
  const lines = [
    `Gatehouse listening on ${url}`,
    `  API:             ${url}/api/posts/`,
    `  allowed origins: ${allowedOriginsText(config)}`,
    `  database:        ${running.context.database.dialect}${running.context.migrated.length > 0 ? ` (migrated: ${running.context.migrated.join(', ')})` : ''}`,
    `  rate limits:     ${running.context.rateLimits?.backend === 'redis' ? 'shared in Redis' : 'in this process'}`,
    ...(running.redirectUrl === undefined ? [] : [`  HTTP redirect:   ${running.redirectUrl} → ${url}`]),
    `  config:          ${config.sources.length > 0 ? config.sources.join(', ') : 'defaults'}`,
  ];
  if (running.devCertificate !== undefined) lines.push('', ...devCertificateInstructions(running.devCertificate, url));
  if (running.seeded !== undefined) {
    lines.push('', `Empty database: created the admin "${running.seeded.admin.username}"${running.seeded.generatedPassword ? ` with password ${running.seeded.generatedPassword} (shown once)` : ' (password from GATEHOUSE_ADMIN_PASSWORD)'} and a few posts.`);
  }
  const dev = await running.devToken();
  if (dev !== undefined) {
    const token = dev.token;
    lines.push(
      '',
      `Development token for "${dev.user.username}" (1 hour; make another with: gatehouse token --user ${dev.user.username}):`,
      `  ${token}`,
      '',
      'Try it:',
      origin === undefined ? '' : `  # allowed: an allowed origin with a token; the answer carries Access-Control-Allow-Origin\n  ${curl} ${url}/api/posts/ -H 'Origin: ${origin}' -H 'Authorization: Bearer ${token}'`,
      `  # refused by CORS: another origin${config.cors.strict ? ' gets 403 before any handler runs' : ' gets no Access-Control-Allow-Origin, so a browser hides the answer'}`,
      `  ${curl} ${url}/api/posts/ -H 'Origin: https://evil.example' -H 'Authorization: Bearer ${token}'`,
      '  # refused for missing credentials: 401 with a Bearer challenge',
      `  ${curl} ${url}/api/posts/${origin === undefined ? '' : ` -H 'Origin: ${origin}'`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The TLS flags, checked together: one way to get a certificate, and a key with every certificate. */
function tlsOption(options: { tlsCert?: string; tlsKey?: string; tlsCa?: string; httpsDev?: boolean; host?: string }): Pick<ServeOptions, 'tls'> {
  const issues = [];
  if (options.httpsDev && (options.tlsCert || options.tlsKey)) issues.push({ setting: '--https-dev', message: 'cannot be combined with --tls-cert/--tls-key', hint: 'use --https-dev for local development, or your own certificate, not both' });
  if (!options.httpsDev && Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    issues.push({ setting: options.tlsCert ? TLS_FLAG_NAMES.key : TLS_FLAG_NAMES.cert, message: 'is missing', hint: 'give both --tls-cert and --tls-key' });
  }
  if (options.tlsCa && !options.tlsCert) issues.push({ setting: TLS_FLAG_NAMES.ca, message: 'needs --tls-cert and --tls-key' });
  if (options.httpsDev && options.host !== undefined && !/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(options.host)) {
    issues.push({ setting: '--https-dev', value: options.host, message: 'is for local development: its certificate names only localhost, 127.0.0.1 and ::1', hint: 'serve other addresses with a real certificate (--tls-cert, --tls-key)' });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  if (options.httpsDev) return { tls: { dev: true } };
  if (options.tlsCert && options.tlsKey) return { tls: { certFile: options.tlsCert, keyFile: options.tlsKey, ...(options.tlsCa ? { caFile: options.tlsCa } : {}) } };
  return {};
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the protected JSON API (posts, users, tokens, API keys) behind Gatehouse')
    .option('-c, --config <file>', 'configuration file (.json, .yaml or .yml)')
    .option('-p, --port <n>', 'port to listen on (default 8000)', port)
    .option('-H, --host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--tls-cert <file>', 'serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate (and its intermediates); re-read when renewed')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--tls-ca <file>', 'intermediate certificates, when --tls-cert holds the certificate alone')
    .option('--https-dev', 'serve HTTPS with a development CA and a localhost certificate, created once and kept')
    .option('--redirect-http <port>', 'with HTTPS: also listen on this plain-HTTP port and redirect to HTTPS', port)
    .option('--upstream <url>', 'gateway mode: forward the requests Gatehouse lets through to this HTTP API (docs/gateway.md)')
    .action(async (options: { config?: string; port?: number; host?: string; tlsCert?: string; tlsKey?: string; tlsCa?: string; httpsDev?: boolean; redirectHttp?: number; upstream?: string }) => {
      const config = loadCliConfig(options);
      if (options.upstream !== undefined) config.upstream = options.upstream;
      const running = await serve({
        config,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.redirectHttp === undefined ? {} : { httpRedirectPort: options.redirectHttp }),
        ...tlsOption(options),
      });
      const stop = () => {
        void running.close().then(
          () => process.exit(EXIT.ok),
          () => process.exit(EXIT.failure),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write(await banner(running, config));
    });
}
