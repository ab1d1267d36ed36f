// `piazza import` for contacts (issue 3): exact counts on the shared corpus, re-import creates
// nothing, a refused file keeps nothing and says file:line, --dry-run keeps nothing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { ROOT, runCli, describeCli, tempDir, startWithOwner, stopAll, assertJson } from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
const VCF = path.join(CORPUS, 'contacts', 'android_21_qp_photo_multi.vcf');
const CONNECTIONS = path.join(CORPUS, 'linkedin', 'Connections_kawsay.csv');
const NOT_VCARD = path.join(ROOT, 'tests', 'fixtures', 'contacts', 'not_a_vcard.vcf');

function freshDb() {
  const db = path.join(tempDir(), 'p.db');
  const r = runCli(['workspace', 'add', '--name', 'Uno', '--slug', 'uno'], { db });
  assert.equal(r.status, 0, describeCli(r));
  return db;
}

function importJson(db, args) {
  const r = runCli(['import', ...args, '--json'], { db });
  let summary;
  assert.doesNotThrow(() => { summary = JSON.parse(r.stdout); }, describeCli(r));
  return { r, summary };
}

function contactsCount(db) {
  const r = runCli(['stats', '--json'], { db });
  assert.equal(r.status, 0, describeCli(r));
  return JSON.parse(r.stdout).contacts;
}

// A vCard of N people at a few organizations, each with an e-mail and a mobile number, plus
// EXTRA cards (written last). Far more cards than an importer's first records (the file's
// caches and the identity filter only start after those), so both paths are exercised.
function bigVcard(n, extra = []) {
  const orgs = ['Alfa S.r.l.', 'Beta S.p.A.', 'Gamma Sas'];
  const cards = [];
  for (let i = 0; i < n; i++) {
    cards.push(['BEGIN:VCARD', 'VERSION:3.0', `FN:Persona${i} Cognome${i}`, `N:Cognome${i};Persona${i};;;`,
      `ORG:${orgs[i % 3]}`, `EMAIL;TYPE=INTERNET:persona${i}@example.it`,
      `TEL;TYPE=CELL:+39 333 ${String(1000000 + i)}`, 'END:VCARD'].join('\r\n'));
  }
  for (const e of extra) cards.push(['BEGIN:VCARD', 'VERSION:3.0', ...e, 'END:VCARD'].join('\r\n'));
  const file = path.join(tempDir(), 'big.vcf');
  fs.writeFileSync(file, cards.join('\r\n') + '\r\n');
  return file;
}

