// Browser test of the inbox's workflow (issue 4) against the real server, as
// an agent would use it: snoozing a conversation until a chosen date (it
// leaves the open view, is listed under Snoozed with its date, and comes back
// open once that time passes); canned replies in the composer (none yet says
// so; one written in Settings with {{first_name}} — after a variable that
// does not exist and a shortcut taken twice are refused on their fields, and
// one is deleted — is inserted with the customer's name filled in, sent as an internal note and as a reply, and both are in the
// thread); the SLA-breached view (a first-response target set in the inbox
// settings flags the conversation answered late and the one never answered,
// not the one answered in time; resolving one takes it out of the view); the
// search page's filters (a contact picked by typing part of its name, who
// wrote, days in Rome) kept in the address; the same in English and on a
// 375 px phone. Screenshots: test-artifacts/e2e/workflow-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/inbox_workflow.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  BIN, CHROMIUM, LAUNCH, SHOTS, startServer, stopServer, watch, conversationByName as findConversation, conversationRow, conversationRows, exact, pageApi, setUpWorkspace,
} from './harness.mjs';

/*
 * The day and minute of a moment in Rome, from the parts of an en-US format: a Node built with
 * English data only (small ICU, as on a fresh Debian) formats en-CA or sv-SE as en-US.
 */
const romeParts = (d) => Object.fromEntries(new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
}).formatToParts(d).map((p) => [p.type, p.value]));
const romeDay = (d) => { const p = romeParts(d); return `${p.year}-${p.month}-${p.day}`; };
const romeMinute = (d) => `${romeDay(d)} ${romeParts(d).hour}:${romeParts(d).minute}`;

const OWNER = {
  workspace_name: 'Ottica Moretti',
  workspace_slug: 'ottica-moretti',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Giulia Moretti',
  email: 'giulia@ottica.example',
  password: 'Lenti-Progressive-2024',
};

// Anna is answered 8 minutes after she writes, Franco after 30, Lucia never.
const CHATS = {
  'WhatsApp Chat with Anna Rossi.txt': [
    '05/03/24, 21:12 - Anna Rossi: Buonasera, gli occhiali sono pronti?',
    '05/03/24, 21:20 - Giulia Moretti: Buonasera Anna, sì: può passare domani.',
    '06/03/24, 09:05 - Anna Rossi: Perfetto, grazie',
  ],
  'WhatsApp Chat with Franco Bianchi.txt': [
    '07/03/24, 10:00 - Franco Bianchi: Fate anche le lenti a contatto? E gli occhiali da sole?',
    '07/03/24, 10:30 - Giulia Moretti: Sì, su appuntamento.',
    '07/03/24, 10:31 - Franco Bianchi: Allora chiamo per prenotare',
  ],
  'WhatsApp Chat with Lucia Ferrari.txt': ['01/03/24, 18:40 - Lucia Ferrari: Quanto costa un controllo della vista?'],
};

const POLL_LIMIT = 100; // attempts, each waiting for a fresh answer from the server

