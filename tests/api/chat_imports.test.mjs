// Chat exports uploaded from the web, as import jobs (issue 4): the upload is told to be chats by
// its content, the dry run previews each file (conversations, messages, dates, duplicates, problems
// as file:line, participants with the company's side pre-selected), the confirm says which
// participants are the company's people and maps them to users, and the import stores them so:
// their messages outgoing with the user as author, the participant with its user. Re-uploading
// the same export stores nothing; a refused file keeps nothing; a LinkedIn export .zip imports
// its messages and its connections; bad confirms have error codes; roles.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startWithOwner, stopAll, assertError, assertJson, show, addUser, signedIn, describeCli,
} from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats');
const FRANCO = path.join(FIX, 'WhatsApp Chat with Franco.txt');
const FRANCO_NEWER = path.join(FIX, 'Chat WhatsApp con Franco (1).txt');
const ANNA_ZIP = path.join(FIX, 'WhatsApp Chat with Anna.zip');
const NOT_A_CHAT = path.join(FIX, 'not_a_chat.txt');
const TWO_CHATS = path.join(FIX, 'two_chats.zip');
const ANDROID = path.join(CORPUS, 'whatsapp', 'it_android_multiline.txt');
const LINKEDIN_MESSAGES = path.join(CORPUS, 'linkedin', 'messages_multiline_badrow.csv');
const LINKEDIN_CONNECTIONS = path.join(CORPUS, 'linkedin', 'Connections_kawsay.csv');

const POLL_LIMIT = 1200; // polls of 50 ms at most (a loaded machine with the sanitizer build): the loop is bounded

