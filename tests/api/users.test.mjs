// Users managed by the owner (add, role, disable), the last-owner rule, role checks
// in the dispatcher (manager/agent/member/consultant) and the audit log.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWithOwner, stopAll, Client, OWNER, STRONG, assertError, assertJson, assertUser, assertList,
  show, addUser, signedIn,
} from './harness.mjs';

describe('users (owner)', { timeout: 60_000 }, () => {
  let server;
  let owner;
  before(async () => { ({ server, owner } = await startWithOwner()); });
  after(stopAll);

  let agent;
  let agentTemp;
  it('POST /api/v1/users → 201 {user, temporary_password}', async () => {
    const res = await owner.post('/api/v1/users', { email: 'giulia@example.it', name: 'Giulia Agente', role: 'agent' });
    const body = assertJson(res, 201);
    agent = body.user;
    agentTemp = body.temporary_password;
    assertUser(body.user, {
      email: 'giulia@example.it', name: 'Giulia Agente', role: 'agent', disabled: false, must_change_password: true,
      last_sign_in_at: null, workspace: { slug: OWNER.workspace_slug },
    });
    assert.equal(typeof body.temporary_password, 'string', show(res));
    assert.ok(body.temporary_password.length >= 10, `temporary password too short: ${body.temporary_password}`);
  });

  it('the new user signs in with the temporary password and must change it', async () => {
    const c = new Client(server);
    const body = assertJson(await c.signIn('giulia@example.it', agentTemp), 200);
    assertUser(body.user, { id: agent.id, role: 'agent', must_change_password: true });
  });

  it('the same e-mail again → 409 user.exists', async () => {
    assertError(await owner.post('/api/v1/users', { email: 'giulia@example.it', name: 'Again', role: 'member' }), 409, 'user.exists');
    assertError(await owner.post('/api/v1/users', { email: OWNER.email, name: 'Owner Again', role: 'member' }), 409, 'user.exists');
  });

  it('invalid user bodies → 422 request.invalid naming the field', async () => {
    assertError(await owner.post('/api/v1/users', { email: 'x@example.it', name: 'X', role: 'admin' }), 422, 'request.invalid', 'role');
    assertError(await owner.post('/api/v1/users', { email: 'no-at-sign', name: 'X', role: 'member' }), 422, 'request.invalid', 'email');
    assertError(await owner.post('/api/v1/users', { name: 'X', role: 'member' }), 422, 'request.invalid', 'email');
  });

  it('GET /api/v1/users lists the workspace\'s users', async () => {
    const items = assertList(assertJson(await owner.get('/api/v1/users'), 200));
    for (const u of items) assertUser(u);
    const emails = items.map((u) => u.email).sort();
    assert.deepEqual(emails, ['anna.bianchi@example.it', 'giulia@example.it'], JSON.stringify(emails));
  });

  it('PATCH /api/v1/users/{id} changes the role', async () => {
    const body = assertJson(await owner.patch(`/api/v1/users/${agent.id}`, { role: 'manager' }), 200);
    assertUser(body.user, { id: agent.id, role: 'manager' });
    const items = assertList(assertJson(await owner.get('/api/v1/users'), 200));
    assert.equal(items.find((u) => u.id === agent.id).role, 'manager');
    assertError(await owner.patch(`/api/v1/users/${agent.id}`, { role: 'superuser' }), 422, 'request.invalid', 'role');
    assertError(await owner.patch('/api/v1/users/999999', { role: 'member' }), 404, 'not_found');
  });

  it('disabling a user refuses its sign-in (403 user.disabled) and ends its existing session', async () => {
    addUser(server, { email: 'paolo@example.it', name: 'Paolo', role: 'member' });
    const paolo = await signedIn(server, 'paolo@example.it');
    const paoloBearer = new Client(server, { bearer: (await paolo.post('/api/v1/tokens', { name: 'p' })).json.secret });
    assertJson(await paoloBearer.get('/api/v1/me'), 200);
    const list = assertList(assertJson(await owner.get('/api/v1/users'), 200));
    const id = list.find((u) => u.email === 'paolo@example.it').id;

    const body = assertJson(await owner.patch(`/api/v1/users/${id}`, { disabled: true }), 200);
    assertUser(body.user, { id, disabled: true });

    assertError(await new Client(server).signIn('paolo@example.it', STRONG), 403, 'user.disabled');
    const me = await paolo.get('/api/v1/me');
    assert.equal(me.status, 401, `a disabled user's session must stop working: ${show(me)}`);
    assert.equal(me.json?.error?.code, 'auth.required', show(me));
    const bm = await paoloBearer.get('/api/v1/me');
    assert.ok(bm.status === 401 || bm.status === 403, `a disabled user's token must stop working: ${show(bm)}`);

    // enabling again lets the user back in
    const en = assertJson(await owner.patch(`/api/v1/users/${id}`, { disabled: false }), 200);
    assert.equal(en.user.disabled, false);
    assertJson(await new Client(server).signIn('paolo@example.it', STRONG), 200);
  });

  it('the last active owner cannot be demoted or disabled (422)', async () => {
    const self = owner.user.id;
    const demote = await owner.patch(`/api/v1/users/${self}`, { role: 'manager' });
    assert.equal(demote.status, 422, show(demote));
    assert.equal(typeof demote.json?.error?.code, 'string', show(demote));
    const disable = await owner.patch(`/api/v1/users/${self}`, { disabled: true });
    assert.equal(disable.status, 422, show(disable));
    const me = assertJson(await owner.get('/api/v1/me'), 200);
    assertUser(me.user, { role: 'owner', disabled: false });
  });

  it('with a second active owner, the first can be demoted; then the second is the last one', async () => {
    const second = assertJson(await owner.post('/api/v1/users', { email: 'co.owner@example.it', name: 'Co Owner', role: 'owner' }), 201);
    // a disabled owner does not count as active
    assertJson(await owner.patch(`/api/v1/users/${second.user.id}`, { disabled: true }), 200);
    assert.equal((await owner.patch(`/api/v1/users/${owner.user.id}`, { role: 'manager' })).status, 422);
    assertJson(await owner.patch(`/api/v1/users/${second.user.id}`, { disabled: false }), 200);
    // now the second owner can demote the first
    const co = new Client(server);
    assertJson(await co.signIn('co.owner@example.it', second.temporary_password), 200);
    const res = await co.patch(`/api/v1/users/${owner.user.id}`, { role: 'manager' });
    assertUser(assertJson(res, 200).user, { id: owner.user.id, role: 'manager' });
    const back = await co.patch(`/api/v1/users/${owner.user.id}`, { role: 'owner' });
    assertUser(assertJson(back, 200).user, { role: 'owner' });
    assert.equal((await co.patch(`/api/v1/users/${co.user.id}`, { role: 'member' })).status, 200, 'two owners: one may step down');
    assert.equal((await owner.patch(`/api/v1/users/${owner.user.id}`, { role: 'member' })).status, 422, 'the last owner again');
  });
});

