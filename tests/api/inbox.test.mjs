// The shared inbox over HTTP (issue 4, /work/wt/INBOX_API.md): conversations imported with
// `piazza import` listed with every filter and the cursor, the sidebar's counts, one
// conversation with its participants, workflow changes (status, snooze, assignee, team,
// priority, labels) with their error codes, messages page by page with attachments and their
// files, notes and replies (stored, counted, on the contact's timeline), and roles: a
// consultant reads nothing here, a member reads, an agent changes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  ROOT, startWithOwner, stopAll, addUser, signedIn, assertError, assertJson, show, describeCli,
} from './harness.mjs';

const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'whatsapp');

/** Runs SQL on the server's database with the sqlite3 command; returns the output's lines. */
function sql(server, statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', server.db, statement], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}\n${statement}`);
  return r.stdout.split('\n').filter(Boolean);
}

function importChats(server, files, extra = []) {
  const r = server.cli(['import', ...files, '--workspace', 'acme', '--me', 'Io Azienda', '--json', ...extra]);
  assert.equal(r.status, 0, describeCli(r));
  return JSON.parse(r.stdout);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Checks every member of the contract's conversation object is there with its type. */
function assertConversation(c) {
  for (const k of ['id', 'channel', 'title', 'is_group', 'contact', 'status', 'snoozed_until', 'assignee', 'team',
    'priority', 'labels', 'message_count', 'first_message_at', 'last_message_at', 'last_message', 'awaiting_reply',
    'first_response_at', 'resolved_at', 'sla']) {
    assert.ok(k in c, `conversation lacks ${k}: ${JSON.stringify(c)}`);
  }
  assert.ok(Number.isInteger(c.id));
  assert.ok(['open', 'pending', 'snoozed', 'resolved'].includes(c.status));
  assert.ok(['low', 'normal', 'high', 'urgent'].includes(c.priority));
  assert.ok(Array.isArray(c.labels));
  assert.equal(typeof c.awaiting_reply, 'boolean');
  for (const k of ['due_at', 'breached', 'first_response_minutes', 'resolution_minutes']) assert.ok(k in c.sla, `sla lacks ${k}`);
  if (c.last_message_at !== null) assert.match(c.last_message_at, ISO);
}

describe('inbox API', { timeout: 120_000 }, () => {
  let server, owner, manager, agent, member, consultant;
  let franco, anna, group; // conversations
  let agentId, consultantId;

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
    agentId = agent.user.id;
    consultantId = consultant.user.id;
    const s = importChats(server, [
      path.join(FIX, 'WhatsApp Chat with Franco.txt'),
      path.join(FIX, 'WhatsApp Chat with Anna.zip'),
      path.join(CORPUS, 'it_android_multiline.txt'),
    ]);
    assert.equal(s.conversations, 3);
    assert.equal(s.messages, 11);
  });
  after(stopAll);

  it('lists conversations newest activity first, with the whole object', async () => {
    const body = assertJson(await member.get('/api/v1/conversations'), 200);
    assert.equal(body.next, null);
    assert.deepEqual(body.items.map((c) => c.title), ['Franco', 'Anna', 'it_android_multiline']);
    body.items.forEach(assertConversation);
    [franco, anna, group] = body.items;
    assert.equal(franco.channel, 'whatsapp');
    assert.equal(franco.is_group, false);
    assert.equal(franco.contact.name, 'Franco');
    assert.equal(franco.status, 'open');
    assert.equal(franco.message_count, 4);
    // 01/07/24 10:00 and 10:02 in Rome (summer time, UTC+2).
    assert.equal(franco.first_message_at, '2024-07-01T08:00:00Z');
    assert.equal(franco.last_message_at, '2024-07-01T08:02:00Z');
    assert.deepEqual(franco.last_message, { direction: 'outgoing', kind: 'text', sender_name: 'Io Azienda', body: 'due' });
    assert.equal(franco.awaiting_reply, false);
    assert.deepEqual(franco.labels, []);
    assert.equal(franco.assignee, null);
    assert.equal(franco.team, null);
    assert.equal(franco.priority, 'normal');
    assert.equal(anna.awaiting_reply, true);
    assert.equal(anna.message_count, 4);
    assert.deepEqual(anna.last_message, { direction: 'incoming', kind: 'media', sender_name: 'Anna', body: 'VID-20240613-WA0003.mp4 (file allegato)' });
    assert.equal(group.message_count, 3);
    // Last message "ciao Mario\ncome stai?" is from Luigi, incoming.
    assert.equal(group.last_message.body, 'ciao Mario\ncome stai?');
    assert.equal(group.awaiting_reply, true);
  });

  it('pages with the cursor and never repeats or skips', async () => {
    const p1 = assertJson(await member.get('/api/v1/conversations?limit=2'), 200);
    assert.equal(p1.items.length, 2);
    assert.equal(typeof p1.next, 'string');
    const p2 = assertJson(await member.get(`/api/v1/conversations?limit=2&cursor=${encodeURIComponent(p1.next)}`), 200);
    assert.deepEqual(p2.items.map((c) => c.id), [group.id]);
    assert.equal(p2.next, null);
    const p3 = assertJson(await member.get('/api/v1/conversations?limit=1&cursor=' + encodeURIComponent(p1.next)), 200);
    assert.deepEqual(p3.items.map((c) => c.id), [group.id]);
  });

  it('answers 400 inbox.bad_filter to unknown filter values', async () => {
    for (const q of ['view=everything', 'status=closed', 'status=open,nope', 'status=', 'channel=fax', 'sla=late', 'limit=0',
      'limit=201', 'limit=x', 'cursor=abc', 'cursor=5', 'team=x', 'assignee=-1', 'contact=0', 'label=']) {
      assertError(await member.get(`/api/v1/conversations?${q}`), 400, 'inbox.bad_filter');
    }
  });

  it('filters by channel, contact, status and view', async () => {
    let b = assertJson(await member.get('/api/v1/conversations?channel=whatsapp'), 200);
    assert.equal(b.items.length, 3);
    b = assertJson(await member.get('/api/v1/conversations?channel=email'), 200);
    assert.deepEqual(b.items, []);
    b = assertJson(await member.get(`/api/v1/conversations?contact=${anna.contact.id}`), 200);
    assert.deepEqual(b.items.map((c) => c.id), [anna.id]);
    b = assertJson(await member.get('/api/v1/conversations?status=resolved'), 200);
    assert.deepEqual(b.items, []);
    b = assertJson(await member.get('/api/v1/conversations?view=unassigned&status=all'), 200);
    assert.equal(b.items.length, 3);
    b = assertJson(await member.get('/api/v1/conversations?view=mine'), 200);
    assert.deepEqual(b.items, []);
  });

  it('GET one conversation adds its participants; unknown ids are 404 inbox.not_found', async () => {
    const c = assertJson(await member.get(`/api/v1/conversations/${franco.id}`), 200);
    assertConversation(c);
    assert.equal(c.id, franco.id);
    const names = c.participants.map((p) => `${p.name}:${p.is_me}`).sort();
    assert.deepEqual(names, ['Franco:false', 'Io Azienda:true']);
    const fr = c.participants.find((p) => p.name === 'Franco');
    assert.equal(fr.contact_id, franco.contact.id);
    for (const p of c.participants) for (const k of ['id', 'name', 'handle', 'is_me', 'contact_id', 'user_id']) assert.ok(k in p);
    assertError(await member.get('/api/v1/conversations/999999'), 404, 'inbox.not_found');
    assertError(await member.get('/api/v1/conversations/abc'), 404, 'inbox.not_found');
    assertError(await member.patch('/api/v1/conversations/999999', { status: 'open' }), 403, 'auth.forbidden');
    assertError(await agent.patch('/api/v1/conversations/999999', { status: 'open' }), 404, 'inbox.not_found');
  });

  it('a consultant reads no chats; a member cannot change them', async () => {
    for (const p of ['/api/v1/conversations', `/api/v1/conversations/${anna.id}`, `/api/v1/conversations/${anna.id}/messages`,
      '/api/v1/inbox/summary', '/api/v1/attachments/1']) {
      assertError(await consultant.get(p), 403, 'auth.forbidden');
    }
    assertError(await consultant.patch(`/api/v1/conversations/${anna.id}`, { status: 'pending' }), 403, 'auth.forbidden');
    assertError(await member.patch(`/api/v1/conversations/${anna.id}`, { status: 'pending' }), 403, 'auth.forbidden');
    assertError(await member.post(`/api/v1/conversations/${anna.id}/messages`, { kind: 'note', body: 'x' }), 403, 'auth.forbidden');
    // Nothing changed.
    const c = assertJson(await member.get(`/api/v1/conversations/${anna.id}`), 200);
    assert.equal(c.status, 'open');
    assert.equal(c.message_count, 4);
  });

  it('PATCH assigns, labels, prioritises; lists and counts follow', async () => {
    const c = assertJson(await agent.patch(`/api/v1/conversations/${anna.id}`,
      { assignee_id: agentId, labels: ['VIP', 'Preventivo'], priority: 'high' }), 200);
    assertConversation(c);
    assert.deepEqual(c.assignee, { id: agentId, name: 'Giulia Agente' });
    assert.deepEqual(c.labels, ['Preventivo', 'VIP']);
    assert.equal(c.priority, 'high');
    assert.ok(Array.isArray(c.participants));
    let b = assertJson(await agent.get('/api/v1/conversations?view=mine'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
    b = assertJson(await member.get(`/api/v1/conversations?assignee=${agentId}`), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
    b = assertJson(await member.get('/api/v1/conversations?view=unassigned'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [franco.id, group.id]);
    // Labels compare without case and accents.
    b = assertJson(await member.get('/api/v1/conversations?label=vip'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [anna.id]);
    b = assertJson(await member.get('/api/v1/conversations?label=nessuna'), 200);
    assert.deepEqual(b.items, []);
    const s = assertJson(await agent.get('/api/v1/inbox/summary'), 200);
    assert.deepEqual(s.views, { mine: 1, unassigned: 2, all: 3, breaching: 0 });
    assert.deepEqual(s.status, { open: 3, pending: 0, snoozed: 0, resolved: 0 });
    assert.deepEqual(s.channels, { whatsapp: 3 });
    assert.deepEqual(s.labels, [{ name: 'Preventivo', count: 1 }, { name: 'VIP', count: 1 }]);
    // The same labels again on another conversation reuse them; replacing the set drops one.
    const f = assertJson(await agent.patch(`/api/v1/conversations/${franco.id}`, { labels: ['vip'] }), 200);
    assert.deepEqual(f.labels, ['VIP']);
    assert.deepEqual(assertJson(await agent.patch(`/api/v1/conversations/${franco.id}`, { labels: [] }), 200).labels, []);
    // Unassigning.
    const u = assertJson(await agent.patch(`/api/v1/conversations/${franco.id}`, { assignee_id: agentId }), 200);
    assert.equal(u.assignee.id, agentId);
    assert.equal(assertJson(await agent.patch(`/api/v1/conversations/${franco.id}`, { assignee_id: null }), 200).assignee, null);
  });

  it('PATCH refuses bad input with its code and changes nothing', async () => {
    const p = `/api/v1/conversations/${franco.id}`;
    assertError(await agent.patch(p, { status: 'closed' }), 422, 'inbox.bad_status', 'status');
    assertError(await agent.patch(p, { status: 5 }), 422, 'inbox.bad_status');
    assertError(await agent.patch(p, { priority: 'asap' }), 422, 'inbox.bad_priority', 'priority');
    assertError(await agent.patch(p, { assignee_id: 999999 }), 422, 'inbox.bad_assignee', 'assignee_id');
    assertError(await agent.patch(p, { assignee_id: consultantId }), 422, 'inbox.bad_assignee', 'assignee_id');
    assertError(await agent.patch(p, { assignee_id: 'giulia' }), 422, 'inbox.bad_assignee');
    assertError(await agent.patch(p, { team_id: 999999 }), 422, 'inbox.bad_team', 'team_id');
    assertError(await agent.patch(p, { labels: [''] }), 422, 'inbox.bad_label', 'labels');
    assertError(await agent.patch(p, { labels: ['  '] }), 422, 'inbox.bad_label', 'labels');
    assertError(await agent.patch(p, { labels: ['x'.repeat(61)] }), 422, 'inbox.bad_label', 'labels');
    assertError(await agent.patch(p, { labels: 'vip' }), 422, 'inbox.bad_label');
    assertError(await agent.patch(p, { status: 'snoozed' }), 422, 'inbox.snooze_needs_time', 'snoozed_until');
    assertError(await agent.patch(p, { status: 'snoozed', snoozed_until: '2020-01-01T00:00:00Z' }), 422, 'inbox.snooze_needs_time');
    assertError(await agent.patch(p, { status: 'snoozed', snoozed_until: 'tomorrow' }), 422, 'inbox.snooze_needs_time');
    // A bad member after good ones: nothing of the request is applied.
    assertError(await agent.patch(p, { priority: 'urgent', labels: ['ok', ''] }), 422, 'inbox.bad_label');
    const c = assertJson(await member.get(p), 200);
    assert.equal(c.priority, 'normal');
    assert.deepEqual(c.labels, []);
    assert.equal(c.status, 'open');
    const raw = await agent.req('PATCH', p, { body: '{"status":', headers: { 'content-type': 'application/json' } });
    assertError(raw, 400, 'request.bad_json');
  });

  it('resolving sets resolved_at, reopening clears it; status filters follow', async () => {
    const p = `/api/v1/conversations/${group.id}`;
    const r = assertJson(await agent.patch(p, { status: 'resolved' }), 200);
    assert.equal(r.status, 'resolved');
    assert.match(r.resolved_at, ISO);
    let b = assertJson(await member.get('/api/v1/conversations'), 200);
    assert.ok(!b.items.some((x) => x.id === group.id), 'a resolved conversation is not in the default list');
    b = assertJson(await member.get('/api/v1/conversations?status=resolved'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [group.id]);
    b = assertJson(await member.get('/api/v1/conversations?status=all'), 200);
    assert.equal(b.items.length, 3);
    let s = assertJson(await member.get('/api/v1/inbox/summary'), 200);
    assert.equal(s.status.resolved, 1);
    assert.equal(s.views.all, 2);
    const o = assertJson(await agent.patch(p, { status: 'open' }), 200);
    assert.equal(o.status, 'open');
    assert.equal(o.resolved_at, null);
    const pend = assertJson(await agent.patch(p, { status: 'pending' }), 200);
    assert.equal(pend.status, 'pending');
    b = assertJson(await member.get('/api/v1/conversations?status=pending'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [group.id]);
    s = assertJson(await member.get('/api/v1/inbox/summary'), 200);
    assert.deepEqual(s.status, { open: 2, pending: 1, snoozed: 0, resolved: 0 });
  });

  it('snoozes until a time; once it has passed the conversation is open again', async () => {
    const p = `/api/v1/conversations/${franco.id}`;
    const until = new Date(Date.now() + 3 * 86400_000);
    until.setUTCMilliseconds(0);
    const want = until.toISOString().replace('.000Z', 'Z');
    const c = assertJson(await agent.patch(p, { status: 'snoozed', snoozed_until: want }), 200);
    assert.equal(c.status, 'snoozed');
    assert.equal(c.snoozed_until, want);
    let b = assertJson(await member.get('/api/v1/conversations'), 200);
    assert.ok(!b.items.some((x) => x.id === franco.id), 'a snoozed conversation is not in the default list');
    b = assertJson(await member.get('/api/v1/conversations?status=snoozed'), 200);
    assert.deepEqual(b.items.map((x) => x.id), [franco.id]);
    assert.equal(assertJson(await member.get('/api/v1/inbox/summary'), 200).status.snoozed, 1);
    // The snooze ends: no job runs, the list reads it against the clock.
    sql(server, `UPDATE conversations SET snoozed_until = 1000 WHERE id = ${franco.id}`);
    b = assertJson(await member.get('/api/v1/conversations'), 200);
    const back = b.items.find((x) => x.id === franco.id);
    assert.ok(back, 'an expired snooze is open again');
    assert.equal(back.status, 'open');
    assert.equal(back.snoozed_until, null);
    b = assertJson(await member.get('/api/v1/conversations?status=snoozed'), 200);
    assert.deepEqual(b.items, []);
    assert.equal(assertJson(await member.get('/api/v1/inbox/summary'), 200).status.snoozed, 0);
    // A status other than snoozed clears the time; a snooze cannot lose its time.
    assertJson(await agent.patch(p, { status: 'snoozed', snoozed_until: want }), 200);
    assertError(await agent.patch(p, { snoozed_until: null }), 422, 'inbox.snooze_needs_time');
    assertError(await agent.patch(p, { snoozed_until: '2020-01-01T00:00:00Z' }), 422, 'inbox.snooze_needs_time');
    const open = assertJson(await agent.patch(p, { status: 'open' }), 200);
    assert.equal(open.snoozed_until, null);
    assert.deepEqual(sql(server, `SELECT snoozed_until IS NULL FROM conversations WHERE id = ${franco.id}`), ['1']);
  });

  it('lists messages newest page first, each page oldest first, with attachments', async () => {
    const all = assertJson(await member.get(`/api/v1/conversations/${anna.id}/messages`), 200);
    assert.equal(all.next, null);
    assert.deepEqual(all.items.map((m) => m.body), [
      'Ecco il preventivo', 'preventivo.pdf (file allegato)', 'IMG-20240613-WA0002.jpg (file allegato)',
      'VID-20240613-WA0003.mp4 (file allegato)']);
    const first = all.items[0];
    assert.equal(first.direction, 'incoming');
    assert.equal(first.kind, 'text');
    assert.equal(first.sent_at, '2024-06-13T08:00:00Z');
    assert.equal(first.local_time, '2024-06-13 10:00');
    assert.equal(first.time_zone, 'Europe/Rome');
    assert.equal(first.sender.name, 'Anna');
    assert.equal(first.sender.contact_id, anna.contact.id);
    assert.equal(first.author, null);
    assert.equal(first.sent_outside, false);
    assert.equal(first.edited, false);
    assert.equal(first.deleted, false);
    assert.equal(first.reply_to_id, null);
    assert.deepEqual(first.attachments, []);
    const pdf = all.items[1].attachments[0];
    assert.equal(pdf.name, 'preventivo.pdf');
    assert.equal(pdf.mime_type, 'application/pdf');
    assert.equal(pdf.size, 29);
    assert.equal(pdf.url, `/api/v1/attachments/${pdf.id}`);
    const video = all.items[3].attachments[0];
    assert.equal(video.name, 'VID-20240613-WA0003.mp4');
    assert.equal(video.url, null, 'the export had no file');

    const p1 = assertJson(await member.get(`/api/v1/conversations/${anna.id}/messages?limit=3`), 200);
    assert.deepEqual(p1.items.map((m) => m.id), all.items.slice(1).map((m) => m.id));
    assert.equal(typeof p1.next, 'string');
    const p2 = assertJson(await member.get(`/api/v1/conversations/${anna.id}/messages?limit=3&cursor=${encodeURIComponent(p1.next)}`), 200);
    assert.deepEqual(p2.items.map((m) => m.id), [all.items[0].id]);
    assert.equal(p2.next, null);
    assertError(await member.get('/api/v1/conversations/999999/messages'), 404, 'inbox.not_found');
    assertError(await member.get(`/api/v1/conversations/${anna.id}/messages?limit=500`), 400, 'inbox.bad_filter');

    // The file itself, as a download that no browser renders.
    const f = await member.get(pdf.url);
    assert.equal(f.status, 200, show(f));
    assert.equal(f.headers['content-type'], 'application/pdf');
    assert.match(f.headers['content-disposition'], /^attachment; filename="preventivo\.pdf"/);
    assert.equal(f.headers['x-content-type-options'], 'nosniff');
    assert.equal(f.text, '%PDF-1.4 preventivo di prova\n');
    assertError(await member.get(`/api/v1/attachments/${video.id}`), 404, 'not_found');
    assertError(await member.get('/api/v1/attachments/999999'), 404, 'not_found');
  });

  it('posts a note and a reply: stored, counted, signed, on the timeline', async () => {
    const p = `/api/v1/conversations/${anna.id}/messages`;
    const note = assertJson(await agent.post(p, { kind: 'note', body: 'Chiedere a Marco lo sconto' }), 201);
    assert.equal(note.direction, 'note');
    assert.equal(note.kind, 'text');
    assert.equal(note.body, 'Chiedere a Marco lo sconto');
    assert.deepEqual(note.author, { id: agentId, name: 'Giulia Agente' });
    assert.equal(note.sent_outside, false);
    assert.equal(note.sender, null);
    assert.match(note.sent_at, ISO);
    let c = assertJson(await member.get(`/api/v1/conversations/${anna.id}`), 200);
    assert.equal(c.message_count, 5);
    assert.equal(c.awaiting_reply, true, 'a note answers nobody');
    assert.equal(c.first_response_at, null);
    assert.equal(c.last_message.direction, 'note');
    assert.equal(c.last_message.sender_name, 'Giulia Agente');

    const reply = assertJson(await agent.post(p, { kind: 'reply', body: 'Grazie Anna, è tutto chiaro 👍' }), 201);
    assert.equal(reply.direction, 'outgoing');
    assert.equal(reply.sent_outside, true);
    assert.equal(reply.body, 'Grazie Anna, è tutto chiaro 👍');
    assert.deepEqual(reply.author, { id: agentId, name: 'Giulia Agente' });
    c = assertJson(await member.get(`/api/v1/conversations/${anna.id}`), 200);
    assert.equal(c.message_count, 6);
    assert.equal(c.awaiting_reply, false);
    assert.equal(c.first_response_at, reply.sent_at);
    assert.equal(c.last_message_at, reply.sent_at);
    assert.equal(c.last_message.body, 'Grazie Anna, è tutto chiaro 👍');
    // Listed first now: the newest activity.
    const b = assertJson(await member.get('/api/v1/conversations?status=all'), 200);
    assert.equal(b.items[0].id, anna.id);
    // The newest page of messages ends with them.
    const m = assertJson(await member.get(`${p}?limit=2`), 200);
    assert.deepEqual(m.items.map((x) => x.id), [note.id, reply.id]);

    const tl = assertJson(await member.get(`/api/v1/contacts/${anna.contact.id}/timeline`), 200);
    const mine = tl.items.filter((e) => e.source_kind === 'message' && (e.source_id === note.id || e.source_id === reply.id));
    assert.equal(mine.length, 2, JSON.stringify(tl.items.slice(0, 3)));
    const tr = mine.find((e) => e.source_id === reply.id);
    assert.equal(tr.kind, 'message');
    assert.equal(tr.direction, 'out');
    assert.equal(tr.channel, 'whatsapp');
    assert.equal(tr.body, 'Grazie Anna, è tutto chiaro 👍');
    const tn = mine.find((e) => e.source_id === note.id);
    assert.equal(tn.kind, 'note');
    assert.equal(tn.body, 'Chiedere a Marco lo sconto');
  });

  it('refuses bad notes and replies with their codes and stores nothing', async () => {
    const p = `/api/v1/conversations/${franco.id}/messages`;
    assertError(await agent.post(p, { kind: 'sms', body: 'x' }), 422, 'inbox.bad_kind', 'kind');
    assertError(await agent.post(p, { body: 'x' }), 422, 'inbox.bad_kind');
    assertError(await agent.post(p, { kind: 'note', body: '' }), 422, 'inbox.empty_body', 'body');
    assertError(await agent.post(p, { kind: 'note', body: ' \n ' }), 422, 'inbox.empty_body', 'body');
    assertError(await agent.post(p, { kind: 'note' }), 422, 'inbox.empty_body');
    assertError(await agent.post(p, { kind: 'reply', body: 'x'.repeat(20001) }), 422, 'inbox.body_too_long', 'body');
    assertError(await agent.post('/api/v1/conversations/999999/messages', { kind: 'note', body: 'x' }), 404, 'inbox.not_found');
    const ok = assertJson(await manager.post(p, { kind: 'note', body: 'y'.repeat(20000) }), 201);
    assert.equal(ok.body.length, 20000);
    const c = assertJson(await member.get(`/api/v1/conversations/${franco.id}`), 200);
    assert.equal(c.message_count, 5);
    // The list's preview is cut at 200 bytes.
    assert.equal(c.last_message.body, 'y'.repeat(200));
  });

  it('cuts the preview at a character boundary', async () => {
    const p = `/api/v1/conversations/${group.id}/messages`;
    // 199 ASCII bytes then a 2-byte letter: 201 bytes, cut before the letter.
    const body = `${'a'.repeat(199)}è and more`;
    assertJson(await owner.post(p, { kind: 'note', body }), 201);
    const c = assertJson(await member.get(`/api/v1/conversations/${group.id}`), 200);
    assert.equal(c.last_message.body, 'a'.repeat(199));
  });

  it('keeps each workspace to itself', async () => {
    const r = server.cli(['workspace', 'add', '--name', 'Altra', '--slug', 'altra']);
    assert.equal(r.status, 0, describeCli(r));
    addUser(server, { email: 'o2@example.it', name: 'Other Owner', role: 'owner', workspace: 'altra' });
    const other = await signedIn(server, 'o2@example.it', undefined, 'altra');
    const b = assertJson(await other.get('/api/v1/conversations?status=all'), 200);
    assert.deepEqual(b.items, []);
    assertError(await other.get(`/api/v1/conversations/${anna.id}`), 404, 'inbox.not_found');
    assertError(await other.get(`/api/v1/conversations/${anna.id}/messages`), 404, 'inbox.not_found');
    assertError(await other.patch(`/api/v1/conversations/${anna.id}`, { status: 'resolved' }), 404, 'inbox.not_found');
    assertError(await other.post(`/api/v1/conversations/${anna.id}/messages`, { kind: 'note', body: 'x' }), 404, 'inbox.not_found');
    const s = assertJson(await other.get('/api/v1/inbox/summary'), 200);
    assert.deepEqual(s, { views: { mine: 0, unassigned: 0, all: 0, breaching: 0 }, status: { open: 0, pending: 0, snoozed: 0, resolved: 0 }, channels: {}, labels: [] });
  });
});