function multipart(files, fields = {}) {
  const boundary = `----piazzaTest${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(f.data);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

function fileOf(p, name = path.basename(p)) {
  return { name, data: fs.readFileSync(p) };
}

function upload(client, files, fields) {
  const m = multipart(files, fields);
  return client.req('POST', '/api/v1/imports', { body: m.body, headers: { 'content-type': m.type } });
}

async function waitWhile(client, id, from) {
  let body;
  for (let i = 0; i < POLL_LIMIT; i++) {
    body = assertJson(await client.get(`/api/v1/imports/${id}`));
    if (body.job.status !== from) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`job ${id} still ${from} after ${POLL_LIMIT} polls: ${JSON.stringify(body)}`);
}

/** Uploads FILES and waits for the dry run; returns {job, users}. */
async function preview(client, files, fields) {
  const res = await upload(client, files, fields);
  const job = assertJson(res, 202).job;
  assert.equal(job.kind, 'chats', show(res));
  assert.ok(['parsing', 'ready', 'failed'].includes(job.status), show(res));
  return waitWhile(client, job.id, 'parsing');
}

async function confirm(client, id, body) {
  const res = await client.post(`/api/v1/imports/${id}/confirm`, body);
  const job = assertJson(res, 202).job;
  assert.ok(['importing', 'done'].includes(job.status), show(res));
  return (await waitWhile(client, id, 'importing')).job;
}

/** Runs SQL on the server's database (read only) and returns the rows as arrays of strings. */
function sql(server, query) {
  const r = spawnSync('sqlite3', ['-readonly', '-separator', '|', server.db, query],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

function count(server, query) {
  return Number(sql(server, query)[0][0]);
}

function participant(file, key) {
  const p = file.participants.find((x) => x.key === key);
  assert.ok(p, `no participant ${key} in ${JSON.stringify(file.participants)}`);
  return p;
}

describe('chat imports from the web (upload, participants, confirm)', { timeout: 180_000 }, () => {
  let server;
  let owner;
  let agent;
  let member;
  let consultant;
  let agentId;
  let other; // a user of another workspace
  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'agent@example.it', name: 'Giulia Agente', role: 'agent' });
    addUser(server, { email: 'member@example.it', name: 'Marco Membro', role: 'member' });
    addUser(server, { email: 'consultant@example.it', name: 'Carla Consulente', role: 'consultant' });
    agent = await signedIn(server, 'agent@example.it');
    member = await signedIn(server, 'member@example.it');
    consultant = await signedIn(server, 'consultant@example.it');
    agentId = assertJson(await agent.get('/api/v1/me')).user.id;
    const r = server.cli(['workspace', 'add', '--name', 'Altra', '--slug', 'altra']);
    assert.equal(r.status, 0, describeCli(r));
    addUser(server, { email: 'altro@example.it', name: 'Altro', role: 'agent', workspace: 'altra' });
    other = Number(sql(server, "SELECT id FROM users WHERE email = 'altro@example.it'")[0][0]);
  });
  after(stopAll);

  let francoJob;
  it('a WhatsApp .txt is a chats job; the preview counts it and pre-selects the company side', async () => {
    const { job, users } = await preview(agent, [fileOf(FRANCO)]);
    assert.equal(job.status, 'ready', JSON.stringify(job));
    assert.equal(job.progress.unit, 'bytes');
    assert.equal(job.progress.done, job.progress.total);
    assert.equal(job.progress.total, fs.statSync(FRANCO).size);
    const p = job.preview;
    assert.equal(p.format, 'whatsapp');
    assert.equal(p.files, 1);
    assert.equal(p.dry_run, true);
    assert.equal(p.conversations, 1);
    assert.equal(p.messages, 4);
    assert.equal(p.duplicates_skipped, 0);
    assert.equal(p.contacts_created, 1, 'Franco');
    assert.deepEqual(p.errors, []);
    const f = p.per_file[0];
    assert.equal(f.index, 0);
    assert.equal(f.name, 'WhatsApp Chat with Franco.txt');
    assert.equal(f.status, 'ok');
    assert.equal(f.kind, 'chats');
    assert.equal(f.messages, 4);
    // 01/07/24 10:00 and 10:02 in Europe/Rome (UTC+2 in July).
    assert.equal(f.first_message_at, Date.UTC(2024, 6, 1, 8, 0));
    assert.equal(f.last_message_at, Date.UTC(2024, 6, 1, 8, 2));
    assert.equal(f.participants_total, 2);
    // The chat is named after Franco, so the other one is the company's side.
    assert.deepEqual(f.participants, [
      { key: 'Io Azienda', name: 'Io Azienda', handle: null, messages: 1, me: true },
      { key: 'Franco', name: 'Franco', handle: null, messages: 3, me: false },
    ]);
    // The users the company's people can be mapped to: this workspace's only.
    assert.ok(users.some((u) => u.id === agentId && u.name === 'Giulia Agente'), JSON.stringify(users));
    assert.ok(!users.some((u) => u.id === other), 'no user of another workspace');
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages'), 0, 'a dry run keeps nothing');
    assert.equal(count(server, 'SELECT COUNT(*) FROM contacts'), 0, 'a dry run keeps nothing');
    francoJob = job;
  });

  it('a confirm naming an unknown participant or a user of another workspace is refused; the job waits', async () => {
    assertError(await agent.post(`/api/v1/imports/${francoJob.id}/confirm`,
      { me: [{ file: 0, key: 'Nessuno', user_id: agentId }] }), 422, 'import.unknown_participant', 'me');
    assertError(await agent.post(`/api/v1/imports/${francoJob.id}/confirm`,
      { me: [{ file: 3, key: 'Io Azienda', user_id: agentId }] }), 422, 'import.unknown_participant', 'me');
    assertError(await agent.post(`/api/v1/imports/${francoJob.id}/confirm`,
      { me: [{ file: 0, key: 'Io Azienda', user_id: other }] }), 422, 'import.bad_user', 'me');
    assertError(await agent.post(`/api/v1/imports/${francoJob.id}/confirm`,
      { me: [{ file: 0, key: 'Io Azienda', user_id: 'Giulia' }] }), 422, 'request.invalid', 'me');
    assertError(await agent.post(`/api/v1/imports/${francoJob.id}/confirm`, { me: 'Io Azienda' }),
      422, 'request.invalid', 'me');
    const { job } = assertJson(await agent.get(`/api/v1/imports/${francoJob.id}`));
    assert.equal(job.status, 'ready');
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages'), 0);
  });

  it('confirm with "me" mapped to a user: outgoing messages by that user, the participant mapped', async () => {
    const job = await confirm(agent, francoJob.id, { me: [{ file: 0, key: 'Io Azienda', user_id: agentId }] });
    assert.equal(job.status, 'done', JSON.stringify(job));
    const s = job.summary;
    assert.equal(s.dry_run, false);
    assert.equal(s.conversations, 1);
    assert.equal(s.messages, 4);
    assert.equal(s.contacts_created, 1);
    assert.equal(s.per_file[0].conversation_ids.length, 1);
    const conv = s.per_file[0].conversation_ids[0];
    assert.deepEqual(sql(server, `SELECT direction, COALESCE(author_user_id, ''), body FROM messages
      WHERE conversation_id = ${conv} ORDER BY sent_at, id`), [
      ['incoming', '', 'uno'],
      ['incoming', '', '<Media omessi>'],
      ['incoming', '', '<Media omessi>'],
      ['outgoing', String(agentId), 'due'],
    ]);
    assert.deepEqual(sql(server, `SELECT handle_key, is_me, COALESCE(user_id, ''), contact_id IS NOT NULL
      FROM conversation_participants WHERE conversation_id = ${conv} ORDER BY handle_key`), [
      ['Franco', '0', '', '1'],
      ['Io Azienda', '1', String(agentId), '0'],
    ]);
    // The run is recorded like the CLI's.
    assert.deepEqual(sql(server, "SELECT status, messages, file_name FROM import_runs WHERE conversations > 0"),
      [['done', '4', 'WhatsApp Chat with Franco.txt']]);
    // Indexed for search at the file's commit (not row by row), and the index's trigger is back
    // for whatever is written next.
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages_search_docsize'), 4);
    assert.equal(count(server, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'" +
      " AND name = 'messages_search_insert'"), 1);
    // the catch-up merged 16 segments at a time and set FTS5's usual 4 back
    assert.deepEqual(sql(server, "SELECT v FROM messages_search_config WHERE k = 'automerge'"), [['4']]);
    const found = assertJson(await agent.get('/api/v1/search?q=uno')).items;
    assert.deepEqual(found.map((m) => m.conversation_id), [conv]);
  });

  it('the same export again stores nothing; the newer one adds only what is new', async () => {
    const { job } = await preview(agent, [fileOf(FRANCO)]);
    assert.equal(job.preview.messages, 0);
    assert.equal(job.preview.duplicates_skipped, 4);
    assert.equal(job.preview.contacts_matched, 1);
    // The company's side stays what the first import decided.
    assert.deepEqual(job.preview.per_file[0].participants.filter((p) => p.me).map((p) => p.key), ['Io Azienda']);
    const done = await confirm(agent, job.id);
    assert.equal(done.summary.messages, 0);
    assert.equal(done.summary.duplicates_skipped, 4);
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages'), 4);
    // Without a body the preview's choice is taken; the user mapped before stays.
    assert.equal(count(server, `SELECT COUNT(*) FROM conversation_participants WHERE user_id = ${agentId}`), 1);

    const newer = await preview(agent, [fileOf(FRANCO_NEWER)]);
    assert.equal(newer.job.preview.messages, 3);
    assert.equal(newer.job.preview.duplicates_skipped, 4);
    const added = await confirm(agent, newer.job.id, { me: [{ file: 0, key: 'Io Azienda', user_id: agentId }] });
    assert.equal(added.summary.messages, 3);
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages'), 7);
    assert.equal(count(server, 'SELECT COUNT(*) FROM conversations'), 1);
  });

  it('a WhatsApp .zip with the corpus chat: per-file counts, attachments, someone of the company without a user', async () => {
    const { job } = await preview(agent, [fileOf(ANNA_ZIP), fileOf(ANDROID)]);
    assert.equal(job.status, 'ready', JSON.stringify(job));
    const [zip, android] = job.preview.per_file;
    assert.equal(zip.name, 'WhatsApp Chat with Anna.zip');
    assert.equal(zip.format, 'whatsapp');
    assert.equal(zip.messages, 4);
    assert.equal(zip.attachments, 3);
    assert.deepEqual(zip.participants, [{ key: 'Anna', name: 'Anna', handle: null, messages: 4, me: false }]);
    assert.equal(android.name, 'it_android_multiline.txt');
    assert.equal(android.messages, 3);
    assert.equal(android.system_messages, 1);
    assert.deepEqual(android.participants.map((p) => [p.key, p.messages]).sort(), [['Luigi', 1], ['Mario', 1]]);
    assert.equal(job.preview.messages, 7);
    assert.equal(job.preview.conversations, 2);
    // Mario is someone of the company without a user of piazza.
    const done = await confirm(agent, job.id, { me: [{ file: 1, key: 'Mario', user_id: null }] });
    assert.equal(done.summary.messages, 7);
    assert.equal(done.summary.attachments, 3);
    const conv = done.summary.per_file[1].conversation_ids[0];
    assert.deepEqual(sql(server, `SELECT sender_name, direction, COALESCE(author_user_id, '') FROM messages
      WHERE conversation_id = ${conv} AND kind <> 'system' ORDER BY sent_at, id`), [
      ['Mario', 'outgoing', ''],
      ['Luigi', 'incoming', ''],
    ]);
    assert.equal(count(server, "SELECT COUNT(*) FROM message_attachments WHERE stored_path IS NOT NULL"), 2,
      'the files the zip holds are kept in the data folder');
  });

  it('a refused file keeps nothing and says file:line; with a good file beside it, the good one is imported', async () => {
    const before = count(server, 'SELECT COUNT(*) FROM messages');
    const refused = await preview(agent, [fileOf(TWO_CHATS)]);
    assert.equal(refused.job.status, 'failed', JSON.stringify(refused.job));
    assert.match(refused.job.error, /^two_chats\.zip:\d+: /);
    const both = await preview(agent, [fileOf(TWO_CHATS), fileOf(FRANCO)]);
    assert.equal(both.job.status, 'ready');
    assert.equal(both.job.preview.files_refused, 1);
    assert.equal(both.job.preview.per_file[0].status, 'refused');
    assert.match(both.job.preview.per_file[0].error, /^two_chats\.zip:\d+: /);
    assert.equal(both.job.preview.per_file[1].status, 'ok');
    const done = await confirm(agent, both.job.id);
    assert.equal(done.status, 'done');
    assert.equal(done.summary.per_file[0].status, 'refused');
    assert.equal(count(server, 'SELECT COUNT(*) FROM messages'), before, 'nothing new: the Franco chat is known');
  });

  it('a LinkedIn export .zip imports its messages and its connections', async () => {
    const zipDir = fs.mkdtempSync(path.join(server.dir, 'zip-'));
    fs.mkdirSync(path.join(zipDir, 'Basic_LinkedInDataExport'));
    fs.copyFileSync(LINKEDIN_MESSAGES, path.join(zipDir, 'Basic_LinkedInDataExport', 'messages.csv'));
    fs.copyFileSync(LINKEDIN_CONNECTIONS, path.join(zipDir, 'Basic_LinkedInDataExport', 'Connections.csv'));
    const zipPath = path.join(server.dir, 'linkedin.zip');
    const z = spawnSync('python3', ['-c', `import zipfile,os,sys
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for root, _, files in os.walk(sys.argv[2]):
        for f in files:
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, sys.argv[2]))`, zipPath, zipDir], { encoding: 'utf8' });
    assert.equal(z.status, 0, z.stderr);
    // The CLI's counts of the same files are the reference.
    const cli = server.cli(['import', '--dry-run', '--json', '--workspace', 'acme', zipPath]);
    const expected = JSON.parse(cli.stdout);
    const { job } = await preview(agent, [fileOf(zipPath)]);
    assert.equal(job.status, 'ready', JSON.stringify(job));
    const [connections, messages] = job.preview.per_file;
    assert.equal(connections.name, 'linkedin.zip:Basic_LinkedInDataExport/Connections.csv');
    assert.equal(connections.kind, 'contacts');
    assert.equal(messages.name, 'linkedin.zip:Basic_LinkedInDataExport/messages.csv');
    assert.equal(messages.kind, 'chats');
    assert.equal(job.preview.messages, expected.messages);
    assert.equal(job.preview.conversations, expected.conversations);
    assert.equal(job.preview.records, expected.records);
    assert.equal(job.preview.contacts_created, expected.contacts_created);
    assert.ok(messages.errors.some((e) => e.file.startsWith('linkedin.zip:') && e.line > 0), JSON.stringify(messages.errors));
    assert.ok(messages.errors.every((e) => typeof e.code === 'string' && Array.isArray(e.args)), JSON.stringify(messages.errors));
    const done = await confirm(agent, job.id);
    assert.equal(done.status, 'done');
    assert.equal(done.summary.messages, expected.messages);
    assert.ok(done.summary.messages > 0);
  });

  it('roles: members and consultants cannot upload chats; an owner can discard', async () => {
    assertError(await upload(member, [fileOf(FRANCO)]), 403, 'auth.forbidden');
    assertError(await upload(consultant, [fileOf(FRANCO)]), 403, 'auth.forbidden');
    const { job } = await preview(owner, [fileOf(FRANCO)]);
    assertError(await member.post(`/api/v1/imports/${job.id}/confirm`, {}), 403, 'auth.forbidden');
    const res = await owner.req('DELETE', `/api/v1/imports/${job.id}`);
    assert.equal(assertJson(res).job.status, 'discarded');
  });

  it('a file that is no chat and no contacts is refused with its line', async () => {
    const res = await upload(agent, [fileOf(NOT_A_CHAT)], { kind: 'chats' });
    const { job } = await waitWhile(agent, assertJson(res, 202).job.id, 'parsing');
    assert.equal(job.status, 'failed');
    assert.match(job.error, /^not_a_chat\.txt:1: format not recognised/);
    // the wording's code, for the page to say it in Italian
    assert.equal(job.error_code, 'file.not_any_upload', JSON.stringify(job));
    assert.deepEqual(job.error_args, []);
  });
});
