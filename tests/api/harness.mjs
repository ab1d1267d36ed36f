// Black-box harness for the piazza API tests: it starts the real binary on a
// loopback port with a fresh temporary database, reads the listening port and
// the one-time set-up code from its stdout, runs CLI subcommands against the
// same database, sends HTTP requests with node:http (so any Host header can be
// sent and raw headers read) and stops the server by its pid with SIGTERM.
// Only Node built-ins are used, so it runs on Debian 12's Node 18 as on Node 20.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.PIAZZA_BIN || 'build/piazza');

// The contract's routes: method, path, minimum role.
export const CONTRACT_ROUTES = [
  ['GET', '/healthz', 'public'],
  ['GET', '/api/v1/version', 'public'],
  ['GET', '/api/v1/setup', 'public'],
  ['POST', '/api/v1/setup', 'public'],
  ['POST', '/api/v1/session', 'public'],
  ['DELETE', '/api/v1/session', 'any'],
  ['GET', '/api/v1/me', 'any'],
  ['PATCH', '/api/v1/me', 'any'],
  ['POST', '/api/v1/me/password', 'any'],
  ['GET', '/api/v1/workspace', 'any'],
  ['GET', '/api/v1/users', 'owner'],
  ['POST', '/api/v1/users', 'owner'],
  ['PATCH', '/api/v1/users/{id}', 'owner'],
  ['GET', '/api/v1/tokens', 'member'],
  ['POST', '/api/v1/tokens', 'member'],
  ['DELETE', '/api/v1/tokens/{id}', 'member'],
  ['GET', '/api/v1/audit', 'owner'],
];

/** A password that passes every rule of the contract. */
export const STRONG = 'Correct-Horse-Battery-9';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const CLI_TIMEOUT_MS = 30_000;

const LISTEN_RE = /piazza listening on http:\/\/127\.0\.0\.1:(\d+)\//;
const CODE_RE = /set-up code\s+([A-Za-z0-9]{4}-[A-Za-z0-9]{4})/;

const running = new Set(); // servers not yet exited (killed if the test process ends)
const started = new Set(); // servers not yet stopped by the harness (their temp dirs not yet removed)

// Reports of AddressSanitizer, LeakSanitizer or UBSan (the test build has them): any is a failure.
const SANITIZER_RE = /ERROR: (?:Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (?:Address|Leak|UndefinedBehavior)Sanitizer/;

/** Throws when a sanitizer report is in `text`. */
export function assertNoSanitizerReport(text, what) {
  const m = SANITIZER_RE.exec(text);
  if (m) {
    const at = Math.max(0, m.index - 200);
    throw new Error(`${what}: sanitizer report\n${text.slice(at, at + 4000)}`);
  }
}

// Never leave a server behind, whatever happened to the test.
process.on('exit', () => {
  for (const s of running) {
    try { process.kill(s.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Environment for a child: the caller's, without any PIAZZA_* setting that could leak in. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PIAZZA_')) env[k] = v;
  }
  return { ...env, ...extra };
}

export function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'piazza-api-'));
}

function requireBinary() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`piazza binary not found at ${BIN}: build it with 'make' in ${ROOT} or set PIAZZA_BIN`);
  }
}

/**
 * Runs `piazza ARGS...` synchronously. When `db` is given, `--db DB` is appended.
 * Returns {status, stdout, stderr, signal}.
 */
