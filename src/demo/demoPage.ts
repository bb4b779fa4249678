// The demo's HTML: one probe page, parameterised as the trusted front end or the hostile site (the
// probes are the same; only the origin the page is served from differs), and a side-by-side page that
// shows both in frames. Plain HTML and CSS; the probes are in probes.js.

export type DemoRole = 'trusted' | 'hostile';

export interface DemoLogin {
  readonly username: string;
  readonly password: string;
}

export interface DemoPageOptions {
  readonly role: DemoRole;
  /** The API the probes call, e.g. http://127.0.0.1:8000 (the page's ?api= overrides it). */
  readonly apiUrl: string;
  /** What this site knows to sign in with (the trusted page: the demo user's password). */
  readonly login?: DemoLogin;
}

const ROLE_TEXT: Record<DemoRole, { title: string; intro: string }> = {
  trusted: {
    title: 'Trusted front end',
    intro: 'This origin is in the API\'s allowedOrigins: its requests should get their data.',
  },
  hostile: {
    title: 'Hostile site',
    intro: 'Another site the user happens to visit: the same requests should be blocked, or refused by the server.',
  },
};

const STYLE = `
  :root { font: 13px/1.3 system-ui, sans-serif; color: #1d2330; }
  body { margin: 0; }
  header { padding: 8px 12px; color: #fff; }
  header.trusted { background: #1f6f43; }
  header.hostile { background: #9b2226; }
  header h1 { margin: 0 0 2px; font-size: 18px; }
  header p { margin: 0; opacity: .95; }
  header code { background: rgba(255,255,255,.18); padding: 0 4px; border-radius: 3px; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  col.request { width: 34%; }
  col.outcome { width: 9.5em; }
  th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #e3e6ec; }
  th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #5a6272; }
  td.request strong { display: block; }
  td.request code { font-size: 11px; color: #5a6272; }
  .badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-weight: 600; font-size: 11px; background: #e3e6ec; white-space: nowrap; }
  tr[data-outcome="data"] .badge { background: #d3f0dc; color: #14532d; }
  tr[data-outcome="blocked"] .badge, tr[data-outcome="hidden"] .badge { background: #fadadd; color: #7f1d1d; }
  tr[data-outcome="sent"] .badge, tr[data-outcome="refused"] .badge { background: #fdf0c6; color: #713f12; }
  tr[data-outcome="unavailable"] .badge { background: #eceff3; color: #5a6272; }
  td.details { font-size: 11px; }
  .detail { display: block; font-family: ui-monospace, monospace; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .why { display: block; color: #5a6272; }
  footer { padding: 6px 12px; font-size: 11px; color: #5a6272; }
`;

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function demoPageHtml(options: DemoPageOptions): string {
  const text = ROLE_TEXT[options.role];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gatehouse demo: ${escapeHtml(text.title)}</title>
<style>${STYLE}</style>
</head>
<body data-role="${options.role}">
<header class="${options.role}">
  <h1>${escapeHtml(text.title)}</h1>
  <p>Page <code id="origin"></code> calls the API <code id="api"></code></p>
  <p>${escapeHtml(text.intro)}</p>
</header>
<table id="probes">
  <colgroup><col class="request"><col class="outcome"><col></colgroup>
  <thead><tr><th>request</th><th>what the browser did</th><th>details and why</th></tr></thead>
  <tbody></tbody>
</table>
<footer>The browser's console (F12) names the exact CORS rule behind every block. <a href="">Run again</a></footer>
<script type="application/json" id="demo-config">${scriptJson({ role: options.role, apiUrl: options.apiUrl, login: options.login })}</script>
<script src="/probes.js"></script>
</body>
</html>
`;
}

export interface SideBySideOptions {
  readonly trustedUrl: string;
  readonly hostileUrl: string;
}

/** Both probe pages in frames, trusted on the left and hostile on the right. */
export function sideBySideHtml(options: SideBySideOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gatehouse demo: trusted and hostile side by side</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px system-ui, sans-serif; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; min-height: 100%; padding: 8px; box-sizing: border-box; background: #cfd4dc; }
  iframe { width: 100%; height: calc(100vh - 16px); border: 0; background: #fff; }
</style>
</head>
<body>
<main>
  <iframe id="trusted" title="trusted front end" src="${escapeHtml(options.trustedUrl)}"></iframe>
  <iframe id="hostile" title="hostile site" src="${escapeHtml(options.hostileUrl)}"></iframe>
</main>
</body>
</html>
`;
}