describe('roles in the dispatcher', { timeout: 60_000 }, () => {
  let server;
  let owner;
  const who = {};
  before(async () => {
    ({ server, owner } = await startWithOwner());
    for (const role of ['manager', 'agent', 'member', 'consultant']) {
      addUser(server, { email: `${role}@example.it`, name: `The ${role}`, role });
      who[role] = await signedIn(server, `${role}@example.it`);
    }
  });
  after(stopAll);

  for (const role of ['manager', 'agent', 'member', 'consultant']) {
    it(`${role}: GET /api/v1/users, POST/PATCH users and GET /api/v1/audit → 403 auth.forbidden`, async () => {
      const c = who[role];
      assertError(await c.get('/api/v1/users'), 403, 'auth.forbidden');
      assertError(await c.post('/api/v1/users', { email: `x-${role}@example.it`, name: 'X', role: 'member' }), 403, 'auth.forbidden');
      assertError(await c.patch(`/api/v1/users/${owner.user.id}`, { role: 'member' }), 403, 'auth.forbidden');
      assertError(await c.get('/api/v1/audit'), 403, 'auth.forbidden');
    });
  }

  for (const role of ['manager', 'agent', 'member']) {
    it(`${role}: may create and list its own tokens`, async () => {
      const c = who[role];
      const body = assertJson(await c.post('/api/v1/tokens', { name: `${role}-token` }), 201);
      assert.equal(body.token.user_id, c.user.id);
      const items = assertList(assertJson(await c.get('/api/v1/tokens'), 200));
      assert.ok(items.some((t) => t.id === body.token.id));
    });
  }

  it('consultant: GET /api/v1/me and /api/v1/workspace answer 200', async () => {
    const c = who.consultant;
    const me = assertJson(await c.get('/api/v1/me'), 200);
    assertUser(me.user, { role: 'consultant', email: 'consultant@example.it' });
    const ws = assertJson(await c.get('/api/v1/workspace'), 200);
    assert.equal(ws.workspace.slug, OWNER.workspace_slug);
  });

  it('consultant: POST /api/v1/tokens → 403 auth.forbidden (writes refused)', async () => {
    assertError(await who.consultant.post('/api/v1/tokens', { name: 'consultant-token' }), 403, 'auth.forbidden');
  });

  it('consultant: reads what a manager reads (GET /api/v1/tokens → 200)', async () => {
    const items = assertList(assertJson(await who.consultant.get('/api/v1/tokens'), 200));
    assert.deepEqual(items, []);
  });

  it('consultant: its own account routes are allowed (PATCH /me, POST /me/password, sign-out)', async () => {
    const c = who.consultant;
    const p = assertJson(await c.patch('/api/v1/me', { locale: 'en', name: 'Consulente' }), 200);
    assertUser(p.user, { locale: 'en', name: 'Consulente', role: 'consultant' });
    const pw = await c.post('/api/v1/me/password', { current_password: STRONG, new_password: 'Consultant-Pass-2024' });
    assert.equal(pw.status, 204, show(pw));
    const out = await c.delete('/api/v1/session');
    assert.equal(out.status, 204, show(out));
  });

  it('owner: GET /api/v1/users lists all five roles', async () => {
    const items = assertList(assertJson(await owner.get('/api/v1/users'), 200));
    assert.deepEqual(items.map((u) => u.role).sort(), ['agent', 'consultant', 'manager', 'member', 'owner']);
  });

  it('GET /api/v1/users is paginated with ?limit and next', async () => {
    const first = assertJson(await owner.get('/api/v1/users?limit=2'), 200);
    assert.equal(assertList(first).length, 2);
    assert.equal(typeof first.next, 'string', JSON.stringify(first));
    const seen = new Set(first.items.map((u) => u.id));
    let next = first.next;
    for (let i = 0; i < 5 && next; i++) {
      const page = assertJson(await owner.get(`/api/v1/users?limit=2&cursor=${encodeURIComponent(next)}`), 200);
      for (const u of assertList(page)) {
        assert.ok(!seen.has(u.id), `user ${u.id} listed twice across pages`);
        seen.add(u.id);
      }
      next = page.next;
    }
    assert.equal(next, null, 'the last page has next null');
    assert.equal(seen.size, 5);
  });
});

