// A big contacts import leaves its contacts to be indexed for search by the server
// (pz_store_text_leave, the job runner's index_left_behind): `piazza import` says so in a
// note, search finds the new contacts at once all the same (it reads the rows while they
// wait), `piazza stats` counts those waiting, and the running server indexes them within
// seconds, after which search finds them through the index.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startWithOwner, stopAll, assertJson, assertList, describeCli, tempDir,
} from './harness.mjs';

const CARDS = 20_050; // above IMPORT_INDEX_LATER_MIN (20,000)

function stats(server) {
  const r = server.cli(['stats', '--json']);
  assert.equal(r.status, 0, describeCli(r));
  return JSON.parse(r.stdout);
}

async function findNames(client, q) {
  const res = await client.get(`/api/v1/contacts?q=${encodeURIComponent(q)}&limit=50`);
  return assertList(assertJson(res, 200)).map((c) => c.name).sort();
}

describe('a big contacts import is indexed by the server', { timeout: 180_000 }, () => {
  let server;
  let owner;
  let dir;

  before(async () => {
    ({ server, owner } = await startWithOwner());
    dir = tempDir();
  });
  after(async () => {
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('search finds the contacts before and after the server indexes them', async () => {
    const lines = [];
    for (let i = 0; i < CARDS; i++) {
      const name = i === CARDS - 7 ? 'Ottavio Zanzotto' : `Persona${i} Cognome${i}`;
      lines.push('BEGIN:VCARD', 'VERSION:3.0', `FN:${name}`, `EMAIL:p${i}@esempio.it`,
        `TEL:+39 333 ${String(1000000 + i)}`, 'END:VCARD');
    }
    const file = path.join(dir, 'tanti.vcf');
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    assert.equal(stats(server).contacts_awaiting_index, 0);

    const r = server.cli(['import', 'vcard', file, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, describeCli(r));
    const out = JSON.parse(r.stdout);
    assert.equal(out.contacts_created, CARDS, r.stdout.slice(0, 400));
    assert.equal(out.errors.length, 0, r.stdout.slice(0, 400));
    assert.ok(out.notes.some((n) => n.includes('tanti.vcf') && n.includes('indexed for search')),
      JSON.stringify(out.notes));

    // Found at once, waiting or not (the server may already have indexed them).
    assert.deepEqual(await findNames(owner, 'zanzotto'), ['Ottavio Zanzotto']);
    assert.deepEqual(await findNames(owner, `p${CARDS - 7}@esempio`), ['Ottavio Zanzotto']);

    // The server's runner looks every few seconds: within 60 s nothing waits.
    let waiting = stats(server).contacts_awaiting_index;
    assert.ok(waiting === 0 || waiting === CARDS, `waiting ${waiting}`);
    for (let i = 0; i < 120 && waiting !== 0; i++) {
      await new Promise((res) => { setTimeout(res, 500); });
      waiting = stats(server).contacts_awaiting_index;
    }
    assert.equal(waiting, 0, `still waiting after 60 s\n--- server ---\n${server.stderr.slice(-2000)}`);
    assert.match(server.stderr, new RegExp(`search: ${CARDS} contacts left by an import indexed`));

    // Through the index now, the same answers; a contact added afterwards is indexed at once.
    assert.deepEqual(await findNames(owner, 'zanzotto'), ['Ottavio Zanzotto']);
    assert.deepEqual(await findNames(owner, `333 ${1000000 + CARDS - 7}`), ['Ottavio Zanzotto']);
    assertJson(await owner.post('/api/v1/contacts', { name: 'Quirino Zanzotto' }), 201);
    assert.deepEqual(await findNames(owner, 'zanzotto'), ['Ottavio Zanzotto', 'Quirino Zanzotto']);
    assert.equal(stats(server).contacts_awaiting_index, 0);
  });
});
