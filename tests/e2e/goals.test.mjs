// Browser test of the Goals section against the real server: the empty state; an hourly cost set
// by the owner; an objective, a campaign and a tracked link created through the forms; money and
// staff time added (and a negative amount refused next to its field); the short link followed
// (302 to the target with utm_* and the click id pz); a conversion recorded the way an integration
// does (POST /api/v1/conversions with an API token and that pz); the objective page then shows the
// click, the conversion, its value, the cost per conversion and the ROI; the timer of the top bar
// started and stopped; English; a 375 px phone; the keyboard. Screenshots go to
// test-artifacts/e2e/goals-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/goals.test.mjs
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
const plain = (s) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();

describe('goals in the browser', { timeout: 180_000 }, () => {
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
    await p.screenshot({ path: path.join(SHOTS, `goals-${name}.png`), fullPage: true });
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
  const figure = async (id) => plain(await page.getByTestId(id).textContent());
  const noOverflow = async (p, what) => {
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-goals-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    await setUpWorkspace(page, base, { ...OWNER, code });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says what to do when there are no objectives, and the owner sets an hourly cost', async () => {
    await page.goto(`${base}/goals`);
    await expectH1('Obiettivi');
    const empty = page.getByTestId('goals-empty');
    await empty.waitFor();
    assert.match(await empty.textContent(), /Ancora nessun obiettivo/);
    assert.match(await empty.textContent(), /Crea il primo obiettivo/);
    await shot('01-empty-it');

    const rates = page.getByTestId('rates');
    assert.match(await rates.textContent(), /Ancora nessun costo orario/);
    await rates.getByLabel('Per', { exact: true }).selectOption('role:owner');
    await rates.getByLabel('Costo orario (EUR)').fill('40');
    await rates.getByRole('button', { name: 'Salva' }).click();
    await rates.getByText('Ogni Titolare').waitFor();
    assert.match(plain(await rates.textContent()), /40,00 € l’ora/);
  });

  it('creates an objective through the form, with errors by field first', async () => {
    await page.getByRole('button', { name: 'Nuovo obiettivo' }).first().click();
    const form = page.getByTestId('new-objective');
    await form.getByRole('button', { name: 'Crea obiettivo' }).click();
    // nothing typed: the name is the first field in error and takes the focus
    await form.locator('#go-name-error').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'go-name');

    await form.getByLabel('Nome').fill('Iscrizioni alla newsletter');
    await form.getByLabel('Evento di conversione').fill('newsletter_signup');
    await form.getByLabel('Traguardo').fill('20');
    // the period started ten days ago: with nothing counted yet the objective is behind its pace
    await form.getByLabel('Inizio').fill(dayOffset(-10));
    await form.getByLabel('Fine').fill(dayOffset(19));
    await form.getByLabel('Fine').fill(dayOffset(-20));
    await form.getByRole('button', { name: 'Crea obiettivo' }).click();
    // the server refuses an end before the start, and says so next to the end date
    await form.locator('#go-end-error').waitFor();
    await form.getByLabel('Fine').fill(dayOffset(19));
    await form.getByRole('button', { name: 'Crea obiettivo' }).click();

    await expectH1('Iscrizioni alla newsletter');
    state.objective = Number(/\/goals\/(\d+)$/.exec(new URL(page.url()).pathname)[1]);
    assert.ok(state.objective > 0);
    assert.equal(plain(await page.getByTestId('goal-status').first().textContent()), 'A rischio');
    assert.equal(await figure('fig-conversions'), '0');
    assert.equal(await figure('fig-cost'), '0,00 €');
    await page.getByTestId('goal-explanation').waitFor();
    await page.getByTestId('campaigns-empty').waitFor();
  });

  it('creates a campaign and a tracked link with its QR code', async () => {
    await page.getByRole('button', { name: 'Nuova campagna' }).click();
    const form = page.getByTestId('new-campaign');
    await form.getByLabel('Nome').fill('LinkedIn primavera');
    await form.getByLabel('Canale').selectOption('linkedin');
    await form.getByLabel('Budget (EUR)').fill('500');
    await form.getByRole('button', { name: 'Crea campagna' }).click();
    const campaign = page.getByTestId('campaign').filter({ hasText: 'LinkedIn primavera' });
    await campaign.waitFor();
    assert.match(plain(await campaign.textContent()), /Budget500,00 €/);

    await campaign.getByRole('button', { name: 'Link e codici QR' }).click();
    assert.equal(await campaign.getByRole('button', { name: 'Nascondi i link' }).getAttribute('aria-expanded'), 'true');
    await campaign.getByText('Ancora nessun link').waitFor();
    const linkForm = campaign.getByTestId('new-link');
    await linkForm.getByLabel('Pagina di destinazione').fill('https://fornobianchi.example/newsletter?lang=it');
    await linkForm.getByLabel('Etichetta').fill('Post del lunedì');
    await linkForm.getByRole('button', { name: 'Aggiungi link' }).click();
    const row = campaign.getByTestId('link');
    await row.waitFor();
    state.short = await row.getByTestId('short-url').inputValue();
    assert.match(state.short, /^http:\/\/127\.0\.0\.1:\d+\/l\/[A-Za-z0-9_-]+$/);
    assert.match(plain(await row.getByTestId('link-clicks').textContent()), /^clic: 0 · visitatori unici: 0$/);
    // the QR code is drawn (the SVG loaded) and the PNG is there to download
    await row.locator('img.qr').evaluate((img) => (img.complete ? null : new Promise((r) => (img.onload = r))));
    assert.ok((await row.locator('img.qr').evaluate((img) => img.naturalWidth)) > 0, 'the QR SVG is shown');
    const png = await row.getByRole('link', { name: 'Scarica il QR (PNG)' }).getAttribute('href');
    const pngType = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-type'), png);
    assert.equal(pngType, 'image/png');
    await row.getByRole('button', { name: 'Copia' }).click();
    await row.getByText('Copiato negli appunti.').or(row.getByText(/Copia non riuscita/)).waitFor();
    await shot('02-objective-new-it');
  });

  it('adds money and staff time, refusing a negative amount next to its field', async () => {
    const form = page.getByTestId('new-investment');
    await form.getByLabel('Importo').fill('-5');
    await form.getByRole('button', { name: 'Aggiungi', exact: true }).click();
    await form.locator('#gi-amount-error').waitFor();
    assert.match(await form.locator('#gi-amount-error').textContent(), /maggiore di 0/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'gi-amount');

    await form.getByLabel('Importo').fill('120');
    await form.getByLabel('Categoria').selectOption('ads');
    await form.getByLabel('Per', { exact: true }).selectOption({ label: 'LinkedIn primavera' });
    await form.getByRole('button', { name: 'Aggiungi', exact: true }).click();
    await page.getByTestId('investments').getByText('Pubblicità').waitFor();
    await page.getByTestId('fig-cost').filter({ hasText: '120,00' }).waitFor();

    await form.getByLabel('Ore di lavoro').check();
    await form.getByLabel('Ore', { exact: true }).fill('1,5');
    await form.getByLabel('Attività').fill('Testi dei post');
    await form.getByRole('button', { name: 'Aggiungi', exact: true }).click();
    await page.getByTestId('investments').getByText('Testi dei post').waitFor();
    // 120 € + 1.5 h × 40 €/h
    await page.getByTestId('fig-cost').filter({ hasText: '180,00' }).waitFor();
    assert.equal(await figure('fig-cost'), '180,00 €');
  });

  it('follows the short link, records a conversion with a token, and the report changes', async () => {
    const res = await fetch(state.short, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get('location'));
    assert.equal(`${to.origin}${to.pathname}`, 'https://fornobianchi.example/newsletter');
    assert.equal(to.searchParams.get('lang'), 'it');
    assert.equal(to.searchParams.get('utm_source'), 'linkedin');
    assert.equal(to.searchParams.get('utm_medium'), 'social');
    assert.ok(to.searchParams.get('utm_campaign'), 'utm_campaign is set');
    const pz = to.searchParams.get('pz');
    assert.ok(pz, 'the click id pz is added');

    const token = await call('POST', '/api/v1/tokens', { name: 'Sito web' });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const conv = await fetch(`${base}/api/v1/conversions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token.body.secret}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ event: 'newsletter_signup', value: 25, pz, idempotency_key: 'e2e-signup-1' }),
    });
    const convBody = await conv.json();
    assert.equal(conv.status, 201, JSON.stringify(convBody));
    assert.ok(convBody.campaign_id > 0, 'the conversion is attributed to the campaign through pz');

    await page.reload();
    await expectH1('Iscrizioni alla newsletter');
    assert.equal(await figure('fig-conversions'), '1');
    assert.equal(await figure('fig-value'), '25,00 €');
    assert.equal(await figure('fig-cost'), '180,00 €');
    assert.equal(await figure('fig-cpc'), '180,00 €');
    // (25 − 180) ÷ 180 = −86.11 %
    assert.equal(await figure('fig-roi'), '-86,1 %');
    const campaign = page.getByTestId('campaign').filter({ hasText: 'LinkedIn primavera' });
    assert.equal(plain(await campaign.getByTestId('campaign-conversions').textContent()), '1');
    await campaign.getByRole('button', { name: 'Link e codici QR' }).click();
    assert.match(plain(await campaign.getByTestId('link-clicks').textContent()), /^clic: 1 · visitatori unici: 1$/);
    // the funnel: one click, and the conversion
    const funnel = plain(await page.getByTestId('chart-funnel').textContent());
    assert.match(funnel, /Clic1/);
    assert.match(funnel, /newsletter_signup1/);
    // the charts are drawn
    assert.equal(await page.getByTestId('chart-progress').locator('path.chart-actual').count(), 1);
    assert.equal(await page.getByTestId('chart-cost').locator('path.chart-cost').count(), 1);
    await shot('03-objective-report-it');

    // the overview shows the objective with its progress
    await page.getByRole('link', { name: '← Tutti gli obiettivi' }).click();
    await expectH1('Obiettivi');
    const card = page.getByTestId('goal-list').locator('li').first();
    assert.match(plain(await card.textContent()), /1 su 20 \(5 %\)/);
    assert.equal(await card.getByRole('progressbar').getAttribute('aria-valuenow'), '5');
    await shot('04-overview-it');
  });

  it('starts and stops the timer in the top bar, from the keyboard', async () => {
    const timer = page.getByTestId('timer');
    await timer.getByRole('button', { name: 'Timer' }).focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('timer-panel');
    await panel.waitFor();
    await panel.getByLabel('Obiettivo').selectOption({ label: 'Iscrizioni alla newsletter' });
    await panel.getByLabel('Campagna').selectOption({ label: 'LinkedIn primavera' });
    await panel.getByLabel('Attività').fill('Risposte ai commenti');
    await panel.getByRole('button', { name: 'Avvia il timer' }).click();
    await page.getByTestId('timer-clock').waitFor();
    // the timer stays in the header on another page
    await page.getByRole('navigation').getByRole('link', { name: 'Contatti', exact: true }).click();
    await expectH1('Contatti');
    await page.getByTestId('timer-clock').waitFor();
    await shot('05-timer-running-it');
    await page.getByRole('navigation').getByRole('link', { name: 'Obiettivi', exact: true }).click();
    await page.getByRole('link', { name: 'Iscrizioni alla newsletter' }).click();
    await expectH1('Iscrizioni alla newsletter');
    assert.equal(await page.getByTestId('investments').getByText(/Risposte ai commenti/).count(), 0);
    await timer.getByRole('button', { name: /Ferma il timer/ }).click();
    await page.getByTestId('timer-logged').waitFor();
    // a minute at least, priced at the owner's 40 €/h
    assert.match(plain(await page.getByTestId('timer-logged').textContent()), /Registrate 0,02 h/);
    // the open objective page shows the logged time without a reload
    await page.getByTestId('investments').getByText(/Risposte ai commenti/).waitFor();
    assert.match(await figure('fig-cost'), /^180,\d\d €$/);
    assert.notEqual(await figure('fig-cost'), '180,00 €');
  });

  it('speaks English and fits a 375 px phone', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('heading', { name: 'Cost and return' }).waitFor();
    assert.equal(plain(await page.getByTestId('goal-status').first().textContent()), 'At risk');
    // 180 € and the minute of the timer, in English number format
    assert.match(await figure('fig-cost'), /^€180\.\d\d$/);
    await shot('06-objective-en');

    const phone = await browser.newContext({ locale: 'en-GB', viewport: { width: 375, height: 740 }, storageState: await context.storageState() });
    const p2 = await phone.newPage();
    watch(p2, problems);
    await p2.goto(`${base}/goals`);
    await expectH1('Goals', p2);
    await p2.getByTestId('goal-list').waitFor();
    await noOverflow(p2, 'the goals overview');
    await shot('07-phone-overview-en', p2);
    await p2.goto(`${base}/goals/${state.objective}`);
    await expectH1('Iscrizioni alla newsletter', p2);
    await p2.getByTestId('chart-funnel').waitFor();
    await p2.getByTestId('campaign').getByRole('button', { name: 'Links and QR codes' }).click();
    await p2.getByTestId('link').waitFor();
    await noOverflow(p2, 'the objective page');
    await shot('08-phone-objective-en', p2);
    await p2.getByTestId('timer').getByRole('button', { name: 'Timer' }).click();
    await p2.getByTestId('timer-panel').waitFor();
    await noOverflow(p2, 'the open timer');
    await p2.keyboard.press('Escape');
    await p2.getByTestId('timer-panel').waitFor({ state: 'detached' });
    await phone.close();
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(problems, []);
  });
});