describe('audit log', { timeout: 60_000 }, () => {
  let server;
  let owner;
  let items;
  const steps = {};
  before(async () => {
    ({ server, owner } = await startWithOwner());
    // make one of each event; each test below checks its own step, so one broken route fails one test
    const step = async (name, p) => { try { steps[name] = await p; } catch (e) { steps[name] = e; } };
    await step('session.sign_in', owner.signIn(OWNER.email, STRONG));
    await step('session.sign_in_failed', new Client(server).signIn(OWNER.email, 'Wrong-Password-1'));
    await step('user.create', owner.post('/api/v1/users', { email: 'sara@example.it', name: 'Sara', role: 'agent' }));
    const sara = steps['user.create'].json?.user?.id;
    await step('user.role_change', owner.patch(`/api/v1/users/${sara}`, { role: 'member' }));
    await step('user.disable', owner.patch(`/api/v1/users/${sara}`, { disabled: true }));
    await step('user.enable', owner.patch(`/api/v1/users/${sara}`, { disabled: false }));
    await step('token.create', owner.post('/api/v1/tokens', { name: 'audited' }));
    await step('token.revoke', owner.delete(`/api/v1/tokens/${steps['token.create'].json?.token?.id}`));
    const other = new Client(server);
    await other.signIn(OWNER.email, STRONG);
    await step('session.sign_out', other.delete('/api/v1/session'));
    items = assertList(assertJson(await owner.get('/api/v1/audit?limit=200'), 200));
  });
  after(stopAll);

  it('rows have the contract shape', () => {
    assert.ok(items.length >= 5, `too few audit rows: ${JSON.stringify(items.map((r) => r.action))}`);
    for (const r of items) {
      const s = JSON.stringify(r);
      assert.ok(Number.isInteger(r.id), s);
      assert.ok(Number.isInteger(r.at) && r.at > 1_600_000_000_000, s);
      assert.equal(typeof r.action, 'string', s);
      assert.ok(r.actor === null || (Number.isInteger(r.actor.id) && typeof r.actor.email === 'string'), s);
      assert.equal(typeof r.ip, 'string', s);
      assert.ok(r.target === null || typeof r.target === 'string', s);
      assert.ok(r.detail === null || typeof r.detail === 'string', s);
    }
  });

  it('newest first', () => {
    for (let i = 1; i < items.length; i++) {
      assert.ok(items[i - 1].at >= items[i].at, `row ${i - 1} older than row ${i}`);
      assert.ok(items[i - 1].id > items[i].id, `ids not descending at ${i}`);
    }
  });

  for (const action of ['session.sign_in', 'user.create', 'user.role_change', 'user.disable', 'user.enable',
    'token.create', 'token.revoke', 'session.sign_out', 'setup.complete']) {
    it(`records ${action} with the owner as actor`, () => {
      const want = { 'session.sign_in': 200, 'user.create': 201, 'user.role_change': 200, 'user.disable': 200,
        'user.enable': 200, 'token.create': 201, 'token.revoke': 204, 'session.sign_out': 204 }[action];
      if (want) assert.equal(steps[action].status, want, `the request that should be audited failed: ${show(steps[action])}`);
      const row = items.find((r) => r.action === action);
      assert.ok(row, `no ${action} row in ${JSON.stringify(items.map((r) => r.action))}`);
      assert.ok(row.actor, `${action} has no actor: ${JSON.stringify(row)}`);
      assert.equal(row.actor.email, OWNER.email, JSON.stringify(row));
      assert.equal(row.actor.id, owner.user.id, JSON.stringify(row));
      assert.equal(row.ip, '127.0.0.1', JSON.stringify(row));
    });
  }

  it('records session.sign_in_failed from the caller\'s address', () => {
    assertError(steps['session.sign_in_failed'], 401, 'auth.bad_credentials');
    const row = items.find((r) => r.action === 'session.sign_in_failed');
    assert.ok(row, `no session.sign_in_failed row in ${JSON.stringify(items.map((r) => r.action))}`);
    assert.equal(row.ip, '127.0.0.1', JSON.stringify(row));
    assert.ok(row.target === OWNER.email || row.actor?.email === OWNER.email,
      `the row must name the account that was tried: ${JSON.stringify(row)}`);
    assert.ok(!JSON.stringify(row).includes('Wrong-Password-1'), 'the audit log must never hold a tried password');
  });

  it('the role change names its target', () => {
    const row = items.find((r) => r.action === 'user.role_change');
    assert.ok(row.target && /sara@example\.it|\d+/.test(row.target), `user.role_change target: ${JSON.stringify(row)}`);
  });

  it('a non-owner gets 403 auth.forbidden', async () => {
    addUser(server, { email: 'boss@example.it', role: 'manager' });
    const m = await signedIn(server, 'boss@example.it');
    assertError(await m.get('/api/v1/audit'), 403, 'auth.forbidden');
  });
});
