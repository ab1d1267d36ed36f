// Times a chat export uploaded through the web API, as a browser would send it: the preview (a
// dry run: parse, match, roll back) and the confirmed import, each from the request to the job's
// end, on a fresh server (the release build; tests/api/harness.mjs starts and stops it).
//
//   node bench/inbox/upload.mjs FILE [FILE...]
//
// Prints one line per phase: seconds, messages, messages/s. Generate a file with
// `node bench/inbox/generate.mjs 100000 /tmp/chat.txt`.
import fs from 'node:fs';
import path from 'node:path';
import { startWithOwner, stopAll, assertJson } from '../../tests/api/harness.mjs';

const POLL_MS = 20;
const POLL_LIMIT = 30_000; // ten minutes at most

function multipart(files) {
  const boundary = `----piazzaBench${Date.now()}`;
  const parts = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${path.basename(f)}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(fs.readFileSync(f));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function waitWhile(client, id, status) {
  for (let i = 0; i < POLL_LIMIT; i++) {
    const body = assertJson(await client.get(`/api/v1/imports/${id}`));
    if (body.job.status !== status) return body.job;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`job ${id} still ${status} after ${POLL_LIMIT} polls`);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/inbox/upload.mjs FILE [FILE...]');
  process.exit(2);
}
const { owner } = await startWithOwner();
try {
  const m = multipart(files);
  let t = performance.now();
  const res = await owner.req('POST', '/api/v1/imports',
    { body: m.body, headers: { 'content-type': m.type }, timeoutMs: 120_000 });
  const id = assertJson(res, 202).job.id;
  let job = await waitWhile(owner, id, 'parsing');
  const previewS = (performance.now() - t) / 1000;
  if (job.status !== 'ready') throw new Error(`preview ended ${job.status}: ${JSON.stringify(job)}`);
  const n = job.preview.messages;
  console.log(`preview (upload + dry run): ${previewS.toFixed(2)} s, ${n} messages, ${Math.round(n / previewS)} messages/s`);
  t = performance.now();
  assertJson(await owner.post(`/api/v1/imports/${id}/confirm`, {}), 202);
  job = await waitWhile(owner, id, 'importing');
  const importS = (performance.now() - t) / 1000;
  if (job.status !== 'done') throw new Error(`import ended ${job.status}: ${JSON.stringify(job)}`);
  const stored = job.result ? job.result.messages : n;
  console.log(`import (confirmed): ${importS.toFixed(2)} s, ${stored} messages, ${Math.round(stored / importS)} messages/s`);
} finally {
  await stopAll();
}
