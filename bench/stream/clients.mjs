// Opens N live event streams (GET /api/v1/stream) to piazza on 127.0.0.1:PORT with a bearer
// token, from this one process, and drives the benchmark through stdin/stdout commands so the
// shell script can measure the server in between:
//
//   open      -> "open N" once every stream answered 200 and sent its retry field
//               (or "refused K" with how many got another status)
//   expect ID -> "got N MS" once every stream received the `ready` event of import ID: MS is
//               the time from the first stream's copy to the last one's (the fan-out)
//   close     -> closes every stream, "closed"
//
// Usage: node clients.mjs PORT TOKEN N
import http from 'node:http';
import readline from 'node:readline';

const [port, token, nArg] = process.argv.slice(2);
const N = Number(nArg);
const streams = [];
const firstAt = new Map(); // import id -> when the first stream got its ready event
const lastAt = new Map();

function openOne() {
  return new Promise((resolve) => {
    const s = { buf: '', imports: new Set(), status: 0, ready: false };
    const req = http.request({
      host: '127.0.0.1', port: Number(port), path: '/api/v1/stream', method: 'GET', agent: false,
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    }, (res) => {
      s.status = res.statusCode;
      res.setEncoding('utf8');
      if (res.statusCode !== 200) { res.resume(); resolve(s); return; }
      res.on('data', (d) => {
        s.buf += d;
        let i;
        while ((i = s.buf.indexOf('\n\n')) >= 0) {
          const block = s.buf.slice(0, i);
          s.buf = s.buf.slice(i + 2);
          if (/^retry:/m.test(block) && !s.ready) { s.ready = true; resolve(s); }
          const m = /^data: (.*)$/m.exec(block);
          if (m) {
            const data = JSON.parse(m[1]);
            if (data.import_id && data.state === 'ready') {
              const t = process.hrtime.bigint();
              if (!firstAt.has(data.import_id)) firstAt.set(data.import_id, t);
              lastAt.set(data.import_id, t);
              s.imports.add(data.import_id);
              if (s.waiter) s.waiter();
            }
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => resolve(s));
    s.req = req;
    req.end();
  });
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'open') {
    const opened = [];
    // In batches, so the server's accept queue is not what is measured.
    for (let i = 0; i < N; i += 50) {
      const batch = [];
      for (let k = i; k < Math.min(N, i + 50); k++) batch.push(openOne());
      opened.push(...await Promise.all(batch));
    }
    streams.push(...opened);
    const refused = opened.filter((s) => s.status !== 200).length;
    console.log(refused ? `refused ${refused}` : `open ${opened.length}`);
  } else if (cmd === 'expect') {
    const id = Number(arg);
    await Promise.all(streams.filter((s) => s.status === 200).map((s) => new Promise((resolve) => {
      if (s.imports.has(id)) { resolve(); return; }
      s.waiter = () => { if (s.imports.has(id)) { s.waiter = null; resolve(); } };
    })));
    const ms = Number(lastAt.get(id) - firstAt.get(id)) / 1e6;
    console.log(`got ${streams.length} ${ms.toFixed(1)}`);
  } else if (cmd === 'close') {
    for (const s of streams) s.req.destroy();
    console.log('closed');
    break;
  }
}
process.exit(0);
