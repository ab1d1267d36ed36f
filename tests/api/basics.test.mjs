// Public endpoints, the error answers every route shares (404, 405, 413, 421, 400),
// the Host allow-list and the web UI served by the binary.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, assertError, assertJson, show, Client, OWNER, STRONG, runCli, describeCli,
} from './harness.mjs';

describe('public endpoints and shared errors', { timeout: 60_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(stopAll);

  it('GET /healthz answers 200 {"status":"ok"} as JSON', async () => {
    const res = await server.request('GET', '/healthz');
    const body = assertJson(res, 200);
    assert.deepEqual(body, { status: 'ok' });
  });

  it('GET /api/v1/version names piazza 0.1.0 and an integer schema version', async () => {
    const res = await server.request('GET', '/api/v1/version');
    const body = assertJson(res, 200);
    assert.equal(body.name, 'piazza', show(res));
    assert.equal(body.version, '0.1.0', show(res));
    assert.ok(Number.isInteger(body.schema_version) && body.schema_version >= 1, show(res));
  });

  it('API answers carry X-Content-Type-Options: nosniff', async () => {
    const res = await server.request('GET', '/api/v1/version');
    assert.equal(res.headers['x-content-type-options'], 'nosniff', show(res));
  });

  it('unknown path under /api/ → 404 http.not_found JSON', async () => {
    assertError(await server.request('GET', '/api/v1/nope'), 404, 'http.not_found');
    assertError(await server.request('POST', '/api/v1/nope', { json: {} }), 404, 'http.not_found');
    assertError(await server.request('GET', '/api/nope'), 404, 'http.not_found');
  });

  it('known path, wrong method → 405 http.method_not_allowed JSON with an Allow header', async () => {
    const res = await server.request('PUT', '/api/v1/me', { json: { name: 'x' } });
    assertError(res, 405, 'http.method_not_allowed');
    const allow = String(res.headers.allow || '');
    assert.match(allow, /\bGET\b/, `Allow header: ${allow}`);
    assert.match(allow, /\bPATCH\b/, `Allow header: ${allow}`);
    assert.doesNotMatch(allow, /\bPUT\b/, `Allow header: ${allow}`);

    const res2 = await server.request('DELETE', '/api/v1/version');
    assertError(res2, 405, 'http.method_not_allowed');
    assert.match(String(res2.headers.allow || ''), /\bGET\b/, show(res2));
  });

  it('a 100 KiB JSON body to POST /api/v1/session → 413 http.body_too_large', async () => {
    const big = JSON.stringify({ email: 'a@example.it', password: 'x'.repeat(100 * 1024) });
    const res = await server.request('POST', '/api/v1/session', {
      body: big, headers: { 'content-type': 'application/json' },
    });
    assertError(res, 413, 'http.body_too_large');
  });

  it('a body within the route\'s own limit (from `piazza routes`) is read; one byte over → 413', async () => {
    const r = runCli(['routes']);
    assert.equal(r.status, 0, describeCli(r));
    const row = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === 'POST' && f[1] === '/api/v1/session');
    assert.ok(row, `POST /api/v1/session not in piazza routes:\n${r.stdout}`);
    const limit = Number(row[3]);
    assert.ok(limit > 200 && limit <= 64 * 1024, `body limit of POST /api/v1/session: ${row.join(' ')}`);
    const base = JSON.stringify({ email: 'nobody@example.it', password: 'not-the-password', pad: '' });
    const fits = base.replace('"pad":""', `"pad":"${'x'.repeat(limit - base.length)}"`);
    assert.equal(Buffer.byteLength(fits), limit);
    const res = await server.request('POST', '/api/v1/session', { body: fits, headers: { 'content-type': 'application/json' } });
    assertError(res, 401, 'auth.bad_credentials');
    const over = base.replace('"pad":""', `"pad":"${'x'.repeat(limit - base.length + 1)}"`);
    assertError(await server.request('POST', '/api/v1/session', { body: over, headers: { 'content-type': 'application/json' } }), 413, 'http.body_too_large');
  });

  it('malformed JSON → 400 request.bad_json', async () => {
    const res = await server.request('POST', '/api/v1/session', {
      body: '{"email": "a@example.it", "password": ', headers: { 'content-type': 'application/json' },
    });
    assertError(res, 400, 'request.bad_json');
    const res2 = await server.request('POST', '/api/v1/setup', {
      body: 'not json at all', headers: { 'content-type': 'application/json' },
    });
    assertError(res2, 400, 'request.bad_json');
  });

  it('Host evil.example → 421 http.bad_host (API and web UI)', async () => {
    assertError(await server.request('GET', '/api/v1/version', { host: 'evil.example' }), 421, 'http.bad_host');
    assertError(await server.request('GET', '/healthz', { host: `evil.example:${server.port}` }), 421, 'http.bad_host');
    assertError(await server.request('GET', '/', { host: 'evil.example' }), 421, 'http.bad_host');
    // a name that merely contains an allowed one is not allowed
    assertError(await server.request('GET', '/healthz', { host: 'localhost.evil.example' }), 421, 'http.bad_host');
    assertError(await server.request('GET', '/healthz', { host: '127.0.0.1.evil.example' }), 421, 'http.bad_host');
  });

  it('Host localhost, 127.0.0.1 and [::1], with any port, are allowed', async () => {
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, 'localhost', '127.0.0.1',
      `[::1]:${server.port}`, 'localhost:8080']) {
      const res = await server.request('GET', '/healthz', { host });
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.json, { status: 'ok' }, show(res));
    }
  });

  it('state-changing routes without any credentials → 401 auth.required', async () => {
    assertError(await server.request('GET', '/api/v1/me'), 401, 'auth.required');
    assertError(await server.request('POST', '/api/v1/tokens', { json: { name: 'x' } }), 401, 'auth.required');
    assertError(await server.request('GET', '/api/v1/users'), 401, 'auth.required');
    assertError(await server.request('GET', '/api/v1/audit'), 401, 'auth.required');
    assertError(await server.request('GET', '/api/v1/workspace'), 401, 'auth.required');
  });
});

