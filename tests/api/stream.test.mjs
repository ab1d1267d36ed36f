// Live updates (issue 4): GET /api/v1/stream, server-sent events read by a real HTTP client.
// A stream connects, another request changes state (an import job moves on, a conversation is
// resolved, a note is posted), and the event arrives; Last-Event-ID replays what a reconnecting client missed, or says stream.reset when it
// cannot; one workspace never sees another's events; consultants get 403; past the cap of
// concurrent streams the answer is 503 stream.too_many, and a closed stream's place comes back;
// keep-alive comments flow and idle streams do not grow the server's memory; SIGTERM ends open
// streams cleanly. Waits are bounded by event counts and the suite's timeout, never asserted as
// durations.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, startWithOwner, stopAll, assertError, assertJson, show, addUser, signedIn,
  Client, STRONG,
} from './harness.mjs';

const VCF = path.join(ROOT, '..', 'shared', 'corpus', 'contacts', 'android_21_qp_photo_multi.vcf');
const WAIT_MS = 30_000; // the most any one wait for an event may take before the test fails

/** A multipart/form-data body with one file. */
function multipart(name, data) {
  const boundary = `----piazzaStream${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n'),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads the corpus vCard as an import job; returns the job. */
async function upload(client) {
  const m = multipart('contacts.vcf', fs.readFileSync(VCF));
  const res = await client.req('POST', '/api/v1/imports', { body: m.body, headers: { 'content-type': m.type } });
  return assertJson(res, 202).job;
}

/**
 * One open event stream, parsed as a browser's EventSource would: blocks separated by a blank
 * line, fields id/event/data/retry, comment lines starting with ':'.
 */
class EventStream {
  constructor() {
    this.events = [];   // {id, event, data (parsed JSON), raw}
    this.comments = []; // comment lines, without the ':'
    this.retry = null;
    this.lastId = null;
    this.ended = false;
    this.buf = '';
    this.waiters = new Set();
  }

  static open(server, client, headers = {}) {
    const s = new EventStream();
    return new Promise((resolve, reject) => {
      const h = { host: server.hostHeader, accept: 'text/event-stream', ...headers };
      const cookie = client && client.jar.header();
      if (cookie) h.cookie = cookie;
      if (client && client.bearer) h.authorization = `Bearer ${client.bearer}`;
      s.req = http.request({ host: '127.0.0.1', port: server.port, method: 'GET', path: '/api/v1/stream', headers: h, agent: false },
        (res) => {
          s.status = res.statusCode;
          s.headers = res.headers;
          s.res = res;
          res.setEncoding('utf8');
          if (res.statusCode !== 200) {
            let text = '';
            res.on('data', (d) => { text += d; });
            res.on('end', () => {
              s.text = text;
              try { s.json = JSON.parse(text); } catch { s.json = undefined; }
              resolve(s);
            });
            return;
          }
          res.on('data', (d) => s.feed(d));
          res.on('end', () => { s.ended = true; s.notify(); });
          res.on('error', () => { s.ended = true; s.notify(); });
          resolve(s);
        });
      s.req.on('error', (e) => { if (s.status === undefined) reject(e); else { s.ended = true; s.notify(); } });
      s.req.end();
    });
  }

  feed(text) {
    this.buf += text;
    let i;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const ev = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { this.comments.push(line.slice(1).trim()); continue; }
        const c = line.indexOf(':');
        const field = c < 0 ? line : line.slice(0, c);
        const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
        if (field === 'retry') this.retry = Number(value);
        else if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
        else if (field === 'id' || field === 'event') ev[field] = value;
      }
      if (ev.id !== undefined) this.lastId = ev.id; // as EventSource keeps it, events or not
      if (ev.data !== undefined) {
        ev.raw = ev.data;
        ev.data = JSON.parse(ev.data);
        this.events.push(ev);
      }
    }
    this.notify();
  }

  notify() { for (const w of [...this.waiters]) w(); }

  /** Resolves when COND() holds (checked on every piece received); fails after WAIT_MS. */
  until(cond, what) {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) { done(); resolve(); } else if (this.ended) { done(); reject(new Error(`stream ended waiting for ${what}: ${this.describe()}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${WAIT_MS} ms: ${this.describe()}`)); }, WAIT_MS);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }

  /** Waits for an event matching PRED; returns it. */
  async next(pred, what) {
    let found;
    await this.until(() => (found = this.events.find(pred)) !== undefined, what);
    return found;
  }

  describe() {
    return JSON.stringify({ events: this.events.map((e) => `${e.id} ${e.event} ${e.raw}`), comments: this.comments, ended: this.ended });
  }

  close() { this.req.destroy(); }
}

const isProgress = (jobId, state) => (e) => e.event === 'import.progress' && e.data.import_id === jobId && (!state || e.data.state === state);

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

describe('live events stream', { timeout: 180_000 }, () => {
  let server;
  let owner;

  before(async () => {
    ({ server, owner } = await startWithOwner({ env: { PIAZZA_STREAM_KEEPALIVE: '1' } }));
  });
  after(stopAll);

  it('connects as text/event-stream with retry, and delivers an import job\'s progress as it happens', async () => {
    const s = await EventStream.open(server, owner);
    assert.equal(s.status, 200, s.text);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    assert.equal(s.headers['cache-control'], 'no-store');
    assert.equal(s.headers['x-accel-buffering'], 'no');
    await s.until(() => s.retry !== null, 'the retry field');
    assert.equal(s.retry, 3000);
    assert.deepEqual(s.events, [], 'a new stream replays nothing');

    // Another request changes state: the job's moves arrive on the open stream.
    const job = await upload(owner);
    const ready = await s.next(isProgress(job.id, 'ready'), 'import.progress ready');
    assert.equal(ready.data.percent, 100);
    const parsing = s.events.filter(isProgress(job.id, 'parsing'));
    assert.ok(parsing.length >= 1, s.describe());
    assert.equal(parsing[0].data.percent, 0);
    for (const e of s.events) {
      assert.ok(Number.isInteger(e.data.percent) && e.data.percent >= 0 && e.data.percent <= 100, s.describe());
      assert.deepEqual(Object.keys(e.data).sort(), ['import_id', 'percent', 'state'], s.describe());
    }
    // Ids are increasing integers.
    const ids = s.events.map((e) => BigInt(e.id));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], s.describe());

    assertJson(await owner.post(`/api/v1/imports/${job.id}/confirm`, undefined), 202);
    const done = await s.next(isProgress(job.id, 'done'), 'import.progress done');
    assert.equal(done.data.percent, 100);
    assert.ok(s.events.some(isProgress(job.id, 'importing')), s.describe());
    s.close();
  });

  it('replays what a reconnecting client missed after Last-Event-ID, in order', async () => {
    const first = await EventStream.open(server, owner);
    await first.until(() => first.retry !== null, 'the retry field');
    const job = await upload(owner);
    await first.next(isProgress(job.id, 'ready'), 'ready');
    const mine = first.events.filter(isProgress(job.id));
    assert.ok(mine.length >= 2, first.describe());
    first.close();

    // A client that saw only the first of them reconnects.
    const again = await EventStream.open(server, owner, { 'last-event-id': mine[0].id });
    assert.equal(again.status, 200);
    await again.next(isProgress(job.id, 'ready'), 'the replayed ready');
    assert.deepEqual(again.events.map((e) => [e.id, e.event, e.raw]), mine.slice(1).map((e) => [e.id, e.event, e.raw]));
    again.close();

    // One that saw them all gets nothing old, then the next change.
    const last = await EventStream.open(server, owner, { 'last-event-id': mine[mine.length - 1].id });
    await last.until(() => last.retry !== null, 'the retry field');
    const job2 = await upload(owner);
    await last.next(isProgress(job2.id, 'ready'), 'the next job');
    assert.ok(last.events.every(isProgress(job2.id)), last.describe());
    last.close();
  });

  it('gives a new stream an id at once, so a reconnection before any event misses nothing', async () => {
    const s = await EventStream.open(server, owner);
    await s.until(() => s.lastId !== null, 'the first id');
    assert.deepEqual(s.events, []);
    s.close();
    // While the client is away, a job moves on; it comes back with the id it had.
    const job = await upload(owner);
    const back = await EventStream.open(server, owner, { 'last-event-id': s.lastId });
    await back.next(isProgress(job.id, 'ready'), 'the missed ready');
    assert.equal(back.events.filter(isProgress(job.id, 'parsing')).length >= 1, true, back.describe());
    assert.ok(!back.events.some((e) => e.event === 'stream.reset'), back.describe());
    back.close();
  });

  it('says stream.reset when the missed events cannot be replayed', async () => {
    for (const bad of ['1', 'not-a-number', '99999999999999999999']) {
      const s = await EventStream.open(server, owner, { 'last-event-id': bad });
      assert.equal(s.status, 200);
      const reset = await s.next((e) => e.event === 'stream.reset', `stream.reset for ${bad}`);
      assert.deepEqual(reset.data, {});
      assert.equal(s.events[0], reset, s.describe());
      // The reset carries an id, so the next reconnection from it is not reset again.
      const s2 = await EventStream.open(server, owner, { 'last-event-id': reset.id });
      await s2.until(() => s2.retry !== null, 'the retry field');
      const job = await upload(owner);
      await s2.next(isProgress(job.id, 'ready'), 'ready after the reset');
      assert.ok(!s2.events.some((e) => e.event === 'stream.reset'), s2.describe());
      s.close();
      s2.close();
    }
  });

  it('sends keep-alive comments, and idle streams do not grow the server\'s memory', async () => {
    const streams = [];
    for (let i = 0; i < 40; i++) streams.push(await EventStream.open(server, owner));
    for (const s of streams) assert.equal(s.status, 200);
    // Every stream has its comment (the server runs with one-second keep-alives).
    await Promise.all(streams.map((s) => s.until(() => s.comments.includes('keep-alive'), 'a keep-alive comment')));
    const before = rssKb(server.pid);
    // Three keep-alives later on every stream...
    await Promise.all(streams.map((s) => {
      const n = s.comments.length;
      return s.until(() => s.comments.length >= n + 3, 'three more keep-alive comments');
    }));
    const afterKb = rssKb(server.pid);
    assert.ok(afterKb - before < 2048, `idle streams grew the server from ${before} kB to ${afterKb} kB`);
    for (const s of streams) {
      assert.deepEqual(s.events, []);
      assert.ok(!s.ended);
      s.close();
    }
  });

  it('delivers conversation.updated and message.created when the inbox changes a conversation', async () => {
    const chat = path.join(ROOT, '..', 'shared', 'corpus', 'whatsapp', 'it_android_multiline.txt');
    const r = server.cli(['import', chat, '--workspace', 'acme', '--me', 'Io Azienda', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const list = assertJson(await owner.get('/api/v1/conversations?status=all'));
    assert.ok(list.items.length >= 1, JSON.stringify(list));
    const conv = list.items[0].id;

    const s = await EventStream.open(server, owner);
    await s.until(() => s.retry !== null, 'the retry field');
    assertJson(await owner.patch(`/api/v1/conversations/${conv}`, { status: 'resolved', labels: ['vip'] }));
    const updated = await s.next((e) => e.event === 'conversation.updated', 'conversation.updated');
    assert.deepEqual(updated.data, { conversation_id: conv, status: 'resolved', assignee_id: null, labels: ['vip'] });

    const note = assertJson(await owner.post(`/api/v1/conversations/${conv}/messages`, { kind: 'note', body: 'Richiamare lunedì' }), 201);
    const created = await s.next((e) => e.event === 'message.created', 'message.created');
    assert.deepEqual(created.data, { conversation_id: conv, message_id: note.id, direction: 'note' });
    s.close();
  });

  it('keeps workspaces apart', async () => {
    const r = server.cli(['workspace', 'add', '--slug', 'other', '--name', 'Other Srl']);
    assert.equal(r.status, 0, r.stderr);
    addUser(server, { email: 'otto@example.it', role: 'agent', workspace: 'other' });
    const otto = await signedIn(server, 'otto@example.it', STRONG, 'other');

    const mineStream = await EventStream.open(server, owner);
    const otherStream = await EventStream.open(server, otto);
    await mineStream.until(() => mineStream.retry !== null, 'retry');
    await otherStream.until(() => otherStream.retry !== null, 'retry');
    const ownerJob = await upload(owner);
    await mineStream.next(isProgress(ownerJob.id, 'ready'), 'the owner\'s job');
    // Then the other workspace's own change: the first thing its stream sees.
    const ottoJob = await upload(otto);
    await otherStream.next(isProgress(ottoJob.id, 'ready'), 'the other workspace\'s job');
    assert.ok(otherStream.events.every((e) => e.data.import_id === ottoJob.id), otherStream.describe());
    assert.ok(!mineStream.events.some((e) => e.data.import_id === ottoJob.id), mineStream.describe());
    mineStream.close();
    otherStream.close();
  });

  it('refuses consultants (403) and callers not signed in (401)', async () => {
    addUser(server, { email: 'carla@example.it', role: 'consultant', workspace: 'acme' });
    const carla = await signedIn(server, 'carla@example.it', STRONG, 'acme');
    const s = await EventStream.open(server, carla);
    assertError({ ...s, json: s.json, headers: s.headers, text: s.text, what: 'GET /api/v1/stream' }, 403, 'auth.forbidden');
    const anon = await EventStream.open(server, null);
    assertError({ ...anon, json: anon.json, headers: anon.headers, text: anon.text, what: 'GET /api/v1/stream' }, 401, 'auth.required');
    addUser(server, { email: 'mario@example.it', role: 'member', workspace: 'acme' });
    const member = await EventStream.open(server, await signedIn(server, 'mario@example.it', STRONG, 'acme'));
    assert.equal(member.status, 200);
    member.close();
  });
});

describe('live events stream limits and shutdown', { timeout: 120_000 }, () => {
  after(stopAll);

  it('answers 503 stream.too_many past the cap, and a closed stream\'s place comes back', async () => {
    const { server, owner } = await startWithOwner({ env: { PIAZZA_MAX_STREAMS: '3', PIAZZA_STREAM_KEEPALIVE: '1' } });
    const open = [];
    for (let i = 0; i < 3; i++) {
      const s = await EventStream.open(server, owner);
      assert.equal(s.status, 200);
      open.push(s);
    }
    const refused = await EventStream.open(server, owner);
    assertError({ ...refused, what: 'GET /api/v1/stream (4th)' }, 503, 'stream.too_many');
    // The client goes away; the server notices at the next keep-alive and frees the place.
    open.shift().close();
    let again;
    for (let i = 0; i < 100; i++) {
      again = await EventStream.open(server, owner);
      if (again.status === 200) break;
      assertError({ ...again, what: 'GET /api/v1/stream (retry)' }, 503, 'stream.too_many');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(again.status, 200, 'a place was freed');
    open.push(again);
    for (const s of open) s.close();
  });

  it('SIGTERM ends open streams cleanly and exits 0', async () => {
    const server = await startServer();
    const owner = await (async () => {
      const c = new Client(server);
      assertJson(await c.post('/api/v1/setup', { code: server.setupCode, email: 'anna.bianchi@example.it', name: 'Anna', password: STRONG, workspace_name: 'Acme', workspace_slug: 'acme', locale: 'it' }), 201);
      return c;
    })();
    const streams = [];
    for (let i = 0; i < 5; i++) streams.push(await EventStream.open(server, owner));
    for (const s of streams) await s.until(() => s.retry !== null, 'retry');
    assert.equal(await server.stop('SIGTERM'), 0);
    for (const s of streams) await s.until(() => s.ended, 'the end of the stream');
    assert.match(server.stderr, /GET \/api\/v1\/stream 200/);
  });
});
