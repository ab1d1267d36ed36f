// Browser test of the Contacts pages against the real server (same harness as
// shell.test.mjs): set up a workspace through the API from the page, see the
// honest empty state, create a contact through the UI, find it by searching
// without accents, open it, log a call and see it on the timeline, change the
// stage and see the stage_change entry, then check that a consultant sees no
// edit controls, in Italian and English, on a desktop and a 375 px phone.
// Screenshots go to test-artifacts/e2e/contacts-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/contacts.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
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
  workspace_name: 'Bottega Verdi',
  workspace_slug: 'bottega-verdi',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Giulia Verdi',
  email: 'giulia@bottega.example',
  password: 'Ponte-Vecchio-1345',
};
const CONSULTANT = { email: 'carla@studio.example', name: 'Carla Neri', password: 'Torre-di-Pisa-1372' };

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

describe('contacts in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let context;
  let page;
  let contactUrl;
  const pageProblems = [];

  const shot = async (name, p = page) => {
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: path.join(SHOTS, `contacts-${name}.png`), fullPage: true });
  };
  const h1 = (p = page) => p.getByRole('heading', { level: 1 });
  const expectH1 = async (text, p = page) => {
    await h1(p).filter({ hasText: text }).waitFor();
    assert.equal((await h1(p).textContent()).trim(), text);
  };

  const launchOptions = {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
  };

  const watch = (p) => {
    p.setDefaultTimeout(10_000);
    p.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
    });
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-contacts-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(launchOptions);
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    watch(page);
    // set up through the API from the page, so the session cookie lands in this browser
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
    // a consultant, added on the command line as an administrator would
    const r = spawnSync(
      BIN,
      ['user', 'add', '--db', path.join(dir, 'p.db'), '--email', CONSULTANT.email, '--name', CONSULTANT.name, '--role', 'consultant', '--password-stdin'],
      { input: `${CONSULTANT.password}\n`, encoding: 'utf8', env: { ...process.env, PIAZZA_LOG_LEVEL: 'warn' } },
    );
    assert.equal(r.status, 0, `user add: ${r.stdout}\n${r.stderr}`);
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

  it('shows an honest empty state that says how to import', async () => {
    await page.goto(`${base}/contacts`);
    await expectH1('Contatti');
    const empty = page.getByTestId('contacts-empty');
    await empty.waitFor();
    assert.match(await empty.textContent(), /Ancora nessun contatto/);
    assert.match(await empty.textContent(), /piazza import contacts\.vcf --db/);
    await shot('01-empty-it');
  });

  it('creates a contact through the form, with server errors next to the field', async () => {
    await page.getByRole('button', { name: 'Nuovo contatto' }).click();
    const form = page.getByTestId('new-contact');
    // nothing typed: the name is required
    await form.getByRole('button', { name: 'Crea contatto' }).click();
    await page.locator('#nc-name-error').waitFor();
    // a phone number the server refuses: its error lands next to the phone
    await page.getByLabel('Nome', { exact: true }).fill('José Álvarez');
    await page.getByLabel('Telefono').fill('abc');
    await form.getByRole('button', { name: 'Crea contatto' }).click();
    await page.locator('#nc-phone-error').waitFor();
    assert.match(await page.locator('#nc-phone-error').textContent(), /non è valido/);
    await shot('02-new-error-it');

    await page.getByLabel('Telefono').fill('+39 333 123 4567');
    await page.getByLabel('E-mail').fill('jose@alvarez.example');
    await page.getByLabel('Fase', { exact: true }).selectOption('lead');
    await page.getByLabel('Tipo', { exact: true }).selectOption('customer');
    await form.getByRole('button', { name: 'Crea contatto' }).click();
    await expectH1('José Álvarez');
    contactUrl = page.url();
    assert.match(new URL(contactUrl).pathname, /^\/contacts\/\d+$/);
  });

  it('finds the contact by searching without accents', async () => {
    // a second contact, so the search has something to leave out
    await page.evaluate(async () => {
      const me = await (await fetch('/api/v1/me')).json();
      await fetch('/api/v1/contacts', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ name: 'Marta Bianchi', stage: 'customer' }),
      });
    });
    await page.goto(`${base}/contacts`);
    const list = page.getByTestId('contact-list');
    await list.getByRole('link', { name: 'Marta Bianchi' }).waitFor();
    await page.getByLabel('Cerca').fill('jose');
    await list.getByRole('link', { name: 'Marta Bianchi' }).waitFor({ state: 'detached' });
    assert.equal(await list.getByRole('link').count(), 1);
    await shot('03-search-it');
    await list.getByRole('link', { name: 'José Álvarez' }).click();
    await expectH1('José Álvarez');
    assert.equal(page.url(), contactUrl);
  });

  it('shows identities with their actions and the explained strength', async () => {
    assert.equal(await page.getByRole('link', { name: /^Scrivi/ }).getAttribute('href'), 'mailto:jose@alvarez.example');
    assert.match(await page.getByRole('link', { name: /^Chiama/ }).getAttribute('href'), /^tel:\+39333/);
    assert.match(await page.getByRole('link', { name: /^WhatsApp/ }).getAttribute('href'), /^https:\/\/wa\.me\/39333\d+$/);
    const explanation = await page.getByTestId('strength-explanation').textContent();
    assert.ok(explanation.trim().length > 0);
  });

  it('logs a call and shows it on the timeline', async () => {
    const form = page.getByTestId('log-form');
    await form.getByLabel('Cosa').selectOption('call');
    await form.getByLabel('Durata in minuti').fill('12');
    await form.getByLabel('Esito').fill('ha risposto');
    await form.getByLabel('Nota').fill('Parlato del listino di primavera.');
    await form.getByRole('button', { name: 'Aggiungi alla cronologia' }).click();
    const timeline = page.getByTestId('timeline');
    const call = timeline.locator('[data-kind="call"]').first();
    await call.waitFor();
    assert.match(await call.textContent(), /Chiamata/);
    assert.match(await call.textContent(), /12 min/);
    assert.match(await call.textContent(), /Parlato del listino di primavera\./);
    // newest first
    assert.equal(await timeline.locator('li').first().getAttribute('data-kind'), 'call');
  });

  it('changes the stage and shows the stage_change entry', async () => {
    await page.getByLabel('Fase', { exact: true }).selectOption('customer');
    await page.getByRole('status').filter({ hasText: 'Fase cambiata in Cliente' }).waitFor();
    const first = page.getByTestId('timeline').locator('li').first();
    await page.getByTestId('timeline').locator('[data-kind="stage_change"]').first().waitFor();
    assert.equal(await first.getAttribute('data-kind'), 'stage_change');
    await shot('04-contact-it');
  });

  it('shows the contact in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('heading', { name: 'Log a call or meeting' }).waitFor();
    await shot('05-contact-en');
    await page.goto(`${base}/contacts`);
    await expectH1('Contacts');
    await page.getByLabel('Search').waitFor();
    await shot('06-list-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expectH1('Contatti');
  });

  it('fits a 375 px phone', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/contacts`);
    await page.getByTestId('contact-list').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the list page is ${overflow}px wider than the phone`);
    await shot('07-phone-list-it');
    await page.goto(contactUrl);
    await expectH1('José Álvarez');
    const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow2 <= 0, `the contact page is ${overflow2}px wider than the phone`);
    await shot('08-phone-contact-it');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('shows a consultant no edit controls', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    const p = await ctx.newPage();
    watch(p);
    await p.goto(`${base}/`);
    await p.getByLabel('E-mail', { exact: true }).fill(CONSULTANT.email);
    await p.getByLabel('Password', { exact: true }).fill(CONSULTANT.password);
    await p.getByRole('button', { name: /^(Accedi|Sign in)$/ }).click();
    await p.getByRole('navigation').first().waitFor();
    await p.goto(`${base}/contacts`);
    await p.getByTestId('contact-list').getByRole('link', { name: 'José Álvarez' }).waitFor();
    assert.equal(await p.getByRole('button', { name: /New contact|Nuovo contatto/ }).count(), 0);
    await p.getByTestId('contact-list').getByRole('link', { name: 'José Álvarez' }).click();
    await expectH1('José Álvarez', p);
    await p.getByTestId('timeline').waitFor();
    assert.equal(await p.getByTestId('log-form').count(), 0);
    assert.equal(await p.locator('select').count(), 0);
    assert.equal(await p.getByRole('button', { name: /Delete contact|Elimina contatto/ }).count(), 0);
    await p.getByTestId('contact-stage').waitFor();
    await shot('09-consultant', p);
    await ctx.close();
  });

  it('lets the owner delete the contact after confirming', async () => {
    await page.goto(contactUrl);
    await expectH1('José Álvarez');
    await page.getByRole('button', { name: 'Elimina contatto' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Elimina contatto' }).click();
    await expectH1('Contatti');
    await page.getByTestId('contact-list').getByRole('link', { name: 'Marta Bianchi' }).waitFor();
    assert.equal(await page.getByTestId('contact-list').getByRole('link', { name: 'José Álvarez' }).count(), 0);
  });

  it('had no script errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