describe('piazza import (contacts)', { timeout: 60_000 }, () => {
  it('imports the corpus vCard and Connections.csv with exact counts, and again creates nothing', () => {
    const db = freshDb();
    const { r, summary } = importJson(db, [VCF, CONNECTIONS]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'vcard,linkedin');
    assert.equal(summary.files, 2);
    assert.equal(summary.records, 8); // 6 cards + 2 connections
    assert.equal(summary.contacts_created, 7);
    assert.equal(summary.contacts_updated, 1);
    assert.equal(summary.skipped, 0);
    // Bad identities are left out and reported, the person is kept.
    assert.ok(summary.errors.some((e) => e.line === 36 && /not an e-mail/.test(e.message)), r.stdout);
    const afterFirst = contactsCount(db);
    assert.ok(afterFirst >= 7, r.stdout);

    const again = importJson(db, [VCF, CONNECTIONS]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.contacts_created, 0);
    assert.equal(again.summary.contacts_updated, 0);
    assert.equal(again.summary.contacts_unchanged, 8);
    assert.equal(contactsCount(db), afterFirst);
  });

  it('refuses a file that is not what it says, keeps nothing of it, and says file:line', () => {
    const db = freshDb();
    const r = runCli(['import', 'linkedin', VCF], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.match(r.stderr, new RegExp(`${VCF.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: .*LinkedIn`), describeCli(r));
    assert.equal(contactsCount(db), 0);
  });

  it('keeps a good file and refuses a bad one in the same run (exit 1)', () => {
    const db = freshDb();
    const { r, summary } = importJson(db, [CONNECTIONS, NOT_VCARD]);
    assert.equal(r.status, 1, describeCli(r));
    assert.equal(summary.contacts_created, 2);
    assert.ok(summary.errors.some((e) => e.file === NOT_VCARD && e.line >= 1), r.stdout);
    // each problem also has the code of its wording, for clients in other languages
    const refused = summary.errors.find((e) => e.file === NOT_VCARD);
    assert.equal(refused.code, 'file.not_any_export', r.stdout);
    assert.deepEqual(refused.args, []);
    assert.ok(contactsCount(db) >= 2);
  });

  it('--dry-run reports what would happen and keeps nothing', () => {
    const db = freshDb();
    const { r, summary } = importJson(db, ['--dry-run', CONNECTIONS]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.dry_run, true);
    assert.equal(summary.contacts_created, 2);
    assert.equal(contactsCount(db), 0);
  });

  it('a file of 304 cards: exact counts, duplicates by identity and by name, found by search at once', async () => {
    const file = bigVcard(300, [
      // Matches Persona20 by e-mail and holds Persona30's number: Persona20 is updated (it gets
      // the work e-mail) and the two are suggested as duplicates ("identity").
      ['FN:Persona20 Cognome20', 'EMAIL;TYPE=INTERNET:PERSONA20@example.it', 'TEL;TYPE=CELL:333 1000030',
        'EMAIL;TYPE=WORK:p20@lavoro.example.it'],
      // One letter apart, at the same organization: "name" (Mario's card comes first).
      ['FN:Mario Bianchi', 'ORG:Alfa S.r.l.', 'EMAIL;TYPE=INTERNET:mario@example.it'],
      ['FN:Maria Bianchi', 'ORG:Alfa S.r.l.', 'EMAIL;TYPE=INTERNET:maria@example.it'],
      // The same name at another organization: no suggestion.
      ['FN:Maria Bianchi', 'ORG:Delta Srl', 'EMAIL;TYPE=INTERNET:maria@delta.example.it'],
    ]);
    const { server, owner } = await startWithOwner();
    const { r, summary } = importJson(server.db, ['--workspace', 'acme', file]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.records, 304);
    assert.equal(summary.contacts_created, 303);
    assert.equal(summary.contacts_updated, 1);
    assert.equal(summary.contacts_unchanged, 0);
    assert.equal(summary.duplicates_suggested, 2);
    assert.equal(summary.skipped, 0);
    assert.deepEqual(summary.errors, []);

    // Search finds new contacts at once (the index was brought up to date before the commit):
    // by a name, an e-mail, a number as written, the organization.
    for (const [q, want] of [['persona123 ', 1], ['persona299@example', 1], ['333 1000042', 1],
      ['p20@lavoro', 1], ['Beta S.p.A', 100]]) {
      const res = await owner.get(`/api/v1/contacts?q=${encodeURIComponent(q)}&kind=person&limit=200`);
      assertJson(res);
      assert.equal(res.json.items.length, want, `${q}: ${JSON.stringify(res.json.items.map((c) => c.display_name))}`);
    }
    const dups = await owner.get('/api/v1/duplicates');
    assertJson(dups);
    const reasons = dups.json.items.map((d) => d.reason).sort();
    assert.deepEqual(reasons, ['identity', 'name'], JSON.stringify(dups.json));

    const again = importJson(server.db, ['--workspace', 'acme', file]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.contacts_created, 0);
    assert.equal(again.summary.contacts_updated, 0);
    assert.equal(again.summary.contacts_unchanged, 304);
    assert.equal(again.summary.duplicates_suggested, 0);
    await stopAll();
  });

  it('usage errors exit 2; rebuild scores runs', () => {
    const db = freshDb();
    assert.equal(runCli(['import'], { db }).status, 2);
    assert.equal(runCli(['import', '--nope', CONNECTIONS], { db }).status, 2);
    assert.equal(runCli(['import', CONNECTIONS], { db }).status, 0);
    const rb = runCli(['rebuild', 'scores'], { db });
    assert.equal(rb.status, 0, describeCli(rb));
    assert.match(rb.stdout, /rebuilt scores of \d+ contacts/);
  });
});
