// Browser test of issue 4's web upload of a chat export, against the real server: set up a
// workspace and a second user, open the Import page, choose a WhatsApp export, watch the
// preview (new messages, the date range, the participants with the company's side ticked),
// map "me" to the other user, confirm, see the result and follow "open in the inbox" to the
// conversation; there, check who wrote (through the inbox API), assign it and resolve it in the
// page, and find it again with the search box.
// The page in English too. Screenshots go to test-artifacts/e2e/chat-upload-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/chat_upload.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, LAUNCH, ROOT, SHOTS, startServer, stopServer, watch, setUpWorkspace } from './harness.mjs';

const CHAT = path.join(ROOT, 'tests', 'fixtures', 'chats', 'WhatsApp Chat with Franco.txt');

const OWNER = {
  workspace_name: 'Ferramenta Galli',
  workspace_slug: 'ferramenta-galli',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Paolo Galli',
  email: 'paolo@ferramenta.example',
  password: 'Ponte-Vecchio-1345',
};
const AGENT = { name: 'Giulia Agente', email: 'giulia@ferramenta.example', role: 'agent' };

describe('uploading a WhatsApp chat in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let page;
  let agentId;
  let conversationId;
  const problems = [];

  const shot = async (name) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, `chat-upload-${name}.png`), fullPage: true });
  };
  const api = (method, url, body) =>
    page.evaluate(
      async ({ method, url, body }) => {
        const csrf = (await (await fetch('/api/v1/me')).json()).csrf_token;
        const r = await fetch(url, {
          method,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      { method, url, body },
    );
  const sql = (query) => {
    const r = spawnSync('sqlite3', ['-readonly', '-separator', '|', path.join(dir, 'p.db'), query], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-chat-upload-'));
    await mkdir(path.join(dir, 'files'));
    await copyFile(CHAT, path.join(dir, 'files', path.basename(CHAT)));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    page.setDefaultTimeout(15_000);
    await setUpWorkspace(page, base, { ...OWNER, code });
    await page.goto(`${base}/`);
    const added = await api('POST', '/api/v1/users', AGENT);
    assert.equal(added.status, 201, JSON.stringify(added.body));
    agentId = added.body.user.id;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'no script errors on the pages');
  });

  it('uploads the export and shows each participant, the company side ticked', async () => {
    await page.goto(`${base}/contacts/import`);
    await page.getByTestId('import-dropzone').waitFor();
    await page.locator('#im-files').setInputFiles(path.join(dir, 'files', path.basename(CHAT)));
    await page.getByTestId('import-files').getByText('WhatsApp Chat with Franco.txt').waitFor();
    await page.getByRole('button', { name: 'Carica e mostra l’anteprima' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    assert.match(await preview.textContent(), /4 messaggi nuovi in 1 conversazione, da 1 file/);
    const file = preview.getByTestId('import-file-0');
    assert.equal((await file.getByTestId('count-messages').locator('dd').textContent()).trim(), '4');
    assert.equal((await file.getByTestId('count-duplicates').locator('dd').textContent()).trim(), '0');
    assert.equal((await file.getByTestId('count-created').locator('dd').textContent()).trim(), '1');
    // 01/07/24 10:00 to 10:02, Rome time.
    assert.match(await file.getByTestId('import-dates').textContent(), /1 lug 2024.*10:00.*10:02/);
    await file.getByText('Chi sono le persone dell’azienda?').waitFor();
    const rows = file.getByTestId('import-participant');
    assert.equal(await rows.count(), 2);
    // "Io Azienda" is the company's side (the chat is named after Franco), mapped to whoever imports.
    assert.equal(await file.getByRole('checkbox', { name: 'Io Azienda' }).isChecked(), true);
    assert.equal(await file.getByRole('checkbox', { name: 'Franco' }).isChecked(), false);
    const userForMe = file.getByLabel('Utente per Io Azienda');
    assert.equal(await userForMe.inputValue(), String(assertOwnerId(await api('GET', '/api/v1/me'))));
    assert.equal(await file.getByLabel('Utente per Franco').isDisabled(), true);
    await shot('01-participants-it');
    // The same step in English.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await preview.getByText('Who are the company’s people?').waitFor();
    await preview.getByRole('button', { name: 'Import 4 messages' }).waitFor();
    await shot('02-participants-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await preview.getByText('Chi sono le persone dell’azienda?').waitFor();
  });

  it('maps "me" to a user and confirms: the messages are stored with their direction and author', async () => {
    const file = page.getByTestId('import-file-0');
    await file.getByLabel('Utente per Io Azienda').selectOption({ label: AGENT.name });
    await page.getByRole('button', { name: 'Importa 4 messaggi' }).click();
    const done = page.getByTestId('import-done');
    await done.waitFor();
    assert.match(await done.textContent(), /4 messaggi importati in 1 conversazione; 0 c’erano già/);
    const link = done.getByRole('link', { name: 'Apri nella posta in arrivo' });
    const href = await link.getAttribute('href');
    const m = /^\/inbox\?conversation=(\d+)$/.exec(href);
    assert.ok(m, href);
    conversationId = Number(m[1]);
    await shot('03-done-it');
    assert.deepEqual(sql(`SELECT direction, COALESCE(author_user_id, ''), body FROM messages
      WHERE conversation_id = ${conversationId} ORDER BY sent_at, id`), [
      ['incoming', '', 'uno'],
      ['incoming', '', '<Media omessi>'],
      ['incoming', '', '<Media omessi>'],
      ['outgoing', String(agentId), 'due'],
    ]);
    await link.click();
    await page.waitForURL(`${base}/inbox?conversation=${conversationId}`);
    await shot('04-inbox-it');
  });

  it('in the inbox: who in the company wrote, assign it, resolve it, find it by searching', async () => {
    let stored = await api('GET', `/api/v1/conversations/${conversationId}`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.channel, 'whatsapp');
    const io = stored.body.participants.find((p) => p.name === 'Io Azienda');
    assert.equal(io.is_me, true);
    assert.equal(io.user_id, agentId);
    const franco = stored.body.participants.find((p) => p.name === 'Franco');
    assert.equal(franco.is_me, false);
    assert.ok(franco.contact_id > 0);
    const messages = await api('GET', `/api/v1/conversations/${conversationId}/messages`);
    assert.equal(messages.status, 200, JSON.stringify(messages.body));
    const ours = messages.body.items.find((m) => m.body === 'due');
    assert.equal(ours.direction, 'outgoing');
    assert.equal(ours.author?.id, agentId);
    const theirs = messages.body.items.find((m) => m.body === 'uno');
    assert.equal(theirs.direction, 'incoming');
    assert.equal(theirs.author, null);
    const ownerId = (await api('GET', '/api/v1/me')).body.user.id;

    // the page the import linked to shows the conversation, the company's message on our side
    await page.getByTestId('conversation-title').filter({ hasText: 'Franco' }).waitFor();
    await page.locator('[data-direction="outgoing"]').filter({ hasText: 'due' }).waitFor();
    await page.locator('[data-direction="incoming"]').filter({ hasText: 'uno' }).waitFor();

    await page.getByTestId('assign-me').click();
    await page.getByTestId('assign-me').waitFor({ state: 'detached' });
    stored = await api('GET', `/api/v1/conversations/${conversationId}`);
    assert.equal(stored.body.assignee?.id, ownerId);
    await shot('05-assigned-it');

    await page.locator('.ib-actions').getByRole('button', { name: 'Risolvi' }).click();
    await page.getByText('«Franco» risolta.').waitFor();
    stored = await api('GET', `/api/v1/conversations/${conversationId}`);
    assert.equal(stored.body.status, 'resolved');
    assert.ok(stored.body.resolved_at);

    await page.keyboard.press('/');
    const box = page.getByLabel('Cerca in tutti i messaggi');
    await box.fill('uno');
    await box.press('Enter');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'Franco' }).first();
    await hit.waitFor();
    assert.deepEqual(await hit.locator('mark').allTextContents(), ['uno']);
    await shot('06-search-it');
    await hit.click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Franco' }).waitFor();
  });
});

function assertOwnerId(res) {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.user.id;
}
