// Edges a real client meets: odd ids, list bounds, wrong JSON types, text that needs
// escaping, keep-alive connections, chunked bodies, concurrent requests, a set-up race.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, startWithOwner, stopAll, Client, OWNER, STRONG, assertError, assertJson, assertUser,
  show, cliToken,
} from './harness.mjs';

/** Sends `n` requests over one keep-alive connection; resolves to [{status, reused, body}]. */
async function overOneConnection(port, reqs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out = [];
  try {
    for (const { method, path, json } of reqs) {
      out.push(await new Promise((resolve, reject) => {
        const body = json === undefined ? undefined : JSON.stringify(json);
        const headers = { host: `127.0.0.1:${port}` };
        if (body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(body); }
        const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, text }));
        });
        req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer on a keep-alive connection`)));
        req.on('error', reject);
        if (body !== undefined) req.write(body);
        req.end();
      }));
    }
  } finally {
    agent.destroy();
  }
  return out;
}

describe('robustness', { timeout: 60_000 }, () => {
  let server;
  let owner;
  before(async () => { ({ server, owner } = await startWithOwner()); });
  after(stopAll);

  it('ids that are not numbers, too big or negative → 404, never a crash', async () => {
    for (const id of ['abc', '99999999999999999999999', '-1', '0', '1.5', '1e3']) {
      const res = await owner.patch(`/api/v1/users/${id}`, { role: 'member' });
      assert.equal(res.status, 404, show(res));
      assert.ok(['not_found', 'http.not_found'].includes(res.json?.error?.code), show(res));
      const del = await owner.delete(`/api/v1/tokens/${id}`);
      assert.equal(del.status, 404, show(del));
    }
    assertJson(await owner.get('/api/v1/me'), 200);
  });

  it('?limit outside 1..200 → 422 request.invalid (field limit); a forged cursor is refused', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=-5', 'limit=abc']) {
      assertError(await owner.get(`/api/v1/users?${q}`), 422, 'request.invalid', 'limit');
    }
    assertJson(await owner.get('/api/v1/users?limit=1'), 200);
    assertJson(await owner.get('/api/v1/users?limit=200'), 200);
    const bad = await owner.get('/api/v1/audit?cursor=not-a-real-cursor');
    assert.ok(bad.status === 400 || bad.status === 422, show(bad));
    assert.equal(typeof bad.json?.error?.code, 'string', show(bad));
  });

  it('fields of the wrong JSON type → 422 naming the field; a body that is not an object → 400/422', async () => {
    assertError(await owner.post('/api/v1/users', { email: 123, name: 'X', role: 'member' }), 422, 'request.invalid', 'email');
    assertError(await owner.post('/api/v1/users', { email: 'typed@example.it', name: ['X'], role: 'member' }), 422, 'request.invalid', 'name');
    assertError(await owner.patch('/api/v1/me', { locale: 5 }), 422, 'request.invalid', 'locale');
    assertError(await owner.patch(`/api/v1/users/${owner.user.id}`, { disabled: 'yes' }), 422, 'request.invalid', 'disabled');
    assertError(await server.request('POST', '/api/v1/session', { json: { email: ['a@b.it'], password: STRONG } }), 422, 'request.invalid', 'email');
    for (const body of [[1, 2], 'just a string', 42, null]) {
      const res = await owner.post('/api/v1/tokens', body);
      assert.ok(res.status === 400 || res.status === 422, show(res));
      assert.ok(['request.bad_json', 'request.invalid'].includes(res.json?.error?.code), show(res));
    }
  });

  it('text with quotes, backslashes, newlines, accents and emoji round-trips exactly', async () => {
    const name = 'Zoë "Ñandú" \\ d\'Annunzio\n\t🍕 <b>&amp;</b> \u2028';
    const res = await owner.patch('/api/v1/me', { name });
    assert.equal(assertJson(res, 200).user.name, name, show(res));
    const me = assertJson(await owner.get('/api/v1/me'), 200);
    assert.equal(me.user.name, name);
    const t = assertJson(await owner.post('/api/v1/tokens', { name: 'token "quoted" ✓' }), 201);
    assert.equal(t.token.name, 'token "quoted" ✓');
  });

  it('e-mail addresses are matched without regard to case', async () => {
    const c = new Client(server);
    const body = assertJson(await c.signIn('Anna.Bianchi@EXAMPLE.it', STRONG), 200);
    assert.equal(body.user.email, OWNER.email);
    assertError(await owner.post('/api/v1/users', { email: 'ANNA.BIANCHI@example.it', name: 'Dup', role: 'member' }), 409, 'user.exists');
  });

  it('several requests, with bodies, on one keep-alive connection are all answered', async () => {
    const out = await overOneConnection(server.port, [
      { method: 'GET', path: '/healthz' },
      { method: 'POST', path: '/api/v1/session', json: { email: 'nobody@example.it', password: 'Wrong-Password-7' } },
      { method: 'GET', path: '/api/v1/version' },
      { method: 'POST', path: '/api/v1/session', json: { email: OWNER.email, password: STRONG } },
      { method: 'GET', path: '/api/v1/nope' },
    ]);
    assert.deepEqual(out.map((r) => r.status), [200, 401, 200, 200, 404], JSON.stringify(out));
    assert.ok(out.slice(1).every((r) => r.reused), `the connection was not kept alive: ${JSON.stringify(out.map((r) => r.reused))}`);
    assert.match(out[3].text, /"csrf_token"/);
  });

  it('a chunked body over the limit → 413 http.body_too_large', async () => {
    const res = await new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/v1/session', agent: false,
        headers: { host: server.hostHeader, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      }, (r) => {
        let text = '';
        r.on('data', (d) => { text += d; });
        r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, text, json: JSON.parse(text || 'null'), what: 'POST /api/v1/session (chunked)' }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error('chunked upload: no answer')));
      req.on('error', reject);
      req.write('{"email":"a@example.it","password":"');
      for (let i = 0; i < 100; i++) req.write('x'.repeat(1024));
      req.end('"}');
    });
    assertError(res, 413, 'http.body_too_large');
  });

  it('concurrent requests are each answered correctly', async () => {
    const secret = cliToken(server, OWNER.email);
    const reqs = [];
    for (let i = 0; i < 40; i++) {
      reqs.push(server.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${secret}` } }));
      reqs.push(server.request('GET', '/healthz'));
    }
    for (let i = 0; i < 4; i++) reqs.push(new Client(server).signIn(OWNER.email, STRONG));
    const out = await Promise.all(reqs);
    for (const r of out) assert.equal(r.status, 200, show(r));
    for (const r of out.filter((x) => x.what.startsWith('GET /api/v1/me'))) assert.equal(r.json.user.email, OWNER.email);
  });
});

describe('set-up race', { timeout: 60_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(stopAll);

  it('four simultaneous set-ups with the right code: exactly one 201, the others 409 setup.done', async () => {
    const out = await Promise.all([0, 1, 2, 3].map((i) => server.request('POST', '/api/v1/setup', {
      json: { code: server.setupCode, ...OWNER, email: `racer${i}@example.it`, workspace_slug: `race${i}` },
    })));
    const statuses = out.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409], out.map(show).join('\n'));
    for (const r of out.filter((x) => x.status === 409)) assertError(r, 409, 'setup.done');
    const winner = out.find((r) => r.status === 201);
    const c = new Client(server);
    const body = assertJson(await c.signIn(winner.json.user.email, STRONG), 200);
    assertUser(body.user, { role: 'owner' });
    const users = assertJson(await c.get('/api/v1/users'), 200);
    assert.equal(users.items.length, 1, 'one owner, one workspace');
  });
});
