// Graceful shutdown on SIGTERM and SIGINT (exit 0) and the request log: one line per
// request on stderr naming its method, path and status.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopAll, show } from './harness.mjs';

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

describe('graceful shutdown and request log', { timeout: 60_000 }, () => {
  after(stopAll);

  it('SIGTERM → exit 0, one stderr log line per request with method, path and status', async () => {
    const server = await startServer();
    const sent = [
      ['GET', '/healthz', 200],
      ['GET', '/api/v1/version', 200],
      ['GET', '/api/v1/nope', 404],
      ['PUT', '/api/v1/me', 405],
      ['POST', '/api/v1/session', 401],
      ['GET', '/api/v1/setup', 200],
    ];
    for (const [method, p, status] of sent) {
      const opts = method === 'POST' || method === 'PUT'
        ? { json: { email: 'nobody@example.it', password: 'Wrong-Password-1' } } : {};
      const res = await server.request(method, p, opts);
      assert.equal(res.status, status, show(res));
    }
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, `exit code after SIGTERM (signal ${server.exitSignal})\n--- stderr ---\n${server.stderr}`);
    const lines = server.stderr.split('\n');
    for (const [method, p, status] of sent) {
      const re = new RegExp(`\\b${method}\\b.*${escapeRe(p)}(?![\\w/]).*\\b${status}\\b`);
      const matching = lines.filter((l) => re.test(l));
      assert.equal(matching.length, 1,
        `expected exactly one log line for ${method} ${p} ${status}, found ${matching.length}\n--- stderr ---\n${server.stderr}`);
    }
  });

  it('SIGINT → exit 0', async () => {
    const server = await startServer();
    const res = await server.request('GET', '/healthz');
    assert.equal(res.status, 200, show(res));
    const code = await server.stop('SIGINT');
    assert.equal(code, 0, `exit code after SIGINT (signal ${server.exitSignal})\n--- stderr ---\n${server.stderr}`);
  });

  it('SIGTERM while a client holds an idle keep-alive connection still exits 0 promptly', async () => {
    const server = await startServer();
    const net = await import('node:net');
    const sock = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: keep-alive\r\n\r\n`);
    const first = await new Promise((resolve, reject) => {
      let buf = '';
      const t = setTimeout(() => reject(new Error(`no answer on the raw socket: ${buf}`)), 5000);
      sock.on('data', (d) => { buf += d; if (buf.includes('"ok"')) { clearTimeout(t); resolve(buf); } });
    });
    assert.match(first, /^HTTP\/1\.1 200/, first);
    sock.on('error', () => {});
    const t0 = Date.now();
    const code = await server.stop('SIGTERM');
    sock.destroy();
    assert.equal(code, 0, `exit code\n${server.stderr}`);
    assert.ok(Date.now() - t0 < 8000, `shutdown took ${Date.now() - t0} ms`);
  });
});
