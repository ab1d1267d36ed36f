// Imports from the web, as jobs (issue 3): a multipart upload becomes a job that is read as a
// dry run (parsing → ready with a preview of what would be created, matched, skipped), then
// confirmed (importing → done with the same summary as `piazza import --json`) or discarded.
// Exact counts on the shared corpus and the fixtures, re-import creates nothing, a refused file
// fails the job with file:line and keeps nothing, uploaded files are deleted when a job ends,
// roles (agent imports, consultant and member cannot), bad uploads, unknown jobs, and a restart
// failing an unfinished job.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, startWithOwner, setupOwner, stopAll, assertError, assertJson, show, addUser, signedIn,
  Client, OWNER, STRONG,
} from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'contacts');
const VCF = path.join(CORPUS, 'contacts', 'android_21_qp_photo_multi.vcf');
const CONNECTIONS = path.join(CORPUS, 'linkedin', 'Connections_kawsay.csv');
const GOOGLE = path.join(FIXTURES, 'google_new.csv');
const NOT_CONTACTS = path.join(FIXTURES, 'not_contacts.csv');
const UTF8_INVALID = path.join(FIXTURES, 'utf8_invalid.csv');

// A wait follows the job's own progress: it fails when the job stops moving
// (STALL_POLLS polls 50 ms apart with the same progress and status), not after
// a fixed time, so a loaded machine that reads slowly but steadily still
// passes; POLL_MAX bounds every wait whatever happens.
const STALL_POLLS = 300;
const POLL_MAX = 12_000;
const STATUSES = ['parsing', 'ready', 'importing', 'done', 'failed', 'discarded'];

/** A multipart/form-data body: files [{name, data, field?}] and plain fields {name: value}. */
function multipart(files, fields = {}) {
  const boundary = `----piazzaTest${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; ` +
      `filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data));
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

function isInt(v) { return Number.isInteger(v); }

/** Asserts the shape of a job and returns it. */
function assertJob(job, expect = {}) {
  const s = JSON.stringify(job);
  assert.ok(job && typeof job === 'object', `job: ${s}`);
  assert.ok(isInt(job.id) && job.id > 0, `job.id: ${s}`);
  assert.equal(job.kind, 'contacts', `job.kind: ${s}`);
  assert.ok(STATUSES.includes(job.status), `job.status: ${s}`);
  assert.ok(Array.isArray(job.files) && job.files.length > 0, `job.files: ${s}`);
  for (const f of job.files) {
    assert.equal(typeof f.name, 'string', `file.name: ${s}`);
    assert.ok(isInt(f.size) && f.size >= 0, `file.size: ${s}`);
    assert.equal(f.stored, undefined, `the server's file names stay private: ${s}`);
  }
  assert.ok(['lines', 'records'].includes(job.progress.unit), `progress.unit: ${s}`);
  assert.ok(isInt(job.progress.done) && isInt(job.progress.total), `progress: ${s}`);
  assert.ok(job.progress.done <= job.progress.total, `progress done <= total: ${s}`);
  assert.ok(isInt(job.created_at) && job.created_at > 1_600_000_000_000, `created_at: ${s}`);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(job[k], v, `job.${k}: ${s}`);
  return job;
}

/**
 * Polls a job until its status is not `from`; returns the job. Bounded: it
 * fails once the job made no progress for STALL_POLLS polls, or after POLL_MAX.
 */
