// Contacts over HTTP: create with identities (normalized, unique, refused whole when one is bad),
// list with search, filters and cursors, get with identities, organizations, tags and explained
// strength, patch (a stage change shows on the timeline), real deletion, the timeline (log a
// call or meeting, read it back in pages), roles (agent edits, member and consultant read only,
// manager erases) and workspace isolation.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWithOwner, stopAll, assertError, assertJson, assertList, show, addUser, signedIn,
} from './harness.mjs';

function isInt(v) { return Number.isInteger(v); }

/** Asserts the shape every contact has, in lists and alone. */
function assertContact(c, expect = {}) {
  const s = JSON.stringify(c);
  assert.ok(c && typeof c === 'object', `contact: ${s}`);
  assert.ok(isInt(c.id) && c.id > 0, `contact.id: ${s}`);
  assert.ok(c.kind === 'person' || c.kind === 'organization', `contact.kind: ${s}`);
  assert.equal(typeof c.name, 'string', `contact.name: ${s}`);
  assert.ok(['stranger', 'lead', 'prospect', 'customer', 'advocate', 'former'].includes(c.stage), `contact.stage: ${s}`);
  assert.ok(c.type === null || typeof c.type === 'string', `contact.type: ${s}`);
  assert.ok(c.owner === null || isInt(c.owner), `contact.owner: ${s}`);
  assert.ok(c.strength === null || (isInt(c.strength) && c.strength >= 0 && c.strength <= 100), `contact.strength: ${s}`);
  assert.ok(isInt(c.created_at) && c.created_at > 1_600_000_000_000, `contact.created_at: ${s}`);
  assert.ok(isInt(c.updated_at) && c.updated_at >= c.created_at, `contact.updated_at: ${s}`);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(c[k], v, `contact.${k}: ${s}`);
}

/** Asserts the shape of a single contact (GET/POST/PATCH answers). */
function assertFullContact(c, expect = {}) {
  assertContact(c, expect);
  const s = JSON.stringify(c);
  assert.ok(Array.isArray(c.identities), `identities: ${s}`);
  assert.ok(Array.isArray(c.tags), `tags: ${s}`);
  assert.ok(Array.isArray(c.kind === 'person' ? c.organizations : c.people), `memberships: ${s}`);
  assert.equal(typeof c.notes, 'string', `notes: ${s}`);
  assert.equal(typeof c.strength_explanation, 'string', `strength_explanation: ${s}`);
  assert.ok(c.strength_explanation.length > 0, `strength_explanation: ${s}`);
  assert.ok(isInt(c.strength), `a single contact has its strength computed: ${s}`);
}

function assertEntry(e) {
  const s = JSON.stringify(e);
  assert.ok(isInt(e.id) && e.id > 0, `entry.id: ${s}`);
  assert.ok(isInt(e.contact_id), `entry.contact_id: ${s}`);
  assert.ok(isInt(e.at), `entry.at: ${s}`);
  assert.equal(typeof e.kind, 'string', `entry.kind: ${s}`);
  assert.equal(typeof e.interaction, 'boolean', `entry.interaction: ${s}`);
}

