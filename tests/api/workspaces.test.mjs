// Tenant isolation: a second workspace made with `piazza workspace add` and its own
// owner never sees, changes or revokes the first workspace's users and tokens.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWithOwner, stopAll, Client, OWNER, assertError, assertJson, assertUser, assertList,
  addUser, signedIn, cliToken, describeCli,
} from './harness.mjs';

describe('workspace isolation', { timeout: 60_000 }, () => {
  let server;
  let ownerA;
  let userA;
  let tokenA;
  let ownerB;
  before(async () => {
    ({ server, owner: ownerA } = await startWithOwner());
    userA = assertJson(await ownerA.post('/api/v1/users', { email: 'agent.a@example.it', name: 'Agent A', role: 'agent' }), 201).user;
    tokenA = assertJson(await ownerA.post('/api/v1/tokens', { name: 'a-token' }), 201);

    const ws = server.cli(['workspace', 'add', '--name', 'Beta Spa', '--slug', 'b', '--locale', 'en', '--timezone', 'Europe/London']);
    assert.equal(ws.status, 0, describeCli(ws));
    addUser(server, { email: 'owner.b@example.com', name: 'Owner B', role: 'owner', workspace: 'b' });
    addUser(server, { email: 'member.b@example.com', name: 'Member B', role: 'member', workspace: 'b' });
    ownerB = await signedIn(server, 'owner.b@example.com');
  });
  after(stopAll);

  it('B\'s owner is in workspace b', async () => {
    const me = assertJson(await ownerB.get('/api/v1/me'), 200);
    assertUser(me.user, { role: 'owner', workspace: { slug: 'b', name: 'Beta Spa', locale: 'en', timezone: 'Europe/London' } });
    const ws = assertJson(await ownerB.get('/api/v1/workspace'), 200);
    assert.equal(ws.workspace.slug, 'b');
    assert.notEqual(ws.workspace.id, ownerA.user.workspace.id);
  });

  it('B\'s owner: GET /api/v1/users shows only B\'s users', async () => {
    const items = assertList(assertJson(await ownerB.get('/api/v1/users'), 200));
    assert.deepEqual(items.map((u) => u.email).sort(), ['member.b@example.com', 'owner.b@example.com']);
    for (const u of items) assert.equal(u.workspace.slug, 'b');
    const itemsA = assertList(assertJson(await ownerA.get('/api/v1/users'), 200));
    assert.deepEqual(itemsA.map((u) => u.email).sort(), ['agent.a@example.it', OWNER.email]);
  });

  it('B\'s owner: PATCH /api/v1/users/{A user id} → 404 not_found and nothing changes', async () => {
    assertError(await ownerB.patch(`/api/v1/users/${userA.id}`, { role: 'owner' }), 404, 'not_found');
    assertError(await ownerB.patch(`/api/v1/users/${userA.id}`, { disabled: true }), 404, 'not_found');
    assertError(await ownerB.patch(`/api/v1/users/${ownerA.user.id}`, { role: 'member' }), 404, 'not_found');
    const itemsA = assertList(assertJson(await ownerA.get('/api/v1/users'), 200));
    const a = itemsA.find((u) => u.id === userA.id);
    assert.equal(a.role, 'agent');
    assert.equal(a.disabled, false);
  });

  it('B\'s owner: DELETE /api/v1/tokens/{A token id} → 404 not_found and the token still works', async () => {
    assertError(await ownerB.delete(`/api/v1/tokens/${tokenA.token.id}`), 404, 'not_found');
    const me = assertJson(await new Client(server, { bearer: tokenA.secret }).get('/api/v1/me'), 200);
    assert.equal(me.user.email, OWNER.email);
  });

  it('B\'s audit log holds none of A\'s rows', async () => {
    const items = assertList(assertJson(await ownerB.get('/api/v1/audit?limit=200'), 200));
    for (const r of items) {
      assert.ok(!r.actor || r.actor.email.endsWith('@example.com'), `A's row in B's audit: ${JSON.stringify(r)}`);
      assert.ok(!JSON.stringify(r).includes('example.it'), `A's data in B's audit: ${JSON.stringify(r)}`);
    }
    assert.ok(items.some((r) => r.action === 'session.sign_in'), 'B\'s own sign-in is there');
  });

  it('a token made with `token create --workspace b` acts in b', async () => {
    const secret = cliToken(server, 'owner.b@example.com', { workspace: 'b', name: 'b-cli' });
    const b = new Client(server, { bearer: secret });
    const items = assertList(assertJson(await b.get('/api/v1/users'), 200));
    assert.ok(items.every((u) => u.workspace.slug === 'b'), JSON.stringify(items));
    assertError(await b.patch(`/api/v1/users/${userA.id}`, { role: 'member' }), 404, 'not_found');
  });

  it('the same e-mail in two workspaces: sign-in picks the workspace by slug', async () => {
    addUser(server, { email: 'agent.a@example.it', name: 'Agent A in B', role: 'agent', workspace: 'b', password: 'B-Workspace-Pass-1' });
    const inB = await new Client(server).signIn('agent.a@example.it', 'B-Workspace-Pass-1', 'b');
    assertUser(assertJson(inB, 200).user, { email: 'agent.a@example.it', name: 'Agent A in B', workspace: { slug: 'b' } });
    // A's user keeps its own password and workspace
    const wrongWs = await new Client(server).signIn('agent.a@example.it', 'B-Workspace-Pass-1', OWNER.workspace_slug);
    assertError(wrongWs, 401, 'auth.bad_credentials');
  });

  it('`workspace add` with a slug that exists → exit 1', () => {
    const r = server.cli(['workspace', 'add', '--name', 'Beta Again', '--slug', 'b']);
    assert.equal(r.status, 1, describeCli(r));
  });

  it('`stats --json` counts both workspaces', () => {
    const r = server.cli(['stats', '--json']);
    assert.equal(r.status, 0, describeCli(r));
    const s = JSON.parse(r.stdout);
    assert.equal(s.workspaces, 2, r.stdout);
    assert.equal(s.users, 5, r.stdout);
  });

});
