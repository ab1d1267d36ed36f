// What browser tests share: start `piazza serve` on a fresh database on 127.0.0.1 (bounded wait
// for its address and set-up code), stop it by its pid, launch Debian's Chromium headless, and
// collect script errors from a page. Only processes started here are ever stopped.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const BIN = path.resolve(ROOT, process.env.PIAZZA_BIN || 'build/piazza');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test-artifacts', 'e2e');
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/** Starts `piazza serve --db DIR/p.db`; `ready` resolves to {base, code}. */
export function startServer(dir) {
  const child = spawn(BIN, ['serve', '--db', path.join(dir, 'p.db'), '--listen', '127.0.0.1:0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PIAZZA_LOG_LEVEL: process.env.PIAZZA_LOG_LEVEL || 'warn' },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms;\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const url = /piazza listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      const code = /set-up code ([A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(stdout);
      if (url && code) {
        clearTimeout(timer);
        resolve({ base: url[1], code: code[1] });
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      check();
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal});\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`));
    });
  });
  return { child, ready, exited, log: () => stderr };
}

/** Sends SIGTERM to a server from startServer and asserts it exits 0 (SIGKILL after 10 s). */
export async function stopServer(server) {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), STOP_TIMEOUT_MS));
  const end = await Promise.race([server.exited, timeout]);
  if (end.code === 'timeout') server.child.kill('SIGKILL');
  assert.deepEqual(end, { code: 0, signal: null }, `piazza serve did not exit cleanly on SIGTERM:\n${server.log().slice(-2000)}`);
}

/** Records script errors and console errors of page P into PROBLEMS. */
export function watch(p, problems) {
  p.setDefaultTimeout(10_000);
  p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  p.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
}

/** A regular expression matching TEXT exactly (for Playwright's hasText). */
export const exact = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/**
 * Calls the API from inside page P as the signed-in user (the session cookie and its CSRF
 * token), the way the UI does. Returns { status, body } with body parsed JSON or null.
 */
export const pageApi = (p, method, url, body) =>
  p.evaluate(
    async ({ method, url, body }) => {
      const session = await (await fetch('/api/v1/me')).json();
      const res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, url, body },
  );

/** The inbox list's rows in page P, and the one whose contact or title is NAME. */
export const conversationRows = (p) => p.getByTestId('conversation-row');
export const conversationRow = (p, name) =>
  conversationRows(p).filter({ has: p.locator('.ib-row-name', { hasText: exact(name) }) });

/** The stored conversation with NAME (contact name or title), through the API from page P. */
export async function conversationByName(p, name) {
  const list = await pageApi(p, 'GET', '/api/v1/conversations?status=all&limit=200');
  assert.equal(list.status, 200);
  const found = list.body.items.find((c) => (c.contact?.name || c.title) === name);
  assert.ok(found, `conversation with ${name} is stored`);
  return found;
}

/**
 * The first run's set-up from page P, as the set-up page does it: the workspace and its owner
 * (BODY: the owner's fields and the server's set-up code). Asserts 201.
 */
export async function setUpWorkspace(p, base, body) {
  await p.goto(`${base}/`);
  const status = await p.evaluate(async (b) => {
    const res = await fetch('/api/v1/setup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(b),
    });
    return res.status;
  }, body);
  assert.equal(status, 201);
}
