// The shared inbox's workflow over HTTP (issue 4): inbox settings (business hours in the
// workspace's zone, SLA targets) with their error codes, first-response and resolution times
// in business minutes kept right for imported history and recomputed when the settings change,
// SLA due times and the breaching view without a background job, canned replies with
// variables, labels and teams; roles (manager settings, agent changes, member reads,
// consultant 403).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startWithOwner, stopAll, addUser, signedIn, assertError, assertJson, describeCli, tempDir,
} from './harness.mjs';

const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats');

function importChats(server, files) {
  const r = server.cli(['import', 'whatsapp', ...files, '--workspace', 'acme', '--me', 'Io Azienda', '--json']);
  assert.equal(r.status, 0, describeCli(r));
  return JSON.parse(r.stdout);
}

const OFFICE = [0, 1, 2, 3, 4].flatMap((weekday) => [
  { weekday, open: '09:00', close: '13:00' }, { weekday, open: '14:00', close: '18:00' }]);

describe('inbox workflow API', { timeout: 120_000 }, () => {
  let server, owner, manager, agent, member, consultant;
  let weekend, anna; // conversations

  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'marco@example.it', name: 'Marco Manager', role: 'manager' });
    addUser(server, { email: 'giulia@example.it', name: 'Giulia Agente', role: 'agent' });
    addUser(server, { email: 'luca@example.it', name: 'Luca Membro', role: 'member' });
    addUser(server, { email: 'carla@example.it', name: 'Carla Consulente', role: 'consultant' });
    manager = await signedIn(server, 'marco@example.it');
    agent = await signedIn(server, 'giulia@example.it');
    member = await signedIn(server, 'luca@example.it');
    consultant = await signedIn(server, 'carla@example.it');
    // Friday 5 July 2024 17:30 in Rome a customer writes; the answer comes on Monday 09:15.
    const dir = tempDir();
    const chat = path.join(dir, 'WhatsApp Chat with Franca Rossi.txt');
    fs.writeFileSync(chat, '05/07/24, 17:30 - Franca Rossi: Buonasera, avete il catalogo?\n'
      + '08/07/24, 09:15 - Io Azienda: Buongiorno Franca, glielo mando subito\n'
      + '08/07/24, 09:20 - Franca Rossi: Grazie\n');
    const s = importChats(server, [chat, path.join(FIX, 'WhatsApp Chat with Anna.zip')]);
    assert.equal(s.conversations, 2);
    const list = assertJson(await member.get('/api/v1/conversations'), 200);
    weekend = list.items.find((c) => c.title === 'Franca Rossi');
    anna = list.items.find((c) => c.title === 'Anna');
    assert.ok(weekend && anna, JSON.stringify(list.items.map((c) => c.title)));
  });
  after(stopAll);

  it('imported history gets its measures: always open by default, no targets', async () => {
    // 17:30 Friday (15:30Z) to 09:15 Monday (07:15Z): 2 days 15 h 45 min when always open.
    assert.equal(weekend.first_response_at, '2024-07-08T07:15:00Z');
    assert.equal(weekend.sla.first_response_minutes, 2 * 1440 + 15 * 60 + 45);
    assert.equal(weekend.sla.resolution_minutes, null);
    assert.equal(weekend.sla.due_at, null);
    assert.equal(weekend.sla.breached, false);
    assert.equal(weekend.awaiting_reply, true);
    assert.equal(anna.first_response_at, null);
    assert.equal(anna.sla.first_response_minutes, null);
    assert.equal(anna.sla.due_at, null);
  });

  it('GET /settings/inbox: the workspace zone, always open, no targets', async () => {
    const s = assertJson(await member.get('/api/v1/settings/inbox'), 200);
    assert.deepEqual(s, { time_zone: 'Europe/Rome', hours: [], first_response_target_minutes: null, resolution_target_minutes: null });
  });

  it('PUT /settings/inbox is for managers, and recomputes the measures in business time', async () => {
    assertError(await agent.put('/api/v1/settings/inbox', { hours: OFFICE }), 403, 'auth.forbidden');
    assertError(await consultant.put('/api/v1/settings/inbox', { hours: OFFICE }), 403, 'auth.forbidden');
    // Given out of order, stored and shown sorted.
    const s = assertJson(await manager.put('/api/v1/settings/inbox',
      { time_zone: 'Europe/Rome', hours: [...OFFICE].reverse(), first_response_target_minutes: 60, resolution_target_minutes: 480 }), 200);
    assert.deepEqual(s.hours, OFFICE);
    assert.equal(s.first_response_target_minutes, 60);
    assert.equal(s.resolution_target_minutes, 480);
    assert.deepEqual(assertJson(await member.get('/api/v1/settings/inbox'), 200), s);
    // Friday 17:30-18:00 and Monday 09:00-09:15: 45 business minutes, within the hour.
    let c = assertJson(await member.get(`/api/v1/conversations/${weekend.id}`), 200);
    assert.equal(c.sla.first_response_minutes, 45);
    assert.equal(c.sla.breached, true, 'not resolved and 8 business hours long past');
    // The next deadline: resolution, 8 business hours after Friday 17:30 = Monday 17:30 (15:30Z).
    assert.equal(c.sla.due_at, '2024-07-08T15:30:00Z');
    // Anna wrote on Thursday 13 June 2024 at 10:00 and nobody answered: due 11:00 (09:00Z).
    c = assertJson(await member.get(`/api/v1/conversations/${anna.id}`), 200);
    assert.equal(c.sla.due_at, '2024-06-13T09:00:00Z');
    assert.equal(c.sla.breached, true, 'the due time passed without an answer');
    const b = assertJson(await member.get('/api/v1/conversations?sla=breaching'), 200);
    assert.deepEqual(b.items.map((x) => x.id).sort(), [weekend.id, anna.id].sort());
    assert.equal(assertJson(await member.get('/api/v1/inbox/summary'), 200).views.breaching, 2);
  });

  it('a late first response stays a breach; a kept target is not one', async () => {
    // Target 30 minutes: 45 was late even once resolved.
    assertJson(await manager.put('/api/v1/settings/inbox', { hours: OFFICE, first_response_target_minutes: 30 }), 200);
    let c = assertJson(await agent.patch(`/api/v1/conversations/${weekend.id}`, { status: 'resolved' }), 200);
    assert.equal(c.sla.breached, true);
    assert.equal(c.sla.due_at, null);
    assert.equal(typeof c.sla.resolution_minutes, 'number');
    assert.ok(c.sla.resolution_minutes > 45, JSON.stringify(c.sla));
    // Not breaching in the list: resolved.
    let b = assertJson(await member.get('/api/v1/conversations?sla=breaching'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
    // Target 60: the 45 minutes were in time; resolved, so nothing is due.
    assertJson(await manager.put('/api/v1/settings/inbox', { hours: OFFICE, first_response_target_minutes: 60 }), 200);
    c = assertJson(await member.get(`/api/v1/conversations/${weekend.id}`), 200);
    assert.equal(c.sla.breached, true, 'settings recompute open conversations only; this one was resolved late at 30');
    c = assertJson(await agent.patch(`/api/v1/conversations/${weekend.id}`, { status: 'open' }), 200);
    assert.equal(c.resolved_at, null);
    assert.equal(c.sla.resolution_minutes, null);
    assert.equal(c.sla.breached, false, 'answered within 60 business minutes, no resolution target');
    assert.equal(c.sla.due_at, null);
    b = assertJson(await member.get('/api/v1/conversations?sla=breaching'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
  });

  it('a reply sets the first response in business minutes and ends the wait', async () => {
    const m = assertJson(await agent.post(`/api/v1/conversations/${anna.id}/messages`, { kind: 'reply', body: 'Ricevuto, grazie' }), 201);
    const c = assertJson(await member.get(`/api/v1/conversations/${anna.id}`), 200);
    assert.equal(c.first_response_at, m.sent_at);
    assert.equal(typeof c.sla.first_response_minutes, 'number');
    assert.ok(c.sla.first_response_minutes > 60, JSON.stringify(c.sla));
    assert.equal(c.sla.breached, true, 'answered long after the hour');
    assert.equal(c.sla.due_at, null, 'no resolution target');
    assert.equal(c.awaiting_reply, false);
  });

  it('empty hours mean always open', async () => {
    const s = assertJson(await manager.put('/api/v1/settings/inbox', { hours: [], first_response_target_minutes: 60 }), 200);
    assert.deepEqual(s.hours, []);
    const c = assertJson(await member.get(`/api/v1/conversations/${weekend.id}`), 200);
    assert.equal(c.sla.first_response_minutes, 2 * 1440 + 15 * 60 + 45);
    assert.equal(c.sla.breached, true);
  });

  it('PUT /settings/inbox refuses bad input with its code and keeps the old settings', async () => {
    const before = assertJson(await member.get('/api/v1/settings/inbox'), 200);
    const bad = [
      [{ hours: [{ weekday: 7, open: '09:00', close: '18:00' }] }, 'inbox.bad_hours'],
      [{ hours: [{ weekday: 0, open: '9:00', close: '18:00' }] }, 'inbox.bad_hours'],
      [{ hours: [{ weekday: 0, open: '18:00', close: '09:00' }] }, 'inbox.bad_hours'],
      [{ hours: [{ weekday: 0, open: '09:00', close: '24:30' }] }, 'inbox.bad_hours'],
      [{ hours: [{ weekday: 0, open: '09:00', close: '13:00' }, { weekday: 0, open: '12:00', close: '18:00' }] }, 'inbox.bad_hours'],
      [{ hours: 'weekdays' }, 'inbox.bad_hours'],
      [{ hours: [5] }, 'inbox.bad_hours'],
      [{ time_zone: 'Mars/Olympus' }, 'inbox.bad_time_zone'],
      [{ time_zone: '../etc/passwd' }, 'inbox.bad_time_zone'],
      [{ time_zone: 3 }, 'inbox.bad_time_zone'],
      [{ first_response_target_minutes: 0 }, 'inbox.bad_target'],
      [{ resolution_target_minutes: -5 }, 'inbox.bad_target'],
      [{ resolution_target_minutes: '60' }, 'inbox.bad_target'],
      [{ first_response_target_minutes: 600000 }, 'inbox.bad_target'],
    ];
    for (const [body, code] of bad) assertError(await manager.put('/api/v1/settings/inbox', body), 422, code);
    assert.deepEqual(assertJson(await member.get('/api/v1/settings/inbox'), 200), before);
    // 24:00 closes at midnight; another zone is kept.
    const s = assertJson(await manager.put('/api/v1/settings/inbox', { time_zone: 'Europe/London', hours: [{ weekday: 5, open: '20:00', close: '24:00' }] }), 200);
    assert.equal(s.time_zone, 'Europe/London');
    assert.deepEqual(s.hours, [{ weekday: 5, open: '20:00', close: '24:00' }]);
    assert.equal(s.first_response_target_minutes, null);
  });

  it('canned replies: managers write them, agents get them with variables filled', async () => {
    const body = 'Buongiorno {{first_name}}, sono {{ agent_name }} di {{company}}. ({{name}})';
    assertError(await agent.post('/api/v1/canned-replies', { shortcut: 'saluto', title: 'Saluto', body }), 403, 'auth.forbidden');
    const cr = assertJson(await manager.post('/api/v1/canned-replies', { shortcut: 'saluto', title: 'Saluto', body }), 201);
    assert.equal(typeof cr.id, 'number');
    assert.equal(cr.shortcut, 'saluto');
    assert.equal(cr.title, 'Saluto');
    assert.equal(cr.body, body);
    assert.equal(cr.rendered, body);
    assertJson(await manager.post('/api/v1/canned-replies', { shortcut: 'catalogo', title: 'Catalogo', body: 'Ecco il catalogo.' }), 201);
    let l = assertJson(await member.get('/api/v1/canned-replies'), 200);
    assert.deepEqual(l.items.map((x) => x.shortcut), ['catalogo', 'saluto']);
    assert.equal(l.items[1].rendered, body);
    l = assertJson(await agent.get(`/api/v1/canned-replies?conversation=${weekend.id}`), 200);
    assert.equal(l.items[1].rendered, 'Buongiorno Franca, sono Giulia Agente di Acme Srl. (Franca Rossi)');
    assert.equal(l.items[0].rendered, 'Ecco il catalogo.');
    assertError(await consultant.get('/api/v1/canned-replies'), 403, 'auth.forbidden');
    assertError(await agent.get('/api/v1/canned-replies?conversation=999999'), 404, 'inbox.not_found');
    assertError(await agent.get('/api/v1/canned-replies?conversation=abc'), 400, 'inbox.bad_filter');
  });

  it('canned replies refuse unknown variables, duplicate shortcuts and bad fields', async () => {
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'x', title: 'X', body: 'Gentile {{nome}}' }), 422, 'inbox.bad_variable', 'body');
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'saluto', title: 'Again', body: 'ciao' }), 409, 'inbox.duplicate_shortcut', 'shortcut');
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'has space', title: 'X', body: 'ciao' }), 422, 'request.invalid', 'shortcut');
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'y', title: '', body: 'ciao' }), 422, 'request.invalid', 'title');
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'y', title: 'Y' }), 422, 'request.invalid', 'body');
    assertError(await manager.post('/api/v1/canned-replies', { shortcut: 'y', title: 'Y', body: 5 }), 422, 'request.invalid', 'body');
    const l = assertJson(await member.get('/api/v1/canned-replies'), 200);
    assert.equal(l.items.length, 2);
  });

  it('canned replies change and go', async () => {
    const l = assertJson(await member.get('/api/v1/canned-replies'), 200);
    const id = l.items.find((x) => x.shortcut === 'catalogo').id;
    const cr = assertJson(await manager.patch(`/api/v1/canned-replies/${id}`, { title: 'Il catalogo', body: 'Ecco il catalogo, {{first_name}}.' }), 200);
    assert.equal(cr.title, 'Il catalogo');
    assert.equal(cr.shortcut, 'catalogo');
    assert.equal(cr.body, 'Ecco il catalogo, {{first_name}}.');
    assertError(await manager.patch(`/api/v1/canned-replies/${id}`, { body: '{{prezzo}}' }), 422, 'inbox.bad_variable');
    assertError(await manager.patch(`/api/v1/canned-replies/${id}`, { shortcut: 'saluto' }), 409, 'inbox.duplicate_shortcut');
    assertError(await manager.patch('/api/v1/canned-replies/999999', { title: 'x' }), 404, 'not_found');
    assertError(await agent.delete(`/api/v1/canned-replies/${id}`), 403, 'auth.forbidden');
    assert.equal((await manager.delete(`/api/v1/canned-replies/${id}`)).status, 204);
    assertError(await manager.delete(`/api/v1/canned-replies/${id}`), 404, 'not_found');
    const after = assertJson(await member.get('/api/v1/canned-replies'), 200);
    assert.deepEqual(after.items.map((x) => x.shortcut), ['saluto']);
  });

  it('teams: managers create them, conversations go to them, lists filter by them', async () => {
    assertError(await agent.post('/api/v1/teams', { name: 'Assistenza' }), 403, 'auth.forbidden');
    const t = assertJson(await manager.post('/api/v1/teams', { name: 'Assistenza' }), 201);
    assert.deepEqual(Object.keys(t).sort(), ['id', 'name']);
    assert.equal(t.name, 'Assistenza');
    assertError(await manager.post('/api/v1/teams', { name: 'Assistenza' }), 409, 'inbox.team_exists', 'name');
    assertError(await manager.post('/api/v1/teams', { name: ' ' }), 422, 'request.invalid', 'name');
    assertError(await manager.post('/api/v1/teams', {}), 422, 'request.invalid', 'name');
    assertJson(await owner.post('/api/v1/teams', { name: 'Vendite' }), 201);
    const l = assertJson(await member.get('/api/v1/teams'), 200);
    assert.deepEqual(l.items.map((x) => x.name), ['Assistenza', 'Vendite']);
    assertError(await consultant.get('/api/v1/teams'), 403, 'auth.forbidden');
    const c = assertJson(await agent.patch(`/api/v1/conversations/${anna.id}`, { team_id: t.id }), 200);
    assert.deepEqual(c.team, { id: t.id, name: 'Assistenza' });
    let b = assertJson(await member.get(`/api/v1/conversations?team=${t.id}`), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
    assert.equal(assertJson(await agent.patch(`/api/v1/conversations/${anna.id}`, { team_id: null }), 200).team, null);
    b = assertJson(await member.get(`/api/v1/conversations?team=${t.id}`), 200);
    assert.deepEqual(b.items, []);
  });

  it('labels: listed with how many conversations carry them', async () => {
    assertJson(await agent.patch(`/api/v1/conversations/${anna.id}`, { labels: ['Preventivo', 'Urgente'] }), 200);
    assertJson(await agent.patch(`/api/v1/conversations/${weekend.id}`, { labels: ['preventivo'] }), 200);
    const l = assertJson(await member.get('/api/v1/labels'), 200);
    assert.deepEqual(l.items.map((x) => [x.name, x.count, x.color]), [['Preventivo', 2, null], ['Urgente', 1, null]]);
    for (const x of l.items) assert.equal(typeof x.id, 'number');
    assertError(await consultant.get('/api/v1/labels'), 403, 'auth.forbidden');
  });
});
