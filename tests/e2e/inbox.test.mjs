// Browser test of the shared inbox (issue 4) against the real server: the
// empty inbox says how to import; three WhatsApp chats imported with the real
// CLI appear in the list; opening one shows the messages as bubbles (the
// customer's on the left, ours on the right, the end-to-end notice centred);
// assign to me; a note and a reply (the reply honestly labelled "sent outside
// piazza"); the keyboard (j/k move, e resolves and the conversation leaves the
// open view, ? lists the shortcuts, never while typing); search finds an
// accented word typed without its accent, highlights it and opens the
// conversation at that message; a note and an assignment made in another
// session arrive without reloading, keeping the draft; English; a 375 px
// phone, one pane at a time. Screenshots: test-artifacts/e2e/inbox-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/inbox.test.mjs
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
  BIN, CHROMIUM, LAUNCH, ROOT, SHOTS, startServer, stopServer, watch, conversationByName as findConversation, conversationRow, conversationRows, exact, pageApi, setUpWorkspace,
} from './harness.mjs';

const OWNER = {
  workspace_name: 'Ferramenta Galli',
  workspace_slug: 'ferramenta-galli',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Paolo Galli',
  email: 'paolo@ferramenta.example',
  password: 'Ponte-Vecchio-1345',
};

// Three one-to-one chats as an Italian Android phone exports them; Paolo Galli is the shop's side.
const CHATS = {
  'WhatsApp Chat with Anna Rossi.txt': [
    '05/03/24, 21:10 - I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerli o ascoltarli.',
    '05/03/24, 21:12 - Anna Rossi: Buonasera, perché il mio ordine non è ancora arrivato?',
    "05/03/24, 21:13 - Anna Rossi: L'ho pagato la settimana scorsa",
    '05/03/24, 21:20 - Paolo Galli: Buonasera Anna, controllo subito con il corriere.',
    'Le scrivo domani mattina.',
    '06/03/24, 09:05 - Anna Rossi: Grazie, aspetto notizie',
    '',
  ],
  'WhatsApp Chat with Franco Bianchi.txt': [
    '07/03/24, 10:00 - Franco Bianchi: Avete ancora le scarpe da lavoro taglia 43?',
    '07/03/24, 10:30 - Paolo Galli: Sì, ne abbiamo due paia.',
    '07/03/24, 10:31 - Franco Bianchi: Passo oggi pomeriggio',
    '',
  ],
  'WhatsApp Chat with Lucia Ferrari.txt': [
    '01/03/24, 18:40 - Lucia Ferrari: Fate anche le chiavi per le serrature di sicurezza?',
    '',
  ],
};