describe('contacts', { timeout: 90_000 }, () => {
  let server;
  let owner;
  let agent;
  let member;
  let consultant;
  let manager;
  let agentId;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'agent@example.it', name: 'Giulia Agente', role: 'agent' });
    addUser(server, { email: 'member@example.it', name: 'Marco Membro', role: 'member' });
    addUser(server, { email: 'consultant@example.it', name: 'Carla Consulente', role: 'consultant' });
    addUser(server, { email: 'manager@example.it', name: 'Mario Manager', role: 'manager' });
    agent = await signedIn(server, 'agent@example.it');
    member = await signedIn(server, 'member@example.it');
    consultant = await signedIn(server, 'consultant@example.it');
    manager = await signedIn(server, 'manager@example.it');
    agentId = assertJson(await agent.get('/api/v1/me'), 200).user.id;
  });
  after(stopAll);

  let mario;
  it('POST /api/v1/contacts (agent) → 201 with normalized identities, tags, owner = caller', async () => {
    const res = await agent.post('/api/v1/contacts', {
      name: 'Mario Rossi', given_name: 'Mario', family_name: 'Rossi', stage: 'lead', type: 'customer',
      identities: [{ kind: 'email', value: 'Mario.Rossi@Example.IT' }, { kind: 'phone', value: '333 1234567', label: 'cell' }],
      tags: ['Fiera'], notes: 'Met at the **fair**.',
    });
    const body = assertJson(res, 201);
    mario = body.contact;
    assertFullContact(mario, {
      kind: 'person', name: 'Mario Rossi', given_name: 'Mario', family_name: 'Rossi', stage: 'lead', type: 'customer',
      owner: agentId, tags: ['Fiera'], notes: 'Met at the **fair**.', strength: 0, organizations: [],
    });
    const ids = mario.identities.map((i) => [i.kind, i.value, i.original, i.label]);
    assert.deepEqual(ids, [
      ['email', 'mario.rossi@example.it', 'Mario.Rossi@Example.IT', null],
      ['phone', '+393331234567', '333 1234567', 'cell'],
    ], show(res));
  });

  it('creates an organization; defaults are stage stranger and no type', async () => {
    const body = assertJson(await agent.post('/api/v1/contacts', { kind: 'organization', name: 'Acme Srl', owner: null }), 201);
    assertFullContact(body.contact, { kind: 'organization', name: 'Acme Srl', stage: 'stranger', type: null, owner: null, people: [], identities: [] });
  });

  it('a bad identity → 422 contact.identity_invalid with field, and nothing is created', async () => {
    assertError(await agent.post('/api/v1/contacts', { name: 'Broken', identities: [{ kind: 'email', value: 'not-an-email' }] }),
      422, 'contact.identity_invalid', 'value');
    assertError(await agent.post('/api/v1/contacts', { name: 'Broken', identities: [{ kind: 'phone', value: '12' }] }),
      422, 'contact.identity_invalid', 'value');
    const items = assertList(assertJson(await agent.get('/api/v1/contacts?q=Broken'), 200));
    assert.deepEqual(items, [], 'a refused create must leave no contact behind');
  });

  it('an identity another contact has → 409 contact.identity_taken (the phone in another written form)', async () => {
    assertError(await agent.post('/api/v1/contacts', { name: 'Altro Mario', identities: [{ kind: 'phone', value: '+39 333 123 4567' }] }),
      409, 'contact.identity_taken');
    assertError(await agent.post('/api/v1/contacts', { name: 'Altro Mario', identities: [{ kind: 'email', value: 'MARIO.ROSSI@example.it' }] }),
      409, 'contact.identity_taken');
    const items = assertList(assertJson(await agent.get('/api/v1/contacts?q=Altro'), 200));
    assert.deepEqual(items, []);
  });

  it('invalid bodies → 422 request.invalid naming the field; junk JSON → 400', async () => {
    assertError(await agent.post('/api/v1/contacts', { name: 'X', stage: 'friend' }), 422, 'request.invalid', 'stage');
    assertError(await agent.post('/api/v1/contacts', { name: 'X', type: 'enemy' }), 422, 'request.invalid', 'type');
    assertError(await agent.post('/api/v1/contacts', { name: 'X', owner: 'me' }), 422, 'request.invalid', 'owner');
    assertError(await agent.post('/api/v1/contacts', { name: 'X', identities: 'x@y.it' }), 422, 'request.invalid', 'identities');
    assertError(await agent.post('/api/v1/contacts', { name: 'X', kind: 'robot' }), 422, 'request.invalid', 'kind');
    assertError(await agent.req('POST', '/api/v1/contacts', { body: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'request.bad_json');
  });

  it('GET /api/v1/contacts/{id} returns the contact with its identities; the owner reads it in Italian', async () => {
    const body = assertJson(await member.get(`/api/v1/contacts/${mario.id}`), 200);
    assertFullContact(body.contact, { id: mario.id, name: 'Mario Rossi', identities: mario.identities, tags: ['Fiera'] });
    const it_ = assertJson(await owner.get(`/api/v1/contacts/${mario.id}`), 200).contact;
    assert.equal(it_.id, mario.id);
    assert.equal(it_.strength_explanation, 'nessun contatto finora', JSON.stringify(it_));
    assertError(await owner.get('/api/v1/contacts/999999'), 404, 'not_found');
    assertError(await owner.get('/api/v1/contacts/abc'), 404, 'not_found');
  });

  it('GET /api/v1/contacts lists, searches (accent-insensitive, by identity) and filters', async () => {
    for (const c of [
      { name: 'Nicolò Bianchi', stage: 'customer', type: 'supplier', tags: ['fiera'] },
      { name: 'Luca Verdi', stage: 'prospect', identities: [{ kind: 'email', value: 'luca@verdi.it' }] },
      { name: 'Sara Neri', stage: 'customer' },
    ]) assertJson(await agent.post('/api/v1/contacts', c), 201);
    const all = assertList(assertJson(await consultant.get('/api/v1/contacts'), 200));
    for (const c of all) assertContact(c);
    assert.deepEqual(all.map((c) => c.name), ['Acme Srl', 'Luca Verdi', 'Mario Rossi', 'Nicolò Bianchi', 'Sara Neri']);

    const byName = assertList(assertJson(await member.get('/api/v1/contacts?q=nicolo'), 200));
    assert.deepEqual(byName.map((c) => c.name), ['Nicolò Bianchi']);
    const byEmail = assertList(assertJson(await member.get('/api/v1/contacts?q=luca%40verdi.it'), 200));
    assert.deepEqual(byEmail.map((c) => c.name), ['Luca Verdi']);
    const byPhone = assertList(assertJson(await member.get('/api/v1/contacts?q=3331234567'), 200));
    assert.deepEqual(byPhone.map((c) => c.name), ['Mario Rossi']);
    const customers = assertList(assertJson(await member.get('/api/v1/contacts?stage=customer'), 200));
    assert.deepEqual(customers.map((c) => c.name), ['Nicolò Bianchi', 'Sara Neri']);
    const suppliers = assertList(assertJson(await member.get('/api/v1/contacts?type=supplier'), 200));
    assert.deepEqual(suppliers.map((c) => c.name), ['Nicolò Bianchi']);
    const tagged = assertList(assertJson(await member.get('/api/v1/contacts?tag=FIERA'), 200));
    assert.deepEqual(tagged.map((c) => c.name), ['Mario Rossi', 'Nicolò Bianchi']);
    const mine = assertList(assertJson(await agent.get('/api/v1/contacts?owner=me'), 200));
    assert.deepEqual(mine.map((c) => c.name), ['Luca Verdi', 'Mario Rossi', 'Nicolò Bianchi', 'Sara Neri']);
    const byOwnerId = assertList(assertJson(await owner.get(`/api/v1/contacts?owner=${agentId}&stage=lead`), 200));
    assert.deepEqual(byOwnerId.map((c) => c.name), ['Mario Rossi']);
    assertError(await member.get('/api/v1/contacts?stage=friend'), 422, 'request.invalid', 'stage');
    assertError(await member.get('/api/v1/contacts?limit=0'), 422, 'request.invalid', 'limit');
    assertError(await member.get('/api/v1/contacts?owner=someone'), 422, 'request.invalid', 'owner');
  });

  it('pages with limit and cursor cover every contact once', async () => {
    const first = assertJson(await member.get('/api/v1/contacts?limit=2'), 200);
    assert.equal(assertList(first).length, 2);
    assert.equal(typeof first.next, 'string', JSON.stringify(first));
    const names = first.items.map((c) => c.name);
    let next = first.next;
    while (next) {
      const page = assertJson(await member.get(`/api/v1/contacts?limit=2&cursor=${encodeURIComponent(next)}`), 200);
      names.push(...assertList(page).map((c) => c.name));
      next = page.next;
    }
    assert.deepEqual(names, ['Acme Srl', 'Luca Verdi', 'Mario Rossi', 'Nicolò Bianchi', 'Sara Neri']);
    assertError(await member.get('/api/v1/contacts?cursor=garbage'), 422, 'request.invalid', 'cursor');
  });

  it('PATCH /api/v1/contacts/{id} (agent) changes fields; a stage change shows on the timeline', async () => {
    const body = assertJson(await agent.patch(`/api/v1/contacts/${mario.id}`, { stage: 'customer', type: 'partner', notes: '' }), 200);
    assertFullContact(body.contact, { id: mario.id, stage: 'customer', type: 'partner', notes: '', name: 'Mario Rossi' });
    const tl = assertList(assertJson(await member.get(`/api/v1/contacts/${mario.id}/timeline`), 200));
    const change = tl.find((e) => e.kind === 'stage_change');
    assert.ok(change, `no stage_change entry: ${JSON.stringify(tl)}`);
    assertEntry(change);
    assert.equal(change.body, "lead → customer", JSON.stringify(change));
    assert.equal(change.interaction, false);
    assert.equal(change.author, agentId, JSON.stringify(change));
    const cleared = assertJson(await agent.patch(`/api/v1/contacts/${mario.id}`, { owner: null }), 200);
    assert.equal(cleared.contact.owner, null);
    assertError(await agent.patch(`/api/v1/contacts/${mario.id}`, { stage: 'friend' }), 422, 'request.invalid', 'stage');
    assertError(await agent.patch(`/api/v1/contacts/${mario.id}`, { kind: 'organization' }), 422, 'request.invalid', 'kind');
    assertError(await agent.patch('/api/v1/contacts/999999', { stage: 'lead' }), 404, 'not_found');
  });

  it('POST /api/v1/contacts/{id}/timeline logs a call and a meeting → 201; strength and timeline follow', async () => {
    const now = Date.now();
    const call = assertJson(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, {
      kind: 'call', direction: 'out', duration_s: 300, outcome: 'answered', body: 'Talked about the offer.', at: now - 60_000,
    }), 201).entry;
    assertEntry(call);
    assert.deepEqual(
      { contact_id: call.contact_id, at: call.at, kind: call.kind, channel: call.channel, direction: call.direction, duration_s: call.duration_s, outcome: call.outcome, body: call.body, author: call.author, interaction: call.interaction },
      { contact_id: mario.id, at: now - 60_000, kind: 'call', channel: 'phone', direction: 'out', duration_s: 300, outcome: 'answered', body: 'Talked about the offer.', author: agentId, interaction: true });
    const meeting = assertJson(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'meeting', direction: 'in', body: 'Visit' }), 201).entry;
    assert.equal(meeting.channel, 'meeting');
    assert.ok(meeting.at >= now - 5_000, JSON.stringify(meeting));

    const tl = assertJson(await member.get(`/api/v1/contacts/${mario.id}/timeline`), 200);
    const items = assertList(tl);
    for (const e of items) assertEntry(e);
    // newest first: the meeting (now), the stage change (a moment ago), the call (a minute ago)
    assert.deepEqual(items.map((e) => e.kind), ['meeting', 'stage_change', 'call'], JSON.stringify(items));
    assert.deepEqual([items[0].id, items[2].id], [meeting.id, call.id]);
    assert.ok(items.every((e) => e.contact_id === mario.id));

    const got = assertJson(await member.get(`/api/v1/contacts/${mario.id}`), 200).contact;
    assert.ok(got.strength > 0, `strength after two interactions: ${JSON.stringify(got)}`);
    const inItalian = assertJson(await owner.get(`/api/v1/contacts/${mario.id}`), 200).contact;
    assert.match(inItalian.strength_explanation, /^ultimo contatto oggi; 2 contatti nell'ultimo anno/, JSON.stringify(inItalian));
    const listed = assertList(assertJson(await member.get('/api/v1/contacts?q=mario'), 200));
    assert.equal(listed[0].strength, got.strength, 'the stored strength is updated at once');
    assert.ok(listed[0].last_contact_at >= now - 5_000, JSON.stringify(listed[0]));
  });

  it('the timeline pages with limit and cursor, newest first', async () => {
    const first = assertJson(await member.get(`/api/v1/contacts/${mario.id}/timeline?limit=1`), 200);
    assert.equal(assertList(first).length, 1);
    assert.equal(typeof first.next, 'string');
    const ids = first.items.map((e) => e.id);
    let next = first.next;
    while (next) {
      const page = assertJson(await member.get(`/api/v1/contacts/${mario.id}/timeline?limit=1&cursor=${encodeURIComponent(next)}`), 200);
      ids.push(...assertList(page).map((e) => e.id));
      next = page.next;
    }
    const all = assertList(assertJson(await member.get(`/api/v1/contacts/${mario.id}/timeline`), 200)).map((e) => e.id);
    assert.deepEqual(ids, all);
    assert.ok(all.length >= 3, JSON.stringify(all));
  });

  it('invalid timeline entries → 422; unknown contact → 404', async () => {
    assertError(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'merge' }), 422, 'request.invalid', 'kind');
    assertError(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, {}), 422, 'request.invalid', 'kind');
    assertError(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'call', direction: 'sideways' }), 422, 'request.invalid', 'direction');
    assertError(await agent.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'call', duration_s: 'long' }), 422, 'request.invalid', 'duration_s');
    assertError(await agent.post('/api/v1/contacts/999999/timeline', { kind: 'note', body: 'x' }), 404, 'not_found');
    assertError(await member.get('/api/v1/contacts/999999/timeline'), 404, 'not_found');
    assertError(await member.get(`/api/v1/contacts/${mario.id}/timeline?cursor=garbage`), 422, 'request.invalid', 'cursor');
  });

  it('roles: consultant and member get 403 on every state-changing route; agent cannot erase', async () => {
    for (const who of [consultant, member]) {
      assertError(await who.post('/api/v1/contacts', { name: 'Nope' }), 403, 'auth.forbidden');
      assertError(await who.patch(`/api/v1/contacts/${mario.id}`, { stage: 'former' }), 403, 'auth.forbidden');
      assertError(await who.delete(`/api/v1/contacts/${mario.id}`), 403, 'auth.forbidden');
      assertError(await who.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'note', body: 'x' }), 403, 'auth.forbidden');
    }
    assertError(await agent.delete(`/api/v1/contacts/${mario.id}`), 403, 'auth.forbidden');
    assertJson(await consultant.get(`/api/v1/contacts/${mario.id}`), 200);
    assertJson(await consultant.get(`/api/v1/contacts/${mario.id}/timeline`), 200);
    const still = assertJson(await member.get(`/api/v1/contacts/${mario.id}`), 200).contact;
    assert.equal(still.stage, 'customer');
    assert.deepEqual(assertList(assertJson(await member.get('/api/v1/contacts?q=Nope'), 200)), []);
  });

  it('another workspace never sees, changes or erases these contacts (404 not_found)', async () => {
    const ws = server.cli(['workspace', 'add', '--name', 'Beta Spa', '--slug', 'b', '--locale', 'en', '--timezone', 'Europe/London']);
    assert.equal(ws.status, 0, ws.stderr);
    addUser(server, { email: 'owner.b@example.com', name: 'Owner B', role: 'owner', workspace: 'b' });
    const ownerB = await signedIn(server, 'owner.b@example.com', undefined, 'b');
    assert.deepEqual(assertList(assertJson(await ownerB.get('/api/v1/contacts'), 200)), []);
    assertError(await ownerB.get(`/api/v1/contacts/${mario.id}`), 404, 'not_found');
    assertError(await ownerB.patch(`/api/v1/contacts/${mario.id}`, { stage: 'former' }), 404, 'not_found');
    assertError(await ownerB.delete(`/api/v1/contacts/${mario.id}`), 404, 'not_found');
    assertError(await ownerB.get(`/api/v1/contacts/${mario.id}/timeline`), 404, 'not_found');
    assertError(await ownerB.post(`/api/v1/contacts/${mario.id}/timeline`, { kind: 'note', body: 'x' }), 404, 'not_found');
    // the same identity is free in another workspace
    const b = assertJson(await ownerB.post('/api/v1/contacts', { name: 'Mario B', identities: [{ kind: 'email', value: 'mario.rossi@example.it' }] }), 201);
    assert.equal(b.contact.identities[0].value, 'mario.rossi@example.it');
    assert.ok(!b.contact.strength_explanation.includes('contatt'), `workspace b is in English: ${JSON.stringify(b.contact)}`);
    const logged = assertJson(await ownerB.post(`/api/v1/contacts/${b.contact.id}/timeline`, { kind: 'call', direction: 'out' }), 201).entry;
    assert.equal(logged.contact_id, b.contact.id);
    const bGot = assertJson(await ownerB.get(`/api/v1/contacts/${b.contact.id}`), 200).contact;
    assert.match(bGot.strength_explanation, /^last contact today/, JSON.stringify(bGot));
    assertJson(await owner.get(`/api/v1/contacts/${mario.id}`), 200);
  });

  it('DELETE /api/v1/contacts/{id} (manager) erases for real → 204, then 404; the identity is free again', async () => {
    const res = await manager.delete(`/api/v1/contacts/${mario.id}`);
    assert.equal(res.status, 204, show(res));
    assert.equal(res.text, '');
    assertError(await owner.get(`/api/v1/contacts/${mario.id}`), 404, 'not_found');
    assertError(await owner.get(`/api/v1/contacts/${mario.id}/timeline`), 404, 'not_found');
    assertError(await manager.delete(`/api/v1/contacts/${mario.id}`), 404, 'not_found');
    assert.deepEqual(assertList(assertJson(await owner.get('/api/v1/contacts?q=3331234567'), 200)), []);
    const again = assertJson(await agent.post('/api/v1/contacts', { name: 'Mario Rossi', identities: [{ kind: 'phone', value: '0039 333 1234567' }] }), 201);
    assert.equal(again.contact.identities[0].value, '+393331234567');
    const audit = assertList(assertJson(await owner.get('/api/v1/audit'), 200));
    const row = audit.find((a) => a.action === 'contact.delete');
    assert.ok(row, `audit has no contact.delete: ${JSON.stringify(audit).slice(0, 400)}`);
    assert.ok(!JSON.stringify(row).includes('Rossi'), `the audit must not keep what was erased: ${JSON.stringify(row)}`);
  });
});
