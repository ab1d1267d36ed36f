// First run: GET/POST /api/v1/setup with the one-time code printed on the console,
// its validation and password rules, the session cookie it sets, and 409 afterwards.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopAll, Client, OWNER, STRONG, assertError, assertJson, assertUser, assertList,
  findSetCookie, show,
} from './harness.mjs';

describe('first-run set-up', { timeout: 60_000 }, () => {
  let server;
  const post = (body) => server.request('POST', '/api/v1/setup', { json: { code: server.setupCode, ...OWNER, ...body } });

  before(async () => { server = await startServer(); });
  after(stopAll);

  it('prints a set-up code XXXX-XXXX on stdout', () => {
    assert.match(server.setupCode, /^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
    assert.match(server.stdout, /First run: open http:\/\/127\.0\.0\.1:\d+\/ and enter the set-up code/, server.stdout);
  });

  it('GET /api/v1/setup → {"needed":true} while no user exists', async () => {
    const body = assertJson(await server.request('GET', '/api/v1/setup'), 200);
    assert.deepEqual(body, { needed: true });
  });

  it('a wrong code → 403 setup.bad_code', async () => {
    const wrong = server.setupCode === 'AAAA-AAAA' ? 'BBBB-BBBB' : 'AAAA-AAAA';
    assertError(await post({ code: wrong }), 403, 'setup.bad_code');
    assertError(await post({ code: '' }), 403, 'setup.bad_code');
  });

  it('missing or invalid fields → 422 request.invalid naming the field', async () => {
    assertError(await post({ email: undefined }), 422, 'request.invalid', 'email');
    assertError(await post({ email: 'not-an-email' }), 422, 'request.invalid', 'email');
    assertError(await post({ name: undefined }), 422, 'request.invalid', 'name');
    assertError(await post({ workspace_name: undefined }), 422, 'request.invalid', 'workspace_name');
    assertError(await post({ workspace_name: '' }), 422, 'request.invalid', 'workspace_name');
    assertError(await post({ locale: 'fr' }), 422, 'request.invalid', 'locale');
    assertError(await post({ password: undefined }), 422, 'request.invalid', 'password');
  });

  it('a password under 10 characters → 422 password.too_short (field password)', async () => {
    assertError(await post({ password: 'Ab3$efg' }), 422, 'password.too_short', 'password');
    assertError(await post({ password: '123456789' }), 422, 'password.too_short', 'password');
  });

  it('a common password → 422 password.too_common', async () => {
    for (const pw of ['password123', 'qwertyuiop', '1234567890', 'passwordpassword']) {
      assertError(await post({ password: pw }), 422, 'password.too_common');
    }
  });

  it('a password equal to the e-mail or its local part → 422 password.same_as_email', async () => {
    assertError(await post({ email: 'marco.rossi@example.it', password: 'marco.rossi@example.it' }), 422, 'password.same_as_email');
    assertError(await post({ email: 'giovanni.verdi@example.it', password: 'giovanni.verdi' }), 422, 'password.same_as_email');
  });

  it('a password over 256 bytes → 422 on field password', async () => {
    const res = await post({ password: 'Aa9-'.repeat(65) }); // 260 bytes
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json?.error?.field, 'password', show(res));
  });

  it('failed attempts created nobody: set-up is still needed', async () => {
    const body = assertJson(await server.request('GET', '/api/v1/setup'), 200);
    assert.deepEqual(body, { needed: true });
  });

  let owner;
  let created;
  it('the right code and a valid body → 201 {user, csrf_token} and a session cookie', async () => {
    owner = new Client(server);
    const res = await owner.post('/api/v1/setup', { code: server.setupCode, ...OWNER });
    const body = assertJson(res, 201);
    assertUser(body.user, {
      email: OWNER.email, name: OWNER.name, role: 'owner', disabled: false, must_change_password: false,
      workspace: { name: OWNER.workspace_name, slug: OWNER.workspace_slug, locale: 'it', timezone: 'Europe/Rome' },
    });
    assert.equal(typeof body.csrf_token, 'string', show(res));
    assert.ok(body.csrf_token.length >= 16, `csrf_token too short: ${body.csrf_token}`);
    created = body.user;

    const c = findSetCookie(res);
    assert.ok(c, `no piazza_session cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    assert.ok(c.value.length >= 20, `session id looks too short: ${c.value}`);
    assert.equal(c.attrs.httponly, true, `HttpOnly missing: ${JSON.stringify(c)}`);
    assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax missing: ${JSON.stringify(c)}`);
    assert.equal(c.attrs.path, '/', `Path=/ missing: ${JSON.stringify(c)}`);
    assert.equal(c.attrs.secure, undefined, `Secure must not be set on plain http: ${JSON.stringify(c)}`);
  });

  it('the set-up cookie signs the owner in: GET /api/v1/me', async () => {
    const res = await owner.get('/api/v1/me');
    const body = assertJson(res, 200);
    assertUser(body.user, { id: created.id, email: OWNER.email, role: 'owner' });
    assert.equal(typeof body.csrf_token, 'string');
  });

  it('GET /api/v1/setup → {"needed":false} afterwards', async () => {
    const body = assertJson(await server.request('GET', '/api/v1/setup'), 200);
    assert.deepEqual(body, { needed: false });
  });

  it('set-up again → 409 setup.done, even with the right code', async () => {
    assertError(await post({ email: 'second@example.it' }), 409, 'setup.done');
    assertError(await post({}), 409, 'setup.done');
    // and the first owner is untouched
    const me = assertJson(await owner.get('/api/v1/me'), 200);
    assert.equal(me.user.email, OWNER.email);
  });

  it('the owner can sign in with the password chosen at set-up', async () => {
    const c = new Client(server);
    const res = await c.signIn(OWNER.email, STRONG);
    const body = assertJson(res, 200);
    assertUser(body.user, { id: created.id, role: 'owner' });
  });

  it('the audit log records setup.complete', async () => {
    const items = assertList(assertJson(await owner.get('/api/v1/audit'), 200));
    const row = items.find((r) => r.action === 'setup.complete');
    assert.ok(row, `no setup.complete row: ${JSON.stringify(items.map((r) => r.action))}`);
  });
});