describe('the shared inbox in the browser', { timeout: 240_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let context;
  let page;
  let me;
  const problems = [];

  const shot = (name, p = page) => p.screenshot({ path: path.join(SHOTS, `inbox-${name}.png`) });
  const h1 = (p = page) => p.getByRole('heading', { level: 1 });
  const expectH1 = async (text, p = page) => {
    await h1(p).filter({ hasText: text }).waitFor();
    assert.equal((await h1(p).textContent()).trim(), text);
  };
  const rows = (p = page) => conversationRows(p);
  const row = (name, p = page) => conversationRow(p, name);
  const api = pageApi;
  const conversationByName = (name) => findConversation(page, name);
  const openId = (p = page) => Number(/\/inbox\/(\d+)/.exec(new URL(p.url()).pathname)?.[1] ?? 0);

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-inbox-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1480, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    await setUpWorkspace(page, base, { ...OWNER, code });
    me = (await api(page, 'GET', '/api/v1/me')).body.user;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an empty inbox says how to import chats', async () => {
    await page.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo');
    const empty = page.getByTestId('inbox-empty');
    await empty.waitFor();
    assert.match(await empty.textContent(), /Ancora nessuna conversazione/);
    assert.match(await empty.textContent(), /piazza import whatsapp/);
    assert.equal(await empty.getByRole('link', { name: 'Vai alla pagina Importa' }).count(), 1);
    await shot('01-empty-it');
  });

  it('lists the imported chats, newest first, and opens one as chat bubbles', async () => {
    const files = [];
    for (const [name, lines] of Object.entries(CHATS)) {
      const file = path.join(dir, name);
      await writeFile(file, lines.join('\n'));
      files.push(file);
    }
    // and a zip with its attachments: a PDF and a photo in it, a video named but left out
    files.push(path.join(ROOT, 'tests', 'fixtures', 'chats', 'WhatsApp Chat with Anna.zip'));
    for (const file of files) {
      const run = spawnSync(BIN, ['import', 'whatsapp', file, '--db', path.join(dir, 'p.db'), '--me', OWNER.name, '--tz', 'Europe/Rome', '--json'], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, `piazza import ${file}: ${run.stderr}`);
    }
    await page.reload();
    await expectH1('Posta in arrivo');
    await rows().first().waitFor();
    const names = await rows().locator('.ib-row-name').allTextContents();
    assert.deepEqual(names, ['Anna', 'Franco Bianchi', 'Anna Rossi', 'Lucia Ferrari']);
    assert.match(await row('Anna Rossi').textContent(), /Grazie, aspetto notizie/);
    assert.match(await row('Anna Rossi').textContent(), /WhatsApp/);
    assert.match(await page.getByTestId('view-all').textContent(), /4/);

    // attachments: the files the export had can be downloaded, the missing one says so
    await row('Anna').click();
    await page.getByTestId('conversation-title').filter({ hasText: exact('Anna') }).waitFor();
    const pdf = page.getByTestId('messages').getByRole('link', { name: 'preventivo.pdf' });
    await pdf.waitFor();
    assert.match(await pdf.getAttribute('href'), /^\/api\/v1\/attachments\/\d+$/);
    const download = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, size: (await res.arrayBuffer()).byteLength };
    }, await pdf.getAttribute('href'));
    assert.deepEqual(download, { status: 200, size: 29 });
    const video = page.getByTestId('messages').locator('li', { hasText: 'VID-20240613-WA0003.mp4' }).last();
    assert.match(await video.textContent(), /file non presente nell’esportazione/);
    await shot('02-attachments-it');

    await row('Anna Rossi').click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    const messages = page.getByTestId('messages');
    await messages.getByText('perché il mio ordine', { exact: false }).waitFor();
    const pane = await messages.boundingBox();
    const middle = pane.x + pane.width / 2;
    const incoming = await page.locator('[data-direction="incoming"] .ib-bubble').first().boundingBox();
    const outgoing = await page.locator('[data-direction="outgoing"] .ib-bubble').first().boundingBox();
    assert.ok(incoming.x + incoming.width < middle + pane.width * 0.25 && incoming.x < middle, 'the customer writes on the left');
    assert.ok(outgoing.x > pane.x + pane.width * 0.25 && outgoing.x + outgoing.width > middle, 'we write on the right');
    const notice = page.locator('.ib-system').first();
    assert.match(await notice.textContent(), /crittografati end-to-end/);
    const n = await notice.boundingBox();
    assert.ok(Math.abs(n.x + n.width / 2 - middle) < 20, 'a system notice is centred');
    // the multi-line message kept its line break, the times are the local ones
    assert.match(await page.locator('[data-direction="outgoing"] .ib-body').first().innerText(), /corriere\.\nLe scrivo domani mattina\./);
    assert.match(await page.locator('[data-direction="outgoing"] time').first().textContent(), /21:20/);
    // the contact panel: the contact the import created, with a link to their page
    const panel = page.getByTestId('contact-panel');
    await panel.getByRole('link', { name: 'Anna Rossi' }).first().waitFor();
    assert.match(await panel.getByRole('link', { name: 'Apri il contatto' }).getAttribute('href'), /^\/contacts\/\d+$/);
    await shot('03-open-it');
  });

  it('assigns the conversation to me', async () => {
    await page.getByTestId('assign-me').click();
    await row('Anna Rossi').locator('.ib-assignee', { hasText: 'tu' }).waitFor();
    await page.getByTestId('assign-me').waitFor({ state: 'detached' });
    const stored = await conversationByName('Anna Rossi');
    assert.equal(stored.assignee?.id, me.id);
    await page.getByTestId('view-mine').filter({ hasText: '1' }).waitFor();
    await page.getByTestId('view-mine').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="conversation-row"]').length === 1);
    assert.deepEqual(await rows().locator('.ib-row-name').allTextContents(), ['Anna Rossi']);
    await page.getByTestId('view-all').click();
    await rows().nth(3).waitFor();
  });

  it('adds an internal note and records a reply as sent outside piazza', async () => {
    const composer = page.getByLabel('La tua risposta');
    assert.match(await page.locator('.ib-honest').textContent(), /piazza non può ancora inviare su WhatsApp/);
    await page.getByText('Nota interna', { exact: true }).click();
    const noteBox = page.getByLabel('La tua nota interna');
    await noteBox.fill('Ha già pagato con bonifico: verificare con il corriere BRT.');
    await noteBox.press('Control+Enter');
    const note = page.locator('[data-direction="note"]').filter({ hasText: 'verificare con il corriere BRT' });
    await note.waitFor();
    assert.match(await note.textContent(), /Nota interna · Paolo Galli/);
    assert.match(await note.textContent(), /La vede solo il team/);
    assert.equal(await note.getByTestId('sent-outside').count(), 0);

    await page.getByText('Risposta', { exact: true }).click();
    await composer.fill('Il pacco è partito oggi con BRT, arriva giovedì.');
    await page.getByTestId('composer-send').click();
    const reply = page.locator('[data-direction="outgoing"]').filter({ hasText: 'arriva giovedì' });
    await reply.waitFor();
    assert.equal((await reply.getByTestId('sent-outside').textContent()).trim(), 'Inviata fuori da piazza');
    await page.getByText('Risposta registrata. Ricordati di inviarla su WhatsApp.').waitFor();
    assert.equal(await composer.inputValue(), '');
    const id = openId();
    const stored = await api(page, 'GET', `/api/v1/conversations/${id}/messages`);
    const last = stored.body.items.at(-1);
    assert.equal(last.body, 'Il pacco è partito oggi con BRT, arriva giovedì.');
    assert.equal(last.direction, 'outgoing');
    assert.equal(last.sent_outside, true);
    assert.equal(stored.body.items.at(-2).direction, 'note');
    // our reply is now the row's last message
    await row('Anna Rossi').filter({ hasText: 'arriva giovedì' }).waitFor();
    await shot('04-note-reply-it');
  });

  it('moves with j and k, resolves with e (the conversation leaves the open view); not while typing', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } }); // out of the composer
    await page.goto(`${base}/inbox`);
    await rows().nth(3).waitFor();
    const order = await rows().locator('.ib-row-name').allTextContents();
    // the open pane shows it and its row in the list is marked as the current one
    const opened = async (name) => {
      await page.getByTestId('conversation-title').filter({ hasText: name }).waitFor();
      await row(name).and(page.locator('[aria-current="page"]')).waitFor();
    };
    await page.keyboard.press('j');
    await opened(order[0]);
    await page.keyboard.press('j');
    await opened(order[1]);
    await page.keyboard.press('k');
    await opened(order[0]);
    // typing in the composer is typing, not a shortcut
    await page.keyboard.press('r');
    const composer = page.getByLabel('La tua risposta');
    assert.equal(await composer.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.type('je');
    assert.equal(await composer.inputValue(), 'je');
    await page.getByTestId('conversation-title').filter({ hasText: order[0] }).waitFor();
    await composer.fill('');
    await composer.press('Escape');

    const resolvedId = openId();
    await page.keyboard.press('e');
    await page.getByText(`«${order[0]}» risolta.`).waitFor();
    await row(order[0]).waitFor({ state: 'detached' });
    assert.equal(await rows().count(), 3);
    // the next conversation is open
    await page.getByTestId('conversation-title').filter({ hasText: order[1] }).waitFor();
    const stored = await api(page, 'GET', `/api/v1/conversations/${resolvedId}`);
    assert.equal(stored.body.status, 'resolved');
    assert.ok(stored.body.resolved_at);
    await shot('05-resolved-it');

    // the resolved one is under its status, and Reopen brings it back
    await page.locator('#ib-status').selectOption('resolved');
    await row(order[0]).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Risolta' }).waitFor();
    await page.locator('.ib-actions').getByRole('button', { name: 'Riapri' }).click();
    await row(order[0]).waitFor({ state: 'detached' });
    await page.locator('#ib-status').selectOption('');
    await rows().nth(3).waitFor();

    // resolving with the button does the same
    await row(order[1]).click();
    await page.getByTestId('conversation-title').filter({ hasText: order[1] }).waitFor();
    await page.locator('.ib-actions').getByRole('button', { name: 'Risolvi' }).click();
    await row(order[1]).waitFor({ state: 'detached' });
    await api(page, 'PATCH', `/api/v1/conversations/${(await conversationByName(order[1])).id}`, { status: 'open' });

    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts');
    await help.getByText('Risolvi la conversazione aperta').waitFor();
    await shot('06-shortcuts-it');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  it('search finds an accented word typed without the accent, highlights it and opens the message', async () => {
    await page.goto(`${base}/inbox`);
    await rows().first().waitFor();
    await page.keyboard.press('/');
    const box = page.getByLabel('Cerca in tutti i messaggi');
    assert.equal(await box.evaluate((el) => el === document.activeElement), true);
    await box.fill('perche');
    await box.press('Enter');
    await expectH1('Cerca nei messaggi');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'Anna Rossi' }).first();
    await hit.waitFor();
    const marks = await hit.locator('mark').allTextContents();
    assert.ok(marks.some((m) => m.toLowerCase() === 'perché'), `the accented word is highlighted: ${JSON.stringify(marks)}`);
    assert.equal(await hit.locator('mark').first().evaluate((m) => m.children.length), 0, 'a match is text, not HTML');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'perche');
    await shot('07-search-it');
    await hit.click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    const target = page.locator('.ib-hit');
    await target.waitFor();
    assert.match(await target.textContent(), /perché il mio ordine/);
    assert.equal(await target.isVisible(), true);
  });

  it('shows a note and an assignment made in another session without reloading, keeping the draft', async () => {
    const anna = await conversationByName('Anna Rossi');
    const lucia = await conversationByName('Lucia Ferrari');
    await page.goto(`${base}/inbox/${anna.id}`);
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    const composer = page.getByLabel('La tua risposta');
    await composer.fill('Bozza che non deve sparire');
    await page.waitForTimeout(500); // let the event stream connect before the other session writes
    const marker = await page.evaluate(() => {
      window.__notReloaded = true;
      return true;
    });
    assert.equal(marker, true);

    const other = await browser.newContext({ locale: 'it-IT' });
    const p2 = await other.newPage();
    watch(p2, problems);
    await p2.goto(`${base}/`);
    const signedIn = await p2.evaluate(async ({ email, password }) => {
      const res = await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
      return res.status;
    }, OWNER);
    assert.equal(signedIn, 200);
    const posted = await api(p2, 'POST', `/api/v1/conversations/${anna.id}/messages`, { kind: 'note', body: 'Nota da un altro collega: richiamata fatta.' });
    assert.equal(posted.status, 201);
    const assigned = await api(p2, 'PATCH', `/api/v1/conversations/${lucia.id}`, { assignee_id: me.id, priority: 'urgent' });
    assert.equal(assigned.status, 200);

    await page.locator('[data-direction="note"]').filter({ hasText: 'richiamata fatta' }).waitFor();
    await row('Lucia Ferrari').locator('.ib-prio', { hasText: 'Urgente' }).waitFor();
    await row('Lucia Ferrari').locator('.ib-assignee', { hasText: 'tu' }).waitFor();
    assert.equal(await composer.inputValue(), 'Bozza che non deve sparire');
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
    await shot('08-live-it');
    await other.close();
    await composer.fill('');
  });

  it('speaks English', async () => {
    const anna = await conversationByName('Anna Rossi');
    await page.goto(`${base}/inbox/${anna.id}`);
    await page.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expectH1('Inbox');
    for (const label of ['Mine', 'Unassigned', 'All', 'SLA breached']) {
      assert.equal(await page.getByRole('button', { name: new RegExp(`^${label}`) }).count(), 1, `view ${label}`);
    }
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
    assert.match(await page.locator('.ib-honest').textContent(), /piazza cannot send on WhatsApp yet/);
    const outside = page.getByTestId('sent-outside').first();
    assert.equal((await outside.textContent()).trim(), 'Sent outside piazza');
    await shot('09-open-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expectH1('Posta in arrivo');
  });

  it('on a 375 px phone shows one pane at a time with a way back', async () => {
    const phone = await browser.newContext({ locale: 'it-IT', viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    watch(p, problems);
    await p.goto(`${base}/`);
    await p.evaluate(async ({ email, password }) => {
      await fetch('/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    }, OWNER);
    await p.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo', p);
    await rows(p).first().waitFor();
    const overflow = () => p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(await overflow(), false, 'no sideways scrolling on the list');
    await shot('10-phone-list-it', p);
    await row('Anna Rossi', p).click();
    await p.getByTestId('conversation-title').filter({ hasText: 'Anna Rossi' }).waitFor();
    assert.equal(await rows(p).first().isVisible(), false, 'the list hides while a conversation is open');
    assert.equal(await p.getByRole('button', { name: 'Risolvi' }).isVisible(), true);
    assert.equal(await overflow(), false, 'no sideways scrolling in the conversation');
    await shot('11-phone-open-it', p);
    await p.getByRole('button', { name: 'Contatto', exact: true }).click();
    await p.getByTestId('contact-panel').getByRole('link', { name: 'Apri il contatto' }).waitFor();
    await shot('12-phone-contact-it', p);
    await p.getByRole('button', { name: 'Torna alla conversazione' }).click();
    await p.locator('.ib-back').click();
    await rows(p).first().waitFor();
    assert.equal(new URL(p.url()).pathname, '/inbox');
    await phone.close();
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(problems, []);
  });
});