describe('the inbox workflow in the browser: snooze, canned replies, SLA', { timeout: 240_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let page;
  const problems = [];

  const shot = (name, p = page) => p.screenshot({ path: path.join(SHOTS, `workflow-${name}.png`) });
  const rows = (p = page) => conversationRows(p);
  const row = (name, p = page) => conversationRow(p, name);
  const names = (p = page) => rows(p).locator('.ib-row-name').allTextContents();
  const api = pageApi;
  const conversationByName = (name) => findConversation(page, name);
  const openConversation = async (name, p = page) => {
    await row(name, p).click();
    await p.getByTestId('conversation-title').filter({ hasText: exact(name) }).waitFor();
  };
  // The list shows exactly NAMES (in any order), waiting for it to settle.
  const listIs = async (expected, p = page) => {
    const want = [...expected].sort();
    await p.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="conversation-row"]').length === n && !document.querySelector('.ib-list [aria-busy="true"]'),
      want.length,
    );
    assert.deepEqual((await names(p)).sort(), want);
  };
  const signIn = async (p) => {
    await p.goto(`${base}/`);
    const status = await p.evaluate(async ({ email, password }) => {
      const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
      return res.status;
    }, OWNER);
    assert.equal(status, 200);
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-workflow-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    // The browser's clock is in New York, the inbox's in Rome: what the user picks is Rome time.
    const context = await browser.newContext({ locale: 'it-IT', timezoneId: 'America/New_York', viewport: { width: 1480, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    await setUpWorkspace(page, base, { ...OWNER, code });
    for (const [name, lines] of Object.entries(CHATS)) {
      const file = path.join(dir, name);
      await writeFile(file, `${lines.join('\n')}\n`);
      const run = spawnSync(BIN, ['import', 'whatsapp', file, '--db', path.join(dir, 'p.db'), '--me', OWNER.name, '--tz', 'Europe/Rome', '--json'], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, `piazza import ${file}: ${run.stderr}`);
    }
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('snoozes a conversation until a chosen date: it leaves the open view, waits under Snoozed, and comes back', async () => {
    await page.goto(`${base}/inbox`);
    await listIs(['Franco Bianchi', 'Anna Rossi', 'Lucia Ferrari']);
    await openConversation('Franco Bianchi');
    await page.locator('.ib-actions').getByRole('button', { name: 'Posticipa' }).click();
    const form = page.locator('.ib-snooze');
    // a time already past is refused with a message, and nothing changes
    await form.getByLabel('Fino a').fill('2024-01-01T10:00');
    await form.getByRole('button', { name: 'Posticipa' }).click();
    assert.equal((await form.getByRole('alert').textContent()).trim(), 'Scegli una data e un’ora nel futuro.');
    assert.equal((await conversationByName('Franco Bianchi')).status, 'open');
    await shot('01-snooze-form-it');

    // a date chosen in the calendar: the day after tomorrow at 15:30, Rome time
    const day = new Date(Date.now() + 2 * 86_400_000);
    const ymd = romeDay(day);
    await form.getByLabel('Fino a').fill(`${ymd}T15:30`);
    await form.getByRole('button', { name: 'Posticipa' }).click();
    await page.getByText('«Franco Bianchi» posticipata.').waitFor();
    await row('Franco Bianchi').waitFor({ state: 'detached' });
    await listIs(['Anna Rossi', 'Lucia Ferrari']);
    const stored = await conversationByName('Franco Bianchi');
    assert.equal(stored.status, 'snoozed');
    assert.equal(romeMinute(new Date(stored.snoozed_until)), `${ymd} 15:30`, 'snoozed until 15:30 in Rome on the chosen day');
    // the sidebar counts it as snoozed
    assert.match(await page.locator('#ib-status option[value="snoozed"]').textContent(), /Posticipata \(1\)/);

    // under Snoozed, with the date it comes back
    await page.locator('#ib-status').selectOption('snoozed');
    await listIs(['Franco Bianchi']);
    assert.match(await row('Franco Bianchi').textContent(), /Posticipata/);
    await openConversation('Franco Bianchi');
    const status = page.getByTestId('conversation-status');
    assert.match(await status.textContent(), /Posticipata/);
    assert.match(await page.locator('.ib-conv-head, header').filter({ has: status }).first().textContent(), /fino a/);
    await shot('02-snoozed-view-it');

    // when its time comes it is open again by itself: snooze it until a moment from now
    const soon = new Date(Date.now() + 1500).toISOString();
    const patched = await api(page, 'PATCH', `/api/v1/conversations/${stored.id}`, { status: 'snoozed', snoozed_until: soon });
    assert.equal(patched.status, 200);
    let back = null;
    for (let i = 0; i < POLL_LIMIT && back?.status !== 'open'; i++) {
      await page.waitForTimeout(100);
      back = (await api(page, 'GET', `/api/v1/conversations/${stored.id}`)).body;
    }
    assert.equal(back.status, 'open', 'the snooze ended');
    assert.equal(back.snoozed_until, null);
    await page.goto(`${base}/inbox`);
    await listIs(['Franco Bianchi', 'Anna Rossi', 'Lucia Ferrari']);
    assert.doesNotMatch(await row('Franco Bianchi').textContent(), /Posticipata/);
    await page.locator('#ib-status').selectOption('snoozed');
    await page.getByText('Niente in questa vista').waitFor();
    await shot('03-snooze-over-it');

    // "Tomorrow at 9" is 9:00 of Rome's tomorrow, whatever the browser's zone
    await page.locator('#ib-status').selectOption('open');
    await openConversation('Franco Bianchi');
    await page.locator('.ib-actions').getByRole('button', { name: 'Posticipa' }).click();
    await page.locator('.ib-snooze').getByRole('button', { name: 'Domani alle 9:00' }).click();
    await row('Franco Bianchi').waitFor({ state: 'detached' });
    const tomorrow = await conversationByName('Franco Bianchi');
    const p = romeParts(new Date());
    const romeTomorrow = romeDay(new Date(Date.UTC(+p.year, +p.month - 1, +p.day + 1, 12)));
    assert.equal(romeMinute(new Date(tomorrow.snoozed_until)), `${romeTomorrow} 09:00`);
    assert.equal((await api(page, 'PATCH', `/api/v1/conversations/${tomorrow.id}`, { status: 'open' })).status, 200);
  });

  it('inserts a canned reply with the customer’s first name and sends it as a note and as a reply', async () => {
    const anna = await conversationByName('Anna Rossi');
    await page.goto(`${base}/inbox/${anna.id}`);
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    // none written yet: the picker says who writes them
    await page.getByRole('button', { name: 'Risposte pronte' }).click();
    await page.locator('.ib-canned').getByText('Ancora nessuna risposta pronta', { exact: false }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.ib-canned').waitFor({ state: 'detached' });

    // a manager writes them in Settings: empty at first, a variable that does not exist refused on its field
    await page.goto(`${base}/settings/canned-replies`);
    await page.getByTestId('canned-empty').waitFor();
    await page.getByLabel('Scorciatoia').fill('pronti');
    await page.getByLabel('Titolo').fill('Occhiali pronti');
    await page.getByLabel('Testo').fill('Ciao {{nome}}, i tuoi occhiali sono pronti.');
    await page.getByRole('button', { name: 'Salva la risposta pronta' }).click();
    await page.locator('#canned-body-error').filter({ hasText: 'Una risposta pronta usa una variabile che non esiste.' }).waitFor();
    await page.getByLabel('Testo').fill('Ciao {{first_name}}, i tuoi occhiali sono pronti: ti aspettiamo in negozio. {{agent_name}}');
    await page.getByRole('button', { name: 'Salva la risposta pronta' }).click();
    await page.getByText('«Occhiali pronti» salvata: il team può già inserirla.').waitFor();
    await page.getByTestId('canned-list').getByText('/pronti').waitFor();
    assert.equal(await page.getByLabel('Scorciatoia').inputValue(), '', 'the form is empty again');
    // a second one, and a third deleted after the confirmation
    for (const [shortcut, title, body] of [['orari', 'Orari', 'Siamo aperti dalle 9 alle 19.'], ['ferie', 'Ferie', 'Siamo chiusi per ferie.']]) {
      await page.getByLabel('Scorciatoia').fill(shortcut);
      await page.getByLabel('Titolo').fill(title);
      await page.getByLabel('Testo').fill(body);
      await page.getByRole('button', { name: 'Salva la risposta pronta' }).click();
      await page.getByTestId('canned-list').getByText(`/${shortcut}`).waitFor();
    }
    // the same shortcut twice is refused on its field
    await page.getByLabel('Scorciatoia').fill('orari');
    await page.getByLabel('Titolo').fill('Orari estivi');
    await page.getByLabel('Testo').fill('In agosto dalle 9 alle 13.');
    await page.getByRole('button', { name: 'Salva la risposta pronta' }).click();
    await page.locator('#canned-shortcut-error').filter({ hasText: 'Un’altra risposta pronta ha già questa scorciatoia.' }).waitFor();
    await shot('04a-canned-settings-it');
    await page.getByRole('button', { name: 'Elimina «Ferie»' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Elimina' }).click();
    await page.getByText('«Ferie» eliminata.').waitFor();
    await page.getByTestId('canned-list').getByText('/ferie').waitFor({ state: 'detached' });
    const stored = (await api(page, 'GET', '/api/v1/canned-replies')).body;
    assert.deepEqual((Array.isArray(stored) ? stored : stored.items).map((c) => c.shortcut).sort(), ['orari', 'pronti']);

    await page.goto(`${base}/inbox/${anna.id}`);
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    const filled = 'Ciao Anna, i tuoi occhiali sono pronti: ti aspettiamo in negozio. Giulia Moretti';

    // as an internal note
    await page.getByText('Nota interna', { exact: true }).click();
    await page.getByRole('button', { name: 'Risposte pronte' }).click();
    const picker = page.locator('.ib-canned');
    await picker.getByText('/orari').waitFor();
    await picker.getByLabel('Cerca una risposta pronta').fill('pronti');
    await picker.locator('.ib-canned-item').filter({ hasText: 'Occhiali pronti' }).waitFor();
    assert.equal(await picker.locator('.ib-canned-item').count(), 1, 'the filter keeps the one that matches');
    assert.match(await picker.locator('.ib-canned-item').textContent(), /Ciao Anna, i tuoi occhiali/);
    await shot('04-canned-picker-it');
    await picker.locator('.ib-canned-item').click();
    const noteBox = page.getByLabel('La tua nota interna');
    assert.equal(await noteBox.inputValue(), filled);
    assert.equal(await noteBox.evaluate((el) => el === document.activeElement), true, 'the composer has the focus back');
    await page.getByTestId('composer-send').click();
    const note = page.locator('[data-direction="note"]').filter({ hasText: 'i tuoi occhiali sono pronti' });
    await note.waitFor();
    assert.match(await note.textContent(), /Nota interna · Giulia Moretti/);

    // as a reply, put after what the agent already typed, picked with Enter
    await page.getByText('Risposta', { exact: true }).click();
    const replyBox = page.getByLabel('La tua risposta');
    await replyBox.fill('Buongiorno! ');
    await replyBox.press('End');
    await page.getByRole('button', { name: 'Risposte pronte' }).click();
    await picker.getByLabel('Cerca una risposta pronta').fill('occhiali');
    await picker.locator('.ib-canned-item').filter({ hasText: 'Occhiali pronti' }).waitFor();
    await picker.getByLabel('Cerca una risposta pronta').press('Enter');
    assert.equal(await replyBox.inputValue(), `Buongiorno! ${filled}`);
    await page.getByTestId('composer-send').click();
    const reply = page.locator('[data-direction="outgoing"]').filter({ hasText: `Buongiorno! ${filled}` });
    await reply.waitFor();
    assert.equal((await reply.getByTestId('sent-outside').textContent()).trim(), 'Inviata fuori da piazza');
    await shot('05-canned-sent-it');

    const thread = await api(page, 'GET', `/api/v1/conversations/${anna.id}/messages`);
    const last = thread.body.items.slice(-2);
    assert.deepEqual(
      last.map((m) => [m.direction, m.body]),
      [
        ['note', filled],
        ['outgoing', `Buongiorno! ${filled}`],
      ],
    );
  });

  it('the SLA-breached view lists the conversations answered late or not at all', async () => {
    // no target yet: nothing breaches, and the view says so
    await page.goto(`${base}/inbox`);
    await rows().first().waitFor();
    await page.getByTestId('view-breaching').filter({ hasText: '0' }).waitFor();
    await page.getByTestId('view-breaching').click();
    await page.getByText('Niente in questa vista').waitFor();
    assert.equal(await rows().count(), 0);

    const put = await api(page, 'PUT', '/api/v1/settings/inbox', {
      time_zone: 'Europe/Rome',
      hours: [],
      first_response_target_minutes: 15,
      resolution_target_minutes: null,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await page.reload();
    await page.getByTestId('view-breaching').filter({ hasText: '2' }).waitFor();
    assert.equal(await page.getByTestId('view-breaching').getAttribute('aria-pressed'), 'true');
    await listIs(['Franco Bianchi', 'Lucia Ferrari']);
    assert.equal((await row('Franco Bianchi').locator('.ib-breach').textContent()).trim(), 'SLA');
    assert.equal((await row('Lucia Ferrari').locator('.ib-breach').textContent()).trim(), 'SLA');
    assert.match(await page.getByTestId('view-breaching').getAttribute('class'), /ib-view-alert/);
    await openConversation('Lucia Ferrari');
    await page.locator('header').getByText('Tempo di risposta superato').first().waitFor();
    await shot('06-breaching-it');

    // answered in time: not in the view, and its measure shows 8 minutes
    const anna = await conversationByName('Anna Rossi');
    assert.equal(anna.sla.breached, false);
    assert.equal(anna.sla.first_response_minutes, 8);

    // resolving takes it out of the view, and the count follows
    await page.locator('.ib-actions').getByRole('button', { name: 'Risolvi' }).click();
    await row('Lucia Ferrari').waitFor({ state: 'detached' });
    await page.getByTestId('view-breaching').filter({ hasText: '1' }).waitFor();
    await listIs(['Franco Bianchi']);

    // English
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('button', { name: /^SLA breached/ }).waitFor();
    await openConversation('Franco Bianchi');
    await page.locator('header').getByText('Response time target missed').first().waitFor();
    await shot('07-breaching-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Posta in arrivo' }).waitFor();
  });

  it('search filters: a contact picked by typing its name, direction and days, all kept in the address', async () => {
    const anna = (await conversationByName('Anna Rossi')).contact;
    await page.goto(`${base}/search?q=occhiali`);
    const hits = page.getByTestId('search-hit');
    await hits.first().waitFor();
    const titles = () => hits.locator('.search-hit-title').allTextContents();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="search-hit"]').length >= 4);
    const all = await hits.count();

    // a name nobody has: the list says so
    const box = page.getByRole('combobox', { name: 'Contatto' });
    await box.fill('Zorzi');
    await page.getByRole('listbox').getByText('Nessun contatto si chiama «Zorzi».').waitFor();
    // part of a name, then Enter on the first suggestion
    await box.fill('');
    await box.pressSequentially('Ann');
    const option = page.getByRole('option', { name: 'Anna Rossi' });
    await option.waitFor();
    assert.equal(await option.getAttribute('aria-selected'), 'true');
    await shot('11-search-contact-picker-it');
    await box.press('Enter');
    await page.getByTestId('search-contact').filter({ hasText: 'Anna Rossi' }).waitFor();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.has('contact'));
    assert.equal(new URL(page.url()).searchParams.get('contact'), String(anna.id));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="search-hit"]').length < n, all);
    assert.deepEqual([...new Set(await titles())], ['Anna Rossi']);

    // written by the customer, on 5 March 2024 (a day in Rome)
    await page.getByLabel('Scritto da').selectOption('incoming');
    await page.getByLabel('Dal', { exact: true }).fill('2024-03-05');
    await page.getByLabel('Al', { exact: true }).fill('2024-03-05');
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('to') === '2024-03-05');
    await page.getByRole('status').filter({ hasText: '1 messaggio trovato.' }).waitFor();
    assert.match(await hits.first().textContent(), /gli occhiali sono pronti\?/);
    const url = new URL(page.url());
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      q: 'occhiali', contact: String(anna.id), direction: 'incoming', from: '2024-03-05', to: '2024-03-05',
    });
    await shot('12-search-filtered-it');

    // the address alone brings it all back, the contact's name included
    await page.goto(url.toString());
    await page.getByTestId('search-contact').filter({ hasText: 'Anna Rossi' }).waitFor();
    await page.getByRole('status').filter({ hasText: '1 messaggio trovato.' }).waitFor();
    assert.equal(await page.getByLabel('Scritto da').inputValue(), 'incoming');
    assert.equal(await page.getByLabel('Dal', { exact: true }).inputValue(), '2024-03-05');

    // a day later finds nothing, and says so
    await page.getByLabel('Dal', { exact: true }).fill('2024-03-06');
    await page.getByLabel('Al', { exact: true }).fill('2024-03-06');
    await page.getByRole('status').filter({ hasText: 'Nessun messaggio contiene «occhiali»' }).waitFor();

    // removing the contact searches everyone again
    await page.getByRole('button', { name: 'Cerca in tutti i contatti, non solo Anna Rossi' }).click();
    await page.waitForFunction(() => !new URL(window.location.href).searchParams.has('contact'));
    await page.getByRole('combobox', { name: 'Contatto' }).waitFor();

    // English
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('combobox', { name: 'Contact' }).fill('Bianc');
    await page.getByRole('option', { name: 'Franco Bianchi' }).click();
    await page.getByTestId('search-contact').filter({ hasText: 'Franco Bianchi' }).waitFor();
    await page.getByRole('button', { name: 'Search every contact, not only Franco Bianchi' }).waitFor();
    await shot('13-search-filtered-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Cerca nei messaggi' }).waitFor();
  });

  it('on a 375 px phone: the breached view, snoozing and canned replies fit the screen', async () => {
    const phone = await browser.newContext({ locale: 'it-IT', timezoneId: 'Europe/Rome', viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    watch(p, problems);
    await signIn(p);
    const overflow = () => p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    await p.goto(`${base}/inbox?view=breaching`);
    await listIs(['Franco Bianchi'], p);
    assert.equal(await overflow(), false, 'no sideways scrolling on the breached view');
    await shot('08-phone-breaching-it', p);
    await openConversation('Franco Bianchi', p);
    await p.getByRole('button', { name: 'Altro' }).click();
    await p.locator('.ib-actions').getByRole('button', { name: 'Posticipa' }).click();
    await p.locator('.ib-snooze').getByLabel('Fino a').waitFor();
    assert.equal(await overflow(), false, 'no sideways scrolling with the snooze form open');
    await shot('09-phone-snooze-it', p);
    await p.locator('.ib-snooze').getByRole('button', { name: 'Annulla' }).click();
    await p.getByRole('button', { name: 'Risposte pronte' }).click();
    await p.locator('.ib-canned-item').first().waitFor();
    assert.equal(await overflow(), false, 'no sideways scrolling with the canned replies open');
    await shot('10-phone-canned-it', p);
    await p.goto(`${base}/settings/canned-replies`);
    await p.getByTestId('canned-list').getByText('/pronti').waitFor();
    assert.equal(await overflow(), false, 'no sideways scrolling on the canned replies settings');
    await shot('10a-phone-canned-settings-it', p);
    const anna = (await conversationByName('Anna Rossi')).contact;
    await p.goto(`${base}/search?q=occhiali&contact=${anna.id}&direction=incoming`);
    await p.getByTestId('search-contact').filter({ hasText: 'Anna Rossi' }).waitFor();
    await p.getByTestId('search-hit').first().waitFor();
    assert.equal(await overflow(), false, 'no sideways scrolling on the search page with a contact chosen');
    await p.getByRole('button', { name: 'Cerca in tutti i contatti, non solo Anna Rossi' }).click();
    await p.getByRole('combobox', { name: 'Contatto' }).fill('Luc');
    await p.getByRole('option', { name: 'Lucia Ferrari' }).waitFor();
    assert.equal(await overflow(), false, 'no sideways scrolling with the contact suggestions open');
    await shot('14-phone-search-it', p);
    await phone.close();
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(problems, []);
  });
});
