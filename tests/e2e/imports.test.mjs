// Browser test of importing contacts from the web (issue 3) against the real
// server: set up a workspace, open Contacts → Import, drop a file that is no
// contacts export and see the refusal with file:line, then choose a vCard
// with the file picker, watch the preview (new contacts, a problem with its
// file and line, a sample), confirm, see the result, follow the link to the
// contacts, find the imported person by searching, open them, log a call and
// see it on the timeline; the page in English and on a 375 px phone.
// Screenshots go to test-artifacts/e2e/imports-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/imports.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BIN = path.resolve(ROOT, process.env.PIAZZA_BIN || 'build/piazza');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-artifacts', 'e2e');
const START_TIMEOUT_MS = 10_000;

const OWNER = {
  workspace_name: 'Ferramenta Galli',
  workspace_slug: 'ferramenta-galli',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Paolo Galli',
  email: 'paolo@ferramenta.example',
  password: 'Ponte-Vecchio-1345',
};

// Two people; the second card (from line 10) has an e-mail that is not one, left out and reported.
const VCARD = [
  'BEGIN:VCARD', 'VERSION:3.0', 'FN:Lucia Ferrari', 'N:Ferrari;Lucia;;;', 'ORG:Idraulica Ferrari',
  'TITLE:Titolare', 'TEL;TYPE=CELL:347 555 0101', 'EMAIL:lucia@idraulica-ferrari.example', 'END:VCARD',
  'BEGIN:VCARD', 'VERSION:3.0', 'EMAIL:non-una-mail', 'FN:Nicolò Bassi', 'N:Bassi;Nicolò;;;',
  'TEL;TYPE=WORK:02 5550 2020', 'END:VCARD', '',
].join('\r\n');

