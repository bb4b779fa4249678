// The demo page's script (plain browser JavaScript, served as is, no build step). It sends the same
// cross-origin requests from whatever origin the page is served on, and shows per request whether
// the data arrived or the browser blocked it. The browser suite (test/e2e) reads the same verdicts
// from window.__results and from each row's data-probe / data-outcome attributes.
//
// Query parameters: ?only=get,put runs a subset, in this order; ?api=http://127.0.0.1:8000 points
// the page at another API than the one it was served with.
//
// Outcomes: data (the script read a 2xx answer), refused (the script read the API's own 4xx/5xx:
// CORS let it through, the API said no), hidden (the answer arrived but the header read is not
// exposed), blocked (fetch rejected: the browser withheld the answer, or never sent the request),
// sent (a form, image or script request: the page cannot see the answer by design; the server's side
// says whether it acted), unavailable (the API has no such route).
//
// Signing in: the page config's `login` ({ username, password }) is what this site knows. The
// trusted front end is given the demo user's password; the hostile site only guesses. After a
// successful POST /api/token/ the access token is kept in this page's memory and sent as
// Authorization on the writes; a session cookie, if the API sets one, is the browser's business.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('demo-config').textContent);
  const params = new URLSearchParams(location.search);
  const api = (params.get('api') || config.apiUrl).replace(/\/+$/, '');
  const only = (params.get('only') || '').split(',').filter(Boolean);
  const TIMEOUT_MS = 8000;

  /** A URL on the API; every request carries ?via=<probe> so the server and the console can tell them apart. */
  const at = (path, probe) => `${api}${path}${path.includes('?') ? '&' : '?'}via=${probe}`;
  const JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Requested-With': 'gatehouse-demo' };
  const state = { scratchId: undefined, token: undefined };
  const login = config.login || { username: 'admin', password: 'a-guess' };
  /** Headers of the writes: JSON, a custom header, and the access token once signed in. */
  const writeHeaders = () => (state.token === undefined ? JSON_HEADERS : { ...JSON_HEADERS, Authorization: `Bearer ${state.token}` });
  const deleteHeaders = () => {
    const { 'Content-Type': _noBody, ...headers } = writeHeaders();
    return headers;
  };

  function summarise(status, text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      return `HTTP ${status}${text ? `: ${text.slice(0, 60)}` : ''}`;
    }
    if (data && Array.isArray(data.results)) return `HTTP ${status}: ${data.results.length} posts, first "${data.results[0]?.title ?? ''}"`;
    if (data && typeof data.access === 'string') return `HTTP ${status}: signed in, access token received`;
    if (data && typeof data.username === 'string') return `HTTP ${status}: signed in as ${data.username}`;
    if (data && typeof data.title === 'string' && data.id !== undefined) return `HTTP ${status}: post ${data.id} "${data.title}"`;
    if (data && typeof data.status === 'number' && typeof data.title === 'string') return `HTTP ${status}: ${data.title}${data.code ? ` (${data.code})` : ''}`;
    if (data && typeof data.detail === 'string') return `HTTP ${status}: ${data.detail}`;
    if (data && typeof data.message === 'string') return `HTTP ${status}: ${data.message}`;
    return `HTTP ${status}: ${text.slice(0, 60)}`;
  }

  function withTimeout(promise, what) {
    return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), TIMEOUT_MS))]);
  }

  /** One fetch: resolved means the browser handed the answer to this script. */
  async function read(probe, path, init = {}, optional = false) {
    let response;
    try {
      response = await withTimeout(fetch(at(path, probe), init), 'fetch');
    } catch (error) {
      return { outcome: 'blocked', detail: `${error.name}: ${error.message}` };
    }
    const text = await response.text();
    if (optional && response.status === 404) return { outcome: 'unavailable', status: 404, detail: `this API has no ${path}` };
    return { outcome: response.status < 400 ? 'data' : 'refused', status: response.status, detail: summarise(response.status, text), body: text.slice(0, 500), text };
  }

  /** Reads one response header: readable only if CORS-safelisted or listed in Access-Control-Expose-Headers. */
  async function readHeader(probe, name) {
    let response;
    try {
      response = await withTimeout(fetch(at('/api/posts/', probe)), 'fetch');
    } catch (error) {
      return { outcome: 'blocked', detail: `${error.name}: ${error.message}` };
    }
    await response.text();
    const value = response.headers.get(name);
    return value === null
      ? { outcome: 'hidden', status: response.status, value: null, detail: `${name}: null` }
      : { outcome: 'data', status: response.status, value, detail: `${name}: ${value}` };
  }

  /** A fetch from an opaque origin (Origin: null): a sandboxed iframe, or a data: URL iframe. */
  function fromNullOrigin(probe, kind) {
    const id = `${probe}-${Math.random().toString(36).slice(2)}`;
    const source =
      `<script>fetch(${JSON.stringify(at('/api/posts/', probe))})` +
      `.then((r) => r.text().then((t) => parent.postMessage({ id: ${JSON.stringify(id)}, status: r.status, text: t.slice(0, 500) }, '*')),` +
      ` (e) => parent.postMessage({ id: ${JSON.stringify(id)}, error: e.name + ': ' + e.message }, '*'));<\/script>`;
    const frame = document.createElement('iframe');
    frame.hidden = true;
    if (kind === 'sandbox') {
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.srcdoc = source;
    } else {
      frame.src = `data:text/html,${encodeURIComponent(source)}`;
    }
    return withTimeout(
      new Promise((resolve) => {
        const onMessage = (event) => {
          if (!event.data || event.data.id !== id) return;
          removeEventListener('message', onMessage);
          frame.remove();
          resolve(event.data.error !== undefined
            ? { outcome: 'blocked', detail: event.data.error }
            : { outcome: event.data.status < 400 ? 'data' : 'refused', status: event.data.status, detail: summarise(event.data.status, event.data.text), body: event.data.text });
        };
        addEventListener('message', onMessage);
        document.body.append(frame);
      }),
      'null-origin frame',
    ).catch((error) => ({ outcome: 'blocked', detail: String(error) }));
  }

  /** A form POST into a hidden frame: the browser loads the answer there, where the script cannot read it. */
  function formPost(probe) {
    const frame = document.createElement('iframe');
    frame.name = `sink-${probe}`;
    frame.hidden = true;
    document.body.append(frame);
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = at('/api/posts/', probe);
    form.target = frame.name;
    form.hidden = true;
    for (const [name, value] of [['title', 'Posted by a form on another site'], ['body', 'CSRF']]) {
      const input = document.createElement('input');
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    return withTimeout(
      new Promise((resolve) => {
        frame.addEventListener('load', () => {
          frame.remove();
          form.remove();
          resolve({ outcome: 'sent', detail: 'submitted; the answer loaded where this page cannot read it' });
        }, { once: true });
        form.submit();
      }),
      'form post',
    ).catch((error) => ({ outcome: 'sent', detail: String(error) }));
  }

  /** <img> and <script>: no-cors requests without an Origin header. */
  function embed(probe, tag) {
    return withTimeout(
      new Promise((resolve) => {
        const element = document.createElement(tag);
        const done = (how) => {
          element.remove();
          resolve({ outcome: 'sent', detail: `${how}; the answer stays hidden (no-cors)` });
        };
        element.addEventListener('load', () => done(`<${tag}> loaded`));
        element.addEventListener('error', () => done(`<${tag}> got nothing usable`));
        element.src = at('/api/posts/', probe);
        if (tag === 'img') element.hidden = true;
        document.body.append(element);
      }),
      tag,
    ).catch((error) => ({ outcome: 'sent', detail: String(error) }));
  }

  function webSocket(probe) {
    return new Promise((resolve) => {
      let socket;
      try {
        socket = new WebSocket(`${at('/api/ws', probe).replace(/^http/, 'ws')}`);
      } catch (error) {
        resolve({ outcome: 'blocked', detail: `${error.name}: ${error.message}` });
        return;
      }
      let opened = false;
      const timer = setTimeout(() => finish({ outcome: opened ? 'data' : 'blocked', detail: opened ? 'connected (no message)' : 'timed out' }), TIMEOUT_MS);
      const finish = (result) => {
        clearTimeout(timer);
        try {
          socket.close();
        } catch {}
        resolve(result);
      };
      socket.addEventListener('open', () => (opened = true));
      socket.addEventListener('message', (event) => finish({ outcome: 'data', detail: `connected; received ${String(event.data).slice(0, 60)}` }));
      socket.addEventListener('close', (event) => {
        if (!opened) finish({ outcome: 'blocked', detail: `the connection was refused (close code ${event.code})` });
      });
    });
  }

  const WHY = {
    cors: {
      data: 'Access-Control-Allow-Origin named this origin',
      blocked: 'no Access-Control-Allow-Origin for this origin: the answer was withheld',
    },
    preflight: {
      data: 'the preflight (answered by Gatehouse) allowed origin, method and headers',
      blocked: 'the preflight did not allow this origin, method or header: never sent',
    },
    credentials: {
      data: 'this exact origin allowed, with Access-Control-Allow-Credentials: true',
      blocked: 'credentials need this exact origin allowed, with Allow-Credentials: true',
    },
  };

  const PROBES = [
    { name: 'get', label: 'Simple GET', request: 'GET /api/posts/', why: WHY.cors, run: (p) => read(p, '/api/posts/') },
    {
      name: 'login', label: 'Sign in', request: 'POST /api/token/ and /api/session/ (JSON, credentials)', why: WHY.credentials,
      run: async (p) => {
        const result = await read(p, '/api/token/', { method: 'POST', credentials: 'include', headers: JSON_HEADERS, body: JSON.stringify(login) }, true);
        try {
          if (result.outcome === 'data') state.token = JSON.parse(result.text).access;
        } catch {}
        // The session cookie as well (for the cookie, private and WebSocket probes): the API sets it
        // HttpOnly, so this page never sees it; the browser keeps it for the API's site.
        if (result.outcome === 'data') await read(p, '/api/session/', { method: 'POST', credentials: 'include', headers: JSON_HEADERS, body: JSON.stringify(login) }, true);
        return result;
      },
    },
    { name: 'cookie', label: 'Read with the session cookie', request: 'GET /api/users/me (credentials)', why: WHY.credentials, run: (p) => read(p, '/api/users/me', { credentials: 'include' }, true) },
    {
      name: 'authorization', label: 'Read with an Authorization header', request: 'GET /api/users/me + Authorization', why: WHY.preflight,
      run: (p) => read(p, '/api/users/me', { headers: { Authorization: `Bearer ${state.token ?? 'no-token-on-this-site'}` } }),
    },
    {
      name: 'create', label: 'Create a post', request: 'POST /api/posts/ (JSON + X-Requested-With)', why: WHY.preflight,
      run: async (p) => {
        const result = await read(p, '/api/posts/', { method: 'POST', headers: writeHeaders(), body: JSON.stringify({ title: 'Scratch post', body: 'Made by the demo page.' }) });
        try {
          if (result.outcome === 'data') state.scratchId = JSON.parse(result.text).id;
        } catch {}
        return result;
      },
    },
    {
      name: 'put', label: 'Replace a post', request: 'PUT /api/posts/:id (JSON + X-Requested-With)', why: WHY.preflight,
      run: (p) => read(p, `/api/posts/${state.scratchId ?? 1}`, { method: 'PUT', headers: writeHeaders(), body: JSON.stringify({ title: 'Replaced', body: 'Replaced by the demo page.' }) }),
    },
    {
      name: 'patch', label: 'Edit a post', request: 'PATCH /api/posts/:id (JSON + X-Requested-With)', why: WHY.preflight,
      run: (p) => read(p, `/api/posts/${state.scratchId ?? 1}`, { method: 'PATCH', headers: writeHeaders(), body: JSON.stringify({ title: 'Edited' }) }),
    },
    {
      name: 'delete', label: 'Delete a post', request: 'DELETE /api/posts/:id (+ X-Requested-With)', why: WHY.preflight,
      run: (p) => read(p, `/api/posts/${state.scratchId ?? 1}`, { method: 'DELETE', headers: deleteHeaders() }),
    },
    {
      name: 'header-not-allowed', label: 'A header outside the allowlist', request: 'GET /api/posts/ + X-Trace-Id', why: WHY.preflight,
      run: (p) => read(p, '/api/posts/', { headers: { 'X-Trace-Id': 'abc123' } }),
    },
    {
      name: 'exposed-header', label: 'Read an exposed header', request: 'X-Request-Id of GET /api/posts/',
      why: { data: 'listed in Access-Control-Expose-Headers', hidden: 'not listed in Access-Control-Expose-Headers (or not sent)', blocked: WHY.cors.blocked },
      run: (p) => readHeader(p, 'X-Request-Id'),
    },
    {
      name: 'hidden-header', label: 'Read a header that is not exposed', request: 'Date of GET /api/posts/',
      why: { data: 'listed in Access-Control-Expose-Headers', hidden: 'sent, but not listed in Access-Control-Expose-Headers', blocked: WHY.cors.blocked },
      run: (p) => readHeader(p, 'Date'),
    },
    {
      name: 'null-sandbox', label: 'From a sandboxed iframe', request: 'GET /api/posts/ with Origin: null',
      why: { data: 'the API allows the null origin', blocked: 'the null origin is not allowed (any site can make one)' }, run: (p) => fromNullOrigin(p, 'sandbox'),
    },
    {
      name: 'null-data', label: 'From a data: URL frame', request: 'GET /api/posts/ with Origin: null',
      why: { data: 'the API allows the null origin', blocked: 'the null origin is not allowed (any site can make one)' }, run: (p) => fromNullOrigin(p, 'data'),
    },
    { name: 'public', label: 'Public path', request: 'GET /api/public/', why: WHY.cors, run: (p) => read(p, '/api/public/', {}, true) },
    {
      name: 'public-credentials', label: 'Public path, with credentials', request: 'GET /api/public/ (credentials)',
      why: { data: WHY.credentials.data, blocked: 'Access-Control-Allow-Origin: * never works with credentials' }, run: (p) => read(p, '/api/public/', { credentials: 'include' }, true),
    },
    { name: 'private', label: 'Private path', request: 'GET /api/private/ (credentials)', why: WHY.credentials, run: (p) => read(p, '/api/private/', { credentials: 'include' }, true) },
    {
      name: 'form-post', label: 'Form POST', request: 'POST /api/posts/ (HTML form)',
      why: { sent: 'CORS never stops a form: strict mode, Fetch Metadata and CSRF checks do' }, run: (p) => formPost(p),
    },
    { name: 'img', label: '<img> request', request: 'GET /api/posts/ as an image', why: { sent: 'no CORS, no Origin header: Fetch Metadata lets the server refuse it' }, run: (p) => embed(p, 'img') },
    { name: 'script', label: '<script> request', request: 'GET /api/posts/ as a script', why: { sent: 'no CORS, no Origin header: Fetch Metadata lets the server refuse it' }, run: (p) => embed(p, 'script') },
    {
      name: 'websocket', label: 'WebSocket', request: 'ws:// /api/ws',
      why: { data: 'the server accepted the handshake from this origin', blocked: 'no CORS for WebSockets: the server\'s Origin check refused it (or it has no /api/ws)' },
      run: (p) => webSocket(p),
    },
  ];

  const OUTCOME_TEXT = { data: 'data arrived', refused: 'API refused', hidden: 'browser hid it', blocked: 'browser blocked', sent: 'sent, unseen', unavailable: 'not on this API', running: 'running…' };

  const results = {};
  window.__results = results;
  window.__done = false;
  const tbody = document.querySelector('#probes tbody');
  document.getElementById('origin').textContent = location.origin;
  document.getElementById('api').textContent = api;

  function row(probe) {
    const tr = document.createElement('tr');
    tr.dataset.probe = probe.name;
    tr.dataset.outcome = 'running';
    tr.innerHTML = '<td class="request"><strong></strong><code></code></td><td class="outcome"><span class="badge"></span></td><td class="details"><span class="detail"></span><span class="why"></span></td>';
    tr.querySelector('strong').textContent = probe.label;
    tr.querySelector('code').textContent = probe.request;
    tr.querySelector('.badge').textContent = OUTCOME_TEXT.running;
    tbody.append(tr);
    return tr;
  }

  async function runAll() {
    const selected = only.length > 0 ? only.map((name) => PROBES.find((p) => p.name === name)).filter(Boolean) : PROBES;
    const rows = selected.map((probe) => [probe, row(probe)]);
    for (const [probe, tr] of rows) {
      let result;
      try {
        result = await probe.run(probe.name);
      } catch (error) {
        result = { outcome: 'blocked', detail: `${error.name}: ${error.message}` };
      }
      // The whole text stays in the page: a token in it is this page's secret, not a result.
      delete result.text;
      const why = probe.why?.[result.outcome] ?? (result.outcome === 'refused' ? 'CORS let this page read it; the API itself said no' : '');
      results[probe.name] = { name: probe.name, ...result, why };
      tr.dataset.outcome = result.outcome;
      tr.querySelector('.badge').textContent = OUTCOME_TEXT[result.outcome] ?? result.outcome;
      tr.querySelector('.detail').textContent = result.detail;
      tr.querySelector('.why').textContent = why;
    }
    window.__done = true;
    document.documentElement.dataset.done = 'true';
  }

  runAll();
})();
