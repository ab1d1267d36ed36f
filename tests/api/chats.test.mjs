// `piazza import` for chat exports (issue 4): WhatsApp .txt and .zip with exact counts on the
// shared corpus, re-import stores nothing, an overlapping newer export adds only what is new,
// a refused file keeps nothing and says file:line, attachments land in the data folder,
// --tz and --me, exit codes, and `piazza stats --json` counting conversations and messages.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, describeCli, tempDir } from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'whatsapp');
const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats');
const ANDROID = path.join(CORPUS, 'it_android_multiline.txt');
const IOS = path.join(CORPUS, 'ios_dotdate_attached_poll.txt');

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

describe('piazza import (WhatsApp)', { timeout: 120_000 }, () => {
  it('imports the corpus with exact counts, and again stores nothing', () => {
    const { db } = freshDb();
    const { r, summary } = importJson(db, [ANDROID, IOS]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'whatsapp');
    assert.equal(summary.files, 2);
    assert.equal(summary.conversations, 2);
    // 3 entries (1 system) + 52 entries (4 system); every message stored counts, notices too.
    assert.equal(summary.messages, 55);
    assert.equal(summary.system_messages, 5);
    assert.equal(summary.duplicates_skipped, 0);
    // Mario, Luigi; Loris, John, Emily.
    assert.equal(summary.contacts_created, 5);
    assert.equal(summary.contacts_matched, 0);
    assert.equal(summary.skipped, 0);
    assert.deepEqual(summary.errors, []);
    assert.equal(summary.attachments, 4);
    assert.ok(summary.notes.some((n) => n.includes('it_android_multiline.txt') && /day first/.test(n)), r.stdout);
    let s = stats(db);
    assert.equal(s.conversations, 2);
    assert.equal(s.messages, 55);
    assert.equal(s.contacts, 5);

    const again = importJson(db, [ANDROID, IOS]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.system_messages, 0);
    assert.equal(again.summary.duplicates_skipped, 55);
    assert.equal(again.summary.contacts_created, 0);
    assert.equal(again.summary.contacts_matched, 5);
    s = stats(db);
    assert.equal(s.conversations, 2);
    assert.equal(s.messages, 55);
    assert.equal(s.contacts, 5);
  });

  it('an overlapping newer export adds only what is new; --me gives the direction', () => {
    const { db } = freshDb();
    const older = importJson(db, ['whatsapp', path.join(FIX, 'WhatsApp Chat with Franco.txt'), '--me', 'Io Azienda']);
    assert.equal(older.r.status, 0, describeCli(older.r));
    assert.equal(older.summary.messages, 4);
    assert.equal(older.summary.contacts_created, 1);
    const newer = importJson(db, ['whatsapp', path.join(FIX, 'Chat WhatsApp con Franco (1).txt'), '--me', 'Io Azienda']);
    assert.equal(newer.r.status, 0, describeCli(newer.r));
    assert.equal(newer.summary.conversations, 1);
    assert.equal(newer.summary.messages, 3);
    assert.equal(newer.summary.duplicates_skipped, 4);
    assert.equal(newer.summary.contacts_created, 0);
    assert.equal(newer.summary.contacts_matched, 1);
    const s = stats(db);
    assert.equal(s.conversations, 1);
    assert.equal(s.messages, 7);
    assert.equal(s.contacts, 1);
  });

  it('refuses a file that is not a chat, keeps nothing of it, says file:line, exit 1', () => {
    const { db } = freshDb();
    const bad = path.join(FIX, 'not_a_chat.txt');
    const r = runCli(['import', 'whatsapp', bad], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.ok(r.stderr.includes(`${bad}:1: not a WhatsApp chat export`), describeCli(r));
    const s = stats(db);
    assert.equal(s.conversations, 0);
    assert.equal(s.messages, 0);
    assert.equal(s.contacts, 0);

    // A good file and a refused one in the same run: the good one stays.
    const both = importJson(db, [ANDROID, path.join(FIX, 'two_chats.zip')]);
    assert.equal(both.r.status, 1, describeCli(both.r));
    assert.equal(both.summary.messages, 3);
    assert.ok(both.summary.errors.some((e) => e.file.endsWith('two_chats.zip') && /several chats/.test(e.message)), both.r.stdout);
    assert.equal(stats(db).messages, 3);
  });

  it('reports a bad record and keeps the rest', () => {
    const { db } = freshDb();
    const file = path.join(FIX, 'bad_date.txt');
    const { r, summary } = importJson(db, [file]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.messages, 2);
    assert.equal(summary.skipped, 2);
    assert.deepEqual(summary.errors.map((e) => [e.line, e.message]), [
      [3, 'no such date (31/2/24): message skipped'],
      [1, 'text before the first message: left out'],
    ]);
    assert.ok(summary.errors.every((e) => e.file === file));
  });

  it('keeps attachments of a zip in the data folder', () => {
    const { db, dir } = freshDb();
    const { r, summary } = importJson(db, [path.join(FIX, 'WhatsApp Chat with Anna.zip')]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.messages, 4);
    assert.equal(summary.attachments, 3);
    assert.equal(summary.attachment_files, 2);
    const stored = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else stored.push(p);
      }
    };
    walk(path.join(dir, 'attachments'));
    assert.equal(stored.length, 2);
    const pdf = stored.map((p) => fs.readFileSync(p, 'latin1')).find((t) => t.startsWith('%PDF'));
    assert.equal(pdf, '%PDF-1.4 preventivo di prova\n');
  });

  it('--dry-run keeps nothing; --tz is checked; usage errors exit 2', () => {
    const { db, dir } = freshDb();
    const dry = importJson(db, ['--dry-run', path.join(FIX, 'WhatsApp Chat with Anna.zip')]);
    assert.equal(dry.r.status, 0, describeCli(dry.r));
    assert.equal(dry.summary.dry_run, true);
    assert.equal(dry.summary.messages, 4);
    assert.equal(stats(db).messages, 0);
    assert.equal(fs.existsSync(path.join(dir, 'attachments')), false);

    const badTz = runCli(['import', ANDROID, '--tz', 'Mars/Olympus'], { db });
    assert.equal(badTz.status, 2, describeCli(badTz));
    assert.match(badTz.stderr, /unknown time zone 'Mars\/Olympus'/);
    assert.equal(runCli(['import', ANDROID, '--me', ''], { db }).status, 2);

    const utc = importJson(db, [ANDROID, '--tz', 'UTC']);
    assert.equal(utc.r.status, 0, describeCli(utc.r));
    assert.equal(utc.summary.messages, 3);
  });
});
