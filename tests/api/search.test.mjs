// GET /api/v1/search (issue 4): full-text search over messages imported with `piazza import`.
// Accents and case ignored ("perche" finds "Perché"), Italian and English stems ("scarpa" finds
// "scarpe", "shoe" finds "shoes"), phrases and prefixes, filters (channel, contact, dates as
// days in the inbox's time zone, across Rome's DST changes, direction), snippets as segments, paging with a cursor, bad input as 400 with a code, user
// text that looks like query syntax never failing, roles (a consultant gets 403), workspace
// isolation, and `piazza rebuild search` covering messages.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, startWithOwner, stopAll, addUser, signedIn, assertJson, assertError, show, describeCli,
  OWNER,
} from './harness.mjs';

const FIX = path.join(ROOT, 'tests', 'fixtures', 'search');
const GIULIA = path.join(FIX, 'WhatsApp Chat with Giulia Verdi.txt');
const BRUNO = path.join(FIX, 'WhatsApp Chat with Bruno.txt');

let server;
let owner;

async function search(client, params) {
  const qs = new URLSearchParams(params).toString();
  return client.get(`/api/v1/search?${qs}`);
}

/** Searches and returns the items, asserting the list's shape. */
async function hits(client, params) {
  const body = assertJson(await search(client, params));
  assert.ok(Array.isArray(body.items), JSON.stringify(body));
  assert.ok(body.next === null || typeof body.next === 'string', JSON.stringify(body));
  for (const h of body.items) assertHit(h);
  return body.items;
}