export function runCli(args, { db, input, env, timeoutMs = CLI_TIMEOUT_MS } = {}) {
  requireBinary();
  const full = db ? [...args, '--db', db] : [...args];
  const r = spawnSync(BIN, full, {
    input: input ?? '',
    encoding: 'utf8',
    env: childEnv(env),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  // EPIPE only means the command ended without reading all of its stdin (e.g. a usage error)
  const stdinUnread = r.error && r.error.code === 'EPIPE' && (r.status !== null || r.signal);
  if (r.error && !stdinUnread) throw new Error(`piazza ${full.join(' ')}: ${r.error.message}`);
  assertNoSanitizerReport(r.stderr, `piazza ${full.join(' ')}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, args: full };
}

/** Formats a CLI result for an assertion message. */
export function describeCli(r) {
  return `piazza ${r.args.join(' ')} -> exit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}\n` +
    `--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/**
 * Sends one HTTP request to 127.0.0.1:PORT with its own connection.
 * opts: {headers, json (serialized as the body), body (string/Buffer), host (Host header; default 127.0.0.1:PORT)}
 * Resolves to {status, headers, rawHeaders, text, json (undefined unless the body parses), body, what}.
 */
export function request(port, method, urlPath, { headers = {}, json, body, host, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const h = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== null) h[k.toLowerCase()] = v;
    let payload = body;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      if (!h['content-type']) h['content-type'] = 'application/json';
    }
    if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
    h.host = host ?? `127.0.0.1:${port}`;
    const what = `${method} ${urlPath}` + (host ? ` (Host: ${host})` : '');
    let answered = false;
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: h, agent: false, setHost: false },
      (res) => {
        answered = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          let parsed;
          try { parsed = text.length ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, text, json: parsed, body: buf, what });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${what}: no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => { if (!answered) reject(new Error(`${what}: ${e.message}`)); });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A running `piazza serve`. */
export class Server {
  constructor({ child, dir, db, ownsDir }) {
    this.child = child;
    this.pid = child.pid;
    this.dir = dir;
    this.db = db;
    this.ownsDir = ownsDir;
    this.port = 0;
    this.setupCode = null;
    this.out = '';
    this.err = '';
    this.exitCode = undefined; // number, or null when ended by a signal
    this.exitSignal = null;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        running.delete(this);
        resolve();
      });
    });
  }

  get stdout() { return this.out; }
  get stderr() { return this.err; }
  get hostHeader() { return `127.0.0.1:${this.port}`; }

  request(method, urlPath, opts) { return request(this.port, method, urlPath, opts); }

  /** Runs a CLI subcommand against this server's database. */
  cli(args, opts = {}) { return runCli(args, { ...opts, db: this.db }); }

  /**
   * Sends SIGTERM (or `signal`) to the server's pid and waits for it to end.
   * Returns the exit code (null if it died by a signal). Kills it and throws if it hangs.
   */
  async stop(signal = 'SIGTERM') {
    if (this.exitCode === undefined) {
      try { process.kill(this.pid, signal); } catch { /* already gone */ }
      let timer;
      const hung = await Promise.race([
        this.exited.then(() => false),
        new Promise((r) => { timer = setTimeout(() => r(true), STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (hung) {
        try { process.kill(this.pid, 'SIGKILL'); } catch { /* gone */ }
        await this.exited;
        this.cleanup();
        throw new Error(`piazza serve (pid ${this.pid}) did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}\n--- stderr ---\n${this.err}`);
      }
    }
    this.cleanup();
    assertNoSanitizerReport(this.err, `piazza serve (pid ${this.pid})`);
    return this.exitCode;
  }

  cleanup() {
    if (this.ownsDir && this.dir) {
      try { fs.rmSync(this.dir, { recursive: true, force: true }); } catch { /* ignore */ }
      this.ownsDir = false;
    }
  }
}

/**
 * Starts `piazza serve --db DIR/p.db --listen 127.0.0.1:0 ARGS...` and waits (bounded) for
 * the "piazza listening on" line and, when `expectSetupCode` (default: true), the set-up code.
 * opts: {dir (reuse a directory and its database), args, env, expectSetupCode, bare}
 */
export async function startServer({ dir, args = [], env = {}, expectSetupCode = true, timeoutMs = START_TIMEOUT_MS, bare = false } = {}) {
  requireBinary();
  const ownsDir = !dir;
  dir = dir ?? tempDir();
  const db = path.join(dir, 'p.db');
  // bare: no --db/--listen flags, the caller passes them (or PIAZZA_* variables) itself
  const argv = bare ? ['serve', ...args] : ['serve', '--db', db, '--listen', '127.0.0.1:0', ...args];
  const child = spawn(BIN, argv, {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new Server({ child, dir, db, ownsDir });
  running.add(server);
  started.add(server);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');

  await new Promise((resolve, reject) => {
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
        server.cleanup();
        reject(new Error(`piazza serve: ${err}\n--- stdout ---\n${server.out}\n--- stderr ---\n${server.err}`));
      } else {
        resolve();
      }
    };
    const check = () => {
      const m = LISTEN_RE.exec(server.out);
      if (m) server.port = Number(m[1]);
      const c = CODE_RE.exec(server.out);
      if (c) server.setupCode = c[1];
      if (server.port && (server.setupCode || !expectSetupCode)) finish();
    };
    const timer = setTimeout(() => {
      finish(`no ${server.port ? 'set-up code' : "'piazza listening on http://127.0.0.1:PORT/' line"} on stdout within ${timeoutMs} ms`);
    }, timeoutMs);
    child.stdout.on('data', (d) => { server.out += d; check(); });
    child.stderr.on('data', (d) => { server.err += d; });
    child.on('error', (e) => finish(`could not start ${BIN}: ${e.message}`));
    child.on('exit', (code, signal) => finish(`exited before it was ready (code ${code}, signal ${signal})`));
  });
  // keep collecting output after start
  return server;
}

/** Stops every server this process started (for after() hooks). */
export async function stopAll() {
  const errors = [];
  for (const s of [...started]) {
    started.delete(s);
    try { await s.stop(); } catch (e) { errors.push(e); }
  }
  if (errors.length) throw errors[0];
}

/** Parses one Set-Cookie value into {name, value, attrs} with attribute names lower-cased. */
export function parseSetCookie(line) {
  const parts = line.split(';').map((p) => p.trim());
  const first = parts.shift();
  const eq = first.indexOf('=');
  const attrs = {};
  for (const p of parts) {
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
  }
  return { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim(), attrs };
}

/** Finds the Set-Cookie of `name` in a response, or undefined. */
export function findSetCookie(res, name = 'piazza_session') {
  const all = res.headers['set-cookie'] || [];
  return all.map(parseSetCookie).find((c) => c.name === name);
}

/** True when a Set-Cookie clears its cookie (empty value, Max-Age<=0 or Expires in the past). */
export function isClearing(c) {
  if (!c) return false;
  if (c.value === '' || c.value === '""') return true;
  if (c.attrs['max-age'] !== undefined && Number(c.attrs['max-age']) <= 0) return true;
  if (c.attrs.expires && Date.parse(c.attrs.expires) < Date.now()) return true;
  return false;
}

export class CookieJar {
  constructor() { this.cookies = new Map(); }
  update(setCookies) {
    for (const line of setCookies || []) {
      const c = parseSetCookie(line);
      if (isClearing(c)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }
  header() {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  clone() {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    return j;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser-like client: keeps cookies, remembers the csrf_token it was given and sends it
 * as X-CSRF-Token on state-changing requests (unless {csrf:false} or a header overrides it).
 * With `bearer`, sends Authorization: Bearer instead.
 */
export class Client {
  constructor(server, { bearer } = {}) {
    this.server = server;
    this.jar = new CookieJar();
    this.csrf = null;
    this.bearer = bearer;
    this.user = null;
  }

  async req(method, urlPath, { json, body, headers = {}, csrf = true, host } = {}) {
    const h = {};
    const cookie = this.jar.header();
    if (cookie) h.cookie = cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (csrf && this.csrf && !SAFE.has(method)) h['x-csrf-token'] = this.csrf;
    for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
    const res = await this.server.request(method, urlPath, { json, body, headers: h, host });
    this.jar.update(res.headers['set-cookie']);
    if (res.json && typeof res.json.csrf_token === 'string') this.csrf = res.json.csrf_token;
    if (res.json && res.json.user && (urlPath === '/api/v1/session' || urlPath === '/api/v1/setup' || urlPath === '/api/v1/me')) {
      this.user = res.json.user;
    }
    return res;
  }

  get(p, o) { return this.req('GET', p, o); }
  post(p, json, o = {}) { return this.req('POST', p, { ...o, json }); }
  patch(p, json, o = {}) { return this.req('PATCH', p, { ...o, json }); }
  put(p, json, o = {}) { return this.req('PUT', p, { ...o, json }); }
  delete(p, o) { return this.req('DELETE', p, o); }

  /** POST /api/v1/session; returns the response (asserts nothing). */
  signIn(email, password, workspace) {
    const body = { email, password };
    if (workspace) body.workspace = workspace;
    return this.post('/api/v1/session', body);
  }
}

/** Default values for POST /api/v1/setup. */
export const OWNER = {
  email: 'anna.bianchi@example.it',
  name: 'Anna Bianchi',
  password: STRONG,
  workspace_name: 'Acme Srl',
  workspace_slug: 'acme',
  locale: 'it',
};

/** Completes the set-up of a fresh server; returns a signed-in owner Client (asserts 201). */
export async function setupOwner(server, overrides = {}) {
  const c = new Client(server);
  const body = { code: server.setupCode, ...OWNER, ...overrides };
  const res = await c.post('/api/v1/setup', body);
  assert.equal(res.status, 201, show(res));
  return c;
}

/** Starts a fresh server and completes its set-up. Returns {server, owner}. */
export async function startWithOwner(opts = {}) {
  const server = await startServer(opts);
  const owner = await setupOwner(server);
  return { server, owner };
}

/** Adds a user through `piazza user add --password-stdin`; asserts exit 0. */
export function addUser(server, { email, name = email.split('@')[0], role, password = STRONG, workspace }) {
  const args = ['user', 'add', '--email', email, '--name', name, '--role', role, '--password-stdin'];
  if (workspace) args.push('--workspace', workspace);
  const r = server.cli(args, { input: `${password}\n` });
  assert.equal(r.status, 0, describeCli(r));
  return r;
}

/** `piazza token create`; returns the token (last non-empty stdout line); asserts exit 0. */
export function cliToken(server, email, { name, workspace } = {}) {
  const args = ['token', 'create', '--email', email];
  if (name) args.push('--name', name);
  if (workspace) args.push('--workspace', workspace);
  const r = server.cli(args);
  assert.equal(r.status, 0, describeCli(r));
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  assert.ok(lines.length > 0, `token create printed nothing\n${describeCli(r)}`);
  return lines[lines.length - 1];
}

/** Signs in a new Client; asserts 200. */
export async function signedIn(server, email, password = STRONG, workspace) {
  const c = new Client(server);
  const res = await c.signIn(email, password, workspace);
  assert.equal(res.status, 200, show(res));
  return c;
}

/** One-line description of a response for assertion messages. */
export function show(res) {
  const body = res.text.length > 600 ? `${res.text.slice(0, 600)}…` : res.text;
  return `${res.what} -> ${res.status} ${body}`;
}

/** Asserts a JSON error answer: status, error.code, a message, optionally error.field. */
export function assertError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}: ${show(res)}`);
  assert.match(String(res.headers['content-type'] || ''), /application\/json/, `error body must be JSON: ${show(res)}`);
  assert.ok(res.json && typeof res.json.error === 'object' && res.json.error !== null, `no error object: ${show(res)}`);
  assert.equal(res.json.error.code, code, show(res));
  assert.equal(typeof res.json.error.message, 'string', show(res));
  assert.ok(res.json.error.message.length > 0, `empty error message: ${show(res)}`);
  if (field !== undefined) assert.equal(res.json.error.field, field, show(res));
}

/** Asserts a 2xx/expected-status JSON answer and returns its body. */
export function assertJson(res, status = 200) {
  assert.equal(res.status, status, show(res));
  assert.match(String(res.headers['content-type'] || ''), /application\/json/, show(res));
  assert.ok(res.json !== undefined, `body is not JSON: ${show(res)}`);
  return res.json;
}

const ROLES = ['owner', 'manager', 'agent', 'member', 'consultant'];

function isInt(v) { return Number.isInteger(v); }

/** Asserts the contract's user shape. */
export function assertUser(u, expect = {}) {
  assert.ok(u && typeof u === 'object', `user is not an object: ${JSON.stringify(u)}`);
  const s = JSON.stringify(u);
  assert.ok(isInt(u.id) && u.id > 0, `user.id: ${s}`);
  assert.equal(typeof u.email, 'string', `user.email: ${s}`);
  assert.equal(typeof u.name, 'string', `user.name: ${s}`);
  assert.ok(ROLES.includes(u.role), `user.role: ${s}`);
  assert.ok(u.locale === null || u.locale === 'it' || u.locale === 'en', `user.locale: ${s}`);
  assert.equal(typeof u.disabled, 'boolean', `user.disabled: ${s}`);
  assert.equal(typeof u.must_change_password, 'boolean', `user.must_change_password: ${s}`);
  assert.ok(isInt(u.created_at) && u.created_at > 1_600_000_000_000, `user.created_at (ms UTC): ${s}`);
  assert.ok(u.last_sign_in_at === null || (isInt(u.last_sign_in_at) && u.last_sign_in_at > 1_600_000_000_000), `user.last_sign_in_at: ${s}`);
  const w = u.workspace;
  assert.ok(w && typeof w === 'object', `user.workspace: ${s}`);
  assert.ok(isInt(w.id) && w.id > 0, `workspace.id: ${s}`);
  assert.equal(typeof w.name, 'string', `workspace.name: ${s}`);
  assert.equal(typeof w.slug, 'string', `workspace.slug: ${s}`);
  assert.ok(w.locale === 'it' || w.locale === 'en', `workspace.locale: ${s}`);
  assert.equal(typeof w.timezone, 'string', `workspace.timezone: ${s}`);
  assert.ok(!('password' in u) && !('password_hash' in u), `user leaks a password field: ${s}`);
  for (const [k, v] of Object.entries(expect)) {
    if (k === 'workspace') {
      for (const [wk, wv] of Object.entries(v)) assert.equal(w[wk], wv, `workspace.${wk}: ${s}`);
    } else {
      assert.equal(u[k], v, `user.${k}: ${s}`);
    }
  }
}

/** Asserts the contract's token shape. */
export function assertToken(t) {
  const s = JSON.stringify(t);
  assert.ok(t && typeof t === 'object', `token: ${s}`);
  assert.ok(isInt(t.id) && t.id > 0, `token.id: ${s}`);
  assert.equal(typeof t.name, 'string', `token.name: ${s}`);
  assert.equal(typeof t.prefix, 'string', `token.prefix: ${s}`);
  assert.equal(t.prefix.length, 8, `token.prefix must be 8 chars: ${s}`);
  assert.ok(isInt(t.user_id) && t.user_id > 0, `token.user_id: ${s}`);
  assert.ok(isInt(t.created_at) && t.created_at > 1_600_000_000_000, `token.created_at: ${s}`);
  assert.ok(t.last_used_at === null || isInt(t.last_used_at), `token.last_used_at: ${s}`);
  assert.equal(typeof t.revoked, 'boolean', `token.revoked: ${s}`);
  assert.ok(!('secret' in t) && !('hash' in t), `token object leaks its secret: ${s}`);
}

/** Asserts the contract's list shape and returns its items. */
export function assertList(body) {
  const s = JSON.stringify(body).slice(0, 400);
  assert.ok(body && Array.isArray(body.items), `list without items: ${s}`);
  assert.ok('next' in body, `list without next: ${s}`);
  assert.ok(body.next === null || typeof body.next === 'string', `list next must be string|null: ${s}`);
  return body.items;
}