describe('set-up defaults', { timeout: 60_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(stopAll);

  it('explicit timezone and English locale are kept', async () => {
    const c = new Client(server);
    const res = await c.post('/api/v1/setup', {
      code: server.setupCode, workspace_name: 'Bottega Due', workspace_slug: 'bottega', locale: 'en',
      timezone: 'Europe/London', name: 'Luca Neri', email: 'luca@example.com', password: STRONG,
    });
    const body = assertJson(res, 201);
    assertUser(body.user, { role: 'owner', email: 'luca@example.com', workspace: { slug: 'bottega', locale: 'en', timezone: 'Europe/London' } });
    const ws = assertJson(await c.get('/api/v1/workspace'), 200);
    assert.equal(ws.workspace.slug, 'bottega', JSON.stringify(ws));
    assert.equal(ws.workspace.timezone, 'Europe/London', JSON.stringify(ws));
  });

  it('a second server on an existing database prints no set-up code and needs no set-up', async () => {
    const dir = server.dir;
    server.ownsDir = false; // keep its database for the next server
    assert.equal(await server.stop(), 0, `exit code after SIGTERM\n${server.stderr}`);
    const again = await startServer({ dir, expectSetupCode: false });
    again.ownsDir = true;
    await new Promise((r) => setTimeout(r, 300)); // let any later stdout line arrive
    assert.equal(again.setupCode, null, again.stdout);
    assert.doesNotMatch(again.stdout, /set-up code/, again.stdout);
    const body = assertJson(await again.request('GET', '/api/v1/setup'), 200);
    assert.deepEqual(body, { needed: false });
  });
});

describe('set-up without a workspace slug', { timeout: 60_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(stopAll);

  it('derives a URL-safe slug from the workspace name', async () => {
    const c = new Client(server);
    const body = { code: server.setupCode, ...OWNER, workspace_name: 'Caffè Rossi & Figli' };
    delete body.workspace_slug;
    const res = await c.post('/api/v1/setup', body);
    const out = assertJson(res, 201);
    assert.match(out.user.workspace.slug, /^[a-z0-9][a-z0-9-]*$/, show(res));
    assert.equal(out.user.workspace.name, 'Caffè Rossi & Figli', 'the name keeps its accents and symbols');
  });
});
