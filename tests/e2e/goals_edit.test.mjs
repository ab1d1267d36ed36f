// Browser test of the Goals pages beyond creation, against the real server: an objective edited
// through its form (name, target, channels, funnel steps), a campaign edited (name, budget,
// expected conversions), a tracked link's address changed (and the short link then sends people
// there), the site-script snippet with piazza.js and piazza.track("…") and its copy button, the
// funnel with the rate between steps, ROI over time drawn once money is spent and a conversion
// brings value, a response-time objective made through the form with its empty state, and the
// same page in English. Screenshots go to test-artifacts/e2e/goals-edit-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/goals_edit.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, LAUNCH, SHOTS, startServer, stopServer, watch, setUpWorkspace } from './harness.mjs';

const OWNER = {
  workspace_name: 'Forno Bianchi',
  workspace_slug: 'forno-bianchi',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Giulia Bianchi',
  email: 'giulia@fornobianchi.example',
  password: 'Lievito-Madre-2026',
};

const dayOffset = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
/** The text of an element with its spaces made plain (Intl uses narrow no-break spaces). */
const plain = (s) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

describe('goals in the browser: editing, the site script, ROI over time, response time', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let context;
  let page;
  const problems = [];
  const state = {};

  const shot = async (name, p = page) => {
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: path.join(SHOTS, `goals-edit-${name}.png`), fullPage: true });
  };
  const h1 = (p = page) => p.getByRole('heading', { level: 1 });
  const expectH1 = async (text, p = page) => {
    await h1(p).filter({ hasText: text }).waitFor();
    assert.equal((await h1(p).textContent()).trim(), text);
  };
  const call = (method, url, body) =>
    page.evaluate(
      async ({ method, url, body }) => {
        const me = await (await fetch('/api/v1/me')).json();
        const res = await fetch(url, {
          method,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      },
      { method, url, body },
    );

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-goals-edit-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    await setUpWorkspace(page, base, { ...OWNER, code });
    // What the first browser test makes through the forms, made here through the API.
    const o = await call('POST', '/api/v1/objectives', {
      name: 'Iscrizioni', metric: 'conversions', event: 'newsletter_signup', target: 20, start: dayOffset(-10), end: dayOffset(19),
    });
    assert.equal(o.status, 201);
    state.objective = o.body.id;
    const c = await call('POST', '/api/v1/campaigns', { name: 'LinkedIn', objective_id: state.objective, channel: 'linkedin', budget: 500 });
    assert.equal(c.status, 201);
    state.campaign = c.body.id;
    const l = await call('POST', '/api/v1/links', { url: 'https://fornobianchi.example/vecchia', campaign_id: state.campaign });
    assert.equal(l.status, 201);
    state.link = l.body;
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('edits an objective: name, target, channels and funnel steps', async () => {
    await page.goto(`${base}/goals/${state.objective}`);
    await expectH1('Iscrizioni');
    await page.getByRole('button', { name: 'Modifica obiettivo' }).click();
    const form = page.getByTestId('edit-objective');
    assert.equal(await form.getByLabel('Nome').inputValue(), 'Iscrizioni');
    assert.equal(await form.getByLabel('Traguardo').inputValue(), '20');
    await form.getByLabel('Nome').fill('Iscrizioni alla newsletter');
    await form.getByLabel('Traguardo').fill('0');
    await form.getByRole('button', { name: 'Salva le modifiche' }).click();
    await form.locator('#ge-target-error').waitFor();
    await form.getByLabel('Traguardo').fill('40');
    await form.getByLabel('LinkedIn').check();
    await form.getByLabel('Newsletter').check();
    await form.getByLabel('Passaggi del funnel').fill('click, visit, newsletter_signup');
    await shot('01-edit-objective-it');
    await form.getByRole('button', { name: 'Salva le modifiche' }).click();
    await expectH1('Iscrizioni alla newsletter');
    await form.waitFor({ state: 'detached' });
    assert.match(plain(await page.locator('.goal-figures').textContent()), /0 su 40/);
    const saved = await call('GET', `/api/v1/objectives/${state.objective}`);
    assert.deepEqual(saved.body.channels, ['linkedin', 'newsletter']);
    assert.deepEqual(saved.body.funnel, ['click', 'visit', 'newsletter_signup']);
    assert.equal(saved.body.target, 40);
  });

  it('edits a campaign and changes where a tracked link sends people', async () => {
    const campaign = page.getByTestId('campaign').filter({ hasText: 'LinkedIn' });
    await campaign.getByRole('button', { name: 'Modifica' }).click();
    const form = page.getByTestId('edit-campaign');
    await form.getByLabel('Nome').fill('LinkedIn autunno');
    await form.getByLabel('Budget (EUR)').fill('750');
    await form.getByLabel('Atteso (nella misura dell’obiettivo)').fill('25');
    await form.getByRole('button', { name: 'Salva le modifiche' }).click();
    const edited = page.getByTestId('campaign').filter({ hasText: 'LinkedIn autunno' });
    await edited.waitFor();
    assert.match(plain(await edited.textContent()), /Budget ?750,00 €/);
    const c = await call('GET', `/api/v1/campaigns/${state.campaign}`);
    assert.equal(c.body.target, 25);
    assert.equal(c.body.utm_campaign, 'linkedin', 'links already handed out keep their utm_campaign');

    await edited.getByRole('button', { name: 'Link e codici QR' }).click();
    const row = edited.getByTestId('link');
    await row.waitFor();
    await row.getByRole('button', { name: 'Modifica' }).click();
    const linkForm = row.getByTestId('edit-link');
    await linkForm.getByLabel('Pagina di destinazione').fill('non un indirizzo');
    await linkForm.getByRole('button', { name: 'Salva il link' }).click();
    await linkForm.locator('.field-error').first().waitFor();
    await linkForm.getByLabel('Pagina di destinazione').fill('https://fornobianchi.example/nuova');
    await linkForm.getByRole('button', { name: 'Salva il link' }).click();
    await row.getByTestId('link-url').filter({ hasText: 'https://fornobianchi.example/nuova' }).waitFor();
    // The same short link now sends people to the new page.
    const res = await fetch(state.link.short_url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get('location'));
    assert.equal(`${to.origin}${to.pathname}`, 'https://fornobianchi.example/nuova');
    assert.equal(to.searchParams.get('utm_source'), 'linkedin');
    state.pz = to.searchParams.get('pz');
    assert.ok(state.pz);
  });

  it('shows the site script with piazza.track and a copy button', async () => {
    const card = page.getByTestId('site-script');
    await card.scrollIntoViewIfNeeded();
    const code = await card.getByTestId('site-script-code').inputValue();
    assert.match(code, new RegExp(`<script src="${base.replace(/[.]/g, '\\.')}/t/piazza\\.js" data-site="forno-bianchi"></script>`));
    assert.match(code, /piazza\.track\("newsletter_signup"\);/);
    // the script it names is served, without cookies
    const js = await fetch(`${base}/t/piazza.js`);
    assert.equal(js.status, 200);
    assert.match(await js.text(), /function track\(e\)/);
    await card.getByRole('button', { name: 'Copia il codice' }).click();
    await card.getByText('Copiato negli appunti.').or(card.getByText(/Copia non riuscita/)).waitFor();
  });

  it('draws ROI over time and the funnel with the rates between steps', async () => {
    // Before any cost there is no ROI to draw, and the chart says when it starts.
    await page.getByTestId('chart-roi').getByText('La linea del ROI parte quando si spende qualcosa.').waitFor();
    assert.equal((await call('POST', '/api/v1/investments', { kind: 'money', date: dayOffset(-2), amount: 100, category: 'ads', campaign_id: state.campaign })).status, 201);
    // The visit the site script sends, then the conversion with the click id, worth 250 €.
    const pixel = await fetch(`${base}/t/forno-bianchi.gif?e=visit&pz=${encodeURIComponent(state.pz)}`);
    assert.equal(pixel.status, 200);
    assert.equal((await call('POST', '/api/v1/conversions', { event: 'newsletter_signup', value: 250, pz: state.pz, idempotency_key: 'e2e-1' })).status, 201);
    await page.reload();
    await expectH1('Iscrizioni alla newsletter');
    const roi = page.getByTestId('chart-roi');
    await roi.locator('svg path.chart-actual').waitFor();
    assert.match(plain(await roi.locator('.chart-caption').textContent()), /^ROI finora: 150 % \(250,00 € di valore contro 100,00 € di costo\)\.$/);
    const steps = page.getByTestId('chart-funnel').locator('.funnel-step');
    assert.equal(await steps.count(), 3);
    assert.match(plain(await steps.nth(1).textContent()), /100 %/); // 1 click → 1 visit
    assert.match(plain(await steps.nth(2).textContent()), /newsletter_signup|Iscrizion/i);
    await shot('02-objective-roi-it');
  });

  it('makes a response-time objective through the form; its page says what to do without messages', async () => {
    await page.goto(`${base}/goals`);
    await page.getByRole('button', { name: 'Nuovo obiettivo' }).first().click();
    const form = page.getByTestId('new-objective');
    await form.getByLabel('Nome').fill('Rispondere entro un’ora');
    await form.getByLabel('Che cosa conta').selectOption('response_time');
    assert.equal(await form.getByLabel('Evento di conversione').count(), 0, 'no event for a response time');
    await form.getByLabel('Minuti al massimo').fill('60');
    await form.getByLabel('WhatsApp').check();
    await form.getByRole('button', { name: 'Crea obiettivo' }).click();
    await expectH1('Rispondere entro un’ora');
    assert.equal(plain(await page.getByTestId('goal-status').first().textContent()), 'In linea');
    await page.getByTestId('responses').getByText(/Ancora nessun messaggio di clienti nel periodo/).waitFor();
    assert.match(plain(await page.locator('.goal-figures').textContent()), /0 min su 60 min/);
    await shot('03-response-time-it');
  });

  it('speaks English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('heading', { name: 'Response times by channel' }).waitFor();
    const en = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, storageState: await context.storageState() });
    const p = await en.newPage();
    watch(p, problems);
    await p.goto(`${base}/goals/${state.objective}`);
    await expectH1('Iscrizioni alla newsletter', p);
    await p.getByRole('button', { name: 'Edit objective' }).waitFor();
    await p.getByRole('heading', { name: 'Track conversions on your website' }).waitFor();
    assert.match(plain(await p.getByTestId('chart-roi').locator('.chart-caption').textContent()), /^ROI so far: 150 %/);
    await shot('04-objective-en', p);
    await en.close();
    assert.deepEqual(problems, []);
  });
});
