// `piazza import` for contacts (issue 3): exact counts on the shared corpus, re-import creates
// nothing, a refused file keeps nothing and says file:line, --dry-run keeps nothing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, runCli, describeCli, tempDir } from './harness.mjs';

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