async function waitWhile(client, id, from) {
  let job;
  let seen = '';
  let still = 0;
  for (let i = 0; i < POLL_MAX; i++) {
    job = assertJob(assertJson(await client.get(`/api/v1/imports/${id}`)).job);
    if (job.status !== from) return job;
    const now = `${job.status} ${job.progress.done}/${job.progress.total}`;
    still = now === seen ? still + 1 : 0;
    seen = now;
    if (still >= STALL_POLLS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`job ${id} still ${from}, its progress stopped at ${seen} (${still} polls without a change): ${JSON.stringify(job)}`);
}

/** Uploads, waits for the preview; returns the job (ready or failed). */
async function uploadAndPreview(client, files, fields) {
  const res = await upload(client, files, fields);
  const job = assertJob(assertJson(res, 202).job);
  assert.ok(['parsing', 'ready', 'failed'].includes(job.status), show(res));
  return waitWhile(client, job.id, 'parsing');
}

/** Confirms a ready job and waits for the end; returns the job. */
async function confirmAndWait(client, id) {
  const res = await client.post(`/api/v1/imports/${id}/confirm`, undefined);
  const job = assertJob(assertJson(res, 202).job);
  assert.ok(['importing', 'done'].includes(job.status), show(res));
  return waitWhile(client, id, 'importing');
}

async function contactCount(client) {
  let n = 0;
  let cursor = '';
  for (let page = 0; page < 20; page++) {
    const body = assertJson(await client.get(`/api/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    n += body.items.length;
    if (!body.next) return n;
    cursor = body.next;
  }
  assert.fail('more than 20 pages of contacts');
}

function uploadsLeft(server) {
  const dir = path.join(server.dir, 'uploads');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

function assertSummary(s, expect) {
  const text = JSON.stringify(s);
  for (const k of ['format', 'files', 'records', 'contacts_created', 'contacts_updated', 'contacts_unchanged',
    'duplicates_suggested', 'skipped', 'dry_run', 'errors']) {
    assert.ok(k in s, `summary.${k} missing: ${text}`);
  }
  assert.ok(Array.isArray(s.errors), text);
  for (const e of s.errors) {
    assert.equal(typeof e.file, 'string', text);
    assert.ok(isInt(e.line), text);
    assert.equal(typeof e.message, 'string', text);
    assert.equal(typeof e.code, 'string', text);
    assert.ok(Array.isArray(e.args) && e.args.every((a) => typeof a === 'string'), text);
  }
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(s[k], v, `summary.${k}: ${text}`);
}

describe('imports (web upload as a job)', { timeout: 120_000 }, () => {
  let server;
  let owner;
  let agent;
  let member;
  let consultant;
  let agentId;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'agent@example.it', name: 'Giulia Agente', role: 'agent' });
    addUser(server, { email: 'member@example.it', name: 'Marco Membro', role: 'member' });
    addUser(server, { email: 'consultant@example.it', name: 'Carla Consulente', role: 'consultant' });
    agent = await signedIn(server, 'agent@example.it');
    member = await signedIn(server, 'member@example.it');
    consultant = await signedIn(server, 'consultant@example.it');
    agentId = assertJson(await agent.get('/api/v1/me')).user.id;
  });
  after(stopAll);

  let vcardJob;
  it('an agent uploads the corpus vCard: 202 parsing, then ready with an exact preview; nothing kept yet', async () => {
    const job = await uploadAndPreview(agent, [fileOf(VCF, 'rubrica.vcf')]);
    assertJob(job, { status: 'ready', format: null, created_by: agentId, error: null, summary: null });
    assert.deepEqual(job.files.map((f) => f.name), ['rubrica.vcf']);
    assert.equal(job.files[0].size, fs.statSync(VCF).size);
    assert.equal(job.progress.unit, 'lines');
    assert.equal(job.progress.done, job.progress.total);
    assert.ok(job.progress.total > 0);
    assertSummary(job.preview, {
      format: 'vcard', files: 1, records: 6, contacts_created: 5, contacts_updated: 1, skipped: 0, dry_run: true,
    });
    // A bad e-mail is left out and reported with the name the user knows and its line.
    assert.ok(job.preview.errors.some((e) => e.file === 'rubrica.vcf' && e.line === 36 && /not an e-mail/.test(e.message)),
      JSON.stringify(job.preview.errors));
    // Two cards of the file share a number: the second updates the first.
    assert.ok(Array.isArray(job.preview.sample) && job.preview.sample.length === 5, JSON.stringify(job.preview));
    for (const s of job.preview.sample) {
      assert.ok(typeof s.name === 'string' || typeof s.organization === 'string', JSON.stringify(s));
      assert.ok(Array.isArray(s.identities), JSON.stringify(s));
    }
    assert.equal(await contactCount(agent), 0, 'a dry run keeps nothing');
    assert.equal(uploadsLeft(server).length, 1, 'the file waits for the confirmation');
    vcardJob = job;
  });

  let afterVcard;
  it('confirm imports for real: done with the CLI summary; the contacts exist; the file is deleted', async () => {
    const job = await confirmAndWait(agent, vcardJob.id);
    assertJob(job, { status: 'done', error: null });
    assertSummary(job.summary, {
      format: 'vcard', files: 1, records: 6, contacts_created: 5, contacts_updated: 1, contacts_unchanged: 0,
      skipped: 0, dry_run: false,
    });
    assert.deepEqual(job.summary.errors, vcardJob.preview.errors, 'the preview told the truth');
    assert.equal(job.progress.unit, 'records');
    assert.equal(job.progress.done, 6);
    assert.ok(isInt(job.finished_at) && job.finished_at >= job.created_at);
    // Five people, and the organizations their cards name.
    afterVcard = await contactCount(agent);
    assert.ok(afterVcard >= 5, `${afterVcard} contacts`);
    assert.deepEqual(uploadsLeft(server), [], 'the uploaded file is deleted once the job is done');
  });

  it('the imported contacts carry an import entry on their timeline, owned by the importer', async () => {
    const list = assertJson(await agent.get('/api/v1/contacts?limit=200'));
    const someone = list.items.find((c) => c.kind === 'person');
    assert.ok(someone, JSON.stringify(list));
    assert.equal(someone.owner, agentId);
    const tl = assertJson(await agent.get(`/api/v1/contacts/${someone.id}/timeline`));
    assert.ok(tl.items.some((e) => e.kind === 'import'), JSON.stringify(tl));
  });

  it('re-importing the same file previews 0 created, 6 unchanged, and creates nothing', async () => {
    const job = await uploadAndPreview(agent, [fileOf(VCF, 'rubrica.vcf')]);
    assertSummary(job.preview, { records: 6, contacts_created: 0, contacts_updated: 0, contacts_unchanged: 6 });
    assert.deepEqual(job.preview.sample, []);
    const done = await confirmAndWait(agent, job.id);
    assertSummary(done.summary, { contacts_created: 0, contacts_updated: 0, contacts_unchanged: 6 });
    assert.equal(await contactCount(agent), afterVcard);
  });

  it('a Google CSV and LinkedIn Connections in one upload, format detected per file, exact counts', async () => {
    const before = await contactCount(agent);
    const job = await uploadAndPreview(agent, [fileOf(GOOGLE, 'google.csv'), fileOf(CONNECTIONS, 'Connections.csv')]);
    assertJob(job, { status: 'ready' });
    assertSummary(job.preview, {
      format: 'contacts-csv,linkedin', files: 2, records: 5, contacts_created: 5, skipped: 0, dry_run: true,
    });
    const names = job.preview.sample.map((s) => s.name);
    assert.ok(names.includes('Giulia Maria Rossi') || names.some((n) => /Giulia/.test(n ?? '')), JSON.stringify(names));
    const done = await confirmAndWait(agent, job.id);
    assertSummary(done.summary, { format: 'contacts-csv,linkedin', records: 5, contacts_created: 5, dry_run: false });
    assert.ok(await contactCount(agent) >= before + 5);
    // LinkedIn connections get a LinkedIn identity and a "connected" entry.
    const list = assertJson(await agent.get('/api/v1/contacts?q=linkedin.com&limit=50'));
    assert.ok(list.items.length >= 2, JSON.stringify(list));
  });

  it('a given format is used for every file; a file that is not what it says fails the job with file:line, nothing kept', async () => {
    const before = await contactCount(agent);
    const job = await uploadAndPreview(agent, [fileOf(GOOGLE, 'google.csv'), fileOf(VCF, 'rubrica.vcf')], { format: 'linkedin' });
    assertJob(job, { status: 'failed', format: 'linkedin', preview: null });
    assert.match(job.error, /^google\.csv:1: /, job.error);
    assert.ok(isInt(job.finished_at));
    assert.equal(await contactCount(agent), before);
    assert.deepEqual(uploadsLeft(server), [], 'a failed job deletes its files');
    assertError(await agent.post(`/api/v1/imports/${job.id}/confirm`, undefined), 409, 'import.finished');
  });

  it('a refused file among good ones fails the whole job and keeps nothing of the others', async () => {
    const before = await contactCount(agent);
    const job = await uploadAndPreview(agent, [
      fileOf(path.join(FIXTURES, 'outlook.csv'), 'outlook.csv'),
      fileOf(UTF8_INVALID, 'rotto.csv'),
    ]);
    assertJob(job, { status: 'failed' });
    assert.equal(job.error, 'rotto.csv:3: invalid UTF-8');
    assert.equal(await contactCount(agent), before);
    const undetected = await uploadAndPreview(agent, [fileOf(NOT_CONTACTS, 'spesa.csv')]);
    assertJob(undetected, { status: 'failed' });
    assert.match(undetected.error, /^spesa\.csv:1: format not recognised/, undetected.error);
  });

  it('discard (DELETE) a ready job: discarded, files deleted, nothing kept; then 409', async () => {
    const before = await contactCount(agent);
    const job = await uploadAndPreview(agent, [fileOf(path.join(FIXTURES, 'outlook.csv'), 'outlook.csv')]);
    assertJob(job, { status: 'ready' });
    assert.equal(job.preview.contacts_created, 2, JSON.stringify(job.preview));
    const res = await agent.delete(`/api/v1/imports/${job.id}`);
    assertJob(assertJson(res, 200).job, { status: 'discarded' });
    assert.deepEqual(uploadsLeft(server), []);
    assert.equal(await contactCount(agent), before);
    assertError(await agent.delete(`/api/v1/imports/${job.id}`), 409, 'import.finished');
    assertError(await agent.post(`/api/v1/imports/${job.id}/confirm`, undefined), 409, 'import.finished');
  });

  it('GET /api/v1/imports lists recent jobs, newest first, without long arrays; pages with a cursor', async () => {
    const body = assertJson(await agent.get('/api/v1/imports?limit=3'));
    assert.equal(body.items.length, 3, JSON.stringify(body));
    for (const j of body.items) assertJob(j);
    assert.ok(body.items[0].id > body.items[1].id && body.items[1].id > body.items[2].id);
    assert.equal(typeof body.next, 'string');
    const done = body.items.find((j) => j.summary);
    if (done) assert.equal(done.summary.errors, undefined, 'lists leave out the errors array');
    const next = assertJson(await agent.get(`/api/v1/imports?limit=3&cursor=${body.next}`));
    assert.ok(next.items.length > 0 && next.items[0].id < body.items[2].id, JSON.stringify(next));
    // The owner sees the same workspace's jobs.
    const all = assertJson(await owner.get('/api/v1/imports?limit=200'));
    assert.ok(all.items.length >= 7, JSON.stringify(all.items.map((j) => j.status)));
  });

  it('roles: consultant and member cannot import (403); a consultant reads like a manager, a member not at all', async () => {
    assertError(await upload(consultant, [fileOf(VCF)]), 403, 'auth.forbidden');
    assertError(await upload(member, [fileOf(VCF)]), 403, 'auth.forbidden');
    assertError(await member.get('/api/v1/imports'), 403, 'auth.forbidden');
    assertError(await member.get(`/api/v1/imports/${vcardJob.id}`), 403, 'auth.forbidden');
    assertJob(assertJson(await consultant.get(`/api/v1/imports/${vcardJob.id}`)).job, { status: 'done' });
    assertError(await consultant.post(`/api/v1/imports/${vcardJob.id}/confirm`, undefined), 403, 'auth.forbidden');
    assertError(await consultant.delete(`/api/v1/imports/${vcardJob.id}`), 403, 'auth.forbidden');
    assert.deepEqual(uploadsLeft(server), []);
  });

  it('an upload without sign-in is 401, without the CSRF token 403, answered before the body is read', async () => {
    const m = multipart([fileOf(VCF)]);
    const anon = await server.request('POST', '/api/v1/imports', { body: m.body, headers: { 'content-type': m.type } });
    assertError(anon, 401, 'auth.required');
    assertError(await agent.req('POST', '/api/v1/imports', { body: m.body, headers: { 'content-type': m.type }, csrf: false }),
      403, 'csrf.missing');
    assert.deepEqual(uploadsLeft(server), []);
  });

  it('bad uploads: 400 with a code, and no file left behind', async () => {
    // JSON instead of a form
    assertError(await agent.post('/api/v1/imports', { file: 'x' }), 400, 'import.bad_upload');
    // multipart without a boundary
    assertError(await agent.req('POST', '/api/v1/imports', { body: 'x', headers: { 'content-type': 'multipart/form-data' } }),
      400, 'import.bad_upload');
    // a body cut inside a part
    const m = multipart([fileOf(VCF)]);
    const cut = m.body.subarray(0, m.body.length - 60);
    assertError(await agent.req('POST', '/api/v1/imports', { body: cut, headers: { 'content-type': m.type } }),
      400, 'import.bad_upload');
    // a form with no file
    const noFile = multipart([], { format: 'vcard' });
    assertError(await agent.req('POST', '/api/v1/imports', { body: noFile.body, headers: { 'content-type': noFile.type } }),
      400, 'import.no_file');
    // an unknown format
    assertError(await upload(agent, [fileOf(VCF)], { format: 'whatsapp-zip' }), 422, 'import.bad_format', 'format');
    // too many files
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.vcf`, data: 'BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n' }));
    assertError(await upload(agent, many), 413, 'import.too_many_files');
    assert.deepEqual(uploadsLeft(server), []);
  });

  it('a 5,000-card vCard of more than a megabyte streams in and previews 5,000 to create', async () => {
    const cards = [];
    for (let i = 0; i < 5000; i++) {
      cards.push(`BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Persona ${i} Caricata\r\nN:Caricata;Persona ${i};;;\r\n` +
        `EMAIL;TYPE=INTERNET:persona${i}@grande.example\r\nTEL;TYPE=CELL:+39 347 ${String(1000000 + i)}\r\n` +
        `NOTE:${'x'.repeat(120)}\r\nEND:VCARD\r\n`);
    }
    const data = Buffer.from(cards.join(''));
    assert.ok(data.length > 1024 * 1024, `${data.length} bytes`);
    const job = await uploadAndPreview(agent, [{ name: 'grande.vcf', data }]);
    assertJob(job, { status: 'ready' });
    assert.equal(job.files[0].size, data.length);
    assertSummary(job.preview, { records: 5000, contacts_created: 5000, skipped: 0, errors: [] });
    assert.equal(job.preview.sample.length, 20);
    assert.equal(job.progress.total, 5000 * 8);
    assertJson(await agent.delete(`/api/v1/imports/${job.id}`));
    assert.deepEqual(uploadsLeft(server), []);
  });

  it('file names are shown as the client sent them, without any path', async () => {
    const job = await uploadAndPreview(agent, [fileOf(path.join(FIXTURES, 'linkedin_no_url.csv'), 'C:\\Users\\anna\\Connections.csv')]);
    assert.deepEqual(job.files.map((f) => f.name), ['Connections.csv']);
    assertJson(await agent.delete(`/api/v1/imports/${job.id}`));
  });

  it('unknown jobs are 404 (also a job of another workspace id that does not exist); confirm of a bad id 404', async () => {
    assertError(await agent.get('/api/v1/imports/999999'), 404, 'not_found');
    assertError(await agent.get('/api/v1/imports/abc'), 404, 'not_found');
    assertError(await agent.delete('/api/v1/imports/999999'), 404, 'not_found');
    assertError(await agent.post('/api/v1/imports/999999/confirm', undefined), 404, 'not_found');
  });

  it('confirm with a body that is not a JSON object is 400', async () => {
    const job = await uploadAndPreview(agent, [fileOf(path.join(FIXTURES, 'outlook.csv'))]);
    assertError(await agent.req('POST', `/api/v1/imports/${job.id}/confirm`, { body: '[1,2]', headers: { 'content-type': 'application/json' } }),
      400, 'request.bad_json');
    assertJson(await agent.delete(`/api/v1/imports/${job.id}`));
  });
});

