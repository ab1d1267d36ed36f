// How `piazza serve` is configured: PIAZZA_* environment variables, --web-dir and --log-level.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopAll, tempDir, runCli, describeCli, setupOwner, assertError, assertJson, show } from './harness.mjs';

describe('serve configuration', { timeout: 60_000 }, () => {
  const dirs = [];
  after(async () => {
    await stopAll();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('PIAZZA_DB and PIAZZA_LISTEN configure serve; PIAZZA_DB is read by the CLI too', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = path.join(dir, 'env.db');
    const server = await startServer({ bare: true, env: { PIAZZA_DB: db, PIAZZA_LISTEN: '127.0.0.1:0' } });
    assert.ok(server.port > 0);
    await setupOwner(server);
    assert.ok(fs.existsSync(db), `the database was not created at PIAZZA_DB=${db}`);
    const st = runCli(['stats', '--json'], { env: { PIAZZA_DB: db } });
    assert.equal(st.status, 0, describeCli(st));
    assert.equal(JSON.parse(st.stdout).users, 1, st.stdout);
  });

  it('PIAZZA_PUBLIC_URL allows its host', async () => {
    const server = await startServer({ env: { PIAZZA_PUBLIC_URL: 'https://hub.example.org' } });
    const res = await server.request('GET', '/healthz', { host: 'hub.example.org' });
    assert.equal(res.status, 200, show(res));
    assertError(await server.request('GET', '/healthz', { host: 'other.example.org' }), 421, 'http.bad_host');
  });

  it('flags win over PIAZZA_* variables', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const envDb = path.join(dir, 'from-env.db');
    const server = await startServer({ env: { PIAZZA_DB: envDb, PIAZZA_LISTEN: '127.0.0.1:1' } });
    assert.notEqual(server.port, 1, 'the --listen flag is used, not PIAZZA_LISTEN');
    assert.ok(fs.existsSync(server.db), 'the --db flag is used');
    assert.ok(!fs.existsSync(envDb), 'PIAZZA_DB is ignored when --db is given');
  });

  it('--web-dir serves the UI from disk', async () => {
    const web = tempDir();
    dirs.push(web);
    fs.mkdirSync(path.join(web, 'assets'));
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><html><body>served from disk<script src="/assets/app-1.js"></script></body></html>');
    fs.writeFileSync(path.join(web, 'assets', 'app-1.js'), 'console.log("disk");');
    const server = await startServer({ args: ['--web-dir', web] });
    const index = await server.request('GET', '/');
    assert.equal(index.status, 200, show(index));
    assert.match(index.text, /served from disk/, show(index));
    const spa = await server.request('GET', '/inbox');
    assert.match(spa.text, /served from disk/, show(spa));
    const js = await server.request('GET', '/assets/app-1.js');
    assert.equal(js.status, 200, show(js));
    assert.equal(js.text, 'console.log("disk");');
    // the API is still the API
    const v = assertJson(await server.request('GET', '/api/v1/version'), 200);
    assert.equal(v.name, 'piazza');
    // and nothing outside the directory is served
    const escape = await server.request('GET', '/assets/../../../../etc/passwd');
    assert.doesNotMatch(escape.text, /root:x:0:0/, 'path traversal out of --web-dir');
    const escape2 = await server.request('GET', '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd');
    assert.doesNotMatch(escape2.text, /root:x:0:0/, 'encoded path traversal out of --web-dir');
  });

  it('--log-level error writes no request lines', async () => {
    const server = await startServer({ args: ['--log-level', 'error'] });
    assert.equal((await server.request('GET', '/healthz')).status, 200);
    assert.equal((await server.request('GET', '/api/v1/nope')).status, 404);
    assert.equal(await server.stop(), 0, server.stderr);
    assert.doesNotMatch(server.stderr, /\/healthz|\/api\/v1\/nope/, `request lines at --log-level error:\n${server.stderr}`);
  });

  it('--log-level with a bad value → exit 2', () => {
    const dir = tempDir();
    dirs.push(dir);
    const r = runCli(['serve', '--db', path.join(dir, 'x.db'), '--listen', '127.0.0.1:0', '--log-level', 'chatty'], { timeoutMs: 10_000 });
    assert.equal(r.status, 2, describeCli(r));
  });
});
