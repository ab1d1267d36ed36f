// `piazza import` for e-mail (issue 4): mbox and .eml through GMime, with exact counts on the
// shared corpus (the .eml that starts with an mbox line, the Italian PEC envelope, Google
// Takeout's mbox), threads as conversations, re-import stores nothing, --me by address, the
// attachments' files in the data folder, a message without a date skipped and reported, and
// refused files that keep nothing and say file:line.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, describeCli, tempDir } from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'email');
const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats', 'mail');
const M0001 = path.join(CORPUS, 'm0001.eml');
const PEC = path.join(CORPUS, 'pec_postacert_it.eml');
const TAKEOUT = path.join(CORPUS, 'takeout_gmail_labels.mbox');

function freshDb() {
  const dir = tempDir();
  const db = path.join(dir, 'p.db');
  const r = runCli(['workspace', 'add', '--name', 'Uno', '--slug', 'uno'], { db });
  assert.equal(r.status, 0, describeCli(r));
  return { db, dir };
}

function importJson(db, args) {
  const r = runCli(['import', ...args, '--json'], { db });
  let summary;
  assert.doesNotThrow(() => { summary = JSON.parse(r.stdout); }, describeCli(r));
  return { r, summary };
}

function stats(db) {
  const r = runCli(['stats', '--json'], { db });
  assert.equal(r.status, 0, describeCli(r));
  return JSON.parse(r.stdout);
}

function storedFiles(dir) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(path.join(dir, 'attachments'));
  return out;
}

describe('piazza import (e-mail)', { timeout: 120_000 }, () => {
  it('imports the corpus with exact counts, keeps the files, and again stores nothing', () => {
    const { db, dir } = freshDb();
    const { r, summary } = importJson(db, [M0001, PEC, TAKEOUT]);
    assert.equal(r.status, 0, describeCli(r));
    // m0001.eml starts with an mbox "From " line: it is read as the one-message mailbox it is.
    assert.equal(summary.format, 'mbox,eml');
    assert.equal(summary.files, 3);
    // 1 thread each for m0001 and the PEC's inner message, 3 for Takeout.
    assert.equal(summary.conversations, 5);
    assert.equal(summary.messages, 5);
    assert.equal(summary.system_messages, 0);
    assert.equal(summary.duplicates_skipped, 0);
    // attach01; daticert.xml and smime.p7s kept with the PEC's inner message.
    assert.equal(summary.attachments, 3);
    assert.equal(summary.attachment_files, 3);
    // name@company.com, name@company2.com, no-reply@example.com, alice, bob, Facebook's sender,
    // user@example.com, Boursorama's sender, client@example.com.
    assert.equal(summary.contacts_created, 9);
    assert.equal(summary.skipped, 0);
    assert.deepEqual(summary.errors, []);
    const files = storedFiles(dir).map((p) => fs.readFileSync(p, 'latin1'));
    assert.equal(files.length, 3);
    assert.ok(files.includes('a\n'), 'attach01 holds "a\\n"');
    assert.ok(files.some((t) => t.includes('<postacert tipo="posta-certificata"')), 'daticert.xml kept');
    let s = stats(db);
    assert.equal(s.conversations, 5);
    assert.equal(s.messages, 5);
    assert.equal(s.contacts, 9);

    const again = importJson(db, [M0001, PEC, TAKEOUT]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 5);
    assert.equal(again.summary.attachments, 0);
    assert.equal(again.summary.contacts_created, 0);
    assert.equal(again.summary.contacts_matched, 9);
    s = stats(db);
    assert.equal(s.conversations, 5);
    assert.equal(s.messages, 5);
    assert.equal(storedFiles(dir).length, 3);
  });

  it('threads a mailbox, skips and reports a message without a date, --me names an address', () => {
    const { db } = freshDb();
    const file = path.join(FIX, 'threads.mbox');
    const { r, summary } = importJson(db, ['mbox', file, '--me', 'vendite@piazza.example']);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'mbox');
    // "Ordine scarpe" (3 messages, one answering by In-Reply-To alone) and "Offerte di marzo".
    assert.equal(summary.conversations, 2);
    assert.equal(summary.messages, 4);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(summary.errors, [
      { file, line: 43, message: 'message without a date (no Date header): skipped', code: 'message.no_date', args: [] },
    ]);
    // Marco Rossi and News; vendite@ is the company's side.
    assert.equal(summary.contacts_created, 2);
    assert.equal(stats(db).contacts, 2);
  });

  it('reads charsets, HTML, forwarded messages and PEC receipts', () => {
    const { db, dir } = freshDb();
    const names = ['latin1_qp.eml', 'html_only.eml', 'cp1251.eml', 'attached_message.eml', 'pec_ricevuta.eml'];
    const { r, summary } = importJson(db, names.map((n) => path.join(FIX, n)));
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'eml');
    assert.equal(summary.conversations, 5);
    assert.equal(summary.messages, 5);
    assert.equal(summary.system_messages, 1); // the PEC acceptance receipt
    assert.equal(summary.attachments, 2); // the PDF and the forwarded message
    const files = storedFiles(dir).map((p) => fs.readFileSync(p, 'latin1'));
    assert.ok(files.includes('%PDF-1.4 fattura di prova\n'));
    assert.ok(files.some((t) => t.includes('Subject: Fattura luglio')));
  });

  it('refuses what is not mail, keeps nothing of it, says file:line, exit 1', () => {
    const { db } = freshDb();
    const bad = path.join(FIX, 'not_mail.eml');
    let r = runCli(['import', 'eml', bad], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.ok(r.stderr.includes(`${bad}:1: not an e-mail message: no headers found`), describeCli(r));
    r = runCli(['import', 'mbox', path.join(FIX, 'latin1_qp.eml')], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.match(r.stderr, /latin1_qp\.eml:1: not an mbox: the file does not start with a "From " line/);
    const s = stats(db);
    assert.equal(s.conversations, 0);
    assert.equal(s.messages, 0);
    assert.equal(s.contacts, 0);

    // A good file and a refused one in the same run: the good one stays.
    const both = importJson(db, [PEC, bad]);
    assert.equal(both.r.status, 1, describeCli(both.r));
    assert.equal(both.summary.messages, 1);
    assert.equal(stats(db).messages, 1);
  });
});
