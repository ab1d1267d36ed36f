// The CLI subcommands of the contract: stats, user add, migrate, serve --help, routes,
// and their exit codes (0 ok, 1 refused input or failure, 2 usage).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startWithOwner, stopAll, runCli, tempDir, describeCli, addUser, cliToken, Client, OWNER, STRONG,
  assertJson, assertUser, CONTRACT_ROUTES, show,
} from './harness.mjs';

describe('CLI against a live database', { timeout: 60_000 }, () => {
  let server;
  let owner;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    addUser(server, { email: 'uno@example.it', role: 'agent' });
    addUser(server, { email: 'due@example.it', role: 'member' });
    cliToken(server, 'uno@example.it');
  });
  after(stopAll);

  it('`stats --json` prints every counter as a number, users counted right', () => {
    const r = server.cli(['stats', '--json']);
    assert.equal(r.status, 0, describeCli(r));
    let s;
    assert.doesNotThrow(() => { s = JSON.parse(r.stdout); }, describeCli(r));
    for (const k of ['workspaces', 'users', 'contacts', 'conversations', 'messages', 'sessions', 'api_tokens', 'audit_log']) {
      assert.equal(typeof s[k], 'number', `${k} in ${r.stdout}`);
      assert.ok(Number.isInteger(s[k]) && s[k] >= 0, `${k} in ${r.stdout}`);
    }
    assert.equal(s.workspaces, 1, r.stdout);
    assert.equal(s.users, 3, r.stdout);
    assert.equal(s.contacts, 0, r.stdout);
    assert.equal(s.conversations, 0, r.stdout);
    assert.equal(s.messages, 0, r.stdout);
    assert.equal(s.api_tokens, 1, r.stdout);
    assert.ok(s.sessions >= 1, r.stdout);
    assert.ok(s.audit_log >= 1, r.stdout);
  });

  it('a user added with --password-stdin signs in with that password', async () => {
    const c = new Client(server);
    const body = assertJson(await c.signIn('uno@example.it', STRONG), 200);
    assertUser(body.user, { email: 'uno@example.it', role: 'agent', workspace: { slug: OWNER.workspace_slug } });
  });

  it('`user add` without --password-stdin prints a temporary password that must be changed', async () => {
    const r = server.cli(['user', 'add', '--email', 'tre@example.it', '--name', 'Tre', '--role', 'member']);
    assert.equal(r.status, 0, describeCli(r));
    const words = r.stdout.split(/\s+/).filter((w) => w.length >= 10 && !w.includes('@'));
    assert.ok(words.length > 0, `no temporary password printed:\n${describeCli(r)}`);
    let body = null;
    for (const w of words.slice(-3).reverse()) {
      const res = await new Client(server).signIn('tre@example.it', w.replace(/^["'`]|["'`.,;]$/g, ''));
      if (res.status === 200) { body = res.json; break; }
    }
    assert.ok(body, `none of the printed words signs tre@example.it in:\n${r.stdout}`);
    assert.equal(body.user.must_change_password, true, JSON.stringify(body.user));
  });

  it('`user add` with a bad role → exit 2', () => {
    const r = server.cli(['user', 'add', '--email', 'x@example.it', '--name', 'X', '--role', 'admin', '--password-stdin'], { input: `${STRONG}\n` });
    assert.equal(r.status, 2, describeCli(r));
    assert.match(r.stderr, /role/i, describeCli(r));
  });

  it('`user add` without --email → exit 2 (usage)', () => {
    const r = server.cli(['user', 'add', '--name', 'X', '--role', 'member', '--password-stdin'], { input: `${STRONG}\n` });
    assert.equal(r.status, 2, describeCli(r));
  });

  it('`user add` with a weak password on stdin → exit 1 and a clear message', async () => {
    const short = server.cli(['user', 'add', '--email', 'weak@example.it', '--name', 'Weak', '--role', 'member', '--password-stdin'], { input: 'short\n' });
    assert.equal(short.status, 1, describeCli(short));
    assert.match(short.stderr, /password/i, describeCli(short));
    assert.match(short.stderr, /10|short/i, describeCli(short));
    const common = server.cli(['user', 'add', '--email', 'weak@example.it', '--name', 'Weak', '--role', 'member', '--password-stdin'], { input: 'password123\n' });
    assert.equal(common.status, 1, describeCli(common));
    assert.match(common.stderr, /common/i, describeCli(common));
    const same = server.cli(['user', 'add', '--email', 'weak.password@example.it', '--name', 'Weak', '--role', 'member', '--password-stdin'], { input: 'weak.password@example.it\n' });
    assert.equal(same.status, 1, describeCli(same));
    assert.match(same.stderr, /e-?mail/i, describeCli(same));
    // nobody was created
    const list = await owner.get('/api/v1/users?limit=200');
    assert.equal(list.status, 200, show(list));
    assert.ok(!list.json.items.some((u) => u.email.startsWith('weak')), `a refused user was created: ${list.text}`);
  });

  it('`user add` with an e-mail that exists → exit 1', () => {
    const r = server.cli(['user', 'add', '--email', 'uno@example.it', '--name', 'Uno', '--role', 'member', '--password-stdin'], { input: `${STRONG}\n` });
    assert.equal(r.status, 1, describeCli(r));
    assert.match(r.stderr, /exist|already/i, describeCli(r));
  });

  it('`user add --workspace` with an unknown slug → exit 1', () => {
    const r = server.cli(['user', 'add', '--email', 'z@example.it', '--name', 'Z', '--role', 'member', '--workspace', 'nowhere', '--password-stdin'], { input: `${STRONG}\n` });
    assert.equal(r.status, 1, describeCli(r));
  });
});

describe('CLI without a server', { timeout: 60_000 }, () => {
  let dir;
  before(() => { dir = tempDir(); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('`migrate` on a fresh path exits 0, and again (idempotent)', () => {
    const db = path.join(dir, 'fresh.db');
    const first = runCli(['migrate', '--db', db]);
    assert.equal(first.status, 0, describeCli(first));
    assert.ok(fs.existsSync(db), 'migrate created the database file');
    const second = runCli(['migrate', '--db', db]);
    assert.equal(second.status, 0, describeCli(second));
    const st = runCli(['stats', '--db', db, '--json']);
    assert.equal(st.status, 0, describeCli(st));
    const s = JSON.parse(st.stdout);
    assert.equal(s.users, 0, st.stdout);
    assert.equal(s.messages, 0, st.stdout);
  });

  it('`serve --help` lists --db, --listen, --public-url, --web-dir, --log-level', () => {
    const r = runCli(['serve', '--help']);
    assert.equal(r.status, 0, describeCli(r));
    const text = r.stdout + r.stderr;
    for (const flag of ['--db', '--listen', '--public-url', '--web-dir', '--log-level']) {
      assert.ok(text.includes(flag), `serve --help does not mention ${flag}:\n${text}`);
    }
  });

  it('an unknown subcommand → exit 2', () => {
    const r = runCli(['frobnicate']);
    assert.equal(r.status, 2, describeCli(r));
    assert.ok(r.stderr.length > 0, 'a usage message on stderr');
  });

  it('`serve` with a bad --listen → exit 2 (usage) or 1, never a hang', () => {
    const r = runCli(['serve', '--db', path.join(dir, 'x.db'), '--listen', 'not-an-address'], { timeoutMs: 10_000 });
    assert.ok(r.status === 1 || r.status === 2, describeCli(r));
  });

  it('`routes` prints the routes table: "METHOD PATH ROLE BODYLIMIT STATE|-", every contract route with its role', () => {
    const r = runCli(['routes']);
    assert.equal(r.status, 0, describeCli(r));
    const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    const rows = new Map();
    for (const line of lines) {
      const f = line.split(/\s+/);
      assert.equal(f.length, 5, `not 5 fields: "${line}"`);
      const [method, p, role, limit, state] = f;
      assert.match(method, /^(GET|POST|PUT|PATCH|DELETE|HEAD)$/, line);
      assert.match(p, /^\//, line);
      assert.match(role, /^(public|any|owner|manager|agent|member|consultant)$/, line);
      assert.match(limit, /^\d+$/, line);
      assert.match(state, /^(state|STATE|-)$/, line);
      if (method === 'GET') assert.equal(state, '-', `a GET route cannot change state: ${line}`);
      else assert.notEqual(state, '-', `a ${method} route changes state: ${line}`);
      rows.set(`${method} ${p}`, { role, limit: Number(limit) });
    }
    const wrong = [];
    for (const [method, p, role] of CONTRACT_ROUTES) {
      const row = rows.get(`${method} ${p}`);
      if (!row) wrong.push(`${method} ${p}: missing`);
      else if (row.role !== role) wrong.push(`${method} ${p}: role ${row.role}, contract says ${role}`);
    }
    assert.deepEqual(wrong, [], `'piazza routes' disagrees with the contract:\n${r.stdout}`);
    // Uploads stream to files as they arrive (never held in memory): their limit is the file size.
    const uploads = new Set(['POST /api/v1/imports']);
    for (const [k, row] of rows) {
      if (uploads.has(k)) assert.ok(row.limit <= 256 * 1024 * 1024, `${k}: upload limit above 256 MiB`);
      else if (!k.startsWith('GET ')) assert.ok(row.limit <= 64 * 1024, `${k}: body limit above the 64 KiB default`);
      if (k.startsWith('POST ') || k.startsWith('PATCH ')) assert.ok(row.limit > 0, `${k} takes a JSON body: limit ${row.limit}`);
    }
  });
});
