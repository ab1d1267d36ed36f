// `piazza import` for Facebook Messenger / Instagram message_N.json, X direct messages,
// LinkedIn messages.csv (alone, beside Connections.csv, or in the export's .zip) and Telegram
// Desktop result.json (one chat, whole account) (issue 4): exact counts on the corpus and the fixtures, mojibake repaired, media kept from the
// export's folders, re-import stores nothing, a bad record skipped and reported at its line,
// refused files keep nothing and say file:line.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, describeCli, tempDir } from './harness.mjs';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
const FIX = path.join(ROOT, 'tests', 'fixtures', 'chats');
const MOJIBAKE = path.join(CORPUS, 'facebook', 'message_1_mojibake.json');
const GROUP = path.join(FIX, 'messenger', 'messages', 'inbox', 'gruppofiera_8x2', 'message_1.json');
const INSTAGRAM = path.join(FIX, 'messenger', 'your_instagram_activity', 'messages', 'inbox', 'anna_123', 'message_1.json');
const X_DM = path.join(FIX, 'x', 'data', 'direct-messages.js');
const X_GROUP = path.join(FIX, 'x', 'data', 'direct-messages-group.js');

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

describe('piazza import (Messenger, Instagram, X, LinkedIn, Telegram)', { timeout: 120_000 }, () => {
  it('imports Messenger and Instagram exports with exact counts, and again stores nothing', () => {
    const { db, dir } = freshDb();
    const { r, summary } = importJson(db, [MOJIBAKE, GROUP, INSTAGRAM]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'messenger');
    assert.equal(summary.conversations, 3);
    // 3 (corpus) + 8 of the group's 9 (one has no timestamp_ms) + 2 (Instagram).
    assert.equal(summary.messages, 13);
    assert.equal(summary.system_messages, 2); // "Subscribe" and a call
    // pic.jpg (not in the corpus folder), volantino.jpg (kept), manca.jpg (missing), a sticker.
    assert.equal(summary.attachments, 4);
    assert.equal(summary.attachment_files, 1);
    // José García ("Me" is the company: the chat is named after José); Giulia, Luca, Maria;
    // anna.design (piazza_shop is the company, by the same rule).
    assert.equal(summary.contacts_created, 5);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(summary.errors, [{ file: GROUP, line: 53, message: 'message without timestamp_ms: skipped', code: 'message.no_date', args: [] }]);
    // Reactions are not messages: the group's one ❤ is counted in a note, not stored.
    assert.ok(summary.notes.some((n) => /1 reaction not imported/.test(JSON.stringify(n))), JSON.stringify(summary.notes));
    const files = storedFiles(dir).map((p) => fs.readFileSync(p, 'latin1'));
    assert.deepEqual(files, ['\xff\xd8\xff\xe0volantino di prova']);
    assert.equal(stats(db).messages, 13);

    const again = importJson(db, [MOJIBAKE, GROUP, INSTAGRAM]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 13);
    assert.equal(again.summary.contacts_created, 0);
    assert.equal(stats(db).messages, 13);
    assert.equal(stats(db).contacts, 5);
  });

  it('imports X direct messages with the account from account.js as the company', () => {
    const { db, dir } = freshDb();
    const { r, summary } = importJson(db, [X_DM, X_GROUP]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'x');
    assert.equal(summary.conversations, 3);
    // 4 of 5 one-to-one messages (one without createdAt) + 1 and 3 notices in the group.
    assert.equal(summary.messages, 8);
    assert.equal(summary.system_messages, 3);
    assert.equal(summary.attachments, 1);
    assert.equal(summary.attachment_files, 1);
    // 2222 and 3333 in their one-to-one chats, and again in the group: X archives name people
    // by id only, and a name or id alone never matches a contact across conversations.
    assert.equal(summary.contacts_created, 4);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(summary.errors, [{ file: X_DM, line: 39, message: 'no readable createdAt: skipped', code: 'message.no_date', args: [] }]);
    assert.deepEqual(storedFiles(dir).map((p) => fs.readFileSync(p, 'latin1')), ['\xff\xd8\xff\xe0brochure']);

    const again = importJson(db, ['x', X_DM, X_GROUP]);
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 8);
    assert.equal(stats(db).messages, 8);
  });

  it('imports LinkedIn messages.csv and Connections.csv told apart by their header', () => {
    const { db } = freshDb();
    const messages = path.join(CORPUS, 'linkedin', 'messages_multiline_badrow.csv');
    const connections = path.join(CORPUS, 'linkedin', 'Connections_kawsay.csv');
    const { r, summary } = importJson(db, ['linkedin', messages, connections]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'linkedin');
    assert.equal(summary.files, 2);
    assert.equal(summary.conversations, 2);
    assert.equal(summary.messages, 2);
    assert.equal(summary.records, 2); // the two connections
    // Ana Lopez and Pedro Fuentes, found again by their profile URLs in the second conversation.
    assert.equal(summary.contacts_matched, 2);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(summary.errors, [{
      file: messages, line: 5, message: 'row has 1 field, the header 10: skipped', code: 'linkedin.fields', args: ['1', '', '10'],
    }]);

    const again = importJson(db, [messages]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.format, 'linkedin');
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 2);
    assert.equal(stats(db).messages, 2);
  });

  it('imports a LinkedIn export .zip: its connections and its messages', () => {
    const { db } = freshDb();
    const zip = path.join(FIX, 'linkedin', 'Basic_LinkedInDataExport_04-12-2024.zip');
    const { r, summary } = importJson(db, [zip, '--me', 'Giulia Verdi']);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'linkedin');
    assert.equal(summary.records, 2); // Marco Bianchi, Luca Neri
    assert.equal(summary.conversations, 2);
    assert.equal(summary.messages, 4);
    assert.equal(summary.skipped, 2);
    assert.deepEqual(summary.errors.map((e) => [e.file, e.line, e.message]), [
      [`${zip}:messages.csv`, 5, "DATE '10/04/2024 09:05' is not a date: skipped"],
      [`${zip}:messages.csv`, 7, 'broken quoting: row skipped'],
    ]);
    // Marco Bianchi and Luca Neri with their companies (Fiere Srl, Neri Spa) from
    // Connections.csv; Anna Neri from the messages; Marco is found again by his profile URL;
    // Giulia is the company's side.
    assert.equal(stats(db).contacts, 5);
    const again = importJson(db, [zip, '--me', 'Giulia Verdi']);
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 4);
    assert.equal(stats(db).contacts, 5);
  });

  it('imports Telegram Desktop exports: one chat and a whole account', () => {
    const { db, dir } = freshDb();
    const chat = path.join(CORPUS, 'telegram', 'reply_edited.json');
    const account = path.join(FIX, 'telegram', 'account', 'result.json');
    const { r, summary } = importJson(db, [chat, account]);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(summary.format, 'telegram');
    // "Test Chat"; Marco Bianchi and the group "Fiera 2024" of the account.
    assert.equal(summary.conversations, 3);
    // 7 (Alice 4, Bob 3) + 6 of the 7 in Marco's chat (one has no id) + 3 in the group.
    assert.equal(summary.messages, 16);
    assert.equal(summary.system_messages, 2);
    assert.equal(summary.attachments, 3); // a photo and a PDF the export holds, a voice message it does not
    assert.equal(summary.attachment_files, 2);
    // Alice, Bob; Marco Bianchi, Anna Neri (Giulia Verdi is the account: the company's side).
    assert.equal(summary.contacts_created, 4);
    assert.deepEqual(summary.errors, [{ file: account, line: 94, message: 'message without an id: skipped', code: 'message.no_id', args: [] }]);
    const files = storedFiles(dir).map((p) => fs.readFileSync(p, 'latin1')).sort();
    assert.deepEqual(files, ['%PDF-1.4 listino\n', '\xff\xd8\xff\xe0foto']);

    const again = importJson(db, ['telegram', chat, account]);
    assert.equal(again.r.status, 0, describeCli(again.r));
    assert.equal(again.summary.messages, 0);
    assert.equal(again.summary.duplicates_skipped, 16);
    assert.equal(stats(db).messages, 16);

    const cut = path.join(FIX, 'telegram', 'cut_short.json');
    const refused = runCli(['import', 'telegram', cut], { db });
    assert.equal(refused.status, 1, describeCli(refused));
    // At the line where the file ends (7), before anything of it was read into the database.
    assert.ok(refused.stderr.includes(`${cut}:7: not valid JSON: the file ends before its data does`), describeCli(refused));
    assert.equal(stats(db).messages, 16);
  });

  it('refuses what is not such an export, keeps nothing, says file:line, exit 1', () => {
    const { db } = freshDb();
    const broken = path.join(FIX, 'messenger', 'broken.json');
    let r = runCli(['import', broken], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.ok(r.stderr.includes(`${broken}:7: not valid JSON: '}' expected near ']'`), describeCli(r));
    const telegram = path.join(CORPUS, 'telegram', 'reply_edited.json');
    r = runCli(['import', 'messenger', telegram], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.match(r.stderr, /reply_edited\.json:1: not a Messenger or Instagram message_N\.json/);
    const notX = path.join(FIX, 'x', 'not_x.js');
    r = runCli(['import', 'x', notX], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.ok(r.stderr.includes(`${notX}:1: not an X direct messages file`), describeCli(r));
    const notLinkedin = path.join(FIX, 'linkedin', 'not_messages.csv');
    r = runCli(['import', 'linkedin', notLinkedin], { db });
    assert.equal(r.status, 1, describeCli(r));
    assert.ok(r.stderr.includes(`${notLinkedin}:1: not a LinkedIn Connections.csv`), describeCli(r));
    const s = stats(db);
    assert.equal(s.conversations, 0);
    assert.equal(s.messages, 0);
    assert.equal(s.contacts, 0);
  });
});