describe('imports across a restart', { timeout: 60_000 }, () => {
  after(stopAll);

  it('a job left parsing by a stopped server is failed with a clear message at the next start; its file deleted', async () => {
    const first = await startServer();
    const owner = await setupOwner(first);
    // A ready job survives; its file stays for the confirmation.
    const ready = await uploadAndPreview(owner, [fileOf(path.join(FIXTURES, 'outlook.csv'))]);
    assertJob(ready, { status: 'ready' });
    const dir = first.dir;
    first.ownsDir = false; // keep the folder for the second start
    assert.equal(await first.stop(), 0);
    // Simulate a job the server was reading when it stopped: a row left "parsing", and a stray upload.
    const sqlite = spawnSync('sqlite3', [path.join(dir, 'p.db'),
      "INSERT INTO import_jobs (workspace_id, kind, status, files, created_at, updated_at) VALUES (1, 'contacts', 'parsing', '[{\"name\":\"a.vcf\",\"stored\":\"abc123\",\"size\":1}]', 1, 1)"],
    { encoding: 'utf8' });
    assert.ifError(sqlite.error); // the sqlite3 shell comes with scripts/bootstrap.sh test
    assert.equal(sqlite.status, 0, sqlite.stderr);
    fs.writeFileSync(path.join(dir, 'uploads', 'abc123'), 'BEGIN:VCARD\n');
    fs.writeFileSync(path.join(dir, 'uploads', 'deadbeef'), 'left by an upload cut short');

    const second = await startServer({ dir, expectSetupCode: false });
    second.ownsDir = true;
    const again = new Client(second);
    assertJson(await again.signIn(OWNER.email, STRONG));
    const list = assertJson(await again.get('/api/v1/imports'));
    const keptReady = list.items.find((j) => j.id === ready.id);
    assert.equal(keptReady.status, 'ready', JSON.stringify(list));
    const failed = list.items.find((j) => j.id !== ready.id);
    assert.equal(failed.status, 'failed', JSON.stringify(list));
    assert.match(failed.error, /server stopped before this import finished/);
    const left = uploadsLeft(second);
    assert.equal(left.length, 1, `only the ready job's file stays: ${left}`);
    const done = await confirmAndWait(again, ready.id);
    assertSummary(done.summary, { contacts_created: 2 });
  });
});
