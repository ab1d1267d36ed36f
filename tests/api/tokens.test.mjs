// API tokens: created by `piazza token create` or POST /api/v1/tokens, used as
// Authorization: Bearer (no CSRF needed), listed without their secret, revoked.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWithOwner, stopAll, Client, OWNER, assertError, assertJson, assertUser, assertToken,
  assertList, show, cliToken, addUser, signedIn,
} from './harness.mjs';

describe('API tokens', { timeout: 60_000 }, () => {
  let server;
  let owner;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'mario@example.it', name: 'Mario Member', role: 'member' });
    addUser(server, { email: 'lucia@example.it', name: 'Lucia Member', role: 'member' });
  });
  after(stopAll);

  let cliSecret;
  it('`piazza token create` prints a pz_ token on its last line; Bearer works on /me with csrf_token null', async () => {
    cliSecret = cliToken(server, OWNER.email, { name: 'ci' });
    assert.match(cliSecret, /^pz_[A-Za-z0-9_-]{20,}$/, `token: ${cliSecret}`);
    const bearer = new Client(server, { bearer: cliSecret });
    const body = assertJson(await bearer.get('/api/v1/me'), 200);
    assertUser(body.user, { email: OWNER.email, role: 'owner' });
    assert.equal(body.csrf_token, null, `csrf_token must be null with Bearer: ${JSON.stringify(body)}`);
  });

  it('a Bearer request needs no CSRF header for a write', async () => {
    const bearer = new Client(server, { bearer: cliSecret });
    const res = await bearer.post('/api/v1/tokens', { name: 'made with bearer' });
    const body = assertJson(res, 201);
    assertToken(body.token);
    assert.equal(body.token.name, 'made with bearer');
    const patch = await bearer.patch('/api/v1/me', { locale: 'it' });
    assert.equal(patch.status, 200, show(patch));
  });

  it('a bad Bearer token → 401 auth.bad_token', async () => {
    for (const t of ['pz_thisisnotarealtokenatall0000000', 'garbage', cliSecret.slice(0, -2) + 'zz']) {
      assertError(await server.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${t}` } }), 401, 'auth.bad_token');
    }
  });

  let apiToken;
  let apiSecret;
  it('POST /api/v1/tokens → 201 {token, secret}; the prefix is the first 8 chars of the secret', async () => {
    const res = await owner.post('/api/v1/tokens', { name: 'zapier' });
    const body = assertJson(res, 201);
    assertToken(body.token);
    assert.equal(body.token.name, 'zapier');
    assert.equal(body.token.revoked, false);
    assert.equal(body.token.last_used_at, null);
    assert.equal(body.token.user_id, owner.user.id);
    assert.match(body.secret, /^pz_[A-Za-z0-9_-]{20,}$/, `secret: ${body.secret}`);
    assert.equal(body.token.prefix, body.secret.slice(0, 8));
    apiToken = body.token;
    apiSecret = body.secret;
  });

  it('POST /api/v1/tokens without a name → 422 request.invalid (field name)', async () => {
    assertError(await owner.post('/api/v1/tokens', {}), 422, 'request.invalid', 'name');
  });

  it('GET /api/v1/tokens lists the caller\'s tokens with their prefix and never the secret', async () => {
    const res = await owner.get('/api/v1/tokens');
    const items = assertList(assertJson(res, 200));
    for (const t of items) assertToken(t);
    const t = items.find((x) => x.id === apiToken.id);
    assert.ok(t, `token ${apiToken.id} not listed: ${res.text}`);
    assert.equal(t.prefix, apiSecret.slice(0, 8));
    assert.equal(t.name, 'zapier');
    assert.ok(!res.text.includes(apiSecret), 'the list must not contain the secret');
    assert.ok(!res.text.includes(cliSecret), 'the list must not contain the CLI token secret');
    assert.ok(items.some((x) => x.name === 'ci'), `the CLI token is listed too: ${res.text}`);
  });

  it('using a token sets its last_used_at', async () => {
    assertJson(await new Client(server, { bearer: apiSecret }).get('/api/v1/me'), 200);
    const items = assertList(assertJson(await owner.get('/api/v1/tokens'), 200));
    const t = items.find((x) => x.id === apiToken.id);
    assert.ok(Number.isInteger(t.last_used_at) && t.last_used_at > 1_600_000_000_000, JSON.stringify(t));
  });

  it('the list is paginated with ?limit and the next cursor', async () => {
    const first = assertJson(await owner.get('/api/v1/tokens?limit=1'), 200);
    const a = assertList(first);
    assert.equal(a.length, 1, JSON.stringify(first));
    assert.equal(typeof first.next, 'string', `more tokens exist, next must be a cursor: ${JSON.stringify(first)}`);
    const second = assertJson(await owner.get(`/api/v1/tokens?limit=1&cursor=${encodeURIComponent(first.next)}`), 200);
    const b = assertList(second);
    assert.equal(b.length, 1, JSON.stringify(second));
    assert.notEqual(b[0].id, a[0].id, 'the second page starts after the first');
    const all = assertList(assertJson(await owner.get('/api/v1/tokens?limit=200'), 200));
    assert.ok(all.length >= 3, JSON.stringify(all));
  });

  it('DELETE /api/v1/tokens/{id} → 204; the revoked token then gets 401 auth.bad_token', async () => {
    const res = await owner.delete(`/api/v1/tokens/${apiToken.id}`);
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    assertError(await server.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${apiSecret}` } }), 401, 'auth.bad_token');
    const items = assertList(assertJson(await owner.get('/api/v1/tokens'), 200));
    const t = items.find((x) => x.id === apiToken.id);
    assert.ok(!t || t.revoked === true, `a listed revoked token must say revoked: ${JSON.stringify(t)}`);
  });

  it('DELETE of an unknown token id → 404 not_found', async () => {
    assertError(await owner.delete('/api/v1/tokens/999999'), 404, 'not_found');
  });

  it('a member lists only its own tokens, cannot revoke another member\'s (404), the owner can', async () => {
    const mario = await signedIn(server, 'mario@example.it');
    const lucia = await signedIn(server, 'lucia@example.it');
    const m = assertJson(await mario.post('/api/v1/tokens', { name: 'mario-script' }), 201);
    const l = assertJson(await lucia.post('/api/v1/tokens', { name: 'lucia-script' }), 201);

    const marioList = assertList(assertJson(await mario.get('/api/v1/tokens'), 200));
    assert.deepEqual(marioList.map((t) => t.name), ['mario-script'], JSON.stringify(marioList));
    const ownerList = assertList(assertJson(await owner.get('/api/v1/tokens'), 200));
    assert.ok(!ownerList.some((t) => t.name === 'mario-script'), 'GET /tokens lists the caller\'s own tokens only');

    assertError(await mario.delete(`/api/v1/tokens/${l.token.id}`), 404, 'not_found');
    // Lucia's token still works
    assertJson(await new Client(server, { bearer: l.secret }).get('/api/v1/me'), 200);

    const own = await mario.delete(`/api/v1/tokens/${m.token.id}`);
    assert.equal(own.status, 204, show(own));
    const byOwner = await owner.delete(`/api/v1/tokens/${l.token.id}`);
    assert.equal(byOwner.status, 204, show(byOwner));
    assertError(await server.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${l.secret}` } }), 401, 'auth.bad_token');
  });

  it('a Bearer token of a user is that user: a member token cannot list users (403)', async () => {
    const secret = cliToken(server, 'mario@example.it');
    assertError(await server.request('GET', '/api/v1/users', { headers: { authorization: `Bearer ${secret}` } }), 403, 'auth.forbidden');
    const me = assertJson(await new Client(server, { bearer: secret }).get('/api/v1/me'), 200);
    assert.equal(me.user.email, 'mario@example.it');
    assert.equal(me.csrf_token, null);
  });

  it('`piazza token create` for an unknown e-mail fails with exit 1', () => {
    const r = server.cli(['token', 'create', '--email', 'ghost@example.it']);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /pz_/, 'no token printed');
  });

});
