// The contacts list as a whole (issue 3): filters (owner, tag, strength range, going cold), the
// owners and tags a list is filtered by, bulk changes (ids or a filter, one transaction, audited,
// limits and error codes, roles), saved views (private and shared, who may delete), exports
// (CSV and vCard 4.0 streamed with the right headers, re-imported by `piazza import` into a
// fresh server with the same contacts) and one contact's complete data as JSON for a GDPR
// access request.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startWithOwner, stopAll, assertError, assertJson, assertList, show, addUser, signedIn, tempDir, describeCli,
} from './harness.mjs';

const DAY = 86_400_000;

/** Every contact of a list, following the cursors. */
async function listAll(client, query = '') {
  const out = [];
  let next = null;
  for (let i = 0; i < 100; i++) {
    const sep = query ? '&' : '';
    const res = await client.get(`/api/v1/contacts?${query}${sep}limit=200${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
    const body = assertJson(res, 200);
    out.push(...assertList(body));
    next = body.next;
    if (!next) return out;
  }
  throw new Error('more than 100 pages');
}

const names = (items) => items.map((c) => c.name).sort();

describe('contacts list: filters, bulk, views, export', { timeout: 120_000 }, () => {
  let server;
  let owner;
  let agent;
  let member;
  let consultant;
  let manager;
  let agentId;
  let managerId;
  const ids = {};

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
    managerId = assertJson(await manager.get('/api/v1/me'), 200).user.id;

    const acme = assertJson(await agent.post('/api/v1/contacts', {
      kind: 'organization', name: 'Acme S.r.l.', stage: 'customer', type: 'customer',
      identities: [{ kind: 'website', value: 'https://www.acme.it/' }, { kind: 'phone', value: '02 1234567', label: 'main' }],
      tags: ['Fornitori, grandi'],
    }), 201).contact;
    ids.acme = acme.id;
    const specs = [
      ['mario', { name: 'Mario Rossi', given_name: 'Mario', family_name: 'Rossi', stage: 'customer', type: 'customer',
        identities: [
          { kind: 'email', value: 'Mario.Rossi@Example.IT', label: 'work' },
          { kind: 'phone', value: '333 1234567', label: 'cell' },
          { kind: 'whatsapp', value: '+39 347 7654321' },
          { kind: 'telegram', value: '@mariorossi' },
          { kind: 'linkedin', value: 'https://it.linkedin.com/in/Mario-Rossi/?trk=x' },
          { kind: 'email', value: 'mario@casa.it', label: 'ufficio Milano; piano 2' },
        ],
        tags: ['Fiera', 'VIP'],
        notes: 'Incontrato in **fiera**, a Milano; vuole un\'offerta.\nRichiamare a gennaio: \\ grazie' }],
      ['nicolo', { name: 'Nicolò Bianchi', given_name: 'Nicolò', family_name: 'Bianchi', stage: 'prospect',
        identities: [{ kind: 'email', value: 'nicolo@bianchi.it' }, { kind: 'x', value: '@nicolob' }], tags: ['fiera'] }],
      ['sara', { name: 'Sara Neri', stage: 'lead', identities: [{ kind: 'facebook', value: 'https://facebook.com/sara.neri' },
        { kind: 'instagram', value: '@saraneri' }, { kind: 'telegram', value: '+39 320 1112233' }] }],
      ['luca', { name: 'Luca Verdi', stage: 'customer', owner: null, identities: [{ kind: 'email', value: 'luca@verdi.it' }] }],
      ['zoe', { name: '=Zoë "Zed" Ferri, jr', stage: 'stranger', owner: managerId, identities: [{ kind: 'email', value: 'zoe@ferri.it' }] }],
    ];
    for (const [key, body] of specs) ids[key] = assertJson(await agent.post('/api/v1/contacts', body), 201).contact.id;
    // Mario: three answered calls this month; Nicolò: one call a long time ago (going cold); Luca: none.
    for (let i = 0; i < 3; i++) {
      assertJson(await agent.post(`/api/v1/contacts/${ids.mario}/timeline`, { kind: 'call', direction: 'out', outcome: 'answered', at: Date.now() - (i + 1) * DAY }), 201);
      assertJson(await agent.post(`/api/v1/contacts/${ids.mario}/timeline`, { kind: 'call', direction: 'in', at: Date.now() - (i + 1) * DAY + 1000 }), 201);
    }
    assertJson(await agent.post(`/api/v1/contacts/${ids.nicolo}/timeline`, { kind: 'call', direction: 'out', at: Date.now() - 100 * DAY }), 201);
    // Mario works at Acme: a membership through the import writer is not reachable over HTTP yet,
    // so the CLI imports a one-card vCard that names his e-mail and the organization.
    const dir = tempDir();
    const vcf = path.join(dir, 'm.vcf');
    fs.writeFileSync(vcf, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mario Rossi\r\nEMAIL:mario.rossi@example.it\r\nORG:Acme S.r.l.\r\nTITLE:Direttore acquisti\r\nEND:VCARD\r\n');
    const r = server.cli(['import', 'vcard', vcf, '--json']);
    assert.equal(r.status, 0, describeCli(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(stopAll);

  it('GET /api/v1/contacts filters by strength range, going cold, owner and tag', async () => {
    const mario = assertJson(await member.get(`/api/v1/contacts/${ids.mario}`), 200).contact;
    assert.ok(mario.strength > 20, JSON.stringify(mario));
    assert.deepEqual(mario.organizations, [{ id: ids.acme, name: 'Acme S.r.l.', title: 'Direttore acquisti' }]);
    const strong = await listAll(member, `strength_min=${mario.strength}`);
    assert.deepEqual(names(strong), ['Mario Rossi']);
    const weak = await listAll(member, `strength_max=${mario.strength - 1}`);
    assert.ok(!names(weak).includes('Mario Rossi') && names(weak).includes('Luca Verdi'), JSON.stringify(names(weak)));
    const cold = await listAll(member, 'going_cold=1');
    assert.deepEqual(names(cold), ['Nicolò Bianchi']);
    const coldMine = await listAll(agent, 'going_cold=true&owner=me');
    assert.deepEqual(names(coldMine), ['Nicolò Bianchi']);
    const managers = await listAll(member, `owner=${managerId}`);
    assert.deepEqual(names(managers), ['=Zoë "Zed" Ferri, jr']);
    const fiera = await listAll(member, 'tag=fiera&sort=strength');
    assert.deepEqual(fiera.map((c) => c.name), ['Mario Rossi', 'Nicolò Bianchi']);
    assertError(await member.get('/api/v1/contacts?strength_min=101'), 422, 'request.invalid', 'strength_min');
    assertError(await member.get('/api/v1/contacts?strength_max=-1'), 422, 'request.invalid', 'strength_max');
    assertError(await member.get('/api/v1/contacts?strength_min=60&strength_max=50'), 422, 'request.invalid', 'strength_min');
    assertError(await member.get('/api/v1/contacts?going_cold=maybe'), 422, 'request.invalid', 'going_cold');
    assertError(await member.get('/api/v1/contacts?sort=age'), 422, 'request.invalid', 'sort');
  });

  it('GET /api/v1/contacts/owners lists the users a list can be filtered by (any role); GET /api/v1/tags the tags with counts', async () => {
    const owners = assertList(assertJson(await consultant.get('/api/v1/contacts/owners'), 200));
    assert.deepEqual(owners.map((u) => u.name).sort(), ['Anna Bianchi', 'Carla Consulente', 'Giulia Agente', 'Marco Membro', 'Mario Manager']);
    const giulia = owners.find((u) => u.id === agentId);
    assert.deepEqual(giulia, { id: agentId, name: 'Giulia Agente', role: 'agent', disabled: false });
    assert.ok(owners.every((u) => !('email' in u) && !('password_hash' in u)), 'owners must not leak e-mail addresses');
    const tags = assertList(assertJson(await member.get('/api/v1/tags'), 200));
    assert.deepEqual(tags, [{ name: 'Fiera', contacts: 2 }, { name: 'Fornitori, grandi', contacts: 1 }, { name: 'VIP', contacts: 1 }]);
  });

  it('POST /api/v1/contacts/bulk by ids adds and removes tags, sets owner and stage in one go; audited', async () => {
    const res = await agent.post('/api/v1/contacts/bulk', {
      ids: [ids.luca, ids.sara, ids.luca], set: { tags_add: ['Newsletter'], tags_remove: ['nonexistent'], owner: 'me', stage: 'prospect' },
    });
    assert.deepEqual(assertJson(res, 200), { matched: 2, changed: 2 });
    for (const id of [ids.luca, ids.sara]) {
      const c = assertJson(await member.get(`/api/v1/contacts/${id}`), 200).contact;
      assert.equal(c.owner, agentId, JSON.stringify(c));
      assert.equal(c.stage, 'prospect', JSON.stringify(c));
      assert.ok(c.tags.includes('Newsletter'), JSON.stringify(c));
    }
    const tl = assertList(assertJson(await member.get(`/api/v1/contacts/${ids.luca}/timeline`), 200));
    assert.ok(tl.some((e) => e.kind === 'stage_change' && e.body === 'customer → prospect' && e.author === agentId), JSON.stringify(tl));
    const again = await agent.post('/api/v1/contacts/bulk', { ids: [ids.luca, ids.sara], set: { stage: 'prospect' } });
    assert.deepEqual(assertJson(again, 200), { matched: 2, changed: 0 });
    const undo = await agent.post('/api/v1/contacts/bulk', { ids: [ids.luca, ids.sara], set: { tags_remove: ['newsletter'], owner: null } });
    assert.deepEqual(assertJson(undo, 200), { matched: 2, changed: 2 });
    const luca = assertJson(await member.get(`/api/v1/contacts/${ids.luca}`), 200).contact;
    assert.equal(luca.owner, null);
    assert.deepEqual(luca.tags, []);
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=50'), 200));
    const rows = audit.filter((a) => a.action === 'contact.bulk');
    assert.equal(rows.length, 3, JSON.stringify(rows));
    assert.match(rows[rows.length - 1].detail, /^2 contacts; stage prospect; owner user:\d+; \+tag Newsletter; -tag nonexistent$/);
    assert.equal(rows[0].actor.id, agentId);
  });

  it('POST /api/v1/contacts/bulk by filter changes exactly what the list shows', async () => {
    const res = await agent.post('/api/v1/contacts/bulk', { filter: { tag: 'fiera', going_cold: false }, set: { tags_add: ['Fiera 2026'] } });
    assert.deepEqual(assertJson(res, 200), { matched: 2, changed: 2 });
    assert.deepEqual(names(await listAll(member, 'tag=Fiera%202026')), ['Mario Rossi', 'Nicolò Bianchi']);
    const cold = await agent.post('/api/v1/contacts/bulk', { filter: { going_cold: '1', owner: 'me' }, set: { stage: 'former' } });
    assert.deepEqual(assertJson(cold, 200), { matched: 1, changed: 1 });
    assert.equal(assertJson(await member.get(`/api/v1/contacts/${ids.nicolo}`), 200).contact.stage, 'former');
    const none = await agent.post('/api/v1/contacts/bulk', { filter: { q: 'nobody-matches-this' }, set: { stage: 'lead' } });
    assert.deepEqual(assertJson(none, 200), { matched: 0, changed: 0 });
  });

  it('bad bulk requests get clear codes and change nothing', async () => {
    const before = assertJson(await member.get(`/api/v1/contacts/${ids.sara}`), 200).contact;
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: {} }), 422, 'bulk.nothing_to_do', 'set');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara] }), 422, 'request.invalid', 'set');
    assertError(await agent.post('/api/v1/contacts/bulk', { set: { stage: 'lead' } }), 422, 'request.invalid', 'ids');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara], filter: {}, set: { stage: 'lead' } }), 422, 'request.invalid', 'ids');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [], set: { stage: 'lead' } }), 422, 'request.invalid', 'ids');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: ['7'], set: { stage: 'lead' } }), 422, 'request.invalid', 'ids');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: { stage: 'friend' } }), 422, 'request.invalid', 'stage');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: { owner: 999999 } }), 422, 'request.invalid', 'owner');
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: { colour: 'red' } }), 422, 'request.invalid', 'set');
    assertError(await agent.post('/api/v1/contacts/bulk', { filter: { colour: 'red' }, set: { stage: 'lead' } }), 422, 'request.invalid', 'filter');
    assertError(await agent.post('/api/v1/contacts/bulk', { filter: { stage: 'friend' }, set: { stage: 'lead' } }), 422, 'request.invalid', 'stage');
    // All or nothing: the tag would go on Sara, but contact 999999 does not exist.
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: [ids.sara, 999999], set: { tags_add: ['Mai'] } }), 422, 'bulk.unknown_contact', 'ids');
    const many = Array.from({ length: 5001 }, (_, i) => i + 1);
    assertError(await agent.post('/api/v1/contacts/bulk', { ids: many, set: { stage: 'lead' } }), 422, 'bulk.too_many', 'ids');
    const after_ = assertJson(await member.get(`/api/v1/contacts/${ids.sara}`), 200).contact;
    assert.deepEqual(after_.tags, before.tags);
    assert.equal(after_.stage, before.stage);
    assert.deepEqual(assertList(assertJson(await member.get('/api/v1/tags'), 200)).filter((t) => t.name === 'Mai'), []);
    assertError(await agent.req('POST', '/api/v1/contacts/bulk', { body: '{"ids":', headers: { 'content-type': 'application/json' } }), 400, 'request.bad_json');
  });

  it('bulk changes need the agent role: member and consultant → 403', async () => {
    assertError(await member.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: { stage: 'lead' } }), 403, 'auth.forbidden');
    assertError(await consultant.post('/api/v1/contacts/bulk', { ids: [ids.sara], set: { stage: 'lead' } }), 403, 'auth.forbidden');
  });

  it('saved views: private per user, shared with the workspace, deleted by their owner or a manager', async () => {
    const created = assertJson(await agent.post('/api/v1/views', {
      name: 'Miei clienti freddi', filters: { stage: 'customer', owner: 'me', going_cold: true, strength_max: 40, q: '' },
    }), 201).view;
    assert.equal(created.name, 'Miei clienti freddi');
    assert.deepEqual(created.filters, { stage: 'customer', owner: 'me', going_cold: '1', strength_max: '40' });
    assert.equal(created.shared, false);
    assert.equal(created.mine, true);
    const shared = assertJson(await agent.post('/api/v1/views', { name: 'Fiera', filters: { tag: 'Fiera' }, shared: true }), 201).view;
    assert.equal(shared.shared, true);
    assertError(await agent.post('/api/v1/views', { name: 'Fiera', filters: {} }), 409, 'view.exists', 'name');
    assertError(await agent.post('/api/v1/views', { name: '  ', filters: {} }), 422, 'request.invalid', 'name');
    assertError(await agent.post('/api/v1/views', { name: 'X', filters: { stage: 'friend' } }), 422, 'request.invalid', 'stage');
    assertError(await agent.post('/api/v1/views', { name: 'X', filters: { colour: 'red' } }), 422, 'request.invalid', 'filters');
    assertError(await agent.post('/api/v1/views', { name: 'X', filters: 'stage=lead' }), 422, 'request.invalid', 'filters');
    assertError(await member.post('/api/v1/views', { name: 'Di tutti', filters: {}, shared: true }), 403, 'auth.forbidden');
    assertError(await consultant.post('/api/v1/views', { name: 'Mia', filters: {} }), 403, 'auth.forbidden');

    const mine = assertList(assertJson(await agent.get('/api/v1/views'), 200));
    assert.deepEqual(mine.map((v) => v.name), ['Fiera', 'Miei clienti freddi']);
    const theirs = assertList(assertJson(await member.get('/api/v1/views'), 200));
    assert.deepEqual(theirs.map((v) => [v.name, v.mine, v.owner_name]), [['Fiera', false, 'Giulia Agente']]);
    const memberView = assertJson(await member.post('/api/v1/views', { name: 'Solo mia', filters: { kind: 'person' } }), 201).view;
    assert.deepEqual(assertList(assertJson(await agent.get('/api/v1/views'), 200)).map((v) => v.name), ['Fiera', 'Miei clienti freddi']);

    assertError(await member.delete(`/api/v1/views/${shared.id}`), 403, 'auth.forbidden');
    assertError(await member.delete(`/api/v1/views/${created.id}`), 404, 'not_found');
    assert.equal((await manager.delete(`/api/v1/views/${shared.id}`)).status, 204);
    assert.equal((await member.delete(`/api/v1/views/${memberView.id}`)).status, 204);
    assert.equal((await agent.delete(`/api/v1/views/${created.id}`)).status, 204);
    assertError(await agent.delete(`/api/v1/views/${created.id}`), 404, 'not_found');
    assert.deepEqual(assertList(assertJson(await agent.get('/api/v1/views'), 200)), []);
  });

  let vcard;
  let csv;
  it('GET /api/v1/contacts/export?format=vcard streams vCard 4.0 with the right headers, escaping and folding', async () => {
    const res = await manager.get('/api/v1/contacts/export?format=vcard');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.headers['content-type'], 'text/vcard; charset=utf-8');
    assert.match(res.headers['content-disposition'], /^attachment; filename="piazza-contacts-\d{4}-\d{2}-\d{2}\.vcf"$/);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    vcard = res.text;
    assert.equal((vcard.match(/^BEGIN:VCARD\r$/gm) || []).length, 6, vcard);
    assert.ok(!/[^\r]\n/.test(vcard), 'every line ends with CRLF');
    for (const line of vcard.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line longer than 75 bytes: ${line}`);
    const unfolded = vcard.replace(/\r\n[ \t]/g, '');
    assert.match(unfolded, /\r\nKIND:org\r\nFN:Acme S\.r\.l\.\r\nORG:Acme S\.r\.l\.\r\n/);
    assert.match(unfolded, /\r\nN:Rossi;Mario;;;\r\nORG:Acme S\.r\.l\.\r\nTITLE:Direttore acquisti\r\n/);
    assert.match(unfolded, /\r\nEMAIL;TYPE=work:mario\.rossi@example\.it\r\n/);
    assert.match(unfolded, /\r\nitem1\.EMAIL:mario@casa\.it\r\nitem1\.X-ABLabel:ufficio Milano\\; piano 2\r\n/);
    assert.match(unfolded, /\r\nTEL;VALUE=uri;TYPE=cell:tel:\+393331234567\r\n/);
    assert.match(unfolded, /\r\nIMPP;X-SERVICE-TYPE=WhatsApp:tel:\+393477654321\r\n/);
    assert.match(unfolded, /\r\nIMPP;X-SERVICE-TYPE=Telegram:https:\/\/t\.me\/mariorossi\r\n/);
    assert.match(unfolded, /\r\nX-SOCIALPROFILE;TYPE=linkedin:https:\/\/linkedin\.com\/in\/mario-rossi\r\n/);
    assert.match(unfolded, /\r\nNOTE:Incontrato in \*\*fiera\*\*\\, a Milano\\; vuole un'offerta\.\\nRichiamare a gennaio: \\\\ grazie\r\n/);
    assert.match(unfolded, /\r\nCATEGORIES:Fiera,Fiera 2026,VIP\r\n/);
    assert.match(unfolded, /\r\nCATEGORIES:Fornitori\\, grandi\r\n/);
    assert.match(unfolded, /\r\nFN:=Zoë "Zed" Ferri\\, jr\r\n/);
    // A fold never splits a UTF-8 character: every physical line is valid UTF-8 by itself.
    for (const line of vcard.split('\r\n')) assert.ok(!line.includes('\uFFFD'), line);
  });

  it('GET /api/v1/contacts/export?format=csv streams UTF-8 CSV of the filtered list', async () => {
    const res = await manager.get('/api/v1/contacts/export?format=csv&kind=person');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(res.headers['content-disposition'], /^attachment; filename="piazza-contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    csv = res.text;
    assert.ok(csv.startsWith('\uFEFFName,Given Name,Family Name,Notes,Group Membership,E-mail 1 - Value,Phone 1 - Value,Website 1 - Value,Organization 1 - Name,Organization 1 - Title,Kind,Stage,Type,Owner,Strength,Last contact,WhatsApp,Telegram,piazza ID\r\n'), csv.slice(0, 300));
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + 5, csv);
    assert.ok(lines.some((l) => l.startsWith('"\'=Zoë ""Zed"" Ferri, jr",')), `a formula-like cell is defused and quoted:\n${csv}`);
    assert.ok(csv.includes(',mario.rossi@example.it ::: mario@casa.it,+393331234567,https://linkedin.com/in/mario-rossi,Acme S.r.l.,Direttore acquisti,person,customer,customer,Giulia Agente,'), csv);
    assert.ok(csv.includes('"Incontrato in **fiera**, a Milano; vuole un\'offerta.\nRichiamare a gennaio: \\ grazie"'), csv);
    const narrowed = await manager.get('/api/v1/contacts/export?format=csv&tag=VIP');
    assert.equal(narrowed.text.trimEnd().split('\r\n').length, 2, narrowed.text);
    assertError(await manager.get('/api/v1/contacts/export?format=xls'), 422, 'request.invalid', 'format');
    assertError(await manager.get('/api/v1/contacts/export'), 422, 'request.invalid', 'format');
    assertError(await manager.get('/api/v1/contacts/export?format=csv&stage=friend'), 422, 'request.invalid', 'stage');
  });

  it('exports need the manager role (consultants read as managers); agents and members → 403; exports are audited', async () => {
    assertError(await agent.get('/api/v1/contacts/export?format=csv'), 403, 'auth.forbidden');
    assertError(await member.get('/api/v1/contacts/export?format=vcard'), 403, 'auth.forbidden');
    assertError(await agent.get(`/api/v1/contacts/${ids.mario}/export`), 403, 'auth.forbidden');
    assert.equal((await consultant.get('/api/v1/contacts/export?format=csv')).status, 200);
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=100'), 200));
    assert.ok(audit.filter((a) => a.action === 'contacts.export').length >= 4, JSON.stringify(audit.slice(0, 5)));
  });

  it('the vCard and the CSV re-import through `piazza import` into a fresh piazza with the same contacts', async () => {
    const expected = {};
    for (const c of await listAll(owner)) {
      const full = assertJson(await owner.get(`/api/v1/contacts/${c.id}`), 200).contact;
      expected[full.name] = full;
    }
    const dir = tempDir();
    try {
      const { server: other, owner: otherOwner } = await startWithOwner();
      const file = path.join(dir, 'export.vcf');
      fs.writeFileSync(file, vcard);
      const r = other.cli(['import', 'vcard', file, '--json']);
      assert.equal(r.status, 0, describeCli(r));
      const summary = JSON.parse(r.stdout);
      assert.equal(summary.contacts_created, 6, r.stdout);
      assert.deepEqual(summary.errors, []);
      const got = {};
      for (const c of await listAll(otherOwner)) got[c.name] = assertJson(await otherOwner.get(`/api/v1/contacts/${c.id}`), 200).contact;
      assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
      for (const [name, want] of Object.entries(expected)) {
        const have = got[name];
        assert.equal(have.kind, want.kind, name);
        assert.equal(have.given_name, want.given_name, name);
        assert.equal(have.family_name, want.family_name, name);
        assert.equal(have.notes, want.notes, name);
        assert.deepEqual([...have.tags].sort(), [...want.tags].sort(), name);
        const idents = (c) => c.identities.map((i) => `${i.kind} ${i.value} ${i.label ?? ''}`).sort();
        assert.deepEqual(idents(have), idents(want), name);
        const orgs = (c) => (c.organizations ?? c.people).map((o) => `${o.name} ${o.title ?? ''}`).sort();
        assert.deepEqual(orgs(have), orgs(want), name);
      }
      // Again: the same file changes nothing.
      const again = JSON.parse(other.cli(['import', 'vcard', file, '--json']).stdout);
      assert.equal(again.contacts_created, 0);
      assert.equal(again.contacts_updated, 0);

      // CSV: the people (organizations are the vCard's job), with names, identities, organization, title, notes, tags.
      const third = await startWithOwner();
      const csvFile = path.join(dir, 'export.csv');
      fs.writeFileSync(csvFile, csv);
      const rc = third.server.cli(['import', csvFile, '--json']);
      assert.equal(rc.status, 0, describeCli(rc));
      const sc = JSON.parse(rc.stdout);
      assert.equal(sc.format, 'contacts-csv', rc.stdout);
      assert.deepEqual(sc.errors, []);
      const people = {};
      for (const c of await listAll(third.owner, 'kind=person')) people[c.name] = assertJson(await third.owner.get(`/api/v1/contacts/${c.id}`), 200).contact;
      const wantPeople = Object.values(expected).filter((c) => c.kind === 'person');
      assert.deepEqual(Object.keys(people).sort(), wantPeople.map((c) => (c.name.startsWith('=') ? `'${c.name}` : c.name)).sort());
      for (const want of wantPeople) {
        const have = people[want.name] ?? people[`'${want.name}`];
        assert.equal(have.notes, want.notes, want.name);
        assert.deepEqual([...have.tags].sort(), [...want.tags].sort(), want.name);
        const kinds = ['email', 'phone', 'linkedin', 'facebook', 'instagram', 'x', 'website'];
        const idents = (c) => c.identities.filter((i) => kinds.includes(i.kind)).map((i) => `${i.kind} ${i.value}`).sort();
        assert.deepEqual(idents(have), idents(want), want.name);
        assert.deepEqual(have.organizations.map((o) => `${o.name} ${o.title ?? ''}`), want.organizations.map((o) => `${o.name} ${o.title ?? ''}`), want.name);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a contact\'s identities, tags, custom fields and consents are edited one by one (agent); bad input gets codes', async () => {
    const path_ = `/api/v1/contacts/${ids.sara}`;
    // identities: normalized, unique, removable
    let c = assertJson(await agent.post(`${path_}/identities`, { kind: 'phone', value: '0039 333 999 8877', label: 'cell' }), 201).contact;
    const added = c.identities.find((i) => i.kind === 'phone');
    assert.deepEqual([added.value, added.original, added.label], ['+393339998877', '0039 333 999 8877', 'cell']);
    assertError(await agent.post(`${path_}/identities`, { kind: 'email', value: 'not an email' }), 422, 'contact.identity_invalid', 'value');
    assertError(await agent.post(`${path_}/identities`, { kind: 'email', value: 'LUCA@verdi.it' }), 409, 'contact.identity_taken', 'value');
    assertError(await agent.post(`${path_}/identities`, { kind: 'fax', value: '1' }), 422, 'contact.identity_invalid', 'kind');
    assertError(await agent.post('/api/v1/contacts/999999/identities', { kind: 'email', value: 'x@y.it' }), 404, 'not_found');
    assert.equal((await agent.delete(`${path_}/identities/${added.id}`)).status, 204);
    assertError(await agent.delete(`${path_}/identities/${added.id}`), 404, 'not_found');
    // tags: added and removed by name in one transaction
    c = assertJson(await agent.patch(`${path_}/tags`, { add: ['Cena', 'cena', 'Partner'], remove: ['Nonexistent'] }), 200).contact;
    assert.deepEqual(c.tags, ['Cena', 'Partner']);
    c = assertJson(await agent.patch(`${path_}/tags`, { remove: ['CENA'] }), 200).contact;
    assert.deepEqual(c.tags, ['Partner']);
    assertError(await agent.patch(`${path_}/tags`, {}), 422, 'request.invalid', 'add');
    assertError(await agent.patch(`${path_}/tags`, { add: ['  '] }), 422, 'request.invalid', 'tag');
    assertError(await agent.patch('/api/v1/contacts/999999/tags', { add: ['X'] }), 404, 'not_found');
    // custom fields: defined by managers, set by agents, checked by type
    assertError(await agent.post('/api/v1/fields', { name: 'Fatturato', type: 'number' }), 403, 'auth.forbidden');
    const field = assertJson(await manager.post('/api/v1/fields', { name: 'Fatturato', type: 'number' }), 201).field;
    assert.deepEqual(field, { id: field.id, name: 'Fatturato', type: 'number', choices: [] });
    assertJson(await manager.post('/api/v1/fields', { name: 'Settore', type: 'choice', choices: ['Moda', 'Cibo'] }), 201);
    assertError(await manager.post('/api/v1/fields', { name: 'Settore', type: 'text' }), 409, 'contact.field_exists', 'name');
    assertError(await manager.post('/api/v1/fields', { name: 'X', type: 'colour' }), 422, 'request.invalid', 'type');
    assert.deepEqual(assertList(assertJson(await member.get('/api/v1/fields'), 200)).map((f) => [f.name, f.type, f.choices]),
      [['Fatturato', 'number', []], ['Settore', 'choice', ['Moda', 'Cibo']]]);
    c = assertJson(await agent.patch(`${path_}/fields`, { Fatturato: '1250,50', Settore: 'cibo' }), 200).contact;
    assert.deepEqual(c.custom_fields.map((v) => [v.name, v.value]), [['Fatturato', '1250.50'], ['Settore', 'Cibo']]);
    assertError(await agent.patch(`${path_}/fields`, { Fatturato: 'tanto' }), 422, 'contact.field_invalid', 'value');
    assertError(await agent.patch(`${path_}/fields`, { Colore: 'blu' }), 422, 'contact.field_unknown', 'name');
    c = assertJson(await agent.patch(`${path_}/fields`, { Settore: null }), 200).contact;
    assert.deepEqual(c.custom_fields.map((v) => v.name), ['Fatturato']);
    // consents: recorded, withdrawn once, never deleted
    const given = Date.UTC(2026, 2, 5);
    c = assertJson(await agent.post(`${path_}/consents`, { purpose: 'newsletter', source: 'modulo web', given_at: given }), 201).contact;
    const consent = c.consents[0];
    assert.deepEqual([consent.purpose, consent.source, consent.given_at, consent.withdrawn_at], ['newsletter', 'modulo web', given, null]);
    assertError(await agent.post(`${path_}/consents`, { purpose: 'newsletter' }), 422, 'request.invalid', 'source');
    assertError(await agent.post(`${path_}/consents`, { purpose: 'x', source: 'y', given_at: -5 }), 422, 'request.invalid', 'given_at');
    c = assertJson(await agent.post(`${path_}/consents/${consent.id}/withdraw`, {}), 200).contact;
    assert.ok(Number.isInteger(c.consents[0].withdrawn_at) && c.consents[0].withdrawn_at >= given, JSON.stringify(c.consents));
    assertError(await agent.post(`${path_}/consents/${consent.id}/withdraw`, {}), 409, 'consent.withdrawn');
    assertError(await agent.post(`/api/v1/contacts/${ids.luca}/consents/${consent.id}/withdraw`, {}), 404, 'not_found');
    // roles: members and consultants read only
    assertError(await member.post(`${path_}/identities`, { kind: 'email', value: 'm@x.it' }), 403, 'auth.forbidden');
    assertError(await consultant.patch(`${path_}/tags`, { add: ['X'] }), 403, 'auth.forbidden');
    assertError(await consultant.post(`${path_}/consents`, { purpose: 'x', source: 'y' }), 403, 'auth.forbidden');
    // the GDPR export carries them
    const data = assertJson(await manager.get(`${path_}/export`), 200);
    assert.deepEqual(data.custom_fields.map((f) => [f.name, f.type, f.value]), [['Fatturato', 'number', '1250.50']]);
    assert.equal(data.consents.length, 1);
    assert.equal(data.consents[0].purpose, 'newsletter');
    assert.ok(data.consents[0].withdrawn_at > 0);
    assert.deepEqual(data.tags, ['Partner']);
  });

  it('GET /api/v1/contacts/{id}/export gives one contact\'s complete data as JSON (GDPR access)', async () => {
    const res = await manager.get(`/api/v1/contacts/${ids.mario}/export`);
    const body = assertJson(res, 200);
    assert.equal(res.headers['content-disposition'], `attachment; filename="piazza-contact-${ids.mario}.json"`);
    assert.equal(body.contact.id, ids.mario);
    assert.equal(body.contact.name, 'Mario Rossi');
    assert.equal(body.contact.given_name, 'Mario');
    assert.equal(body.contact.stage, 'customer');
    assert.equal(body.contact.type, 'customer');
    assert.equal(body.contact.owner, agentId);
    assert.match(body.contact.notes, /^Incontrato in \*\*fiera\*\*/);
    assert.ok(Number.isInteger(body.contact.strength) && body.contact.strength > 0);
    assert.equal(body.identities.length, 6, JSON.stringify(body.identities));
    assert.ok(body.identities.some((i) => i.kind === 'phone' && i.value === '+393331234567' && i.original === '333 1234567' && i.label === 'cell'));
    assert.deepEqual(body.organizations, [{ id: ids.acme, name: 'Acme S.r.l.', title: 'Direttore acquisti' }]);
    assert.deepEqual(body.tags, ['Fiera', 'Fiera 2026', 'VIP']);
    assert.deepEqual(body.custom_fields, []);
    assert.deepEqual(body.consents, []);
    const kinds = body.timeline.map((e) => e.kind);
    assert.equal(kinds.filter((k) => k === 'call').length, 6, JSON.stringify(kinds));
    assert.ok(kinds.includes('import'), JSON.stringify(kinds));
    assert.equal(body.workspace.name, 'Acme Srl');
    assertError(await manager.get('/api/v1/contacts/999999/export'), 404, 'not_found');
    const audit = assertList(assertJson(await owner.get('/api/v1/audit?limit=20'), 200));
    assert.ok(audit.some((a) => a.action === 'contact.export' && a.target === `contact:${ids.mario}`), JSON.stringify(audit.slice(0, 3)));
  });
});
