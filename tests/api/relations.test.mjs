// Relationships beyond one contact, over HTTP: duplicate suggestions (made by an import whose
// record matches two contacts, and by similar names in the same organization — never by a name
// alone), "not a duplicate", merge (keeps every identity, note, timeline entry, tag, membership,
// custom field and consent; audited; managers and up), organizations (list, search, create, one
// with its people, the combined timeline of the organization and its people), memberships (add
// with a title by id or by name, change the title, remove), the going-cold list (mine by default,
// owner=all, why each one is there) and its per-stage days (managers and up). Custom fields and
// consents have no route yet: they are written to and read from the same database file with the
// sqlite3 command, so the merge is checked on the real rows.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  startWithOwner, stopAll, assertError, assertJson, assertList, show, addUser, signedIn, describeCli,
} from './harness.mjs';

const DAY = 86_400_000;

/** Runs SQL on the server's database with the sqlite3 command; returns the output's lines. */
function sql(server, statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', server.db, statement], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}\n${statement}`);
  return r.stdout.split('\n').filter(Boolean);
}

describe('relationships: duplicates, merge, organizations, going cold', { timeout: 120_000 }, () => {
  let server;
  let owner;
  let manager;
  let agent;
  let member;
  let consultant;
  let agentId;
  let managerId;

  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'manager@example.it', name: 'Mario Manager', role: 'manager' });
    addUser(server, { email: 'agent@example.it', name: 'Giulia Agente', role: 'agent' });
    addUser(server, { email: 'member@example.it', name: 'Marco Membro', role: 'member' });
    addUser(server, { email: 'consultant@example.it', name: 'Carla Consulente', role: 'consultant' });
    manager = await signedIn(server, 'manager@example.it');
    agent = await signedIn(server, 'agent@example.it');
    member = await signedIn(server, 'member@example.it');
    consultant = await signedIn(server, 'consultant@example.it');
    agentId = assertJson(await agent.patch('/api/v1/me', { locale: 'en' }), 200).user.id;
    managerId = assertJson(await manager.get('/api/v1/me'), 200).user.id;
  });
  after(stopAll);

  const create = async (client, body) => assertJson(await client.post('/api/v1/contacts', body), 201).contact;
  const duplicates = async (client = agent) => assertList(assertJson(await client.get('/api/v1/duplicates'), 200));

  // ------------------------------------------------------------------ organizations

  let acme;
  let beta;
  it('POST /api/v1/organizations creates one (owner = caller, website identity); the same name again → 409', async () => {
    const res = await agent.post('/api/v1/organizations', { name: 'Acme S.r.l.', stage: 'customer', type: 'customer', website: 'https://www.acme.it/?utm_source=x' });
    acme = assertJson(res, 201).contact;
    assert.equal(acme.kind, 'organization', show(res));
    assert.equal(acme.name, 'Acme S.r.l.');
    assert.equal(acme.stage, 'customer');
    assert.equal(acme.owner, agentId);
    assert.deepEqual(acme.people, []);
    assert.deepEqual(acme.identities.map((i) => i.kind), ['website'], show(res));
    assertError(await agent.post('/api/v1/organizations', { name: 'ACME srl' }), 409, 'contact.organization_exists', 'name');
    beta = assertJson(await agent.post('/api/v1/organizations', { name: 'Beta Impianti' }), 201).contact;
    assert.equal(beta.stage, 'stranger');
  });

  it('POST /api/v1/organizations: bad input → 422 naming the field, nothing created; consultant and member → 403', async () => {
    assertError(await agent.post('/api/v1/organizations', {}), 422, 'request.invalid', 'name');
    assertError(await agent.post('/api/v1/organizations', { name: '   ' }), 422, 'request.invalid', 'name');
    assertError(await agent.post('/api/v1/organizations', { name: 'Gamma', stage: 'friend' }), 422, 'request.invalid', 'stage');
    assertError(await agent.post('/api/v1/organizations', { name: 'Gamma', type: 'enemy' }), 422, 'request.invalid', 'type');
    assertError(await agent.post('/api/v1/organizations', { name: 'Gamma', website: 'not a site' }), 422, 'contact.identity_invalid', 'website');
    assertError(await member.post('/api/v1/organizations', { name: 'Gamma' }), 403, 'auth.forbidden');
    assertError(await consultant.post('/api/v1/organizations', { name: 'Gamma' }), 403, 'auth.forbidden');
    const items = assertList(assertJson(await agent.get('/api/v1/organizations?q=Gamma'), 200));
    assert.deepEqual(items, [], 'a refused create leaves nothing');
  });

  let anna;
  let bruno;
  it('POST /api/v1/contacts/{id}/organizations adds a person by id or by name with a title, and changes the title', async () => {
    anna = await create(agent, { name: 'Anna Verdi', stage: 'customer', identities: [{ kind: 'email', value: 'anna@acme.it' }] });
    bruno = await create(agent, { name: 'Bruno Neri', stage: 'prospect' });
    let res = await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: acme.id, title: 'Buyer' });
    let c = assertJson(res, 200).contact;
    assert.deepEqual(c.organizations, [{ id: acme.id, name: 'Acme S.r.l.', title: 'Buyer' }], show(res));
    res = await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: acme.id, title: 'Head of purchasing' });
    c = assertJson(res, 200).contact;
    assert.deepEqual(c.organizations, [{ id: acme.id, name: 'Acme S.r.l.', title: 'Head of purchasing' }], show(res));
    // by name: "acme srl" finds Acme S.r.l.; an unknown name creates the organization
    res = await agent.post(`/api/v1/contacts/${bruno.id}/organizations`, { organization: 'acme srl', title: 'CTO' });
    assert.deepEqual(assertJson(res, 200).contact.organizations, [{ id: acme.id, name: 'Acme S.r.l.', title: 'CTO' }], show(res));
    res = await agent.post(`/api/v1/contacts/${bruno.id}/organizations`, { organization: 'Delta Consulting' });
    const orgs = assertJson(res, 200).contact.organizations;
    assert.deepEqual(orgs.map((o) => [o.name, o.title]), [['Acme S.r.l.', 'CTO'], ['Delta Consulting', null]], show(res));
    const delta = assertList(assertJson(await agent.get('/api/v1/organizations?q=delta'), 200));
    assert.deepEqual(delta.map((o) => [o.name, o.people]), [['Delta Consulting', 1]]);
  });

  it('membership errors: 404s, a person as organization, an organization as person, neither or both given, title too long', async () => {
    assertError(await agent.post(`/api/v1/contacts/999999/organizations`, { organization_id: acme.id }), 404, 'not_found');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: 999999 }), 404, 'not_found');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: bruno.id }), 422, 'contact.not_organization');
    assertError(await agent.post(`/api/v1/contacts/${acme.id}/organizations`, { organization_id: beta.id }), 422, 'contact.not_person');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, {}), 422, 'request.invalid', 'organization_id');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: acme.id, organization: 'Acme' }), 422, 'request.invalid', 'organization_id');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: 'acme' }), 422, 'request.invalid', 'organization_id');
    assertError(await agent.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: acme.id, title: 'x'.repeat(201) }), 422, 'request.invalid', 'title');
    assertError(await member.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: beta.id }), 403, 'auth.forbidden');
    assertError(await agent.delete(`/api/v1/contacts/${anna.id}/organizations/${beta.id}`), 404, 'not_found');
    assertError(await agent.delete(`/api/v1/contacts/${anna.id}/organizations/abc`), 404, 'not_found');
    assertError(await consultant.delete(`/api/v1/contacts/${bruno.id}/organizations/${acme.id}`), 403, 'auth.forbidden');
  });

  it('DELETE /api/v1/contacts/{id}/organizations/{org_id} removes the membership', async () => {
    const delta = assertList(assertJson(await agent.get('/api/v1/organizations?q=delta'), 200))[0];
    const res = await agent.delete(`/api/v1/contacts/${bruno.id}/organizations/${delta.id}`);
    assert.deepEqual(assertJson(res, 200).contact.organizations.map((o) => o.name), ['Acme S.r.l.'], show(res));
    const again = assertJson(await agent.get(`/api/v1/organizations/${delta.id}`), 200).contact;
    assert.deepEqual(again.people, []);
  });

  it('GET /api/v1/organizations lists organizations only, by name, with people counts, search and cursor', async () => {
    const page1 = assertJson(await consultant.get('/api/v1/organizations?limit=2'), 200);
    const page2 = assertJson(await consultant.get(`/api/v1/organizations?limit=2&cursor=${encodeURIComponent(page1.next)}`), 200);
    const all = [...assertList(page1), ...assertList(page2)];
    assert.deepEqual(all.map((o) => [o.name, o.kind, o.people]), [
      ['Acme S.r.l.', 'organization', 2], ['Beta Impianti', 'organization', 0], ['Delta Consulting', 'organization', 0],
    ], JSON.stringify(all));
    assert.equal(page2.next, null);
    assert.deepEqual(assertList(assertJson(await consultant.get('/api/v1/organizations?q=impianti'), 200)).map((o) => o.id), [beta.id]);
    assertError(await consultant.get('/api/v1/organizations?limit=0'), 422, 'request.invalid', 'limit');
    assertError(await consultant.get('/api/v1/organizations?cursor=garbage'), 422, 'request.invalid', 'cursor');
  });

  it('GET /api/v1/organizations/{id} has its people with titles; a person or an unknown id → 404', async () => {
    const res = await member.get(`/api/v1/organizations/${acme.id}`);
    const org = assertJson(res, 200).contact;
    assert.deepEqual(org.people, [
      { id: anna.id, name: 'Anna Verdi', title: 'Head of purchasing' },
      { id: bruno.id, name: 'Bruno Neri', title: 'CTO' },
    ], show(res));
    assertError(await member.get(`/api/v1/organizations/${anna.id}`), 404, 'not_found');
    assertError(await member.get('/api/v1/organizations/999999'), 404, 'not_found');
    assertError(await member.get('/api/v1/organizations/0'), 404, 'not_found');
  });

  it('GET /api/v1/organizations/{id}/timeline combines the organization and its people, newest first, in pages', async () => {
    const now = Date.now();
    const log = async (id, body) => assertJson(await agent.post(`/api/v1/contacts/${id}/timeline`, body), 201).entry;
    const e1 = await log(acme.id, { kind: 'meeting', at: now - 3 * DAY, body: 'Visit at Acme' });
    const e2 = await log(anna.id, { kind: 'call', direction: 'out', at: now - 2 * DAY, body: 'Offer discussed' });
    const e3 = await log(bruno.id, { kind: 'note', at: now - DAY, body: 'Wants a demo' });
    const other = await create(agent, { name: 'Estraneo Esterno' });
    await log(other.id, { kind: 'call', at: now - DAY / 2, body: 'not Acme' });
    const p1 = assertJson(await consultant.get(`/api/v1/organizations/${acme.id}/timeline?limit=2`), 200);
    const p2 = assertJson(await consultant.get(`/api/v1/organizations/${acme.id}/timeline?limit=2&cursor=${encodeURIComponent(p1.next)}`), 200);
    const items = [...assertList(p1), ...assertList(p2)];
    assert.deepEqual(items.map((e) => [e.id, e.contact_id, e.contact_name, e.body]), [
      [e3.id, bruno.id, 'Bruno Neri', 'Wants a demo'],
      [e2.id, anna.id, 'Anna Verdi', 'Offer discussed'],
      [e1.id, acme.id, 'Acme S.r.l.', 'Visit at Acme'],
    ], JSON.stringify(items));
    assert.equal(p2.next, null);
    assertError(await consultant.get(`/api/v1/organizations/${anna.id}/timeline`), 404, 'not_found');
    assertError(await consultant.get('/api/v1/organizations/999999/timeline'), 404, 'not_found');
    assertError(await consultant.get(`/api/v1/organizations/${acme.id}/timeline?limit=500`), 422, 'request.invalid', 'limit');
    assertError(await consultant.get(`/api/v1/organizations/${acme.id}/timeline?cursor=zz`), 422, 'request.invalid', 'cursor');
  });

  // ------------------------------------------------------------------ duplicates

  let pairName;
  it('similar names in the same organization are suggested (reason name); the same name elsewhere is not', async () => {
    // a name alone is never enough: "Anna Verdi" outside Acme is not suggested
    const lone = await create(agent, { name: 'Anna Verdi' });
    assert.deepEqual(await duplicates(), []);
    const twin = await create(agent, { name: 'Ana Verdi', identities: [{ kind: 'phone', value: '333 7654321' }] });
    assertJson(await agent.post(`/api/v1/contacts/${twin.id}/organizations`, { organization_id: acme.id, title: 'Acquisti' }), 200);
    const items = await duplicates(consultant);
    assert.equal(items.length, 1, JSON.stringify(items));
    pairName = items[0];
    assert.equal(pairName.reason, 'name');
    assert.equal(pairName.detail, 'Acme S.r.l.');
    const ids = [pairName.a.id, pairName.b.id].sort((x, y) => x - y);
    assert.deepEqual(ids, [anna.id, twin.id].sort((x, y) => x - y));
    assert.ok(!ids.includes(lone.id));
    const side = pairName.a.id === twin.id ? pairName.a : pairName.b;
    assert.equal(side.name, 'Ana Verdi');
    assert.deepEqual(side.identities.map((i) => [i.kind, i.value]), [['phone', '+393337654321']]);
    assert.deepEqual(side.organizations, [{ id: acme.id, name: 'Acme S.r.l.', title: 'Acquisti' }]);
    assert.equal(typeof side.timeline_entries, 'number');
  });

  let pairIdentity;
  let carla;
  let carlaPhone;
  it('an imported record whose identities belong to two contacts is suggested (reason identity, the shared identity named)', async () => {
    carla = await create(agent, { name: 'Carla Bianchi', stage: 'customer', identities: [{ kind: 'email', value: 'carla@bianchi.it' }], tags: ['vip'], notes: 'Prefers e-mail.' });
    carlaPhone = await create(agent, { name: 'C. Bianchi', stage: 'lead', type: 'supplier', identities: [{ kind: 'phone', value: '+39 347 1112223' }], tags: ['fiera'], notes: 'Met at the fair.' });
    const vcf = path.join(server.dir, 'carla.vcf');
    fs.writeFileSync(vcf, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carla Bianchi\r\nEMAIL:carla@bianchi.it\r\nTEL:347 111 2223\r\nEND:VCARD\r\n');
    const r = server.cli(['import', vcf, '--json']);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(JSON.parse(r.stdout).duplicates_suggested, 1, r.stdout);
    const items = await duplicates();
    assert.equal(items.length, 2, JSON.stringify(items));
    pairIdentity = items[1];
    assert.equal(pairIdentity.reason, 'identity');
    assert.equal(pairIdentity.detail, '+393471112223');
    assert.deepEqual([pairIdentity.a.id, pairIdentity.b.id].sort((x, y) => x - y), [carla.id, carlaPhone.id].sort((x, y) => x - y));
  });

  it('GET /api/v1/duplicates pages with cursor; bad limit or cursor → 422', async () => {
    const p1 = assertJson(await agent.get('/api/v1/duplicates?limit=1'), 200);
    assert.deepEqual(assertList(p1).map((d) => d.id), [pairName.id]);
    assert.equal(typeof p1.next, 'string');
    const p2 = assertJson(await agent.get(`/api/v1/duplicates?limit=1&cursor=${p1.next}`), 200);
    assert.deepEqual(assertList(p2).map((d) => d.id), [pairIdentity.id]);
    assertError(await agent.get('/api/v1/duplicates?limit=201'), 422, 'request.invalid', 'limit');
    assertError(await agent.get('/api/v1/duplicates?cursor=x'), 422, 'request.invalid', 'cursor');
  });

  it('POST /api/v1/duplicates/{id}/dismiss (agent) → 204: gone from the list, audited; member → 403; unknown → 404', async () => {
    assertError(await member.post(`/api/v1/duplicates/${pairName.id}/dismiss`), 403, 'auth.forbidden');
    assertError(await consultant.post(`/api/v1/duplicates/${pairName.id}/dismiss`), 403, 'auth.forbidden');
    assertError(await agent.post('/api/v1/duplicates/999999/dismiss'), 404, 'not_found');
    const res = await agent.post(`/api/v1/duplicates/${pairName.id}/dismiss`);
    assert.equal(res.status, 204, show(res));
    assert.deepEqual((await duplicates()).map((d) => d.id), [pairIdentity.id]);
    // not suggested again when the same colleague is checked again
    const twinId = pairName.a.id === anna.id ? pairName.b.id : pairName.a.id;
    assertJson(await agent.post(`/api/v1/contacts/${twinId}/organizations`, { organization_id: acme.id, title: 'Ufficio acquisti' }), 200);
    assert.deepEqual((await duplicates()).map((d) => d.id), [pairIdentity.id]);
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=50'), 200));
    assert.ok(audit.some((a) => a.action === 'duplicate.dismiss' && a.target === `duplicate_suggestion:${pairName.id}`), JSON.stringify(audit.slice(0, 5)));
  });

  it('POST /api/v1/contacts/{id}/merge: roles (agent, member, consultant → 403), 404s and bad input codes', async () => {
    const body = { other_id: carlaPhone.id };
    assertError(await agent.post(`/api/v1/contacts/${carla.id}/merge`, body), 403, 'auth.forbidden');
    assertError(await member.post(`/api/v1/contacts/${carla.id}/merge`, body), 403, 'auth.forbidden');
    assertError(await consultant.post(`/api/v1/contacts/${carla.id}/merge`, body), 403, 'auth.forbidden');
    assertError(await manager.post('/api/v1/contacts/999999/merge', body), 404, 'not_found');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: 999999 }), 404, 'not_found');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, {}), 422, 'request.invalid', 'other_id');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: String(carlaPhone.id) }), 422, 'request.invalid', 'other_id');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: -3 }), 422, 'request.invalid', 'other_id');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: carla.id }), 422, 'contact.merge_invalid');
    assertError(await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: beta.id }), 422, 'contact.merge_invalid');
    assertError(await manager.req('POST', `/api/v1/contacts/${carla.id}/merge`, { body: '{"other_id":', headers: { 'content-type': 'application/json' } }), 400, 'request.bad_json');
    // nothing happened: both are still there
    assertJson(await manager.get(`/api/v1/contacts/${carlaPhone.id}`), 200);
  });

  it('merge (manager) keeps every identity, note, timeline entry, tag, membership, custom field and consent; audited', async () => {
    const now = Date.now();
    // history on both sides
    const call = assertJson(await agent.post(`/api/v1/contacts/${carla.id}/timeline`, { kind: 'call', direction: 'out', at: now - 5 * DAY, body: 'Called Carla' }), 201).entry;
    const meeting = assertJson(await agent.post(`/api/v1/contacts/${carlaPhone.id}/timeline`, { kind: 'meeting', direction: 'in', at: now - 4 * DAY, body: 'Met C. at the fair' }), 201).entry;
    assertJson(await agent.post(`/api/v1/contacts/${carla.id}/organizations`, { organization_id: acme.id, title: 'Owner' }), 200);
    assertJson(await agent.post(`/api/v1/contacts/${carlaPhone.id}/organizations`, { organization_id: beta.id, title: 'Advisor' }), 200);
    assertJson(await agent.post(`/api/v1/contacts/${carlaPhone.id}/organizations`, { organization_id: acme.id, title: 'Socia' }), 200);
    // custom fields and consents through the database (no route writes them yet)
    const ws = sql(server, `SELECT workspace_id FROM contacts WHERE id = ${carla.id}`)[0];
    sql(server, `INSERT INTO custom_fields (workspace_id, name, type, choices, created_at) VALUES (${ws}, 'Codice SDI', 'text', '[]', ${now}), (${ws}, 'Fatturato', 'number', '[]', ${now})`);
    const [sdi, fatt] = sql(server, `SELECT id FROM custom_fields WHERE workspace_id = ${ws} ORDER BY name`);
    sql(server, `INSERT INTO contact_field_values (workspace_id, contact_id, field_id, value) VALUES (${ws}, ${carla.id}, ${sdi}, 'KRRH6B9'), (${ws}, ${carlaPhone.id}, ${sdi}, 'ZZZZ999'), (${ws}, ${carlaPhone.id}, ${fatt}, '1500000')`);
    sql(server, `INSERT INTO consents (workspace_id, contact_id, purpose, source, given_at, created_at) VALUES (${ws}, ${carla.id}, 'newsletter', 'web form', ${now - DAY}, ${now}), (${ws}, ${carlaPhone.id}, 'marketing', 'fair 2026', ${now - 2 * DAY}, ${now})`);
    const before = assertJson(await manager.get(`/api/v1/contacts/${carlaPhone.id}/timeline?limit=200`), 200).items.length;
    const keptBefore = assertJson(await manager.get(`/api/v1/contacts/${carla.id}/timeline?limit=200`), 200).items.length;

    const res = await manager.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: carlaPhone.id });
    const c = assertJson(res, 200).contact;
    assert.equal(c.id, carla.id);
    assert.equal(c.name, 'Carla Bianchi');
    assert.equal(c.stage, 'customer', 'the kept contact\'s stage wins');
    assert.equal(c.type, 'supplier', 'an empty type is filled from the other');
    assert.deepEqual(c.identities.map((i) => [i.kind, i.value]).sort(), [['email', 'carla@bianchi.it'], ['phone', '+393471112223']], show(res));
    assert.deepEqual([...c.tags].sort(), ['fiera', 'vip']);
    assert.match(c.notes, /Prefers e-mail\./);
    assert.match(c.notes, /Met at the fair\./);
    assert.deepEqual(c.organizations.map((o) => [o.name, o.title]), [['Acme S.r.l.', 'Owner'], ['Beta Impianti', 'Advisor']], show(res));
    assertError(await manager.get(`/api/v1/contacts/${carlaPhone.id}`), 404, 'not_found');

    const tl = assertJson(await manager.get(`/api/v1/contacts/${carla.id}/timeline?limit=200`), 200).items;
    const ids = tl.map((e) => e.id);
    assert.ok(ids.includes(call.id) && ids.includes(meeting.id), JSON.stringify(tl));
    const merges = tl.filter((e) => e.kind === 'merge');
    assert.equal(merges.length, 1);
    assert.equal(merges[0].body, `C. Bianchi (#${carlaPhone.id})`);
    assert.equal(merges[0].author, managerId);
    // the values where both differed are kept in a note: the other's SDI code and its title at Acme
    const conflict = tl.find((e) => e.kind === 'note' && /differed/.test(e.body ?? ''));
    assert.ok(conflict, JSON.stringify(tl));
    assert.match(conflict.body, /Codice SDI: ZZZZ999/);
    assert.match(conflict.body, /Acme S\.r\.l\.: Socia/);
    // every entry of both, plus the merge entry and the note
    assert.equal(tl.length, before + keptBefore + 2, JSON.stringify(tl.map((e) => e.kind)));

    assert.deepEqual(sql(server, `SELECT f.name || '=' || v.value FROM contact_field_values v JOIN custom_fields f ON f.id = v.field_id WHERE v.contact_id = ${carla.id} ORDER BY f.name`),
      ['Codice SDI=KRRH6B9', 'Fatturato=1500000']);
    assert.deepEqual(sql(server, `SELECT purpose || '/' || source FROM consents WHERE contact_id = ${carla.id} ORDER BY purpose`),
      ['marketing/fair 2026', 'newsletter/web form']);
    assert.deepEqual(sql(server, `SELECT COUNT(*) FROM contacts WHERE id = ${carlaPhone.id}`), ['0']);

    // the suggestion went with the merged contact; the audit log says who merged what
    assert.deepEqual(await duplicates(), []);
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=50'), 200));
    const row = audit.find((a) => a.action === 'contact.merge');
    assert.ok(row, JSON.stringify(audit.slice(0, 5)));
    assert.equal(row.target, `contact:${carla.id}`);
    assert.equal(row.detail, `merged contact:${carlaPhone.id}`);
    assert.equal(row.actor.id, managerId);
  });

  // ------------------------------------------------------------------ going cold

  it('GET/PUT /api/v1/settings/going-cold: defaults 60 and 30; managers and up; bad input → 422', async () => {
    assertError(await agent.get('/api/v1/settings/going-cold'), 403, 'auth.forbidden');
    assertError(await agent.put('/api/v1/settings/going-cold', { customer_days: 10 }), 403, 'auth.forbidden');
    assertError(await member.get('/api/v1/settings/going-cold'), 403, 'auth.forbidden');
    // a consultant reads what managers read, and changes nothing
    assert.deepEqual(assertJson(await consultant.get('/api/v1/settings/going-cold'), 200), { customer_days: 60, prospect_days: 30 });
    assertError(await consultant.put('/api/v1/settings/going-cold', { customer_days: 10 }), 403, 'auth.forbidden');
    assert.deepEqual(assertJson(await manager.get('/api/v1/settings/going-cold'), 200), { customer_days: 60, prospect_days: 30 });
    assertError(await manager.put('/api/v1/settings/going-cold', {}), 422, 'request.invalid', 'customer_days');
    assertError(await manager.put('/api/v1/settings/going-cold', { customer_days: 0 }), 422, 'request.invalid', 'customer_days');
    assertError(await manager.put('/api/v1/settings/going-cold', { customer_days: 3651 }), 422, 'request.invalid', 'customer_days');
    assertError(await manager.put('/api/v1/settings/going-cold', { prospect_days: '20' }), 422, 'request.invalid', 'prospect_days');
    assertError(await manager.put('/api/v1/settings/going-cold', { prospect_days: 2.5 }), 422, 'request.invalid', 'prospect_days');
    assertError(await manager.req('PUT', '/api/v1/settings/going-cold', { body: '[1]', headers: { 'content-type': 'application/json' } }), 400, 'request.bad_json');
    assert.deepEqual(assertJson(await owner.get('/api/v1/settings/going-cold'), 200), { customer_days: 60, prospect_days: 30 }, 'refused changes change nothing');
  });

  it('GET /api/v1/going-cold: my customers and prospects silent for their stage\'s days or whose strength fell; owner=all; the setting moves it', async () => {
    const now = Date.now();
    const log = async (id, body) => assertJson(await agent.post(`/api/v1/contacts/${id}/timeline`, body), 201);
    // for the agent (the creator owns): silent customer (100 days), warm customer (5 days),
    // prospect silent 40 days, a lead silent 300 days (never listed), a customer whose strength fell
    const oldCustomer = await create(agent, { name: 'Zeta Cliente Freddo', stage: 'customer' });
    await log(oldCustomer.id, { kind: 'call', direction: 'out', outcome: 'answered', at: now - 100 * DAY });
    const warm = await create(agent, { name: 'Zeta Cliente Caldo', stage: 'customer' });
    await log(warm.id, { kind: 'call', direction: 'in', at: now - 5 * DAY });
    const prospect = await create(agent, { name: 'Zeta Prospect', stage: 'prospect' });
    await log(prospect.id, { kind: 'meeting', direction: 'out', at: now - 40 * DAY });
    const lead = await create(agent, { name: 'Zeta Lead', stage: 'lead' });
    await log(lead.id, { kind: 'call', at: now - 300 * DAY });
    const fell = await create(agent, { name: 'Zeta Caduto', stage: 'customer' });
    await log(fell.id, { kind: 'call', direction: 'in', at: now - 5 * DAY });
    await log(fell.id, { kind: 'call', direction: 'out', outcome: 'no answer', at: now - 1000 });
    // the manager's own silent customer
    const theirs = await create(manager, { name: 'Zeta Del Manager', stage: 'customer' });
    await manager.post(`/api/v1/contacts/${theirs.id}/timeline`, { kind: 'call', at: now - 90 * DAY });

    const zeta = (items) => items.filter((c) => c.name.startsWith('Zeta'));
    const mine = zeta(assertList(assertJson(await agent.get('/api/v1/going-cold'), 200)));
    assert.deepEqual(mine.map((c) => [c.name, c.stage, c.reason]), [
      ['Zeta Caduto', 'customer', 'fell'],
      ['Zeta Cliente Freddo', 'customer', 'silent'],
      ['Zeta Prospect', 'prospect', 'silent'],
    ], JSON.stringify(mine));
    const cold = mine[1];
    assert.equal(cold.days_since, 100);
    assert.equal(cold.cold_days, 60);
    assert.equal(cold.never_contacted, false);
    assert.equal(cold.owner, agentId);
    assert.ok(Number.isInteger(cold.strength) && cold.strength >= 0 && cold.strength <= 100);
    assert.match(cold.strength_explanation, /100 days ago/, 'the agent chose English');
    assert.equal(mine[2].cold_days, 30);
    assert.ok(mine[0].previous_strength > mine[0].strength, JSON.stringify(mine[0]));
    // the owner, in Italian, sees everybody's with owner=all, and the manager's with owner=<id>
    const all = zeta(assertList(assertJson(await owner.get('/api/v1/going-cold?owner=all'), 200)));
    assert.deepEqual(all.map((c) => c.name), ['Zeta Caduto', 'Zeta Cliente Freddo', 'Zeta Del Manager', 'Zeta Prospect']);
    assert.match(all[1].strength_explanation, /100 giorni fa/);
    const managers = zeta(assertList(assertJson(await owner.get(`/api/v1/going-cold?owner=${managerId}`), 200)));
    assert.deepEqual(managers.map((c) => c.name), ['Zeta Del Manager']);
    assert.deepEqual(zeta(assertList(assertJson(await manager.get('/api/v1/going-cold?owner=me'), 200))).map((c) => c.name), ['Zeta Del Manager']);
    // pages
    const p1 = assertJson(await owner.get('/api/v1/going-cold?owner=all&limit=1'), 200);
    assert.equal(assertList(p1).length, 1);
    assert.equal(typeof p1.next, 'string');
    const p2 = assertJson(await owner.get(`/api/v1/going-cold?owner=all&limit=1&cursor=${encodeURIComponent(p1.next)}`), 200);
    assert.notEqual(assertList(p2)[0].id, assertList(p1)[0].id);
    // bad input
    assertError(await agent.get('/api/v1/going-cold?owner=someone'), 422, 'request.invalid', 'owner');
    assertError(await agent.get('/api/v1/going-cold?limit=x'), 422, 'request.invalid', 'limit');
    assertError(await agent.get('/api/v1/going-cold?cursor=%%%'), 422, 'request.invalid', 'cursor');

    // prospects get 60 days, customers 120: only the one whose strength fell is left
    const set = assertJson(await manager.put('/api/v1/settings/going-cold', { customer_days: 120, prospect_days: 60 }), 200);
    assert.deepEqual(set, { customer_days: 120, prospect_days: 60 });
    const after = zeta(assertList(assertJson(await agent.get('/api/v1/going-cold'), 200)));
    assert.deepEqual(after.map((c) => c.name), ['Zeta Caduto']);
    // only prospects tightened: the customer value stays
    assert.deepEqual(assertJson(await manager.put('/api/v1/settings/going-cold', { prospect_days: 10 }), 200), { customer_days: 120, prospect_days: 10 });
    assert.deepEqual(zeta(assertList(assertJson(await agent.get('/api/v1/going-cold'), 200))).map((c) => c.name), ['Zeta Caduto', 'Zeta Prospect']);
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=50'), 200));
    assert.ok(audit.some((a) => a.action === 'settings.going_cold' && a.actor && a.actor.id === managerId), JSON.stringify(audit.slice(0, 3)));
  });

  it('another workspace sees none of it', async () => {
    const r = server.cli(['workspace', 'add', '--name', 'Altra', '--slug', 'altra']);
    assert.equal(r.status, 0, describeCli(r));
    addUser(server, { email: 'boss@altra.it', role: 'owner', workspace: 'altra' });
    const other = await signedIn(server, 'boss@altra.it', undefined, 'altra');
    assert.deepEqual(assertList(assertJson(await other.get('/api/v1/organizations'), 200)), []);
    assert.deepEqual(assertList(assertJson(await other.get('/api/v1/duplicates'), 200)), []);
    assert.deepEqual(assertList(assertJson(await other.get('/api/v1/going-cold?owner=all'), 200)), []);
    assertError(await other.get(`/api/v1/organizations/${acme.id}`), 404, 'not_found');
    assertError(await other.get(`/api/v1/organizations/${acme.id}/timeline`), 404, 'not_found');
    assertError(await other.post(`/api/v1/contacts/${carla.id}/merge`, { other_id: anna.id }), 404, 'not_found');
    assertError(await other.post(`/api/v1/contacts/${anna.id}/organizations`, { organization_id: acme.id }), 404, 'not_found');
    assert.deepEqual(assertJson(await other.get('/api/v1/settings/going-cold'), 200), { customer_days: 60, prospect_days: 30 });
  });
});
