// Sessions: sign-in, /me, sign-out, CSRF on cookie-authenticated writes, the
// account's own routes (PATCH /me, POST /me/password) and the sign-in rate limits.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWithOwner, stopAll, Client, OWNER, STRONG, assertError, assertJson, assertUser,
  findSetCookie, isClearing, show, addUser,
} from './harness.mjs';

describe('sign-in, /me and sign-out', { timeout: 60_000 }, () => {
  let server;
  before(async () => { ({ server } = await startWithOwner()); });
  after(stopAll);

  let anna;
  let annaCsrf;
  it('POST /api/v1/session with the right password → 200 {user, csrf_token} and a cookie', async () => {
    anna = new Client(server);
    const before = Date.now();
    const res = await anna.signIn(OWNER.email, STRONG);
    const body = assertJson(res, 200);
    assertUser(body.user, { email: OWNER.email, name: OWNER.name, role: 'owner', disabled: false, workspace: { slug: OWNER.workspace_slug } });
    assert.ok(Number.isInteger(body.user.last_sign_in_at) && body.user.last_sign_in_at >= before - 5000,
      `last_sign_in_at should be this sign-in: ${JSON.stringify(body.user)}`);
    assert.equal(typeof body.csrf_token, 'string');
    assert.ok(body.csrf_token.length >= 16, `csrf_token: ${body.csrf_token}`);
    annaCsrf = body.csrf_token;
    const c = findSetCookie(res);
    assert.ok(c && c.value.length >= 20, `no session cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    assert.equal(c.attrs.httponly, true, JSON.stringify(c));
    assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', JSON.stringify(c));
    assert.equal(c.attrs.path, '/', JSON.stringify(c));
    assert.equal(c.attrs.secure, undefined, `no Secure on plain http: ${JSON.stringify(c)}`);
  });

  it('a wrong password → 401 auth.bad_credentials; an unknown e-mail → the same code and message', async () => {
    const wrong = await server.request('POST', '/api/v1/session', { json: { email: OWNER.email, password: 'Wrong-Password-42' } });
    assertError(wrong, 401, 'auth.bad_credentials');
    assert.equal(findSetCookie(wrong), undefined, 'no cookie on a failed sign-in');
    const unknown = await server.request('POST', '/api/v1/session', { json: { email: 'nobody@example.it', password: 'Wrong-Password-42' } });
    assertError(unknown, 401, 'auth.bad_credentials');
    assert.equal(unknown.json.error.message, wrong.json.error.message, 'an unknown e-mail must not be told apart from a wrong password');
  });

  it('a sign-in body without e-mail or password → 422 request.invalid', async () => {
    assertError(await server.request('POST', '/api/v1/session', { json: { password: STRONG } }), 422, 'request.invalid', 'email');
    assertError(await server.request('POST', '/api/v1/session', { json: { email: OWNER.email } }), 422, 'request.invalid', 'password');
  });

  it('GET /api/v1/me with the cookie → {user, csrf_token}', async () => {
    const res = await anna.get('/api/v1/me');
    const body = assertJson(res, 200);
    assertUser(body.user, { email: OWNER.email, role: 'owner' });
    assert.equal(typeof body.csrf_token, 'string');
    assert.ok(body.csrf_token.length >= 16);
    // the token given by /me works as X-CSRF-Token
    const patch = await anna.patch('/api/v1/me', { name: 'Anna B.' }, { headers: { 'x-csrf-token': body.csrf_token } });
    assert.equal(patch.status, 200, show(patch));
  });

  it('GET /api/v1/me without auth → 401 auth.required', async () => {
    assertError(await server.request('GET', '/api/v1/me'), 401, 'auth.required');
    assertError(await server.request('GET', '/api/v1/me', { headers: { cookie: 'piazza_session=forged-session-id-0000000000000' } }), 401, 'auth.required');
  });

  it('GET /api/v1/workspace → {workspace}', async () => {
    const body = assertJson(await anna.get('/api/v1/workspace'), 200);
    const w = body.workspace;
    assert.ok(w && Number.isInteger(w.id), JSON.stringify(body));
    assert.equal(w.name, OWNER.workspace_name);
    assert.equal(w.slug, OWNER.workspace_slug);
    assert.equal(w.locale, 'it');
    assert.equal(w.timezone, 'Europe/Rome');
  });

  it('PATCH /api/v1/me changes locale and name', async () => {
    const body = assertJson(await anna.patch('/api/v1/me', { locale: 'en', name: 'Anna Bianchi Rossi' }), 200);
    assertUser(body.user, { locale: 'en', name: 'Anna Bianchi Rossi', email: OWNER.email });
    const me = assertJson(await anna.get('/api/v1/me'), 200);
    assert.equal(me.user.locale, 'en');
    assert.equal(me.user.name, 'Anna Bianchi Rossi');
  });

  it('PATCH /api/v1/me with a bad locale → 422 request.invalid (field locale)', async () => {
    assertError(await anna.patch('/api/v1/me', { locale: 'fr' }), 422, 'request.invalid', 'locale');
  });

  it('a cookie-authenticated write without X-CSRF-Token → 403 csrf.missing', async () => {
    assertError(await anna.patch('/api/v1/me', { name: 'No Csrf' }, { csrf: false }), 403, 'csrf.missing');
    assertError(await anna.post('/api/v1/tokens', { name: 'no csrf' }, { csrf: false }), 403, 'csrf.missing');
    assertError(await anna.delete('/api/v1/session', { csrf: false }), 403, 'csrf.missing');
  });

  it('a cookie-authenticated write with a wrong X-CSRF-Token → 403 csrf.missing', async () => {
    const forged = 'x'.repeat(annaCsrf.length);
    assertError(await anna.patch('/api/v1/me', { name: 'Wrong Csrf' }, { headers: { 'x-csrf-token': forged } }), 403, 'csrf.missing');
    assertError(await anna.delete('/api/v1/session', { headers: { 'x-csrf-token': '' } }), 403, 'csrf.missing');
    // another session's token is not this session's token
    const other = new Client(server);
    assertJson(await other.signIn(OWNER.email, STRONG), 200);
    assert.notEqual(other.csrf, anna.csrf, 'two sessions must not share a CSRF token');
    assertError(await anna.patch('/api/v1/me', { name: 'Other Csrf' }, { headers: { 'x-csrf-token': other.csrf } }), 403, 'csrf.missing');
    // nothing was changed by the refused requests
    const me = assertJson(await anna.get('/api/v1/me'), 200);
    assert.equal(me.user.name, 'Anna Bianchi Rossi');
  });

  it('POST /api/v1/me/password: wrong current password refused, weak new refused, right one → 204', async () => {
    const bad = await anna.post('/api/v1/me/password', { current_password: 'Not-The-Password-1', new_password: 'Another-Strong-Pass-7' });
    assert.ok(bad.status >= 400 && bad.status < 500, show(bad));
    assert.equal(typeof bad.json?.error?.code, 'string', show(bad));
    assertError(await anna.post('/api/v1/me/password', { current_password: STRONG, new_password: 'short' }), 422, 'password.too_short');
    assertError(await anna.post('/api/v1/me/password', { current_password: STRONG, new_password: 'password123' }), 422, 'password.too_common');
    const ok = await anna.post('/api/v1/me/password', { current_password: STRONG, new_password: 'Another-Strong-Pass-7' });
    assert.equal(ok.status, 204, show(ok));
    assert.equal(ok.text, '');
    assertError(await new Client(server).signIn(OWNER.email, STRONG), 401, 'auth.bad_credentials');
    assertJson(await new Client(server).signIn(OWNER.email, 'Another-Strong-Pass-7'), 200);
    // put it back for the tests below
    const back = await anna.post('/api/v1/me/password', { current_password: 'Another-Strong-Pass-7', new_password: STRONG });
    assert.equal(back.status, 204, show(back));
  });

  it('DELETE /api/v1/session with CSRF → 204 and the cookie cleared; the old cookie no longer works', async () => {
    const oldCookie = anna.jar.header();
    const res = await anna.delete('/api/v1/session');
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    const c = findSetCookie(res);
    assert.ok(isClearing(c), `the session cookie must be cleared: ${JSON.stringify(res.headers['set-cookie'])}`);
    // replay the old cookie: the session was revoked on the server, not just forgotten by the browser
    assertError(await server.request('GET', '/api/v1/me', { headers: { cookie: oldCookie } }), 401, 'auth.required');
    assertError(await server.request('PATCH', '/api/v1/me', {
      json: { name: 'Replay' }, headers: { cookie: oldCookie, 'x-csrf-token': annaCsrf },
    }), 401, 'auth.required');
  });

  it('a must_change_password user signs in and is told so', async () => {
    const owner = new Client(server);
    assertJson(await owner.signIn(OWNER.email, STRONG), 200);
    const created = assertJson(await owner.post('/api/v1/users', { email: 'nuovo@example.it', name: 'Nuovo Utente', role: 'member' }), 201);
    const temp = created.temporary_password;
    const u = new Client(server);
    const body = assertJson(await u.signIn('nuovo@example.it', temp), 200);
    assertUser(body.user, { email: 'nuovo@example.it', must_change_password: true, role: 'member' });
    const ch = await u.post('/api/v1/me/password', { current_password: temp, new_password: 'Nuova-Password-2024' });
    assert.equal(ch.status, 204, show(ch));
    const me = assertJson(await u.get('/api/v1/me'), 200);
    assert.equal(me.user.must_change_password, false, JSON.stringify(me.user));
  });
});

describe('sign-in rate limit per account', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    ({ server } = await startWithOwner());
    addUser(server, { email: 'other@example.it', role: 'member' });
  });
  after(stopAll);

  it('5 failures for one account → the 6th attempt is 429 auth.rate_limited with Retry-After, even with the right password', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await server.request('POST', '/api/v1/session', { json: { email: OWNER.email, password: `Wrong-Password-${i}x` } });
      assertError(res, 401, 'auth.bad_credentials');
    }
    const limited = await server.request('POST', '/api/v1/session', { json: { email: OWNER.email, password: STRONG } });
    assertError(limited, 429, 'auth.rate_limited');
    const ra = limited.headers['retry-after'];
    assert.match(String(ra), /^\d+$/, `Retry-After must be seconds: ${ra}`);
    assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60, `Retry-After out of range: ${ra}`);
    assert.equal(findSetCookie(limited), undefined, 'no cookie while limited');
    // still limited on the next try
    assertError(await server.request('POST', '/api/v1/session', { json: { email: OWNER.email, password: STRONG } }), 429, 'auth.rate_limited');
  });

  it('the limit is per account: another account from the same address still signs in', async () => {
    const res = await server.request('POST', '/api/v1/session', { json: { email: 'other@example.it', password: STRONG } });
    assertJson(res, 200);
  });
});

describe('sign-in rate limit per address', { timeout: 60_000 }, () => {
  let server;
  before(async () => { ({ server } = await startWithOwner()); });
  after(stopAll);

  it('20 failures across different e-mails → 429 auth.rate_limited for any account from that address', async () => {
    for (let i = 1; i <= 20; i++) {
      const res = await server.request('POST', '/api/v1/session', { json: { email: `guess${i}@example.it`, password: 'Wrong-Password-9' } });
      assertError(res, 401, 'auth.bad_credentials');
    }
    const limited = await server.request('POST', '/api/v1/session', { json: { email: OWNER.email, password: STRONG } });
    assertError(limited, 429, 'auth.rate_limited');
    const ra = limited.headers['retry-after'];
    assert.match(String(ra), /^\d+$/, `Retry-After must be seconds: ${ra}`);
    assert.ok(Number(ra) > 0, `Retry-After: ${ra}`);
  });
});