function assertHit(h) {
  for (const k of ['message_id', 'conversation_id']) assert.ok(Number.isInteger(h[k]), JSON.stringify(h));
  assert.equal(h.channel, 'whatsapp');
  assert.equal(typeof h.conversation_title, 'string');
  assert.ok(['incoming', 'outgoing', 'note'].includes(h.direction), JSON.stringify(h));
  assert.match(h.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(h.sender_name === null || typeof h.sender_name === 'string');
  assert.ok(h.contact === null || (Number.isInteger(h.contact.id) && typeof h.contact.name === 'string'));
  assert.ok(Array.isArray(h.snippet) && h.snippet.length > 0, JSON.stringify(h));
  for (const s of h.snippet) {
    assert.equal(typeof s.text, 'string');
    assert.equal(typeof s.match, 'boolean');
    assert.ok(s.text.length > 0, JSON.stringify(h.snippet));
  }
}

const text = (h) => h.snippet.map((s) => s.text).join('');
const matched = (h) => h.snippet.filter((s) => s.match).map((s) => s.text);

describe('message search', { timeout: 120_000 }, () => {
  before(async () => {
    ({ server, owner } = await startWithOwner());
    let r = server.cli(['import', 'whatsapp', GIULIA, '--workspace', OWNER.workspace_slug, '--me', 'Anna', '--tz', 'Europe/Rome']);
    assert.equal(r.status, 0, describeCli(r));
    r = server.cli(['workspace', 'add', '--name', 'Beta Spa', '--slug', 'beta']);
    assert.equal(r.status, 0, describeCli(r));
    r = server.cli(['import', 'whatsapp', BRUNO, '--workspace', 'beta', '--me', 'Bea', '--tz', 'Europe/Rome']);
    assert.equal(r.status, 0, describeCli(r));
  });
  after(stopAll);

  it('ignores accents and case: perche finds "Perché", with the word highlighted', async () => {
    for (const q of ['perche', 'PERCHÉ', 'Perché']) {
      const items = await hits(owner, { q });
      assert.equal(items.length, 1, `${q}: ${JSON.stringify(items)}`);
      const h = items[0];
      assert.equal(text(h), "Buongiorno! Perché l'ordine non è ancora arrivato?");
      assert.deepEqual(matched(h), ['Perché']);
      assert.equal(h.direction, 'incoming');
      assert.equal(h.sender_name, 'Giulia Verdi');
      assert.equal(h.conversation_title, 'Giulia Verdi');
      assert.equal(h.sent_at, '2024-01-03T08:15:00Z'); // 09:15 in Rome
      assert.equal(h.contact.name, 'Giulia Verdi');
    }
  });

  it('stems Italian and English: scarpa finds scarpe and SCARPE, shoe finds shoes', async () => {
    let items = await hits(owner, { q: 'scarpa' });
    assert.deepEqual(items.map(matched).sort(), [['SCARPE'], ['scarpe']]);
    items = await hits(owner, { q: 'shoe' });
    assert.equal(items.length, 1);
    assert.deepEqual(matched(items[0]), ['shoes']);
    items = await hits(owner, { q: 'thank SHOE' });
    assert.equal(items.length, 1);
    assert.deepEqual(matched(items[0]), ['shoes', 'thanks']);
    // Every word must be there.
    assert.equal((await hits(owner, { q: 'scarpe grazie' })).length, 1);
    assert.equal((await hits(owner, { q: 'scarpe treno' })).length, 0);
  });

  it("splits at apostrophes, finds phrases in order and prefixes as typed", async () => {
    assert.equal((await hits(owner, { q: "l'ordine" })).length, 1);
    assert.equal((await hits(owner, { q: '"ordine non"' })).length, 1);
    assert.equal((await hits(owner, { q: '"non ordine"' })).length, 0);
    const items = await hits(owner, { q: 'spediz*' });
    assert.equal(items.length, 1);
    assert.deepEqual(matched(items[0]), ['spedizione']);
    assert.equal((await hits(owner, { q: 'commercial*' })).length, 1);
  });

  it('cuts a long message around the match, with … where it was cut', async () => {
    const items = await hits(owner, { q: 'fattura' });
    assert.equal(items.length, 1);
    const s = items[0].snippet;
    assert.ok(s[0].text.startsWith('…'), JSON.stringify(s));
    assert.ok(s[s.length - 1].text.endsWith('…'), JSON.stringify(s));
    assert.deepEqual(matched(items[0]), ['fattura']);
    assert.ok(text(items[0]).length < 300, text(items[0]));
  });

  it('filters by direction, dates, channel and contact', async () => {
    let items = await hits(owner, { q: 'scarpe', direction: 'outgoing' });
    assert.deepEqual(items.map(matched), [['scarpe']]);
    assert.equal(items[0].sender_name, 'Anna');
    items = await hits(owner, { q: 'scarpe', from: '2024-02-01' });
    assert.deepEqual(items.map(matched), [['SCARPE']]);
    items = await hits(owner, { q: 'scarpe', to: '2024-01-03' }); // inclusive
    assert.deepEqual(items.map(matched), [['scarpe']]);
    items = await hits(owner, { q: 'scarpe', from: '2024-01-04', to: '2024-02-14' });
    assert.equal(items.length, 0);
    assert.equal((await hits(owner, { q: 'scarpe', channel: 'whatsapp' })).length, 2);
    assert.equal((await hits(owner, { q: 'scarpe', channel: 'telegram' })).length, 0);
    const contact = (await hits(owner, { q: 'perche' }))[0].contact.id;
    assert.equal((await hits(owner, { q: 'scarpe', contact })).length, 2);
    assert.equal((await hits(owner, { q: 'scarpe', contact: contact + 1000 })).length, 0);
  });

  it('takes from and to as days in the inbox time zone, right across both DST changes in Rome', async () => {
    // Rome moved its clocks on 2024-03-31 (02:00 -> 03:00) and 2024-10-27 (03:00 -> 02:00). Each line is
    // local time; the UTC day differs from Rome's for the ones just after midnight.
    const chat = [
      '30/03/24, 23:50 - Carla Neri: ombrello uno', //   2024-03-30T22:50Z, Rome's 30 March
      '31/03/24, 00:30 - Carla Neri: ombrello due', //   2024-03-30T23:30Z, Rome's 31 March
      '31/03/24, 23:30 - Carla Neri: ombrello tre', //   2024-03-31T21:30Z (summer time)
      '01/04/24, 00:10 - Carla Neri: ombrello quattro', // 2024-03-31T22:10Z, Rome's 1 April
      '27/10/24, 00:30 - Carla Neri: ombrello cinque', // 2024-10-26T22:30Z (still summer time)
      '27/10/24, 23:30 - Carla Neri: ombrello sei', //    2024-10-27T22:30Z (winter time again)
      '28/10/24, 00:30 - Carla Neri: ombrello sette', //  2024-10-27T23:30Z, Rome's 28 October
      '',
    ].join('\n');
    const file = path.join(server.dir, 'WhatsApp Chat with Carla Neri.txt');
    fs.writeFileSync(file, chat);
    const r = server.cli(['import', 'whatsapp', file, '--workspace', OWNER.workspace_slug, '--me', 'Anna', '--tz', 'Europe/Rome']);
    assert.equal(r.status, 0, describeCli(r));
    const found = async (params) =>
      (await hits(owner, { q: 'ombrello', limit: '20', ...params })).map((h) => text(h).replace(/^ombrello /, '')).sort();
    const settings = assertJson(await owner.get('/api/v1/settings/inbox'));
    assert.equal(settings.time_zone, 'Europe/Rome');

    assert.deepEqual(await found({ from: '2024-03-31', to: '2024-03-31' }), ['due', 'tre']);
    assert.deepEqual(await found({ to: '2024-03-30' }), ['uno']);
    assert.deepEqual(await found({ from: '2024-04-01', to: '2024-04-01' }), ['quattro']);
    assert.deepEqual(await found({ from: '2024-10-27', to: '2024-10-27' }), ['cinque', 'sei']);
    assert.deepEqual(await found({ from: '2024-10-28' }), ['sette']);
    assert.deepEqual(await found({ from: '2024-03-31', to: '2024-10-27' }), ['cinque', 'due', 'quattro', 'sei', 'tre']);

    // the same days read in UTC once the inbox says so; then back to Rome
    const put = (zone) => owner.put('/api/v1/settings/inbox', { ...settings, time_zone: zone });
    assertJson(await put('UTC'));
    assert.deepEqual(await found({ from: '2024-03-31', to: '2024-03-31' }), ['quattro', 'tre']);
    assert.deepEqual(await found({ from: '2024-10-27', to: '2024-10-27' }), ['sei', 'sette']);
    assertJson(await put('Europe/Rome'));
    assert.deepEqual(await found({ from: '2024-03-31', to: '2024-03-31' }), ['due', 'tre']);
  });

  it('pages with a stable cursor, best match first', async () => {
    const all = await hits(owner, { q: 'scarpe', limit: 10 });
    assert.equal(all.length, 2);
    const first = assertJson(await search(owner, { q: 'scarpe', limit: 1 }));
    assert.equal(first.items.length, 1);
    assert.equal(first.items[0].message_id, all[0].message_id);
    assert.equal(typeof first.next, 'string');
    const second = assertJson(await search(owner, { q: 'scarpe', limit: 1, cursor: first.next }));
    assert.equal(second.items.length, 1);
    assert.equal(second.items[0].message_id, all[1].message_id);
    assert.equal(second.next, null);
    // The same page again gives the same answer.
    const again = assertJson(await search(owner, { q: 'scarpe', limit: 1, cursor: first.next }));
    assert.deepEqual(again, second);
  });

  it('refuses a query with no word, bad filters and bad cursors with a code', async () => {
    for (const q of ['', '   ', '!!!', '😀👍', '""', '*', '-']) {
      assertError(await search(owner, { q }), 400, 'search.empty_query', 'q');
    }
    assertError(await owner.get('/api/v1/search'), 400, 'search.empty_query', 'q');
    assertError(await search(owner, { q: 'a '.repeat(40) }), 400, 'search.query_too_long', 'q');
    assertError(await search(owner, { q: 'x'.repeat(501) }), 400, 'search.query_too_long', 'q');
    assertError(await search(owner, { q: 'scarpe', channel: 'pigeon' }), 400, 'search.bad_filter', 'channel');
    assertError(await search(owner, { q: 'scarpe', direction: 'sideways' }), 400, 'search.bad_filter', 'direction');
    assertError(await search(owner, { q: 'scarpe', from: '2024-02-30' }), 400, 'search.bad_filter', 'from');
    assertError(await search(owner, { q: 'scarpe', to: 'yesterday' }), 400, 'search.bad_filter', 'to');
    assertError(await search(owner, { q: 'scarpe', from: '2024-03-01', to: '2024-01-01' }), 400, 'search.bad_filter', 'to');
    assertError(await search(owner, { q: 'scarpe', contact: 'x' }), 400, 'search.bad_filter', 'contact');
    assertError(await search(owner, { q: 'scarpe', limit: '0' }), 400, 'search.bad_filter', 'limit');
    assertError(await search(owner, { q: 'scarpe', limit: '101' }), 400, 'search.bad_filter', 'limit');
    assertError(await search(owner, { q: 'scarpe', cursor: 'nope' }), 400, 'search.bad_cursor', 'cursor');
  });

  it('never lets user text act as query syntax', async () => {
    const odd = ['scarpe OR fattura', 'NEAR(scarpe fattura)', 'scarpe AND', 'NOT scarpe', 'body:scarpe',
      '"scarpe', 'scarpe"', '(scarpe', 'scarpe^', '{scarpe}', "'; DROP TABLE messages; --",
      'scarpe**', '"scarpe"*', 'sc*arpe', '\\"scarpe\\"', '+scarpe -fattura'];
    for (const q of odd) {
      const res = await search(owner, { q });
      assert.ok(res.status === 200 || (res.status === 400 && res.json.error.code === 'search.empty_query'), `${q}: ${show(res)}`);
    }
    // "OR" is a word like any other: both words must be there.
    assert.equal((await hits(owner, { q: 'scarpe OR fattura' })).length, 0);
    assert.equal((await hits(owner, { q: '"scarpe' })).length, 2);
  });

  it('keeps each workspace to its own messages', async () => {
    addUser(server, { email: 'owner.beta@example.com', name: 'Owner Beta', role: 'owner', workspace: 'beta' });
    const beta = await signedIn(server, 'owner.beta@example.com', undefined, 'beta');
    const items = await hits(beta, { q: 'scarpe' });
    assert.equal(items.length, 1);
    assert.equal(items[0].sender_name, 'Bruno Neri');
    assert.equal((await hits(beta, { q: 'fattura' })).length, 0);
    // And the first workspace never sees Bruno.
    for (const h of await hits(owner, { q: 'perche scarpe ritardo' })) assert.notEqual(h.sender_name, 'Bruno Neri');
    assert.equal((await hits(owner, { q: 'ritardo corriere' })).length, 0);
  });

  it('lets members search and refuses consultants', async () => {
    const workspace = OWNER.workspace_slug;
    addUser(server, { email: 'member@example.it', role: 'member', workspace });
    addUser(server, { email: 'consultant@example.it', role: 'consultant', workspace });
    const member = await signedIn(server, 'member@example.it', undefined, workspace);
    assert.equal((await hits(member, { q: 'scarpe' })).length, 2);
    const consultant = await signedIn(server, 'consultant@example.it', undefined, workspace);
    assertError(await search(consultant, { q: 'scarpe' }), 403, 'auth.forbidden');
  });

  it('`piazza rebuild search` rebuilds the message index too', async () => {
    const r = server.cli(['rebuild', 'search', '--workspace', OWNER.workspace_slug]);
    assert.equal(r.status, 0, describeCli(r));
    assert.match(r.stdout, /and of 15 messages/); // Giulia's 8 and Carla's 7 (the DST case)
    assert.equal((await hits(owner, { q: 'scarpa' })).length, 2);
  });
});