function startServer(dir) {
  const child = spawn(BIN, ['serve', '--db', path.join(dir, 'p.db'), '--listen', '127.0.0.1:0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PIAZZA_LOG_LEVEL: process.env.PIAZZA_LOG_LEVEL || 'warn' },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms;\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const url = /piazza listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      const code = /set-up code ([A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(stdout);
      if (url && code) {
        clearTimeout(timer);
        resolve({ base: url[1], code: code[1] });
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      check();
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal});\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`));
    });
  });
  return { child, ready, exited, log: () => stderr };
}

describe('importing contacts in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let context;
  let page;
  let files;
  const pageProblems = [];

  const shot = async (name, p = page) => {
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: path.join(SHOTS, `imports-${name}.png`), fullPage: true });
  };
  const h1 = (p = page) => p.getByRole('heading', { level: 1 });
  const expectH1 = async (text, p = page) => {
    await h1(p).filter({ hasText: text }).waitFor();
    assert.equal((await h1(p).textContent()).trim(), text);
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-imports-'));
    files = path.join(dir, 'files');
    await mkdir(files);
    await writeFile(path.join(files, 'rubrica.vcf'), VCARD);
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${base}/`);
    const status = await page.evaluate(async (body) => {
      const res = await fetch('/api/v1/setup', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      return res.status;
    }, { ...OWNER, code });
    assert.equal(status, 201);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) {
      if (server.child.exitCode === null) server.child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), 10_000));
      const end = await Promise.race([server.exited, timeout]);
      if (end.code === 'timeout') server.child.kill('SIGKILL');
      assert.deepEqual(end, { code: 0, signal: null }, `piazza serve did not exit cleanly on SIGTERM:\n${server.log().slice(-2000)}`);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens the import page from the empty Contacts page', async () => {
    await page.goto(`${base}/contacts`);
    await expectH1('Contatti');
    await page.getByTestId('contacts-empty').getByRole('link', { name: 'Importa contatti' }).click();
    await expectH1('Importa contatti');
    await page.getByTestId('import-dropzone').waitFor();
    await shot('01-choose-it');
  });

  it('a dropped file that is no contacts export is refused with its file and line; nothing is saved', async () => {
    // A real drop event carrying a file, as the browser makes it when a file is dragged in.
    await page.getByTestId('import-dropzone').evaluate((zone) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Data,Importo,Negozio\n2026-11-02,12.50,Forno\n'], 'spesa.csv', { type: 'text/csv' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const chosen = page.getByTestId('import-files');
    await chosen.getByText('spesa.csv').waitFor();
    await page.getByRole('button', { name: 'Carica e mostra l’anteprima' }).click();
    const failed = page.getByTestId('import-failed');
    await failed.waitFor();
    // the server's wording, said in Italian by its code
    assert.match(await failed.textContent(), /spesa\.csv:1: Formato non riconosciuto: non è un vCard/);
    assert.match(await failed.textContent(), /Non è stato salvato nulla/);
    await shot('02-refused-it');
    await failed.getByRole('button', { name: 'Importa altri file' }).click();
    await page.getByTestId('import-dropzone').waitFor();
  });

  it('uploads a vCard chosen with the file picker and shows the preview', async () => {
    await page.locator('#im-files').setInputFiles(path.join(files, 'rubrica.vcf'));
    await page.getByTestId('import-files').getByText('rubrica.vcf').waitFor();
    await page.getByLabel('Formato').selectOption('vcard');
    await page.getByRole('button', { name: 'Carica e mostra l’anteprima' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    assert.equal((await preview.getByTestId('count-created').locator('dd').textContent()).trim(), '2');
    assert.equal((await preview.getByTestId('count-skipped').locator('dd').textContent()).trim(), '0');
    const sample = preview.getByTestId('import-sample');
    await sample.getByText('Lucia Ferrari').waitFor();
    assert.match(await sample.textContent(), /Idraulica Ferrari · Titolare/);
    // the bad e-mail: file, line and what is wrong
    const problems = preview.getByTestId('import-errors');
    const row = problems.locator('tbody tr').first();
    assert.equal((await row.locator('td').nth(0).textContent()).trim(), 'rubrica.vcf');
    assert.equal((await row.locator('td').nth(1).textContent()).trim(), '10');
    assert.match(await row.locator('td').nth(2).textContent(), /non-una-mail/);
    // in Italian, why too (problem.identity.not_email), not the importer's English
    assert.match(await row.locator('td').nth(2).textContent(), /^Recapito tralasciato \(E-mail «non-una-mail»\): non è un indirizzo e-mail\.$/);
    // nothing saved yet
    const count = await page.evaluate(async () => (await (await fetch('/api/v1/contacts')).json()).items.length);
    assert.equal(count, 0);
    assert.match(page.url(), /\/contacts\/import\?job=\d+$/);
    await shot('03-preview-it');
  });

  it('the preview reads in English too', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('heading', { name: 'What the import will do' }).waitFor();
    await page.getByRole('button', { name: 'Import 2 new contacts' }).waitFor();
    assert.match(await page.getByTestId('import-errors').locator('tbody tr').first().locator('td').nth(2).textContent(),
      /^E-mail “non-una-mail” left out: not an e-mail address\.$/);
    await shot('04-preview-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await page.getByRole('heading', { name: 'Cosa farà l’importazione' }).waitFor();
  });

  it('confirms, sees the result and the uploaded file is gone', async () => {
    await page.getByTestId('import-confirm').click();
    const done = page.getByTestId('import-done');
    await done.waitFor();
    assert.match(await done.textContent(), /2 contatti creati/);
    await shot('05-done-it');
    assert.deepEqual(await readdir(path.join(dir, 'uploads')), []);
  });

  it('finds the imported contact by search, opens it, logs a call and sees it on the timeline', async () => {
    await page.getByTestId('import-done').getByRole('link', { name: 'Vai ai contatti' }).click();
    await expectH1('Contatti');
    const list = page.getByTestId('contact-list');
    await list.getByRole('link', { name: 'Nicolò Bassi' }).waitFor();
    await page.getByLabel('Cerca').fill('lucia ferrari');
    await list.getByRole('link', { name: 'Nicolò Bassi' }).waitFor({ state: 'detached' });
    await list.getByRole('link', { name: 'Lucia Ferrari' }).click();
    await expectH1('Lucia Ferrari');
    assert.match(await page.getByRole('link', { name: /^Chiama/ }).getAttribute('href'), /^tel:\+39347/);
    const timeline = page.getByTestId('timeline');
    await timeline.locator('[data-kind="import"]').first().waitFor();
    const form = page.getByTestId('log-form');
    await form.getByLabel('Cosa').selectOption('call');
    await form.getByLabel('Durata in minuti').fill('7');
    await form.getByLabel('Esito').fill('ha risposto');
    await form.getByLabel('Nota').fill('Chiesto il preventivo per la caldaia.');
    await form.getByRole('button', { name: 'Aggiungi alla cronologia' }).click();
    const call = timeline.locator('[data-kind="call"]').first();
    await call.waitFor();
    assert.match(await call.textContent(), /Chiamata/);
    assert.match(await call.textContent(), /7 min/);
    assert.match(await call.textContent(), /Chiesto il preventivo per la caldaia\./);
    assert.equal(await timeline.locator('li').first().getAttribute('data-kind'), 'call');
    await shot('06-contact-it');
  });

  it('lists the import among the recent ones and fits a 375 px phone', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/contacts/import`);
    await expectH1('Importa contatti');
    const recent = page.locator('.recent-imports');
    await recent.getByText('rubrica.vcf').waitFor();
    assert.match(await recent.textContent(), /completata/);
    assert.match(await recent.textContent(), /rifiutata/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the import page is ${overflow}px wider than the phone`);
    await shot('07-phone-it');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('had no script errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