describe('web UI served by the binary', { timeout: 60_000 }, () => {
  let server;
  let index;
  before(async () => {
    server = await startServer();
    index = await server.request('GET', '/');
  });
  after(stopAll);

  it('GET / returns the HTML page with an ETag, a CSP and not cached as immutable', async () => {
    assert.equal(index.status, 200, show(index));
    assert.match(String(index.headers['content-type']), /text\/html/, show(index));
    assert.match(index.text, /<html/i, show(index));
    assert.ok(index.headers.etag, `no ETag on /: ${JSON.stringify(index.headers)}`);
    assert.ok(index.headers['content-security-policy'], `no Content-Security-Policy on /: ${JSON.stringify(index.headers)}`);
    assert.doesNotMatch(String(index.headers['cache-control'] || ''), /immutable/, 'index.html must not be immutable');
  });

  it('GET / with If-None-Match of its ETag → 304', async () => {
    const res = await server.request('GET', '/', { headers: { 'if-none-match': index.headers.etag } });
    assert.equal(res.status, 304, show(res));
    assert.equal(res.text, '', '304 has no body');
  });

  it('an /assets/ file referenced by index.html is immutable and answers 304 to its ETag', async () => {
    const refs = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 0, `index.html references no /assets/ file:\n${index.text.slice(0, 800)}`);
    for (const ref of refs) {
      const res = await server.request('GET', ref);
      assert.equal(res.status, 200, show(res));
      assert.ok(res.body.length > 0, `${ref} is empty`);
      if (ref.endsWith('.js')) assert.match(String(res.headers['content-type']), /javascript/, `${ref}: ${res.headers['content-type']}`);
      if (ref.endsWith('.css')) assert.match(String(res.headers['content-type']), /text\/css/, `${ref}: ${res.headers['content-type']}`);
      assert.match(String(res.headers['cache-control'] || ''), /immutable/, `${ref} Cache-Control: ${res.headers['cache-control']}`);
      const etag = res.headers.etag;
      assert.ok(etag, `${ref} has no ETag`);
      const again = await server.request('GET', ref, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304, show(again));
      assert.equal(again.text, '');
    }
  });

  it('a client-side route (GET /inbox) serves index.html', async () => {
    const res = await server.request('GET', '/inbox');
    assert.equal(res.status, 200, show(res));
    assert.match(String(res.headers['content-type']), /text\/html/, show(res));
    assert.equal(res.text, index.text, '/inbox must serve the same index.html as /');
    const deep = await server.request('GET', '/contacts/42?tab=notes');
    assert.equal(deep.status, 200, show(deep));
    assert.equal(deep.text, index.text);
  });
});

describe('public URL behind TLS', { timeout: 60_000 }, () => {
  let server;
  before(async () => { server = await startServer({ args: ['--public-url', 'https://piazza.example.com'] }); });
  after(stopAll);

  it('the host of --public-url is allowed; others still are not', async () => {
    const ok = await server.request('GET', '/healthz', { host: 'piazza.example.com' });
    assert.equal(ok.status, 200, show(ok));
    assert.deepEqual(ok.json, { status: 'ok' });
    const local = await server.request('GET', '/healthz', { host: `localhost:${server.port}` });
    assert.equal(local.status, 200, show(local));
    assertError(await server.request('GET', '/healthz', { host: 'evil.example' }), 421, 'http.bad_host');
    assertError(await server.request('GET', '/healthz', { host: 'example.com' }), 421, 'http.bad_host');
  });

  it('the session cookie set through the public host has Secure, HttpOnly and SameSite=Lax', async () => {
    const c = new Client(server);
    const res = await c.post('/api/v1/setup', { code: server.setupCode, ...OWNER }, { host: 'piazza.example.com' });
    assert.equal(res.status, 201, show(res));
    const sc = (res.headers['set-cookie'] || []).find((l) => l.startsWith('piazza_session='));
    assert.ok(sc, `no piazza_session cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    assert.match(sc, /;\s*Secure/i, sc);
    assert.match(sc, /;\s*HttpOnly/i, sc);
    assert.match(sc, /;\s*SameSite=Lax/i, sc);
    const me = await c.get('/api/v1/me', { host: 'piazza.example.com' });
    assert.equal(me.status, 200, show(me));
    assert.equal(me.json.user.email, OWNER.email);
    // and signing in again through the public host also gives a Secure cookie
    const c2 = new Client(server);
    const si = await c2.post('/api/v1/session', { email: OWNER.email, password: STRONG }, { host: 'piazza.example.com' });
    assert.equal(si.status, 200, show(si));
    const sc2 = (si.headers['set-cookie'] || []).find((l) => l.startsWith('piazza_session='));
    assert.match(String(sc2), /;\s*Secure/i, String(sc2));
  });
});

