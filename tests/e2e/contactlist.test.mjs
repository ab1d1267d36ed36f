// Browser test of the contacts list as a whole against the real server:
// filters in the address bar (a reload keeps them), selecting rows with a
// click and a shift-click, a bulk tag, the tag filter, saving a shared view,
// clearing the filters and picking the view back, and downloading the CSV
// and vCard exports of the filtered list. Italian, desktop and a 375 px
// phone. Screenshots go to test-artifacts/e2e/contactlist-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/contactlist.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
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

const PEOPLE = [
  { name: 'Anna Conti', stage: 'customer', identities: [{ kind: 'email', value: 'anna@conti.example' }] },
  { name: 'Bruno Esposito', stage: 'customer', identities: [{ kind: 'phone', value: '333 7654321' }] },
  { name: 'Chiara Ferrari', stage: 'customer' },
  { name: 'Dario Greco', stage: 'customer' },
  { name: 'Elena Marino', stage: 'lead' },
  { name: 'Fabio Romano', stage: 'prospect' },
];

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

describe('contacts list in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let context;
  let page;
  const pageProblems = [];

  const shot = async (name, p = page) => {
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: path.join(SHOTS, `contactlist-${name}.png`), fullPage: true });
  };
  const rows = () => page.getByTestId('contact-list').getByRole('link');
  const rowNames = async () => (await rows().allTextContents()).map((s) => s.trim());
  const waitForNames = async (want) => {
    for (let i = 0; i < 100; i++) {
      if (JSON.stringify(await rowNames()) === JSON.stringify(want)) return;
      await page.waitForTimeout(100);
    }
    assert.deepEqual(await rowNames(), want);
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-contactlist-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${base}/`);
    const created = await page.evaluate(async ({ owner, code: setupCode, people }) => {
      const setup = await fetch('/api/v1/setup', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ ...owner, code: setupCode }),
      });
      const { csrf_token: csrf } = await setup.json();
      let n = 0;
      for (const p of people) {
        const res = await fetch('/api/v1/contacts', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify(p),
        });
        if (res.status === 201) n++;
      }
      return n;
    }, { owner: OWNER, code, people: PEOPLE });
    assert.equal(created, PEOPLE.length);
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

  it('filters are kept in the address bar, so a reload (or a bookmark) shows the same list', async () => {
    await page.goto(`${base}/contacts`);
    await waitForNames(PEOPLE.map((p) => p.name));
    await page.getByLabel('Fase', { exact: true }).selectOption('customer');
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari', 'Dario Greco']);
    assert.match(page.url(), /\/contacts\?stage=customer$/);
    await page.getByLabel('Cerca').fill('esposito');
    await waitForNames(['Bruno Esposito']);
    assert.match(page.url(), /[?&]q=esposito/);
    await page.reload();
    await waitForNames(['Bruno Esposito']);
    assert.equal(await page.getByLabel('Cerca').inputValue(), 'esposito');
    assert.equal(await page.getByLabel('Fase', { exact: true }).inputValue(), 'customer');
    await page.getByLabel('Cerca').fill('');
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari', 'Dario Greco']);
  });

  it('selects a range with a click and a shift-click, and tags the selection in bulk', async () => {
    await page.getByRole('checkbox', { name: 'Seleziona Anna Conti' }).click();
    await page.getByRole('checkbox', { name: 'Seleziona Chiara Ferrari' }).click({ modifiers: ['Shift'] });
    const bar = page.getByTestId('bulk-bar');
    await bar.getByText('3 selezionati').waitFor();
    for (const name of ['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']) {
      assert.equal(await page.getByRole('checkbox', { name: `Seleziona ${name}` }).isChecked(), true, name);
    }
    assert.equal(await page.getByRole('checkbox', { name: 'Seleziona Dario Greco' }).isChecked(), false);
    await shot('01-selected');
    await bar.getByLabel('Modifica', { exact: true }).selectOption('tag_add');
    await bar.getByRole('button', { name: 'Applica' }).click();
    await bar.getByText('Scrivi l’etichetta da aggiungere o togliere.').waitFor();
    await bar.getByLabel('Etichetta').fill('Fiera 2026');
    await bar.getByRole('button', { name: 'Applica' }).click();
    await page.getByRole('status').filter({ hasText: 'Fatto: cambiati 3 contatti su 3.' }).waitFor();
    await bar.waitFor({ state: 'detached' });
    // The tag filter now offers the new tag with its count.
    await page.getByLabel('Etichette', { exact: true }).selectOption('Fiera 2026');
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);
    assert.match(page.url(), /tag=Fiera%202026/);
  });

  it('saves the filters as a shared view, and picks it again after clearing the filters', async () => {
    await page.getByRole('button', { name: 'Salva questi filtri come vista' }).click();
    const form = page.getByTestId('save-view');
    await form.getByLabel('Nome della vista').fill('Clienti della fiera');
    await form.getByLabel('Condividi con tutto lo spazio di lavoro').check();
    await form.getByRole('button', { name: 'Salva' }).click();
    await page.getByRole('status').filter({ hasText: 'Vista «Clienti della fiera» salvata.' }).waitFor();
    assert.equal(await page.getByLabel('Viste salvate').locator('option:checked').textContent(), 'Clienti della fiera (condivisa)');
    await shot('02-view-saved');
    await page.getByRole('button', { name: 'Togli i filtri' }).click();
    await waitForNames(PEOPLE.map((p) => p.name));
    assert.match(page.url(), /\/contacts$/);
    await page.getByLabel('Viste salvate').selectOption({ label: 'Clienti della fiera (condivisa)' });
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);
    assert.match(page.url(), /stage=customer/);
    assert.match(page.url(), /tag=Fiera%202026/);
  });

  it('downloads the filtered list as CSV and as vCard', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    assert.match(csv.suggestedFilename(), /^piazza-contacts-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvText = await readFile(await csv.path(), 'utf8');
    assert.ok(csvText.startsWith('\uFEFFName,Given Name,Family Name,'), csvText.slice(0, 100));
    const names = csvText.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0]).sort();
    assert.deepEqual(names, ['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);
    const [vcf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-vcard').click()]);
    assert.match(vcf.suggestedFilename(), /^piazza-contacts-\d{4}-\d{2}-\d{2}\.vcf$/);
    const vcfText = await readFile(await vcf.path(), 'utf8');
    assert.equal((vcfText.match(/BEGIN:VCARD/g) || []).length, 3);
    assert.match(vcfText, /\r\nFN:Bruno Esposito\r\n/);
    assert.match(vcfText, /\r\nTEL;VALUE=uri:tel:\+393337654321\r\n/);
    assert.match(vcfText, /\r\nCATEGORIES:Fiera 2026\r\n/);

    // One contact's complete data, for a GDPR access request, from the contact's page.
    await rows().filter({ hasText: 'Anna Conti' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anna Conti' }).waitFor();
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('gdpr-export').click()]);
    assert.match(json.suggestedFilename(), /^piazza-contact-\d+\.json$/);
    const data = JSON.parse(await readFile(await json.path(), 'utf8'));
    assert.equal(data.contact.name, 'Anna Conti');
    assert.deepEqual(data.identities.map((i) => i.value), ['anna@conti.example']);
    assert.deepEqual(data.tags, ['Fiera 2026']);
    assert.ok(Array.isArray(data.timeline) && Array.isArray(data.consents) && Array.isArray(data.custom_fields));
    await page.goBack();
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);
  });

  it('edits a contact: identities with the server\'s normalization errors, tags, Markdown notes rendered safely, consents', async () => {
    await page.goto(`${base}/contacts?q=dario`);
    await rows().filter({ hasText: 'Dario Greco' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dario Greco' }).waitFor();
    const ids = page.getByTestId('identity-editor');
    await ids.getByLabel('Tipo', { exact: true }).selectOption('phone');
    await ids.getByLabel('Indirizzo, numero o profilo').fill('12');
    await ids.getByRole('button', { name: 'Aggiungi' }).click();
    await page.locator('#id-value-error').waitFor();
    assert.match(await page.locator('#id-value-error').textContent(), /non è valido/);
    await ids.getByLabel('Indirizzo, numero o profilo').fill('0039 335 111 2233');
    await ids.getByLabel('Etichetta (facoltativa)').fill('cell');
    await ids.getByRole('button', { name: 'Aggiungi' }).click();
    await page.getByRole('link', { name: /^Chiama/ }).waitFor();
    assert.equal(await page.getByRole('link', { name: /^Chiama/ }).getAttribute('href'), 'tel:+393351112233');
    // the same number on another contact is refused, with the reason next to the field
    await ids.getByLabel('Indirizzo, numero o profilo').fill('333 7654321');
    await ids.getByRole('button', { name: 'Aggiungi' }).click();
    await page.locator('#id-value-error').filter({ hasText: 'Un altro contatto' }).waitFor();

    const tags = page.getByTestId('tags');
    await tags.getByLabel('Nuova etichetta').fill('Cena di Natale');
    await tags.getByRole('button', { name: 'Aggiungi etichetta' }).click();
    await tags.getByRole('button', { name: 'Togli l’etichetta Cena di Natale' }).waitFor();
    await tags.getByRole('button', { name: 'Togli l’etichetta Cena di Natale' }).click();
    await tags.getByText('Ancora nessuna etichetta.').waitFor();

    const notes = page.getByTestId('notes');
    await notes.getByRole('button', { name: 'Modifica le note' }).click();
    await notes.locator('textarea').fill('Vuole **due** preventivi:\n- uno per Milano\n- uno per Roma\n\n<img src=x onerror="window.__pwned=1"> [sito](https://example.com) [male](javascript:alert(1))');
    await notes.getByRole('button', { name: 'Salva' }).click();
    await notes.locator('strong', { hasText: 'due' }).waitFor();
    assert.equal(await notes.locator('li').count(), 2);
    assert.equal(await notes.locator('img').count(), 0, 'HTML in notes must not become elements');
    assert.match(await notes.textContent(), /<img src=x onerror=/);
    assert.equal(await notes.getByRole('link', { name: 'sito' }).getAttribute('href'), 'https://example.com');
    assert.equal(await notes.getByRole('link', { name: 'male' }).count(), 0, 'a javascript: link stays text');
    assert.equal(await page.evaluate(() => window.__pwned ?? null), null);

    const consents = page.getByTestId('consents');
    await consents.getByRole('button', { name: 'Registra il consenso' }).click();
    await consents.getByText('Un consenso ha bisogno di una finalità e di dove è stato dato.').waitFor();
    await consents.getByLabel('Finalità').fill('newsletter');
    await consents.getByLabel('Dove è stato dato').fill('modulo web');
    await consents.getByRole('button', { name: 'Registra il consenso' }).click();
    await consents.getByTestId('consent').filter({ hasText: 'newsletter' }).waitFor();
    await consents.getByRole('button', { name: 'Revoca' }).click();
    await consents.getByText(/revocato il/).waitFor();
    await shot('04-contact-edited');
    await page.reload();
    await page.getByTestId('notes').locator('strong', { hasText: 'due' }).waitFor();
    await page.getByTestId('consents').getByText(/revocato il/).waitFor();
  });

  it('selects every contact matching the filters and moves them to another stage; works on a phone', async () => {
    await page.goto(`${base}/contacts`);
    await page.getByLabel('Viste salvate').selectOption({ label: 'Clienti della fiera (condivisa)' });
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);
    await page.getByLabel('Seleziona i 3 mostrati').check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByLabel('Modifica', { exact: true }).selectOption('stage');
    await bar.getByLabel('Fase', { exact: true }).selectOption('advocate');
    await bar.getByRole('button', { name: 'Applica' }).click();
    await page.getByRole('status').filter({ hasText: 'Fatto: cambiati 3 contatti su 3.' }).waitFor();
    await waitForNames([]); // the view asks for customers; they are advocates now
    await page.getByText('Nessun contatto corrisponde a questa ricerca o a questi filtri.').waitFor();
    await page.getByLabel('Fase', { exact: true }).selectOption('advocate');
    await waitForNames(['Anna Conti', 'Bruno Esposito', 'Chiara Ferrari']);

    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 800 });
    await phone.goto(`${base}/contacts?stage=advocate&tag=Fiera%202026`);
    await phone.getByTestId('contact-list').getByRole('link', { name: 'Chiara Ferrari' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
    await phone.screenshot({ path: path.join(SHOTS, 'contactlist-03-phone.png'), fullPage: true });
    await phone.close();
    assert.deepEqual(pageProblems, []);
  });
});
