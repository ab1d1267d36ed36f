// Browser test of the Contacts section's relationship views against the real server: the tabs
// (All, Going cold, Duplicates, Organizations); two suggested duplicates side by side, one
// dismissed as "not a duplicate" and one merged after confirming (the kept contact then has both
// identities and a "merged" entry); a person's organizations edited on the contact page; the
// organizations list and an organization's page with its people (one added and removed there)
// and the combined timeline; the going-cold view with a quick "log a call" that takes the
// customer off the list; the going-cold days in Settings; Italian and English; a 375 px phone.
// Screenshots go to test-artifacts/e2e/relations-*.png.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/relations.test.mjs
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, LAUNCH, SHOTS, startServer, stopServer, watch, setUpWorkspace } from './harness.mjs';

const DAY = 86_400_000;
const OWNER = {
  workspace_name: 'Ferramenta Rossi',
  workspace_slug: 'ferramenta-rossi',
  locale: 'it',
  timezone: 'Europe/Rome',
  name: 'Elena Rossi',
  email: 'elena@ferramenta.example',
  password: 'Ponte-Vecchio-1345',
};

describe('relationship views in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let browser;
  let page;
  const problems = [];
  const ids = {};

  const shot = async (name) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, `relations-${name}.png`), fullPage: true });
  };
  const h1 = () => page.getByRole('heading', { level: 1 });
  const expectH1 = async (text) => {
    await h1().filter({ hasText: text }).waitFor();
    assert.equal((await h1().textContent()).trim(), text);
  };
  /** Calls the API from the page, with its session and CSRF token; returns {status, body}. */
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
  const make = async (url, body) => {
    const r = await call('POST', url, body);
    assert.ok(r.status === 200 || r.status === 201, `${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const noOverflow = async (what) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-relations-'));
    server = startServer(dir);
    let code;
    ({ base, code } = await server.ready);
    browser = await chromium.launch(LAUNCH);
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page, problems);
    await setUpWorkspace(page, base, { ...OWNER, code });

    // an organization with people: two pairs of near-identical names (duplicates by name)
    const now = Date.now();
    ids.org = (await make('/api/v1/organizations', { name: 'Edilizia Bassi Srl', stage: 'customer', website: 'https://ediliziabassi.example' })).contact.id;
    const person = async (name, title, identities = []) => {
      const id = (await make('/api/v1/contacts', { name, stage: 'customer', identities })).contact.id;
      await make(`/api/v1/contacts/${id}/organizations`, { organization_id: ids.org, title });
      return id;
    };
    ids.marco = await person('Marco Verdi', 'Magazzino');
    ids.marco2 = await person('Marco Verde', 'Magazzino');
    ids.paola = await person('Paola Neri', 'Titolare', [{ kind: 'email', value: 'paola@ediliziabassi.example' }]);
    ids.paola2 = await person('Paola Nera', 'Amministrazione', [{ kind: 'phone', value: '+39 347 555 1234' }]);
    await make(`/api/v1/contacts/${ids.org}/timeline`, { kind: 'meeting', direction: 'out', at: now - 3 * DAY, body: 'Visita in cantiere' });
    await make(`/api/v1/contacts/${ids.paola2}/timeline`, { kind: 'call', direction: 'in', at: now - 2 * DAY, body: 'Chiede il preventivo' });
    // a customer nobody has called for 100 days
    ids.cold = (await make('/api/v1/contacts', { name: 'Giorgio Freddi', stage: 'customer' })).contact.id;
    await make(`/api/v1/contacts/${ids.cold}/timeline`, { kind: 'call', direction: 'out', outcome: 'ha risposto', at: now - 100 * DAY });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the Contacts tabs, with the current one marked', async () => {
    await page.goto(`${base}/contacts`);
    await expectH1('Contatti');
    const tabs = page.getByRole('navigation', { name: 'Viste dei contatti' });
    assert.deepEqual(await tabs.getByRole('link').allTextContents(), ['Tutti', 'Si raffreddano', 'Doppioni', 'Organizzazioni']);
    assert.equal(await tabs.getByRole('link', { name: 'Tutti' }).getAttribute('aria-current'), 'page');
    await tabs.getByRole('link', { name: 'Doppioni' }).click();
    await expectH1('Doppioni');
    assert.equal(await tabs.getByRole('link', { name: 'Doppioni' }).getAttribute('aria-current'), 'page');
  });

  it('shows suggested duplicates side by side with the reason; "not a duplicate" removes one', async () => {
    const cards = page.getByTestId('duplicate');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    const marco = cards.filter({ hasText: 'Marco Verdi e Marco Verde' });
    assert.match(await marco.textContent(), /Nomi simili, entrambi presso Edilizia Bassi Srl\./);
    const sides = marco.getByTestId('duplicate-side');
    assert.equal(await sides.count(), 2);
    assert.match(await sides.nth(0).textContent(), /Marco Verdi/);
    assert.match(await sides.nth(1).textContent(), /Marco Verde/);
    await shot('01-duplicates-it');
    await marco.getByRole('button', { name: 'Non è un doppione' }).click();
    await page.getByRole('status').filter({ hasText: 'Marco Verdi e Marco Verde non verranno più proposti.' }).waitFor();
    assert.equal(await cards.count(), 1);
  });

  it('merges a pair after confirming: the kept contact has both identities and a merge entry', async () => {
    const card = page.getByTestId('duplicate').filter({ hasText: 'Paola Neri e Paola Nera' });
    const sides = card.getByTestId('duplicate-side');
    assert.match(await sides.nth(0).textContent(), /paola@ediliziabassi\.example/);
    assert.match(await sides.nth(1).textContent(), /\+39 347 555 1234/);
    assert.match(await sides.nth(1).textContent(), /Amministrazione/);
    assert.match(await sides.nth(1).textContent(), /Cronologia1 voce(?!i)/);
    // the older is chosen by default; keep it explicitly
    await sides.nth(0).getByLabel('Tieni questo').check();
    await card.getByRole('button', { name: 'Unisci' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Unire Paola Nera in Paola Neri?' }).waitFor();
    await shot('02-merge-confirm-it');
    await dialog.getByRole('button', { name: 'Unisci' }).click();
    await page.getByRole('status').filter({ hasText: 'Paola Nera unito in Paola Neri.' }).waitFor();
    await page.getByTestId('dup-empty').waitFor();
    await shot('03-duplicates-done-it');
    await page.getByRole('link', { name: 'Apri il contatto' }).click();
    await expectH1('Paola Neri');
    assert.equal(new URL(page.url()).pathname, `/contacts/${ids.paola}`);
    await page.getByRole('link', { name: /^Scrivi/ }).waitFor();
    await page.getByRole('link', { name: /^Chiama/ }).waitFor();
    const timeline = page.getByTestId('timeline');
    await timeline.locator('[data-kind="merge"]').waitFor();
    assert.match(await timeline.locator('[data-kind="merge"]').textContent(), /Paola Nera/);
    assert.match(await timeline.textContent(), /Chiede il preventivo/);
    // where both had a value the other one is kept in a note, whose opening line is in Italian here
    const note = timeline.locator('[data-kind="note"]').first();
    assert.match(await note.textContent(), /Valori del contatto unito Paola Nera \(#\d+\) che erano diversi:/);
    assert.match(await note.textContent(), /Edilizia Bassi Srl: Amministrazione/);
    // the merged contact is gone
    const gone = await call('GET', `/api/v1/contacts/${ids.paola2}`);
    assert.equal(gone.status, 404);
  });

  it('edits a person\'s organizations on the contact page', async () => {
    const box = page.getByTestId('memberships');
    await box.getByRole('link', { name: 'Edilizia Bassi Srl' }).waitFor();
    assert.match(await box.textContent(), /Titolare/);
    const form = page.getByTestId('membership-form');
    await form.getByLabel('Organizzazione').fill('Studio Gialli & Associati');
    await form.getByLabel('Ruolo').fill('Consulente esterna');
    await form.getByRole('button', { name: 'Aggiungi all’organizzazione' }).click();
    await page.getByRole('status').filter({ hasText: 'Salvato: fa parte di Studio Gialli & Associati.' }).waitFor();
    await box.getByRole('link', { name: 'Studio Gialli & Associati' }).waitFor();
    assert.match(await box.textContent(), /Consulente esterna/);
    await shot('04-contact-memberships-it');
    await box.getByRole('button', { name: 'Rimuovi Studio Gialli & Associati' }).click();
    await page.getByRole('status').filter({ hasText: 'Non fa più parte di Studio Gialli & Associati.' }).waitFor();
    assert.equal(await box.getByRole('link', { name: 'Studio Gialli & Associati' }).count(), 0);
    // an empty organization name is refused in the page
    await form.getByRole('button', { name: 'Aggiungi all’organizzazione' }).click();
    await page.locator('#mb-org-error').waitFor();
  });

  it('opens the organization page from the contact: its people with titles and the combined timeline', async () => {
    await page.getByTestId('memberships').getByRole('link', { name: 'Edilizia Bassi Srl' }).click();
    await expectH1('Edilizia Bassi Srl');
    const people = page.getByTestId('org-people');
    await people.getByRole('link', { name: 'Paola Neri' }).waitFor();
    assert.deepEqual(await people.getByRole('link').allTextContents(), ['Marco Verde', 'Marco Verdi', 'Paola Neri']);
    assert.match(await people.textContent(), /Titolare/);
    const timeline = page.getByTestId('org-timeline');
    await timeline.locator('li').first().waitFor();
    const text = await timeline.textContent();
    assert.match(text, /Visita in cantiere/, 'the organization\'s own meeting');
    assert.match(text, /Chiede il preventivo/, 'a person\'s call');
    const callEntry = timeline.locator('[data-kind="call"]').first();
    assert.equal(await callEntry.getByRole('link', { name: 'Paola Neri' }).count(), 1, 'each entry names its person');
    await shot('05-organization-it');
    // a person joins from the organization's page, picked from what the typing finds, and leaves again
    const add = page.getByTestId('add-person');
    await add.getByRole('button', { name: 'Aggiungi persona' }).click();
    await page.locator('#ap-person-error').waitFor();
    await add.getByLabel('Persona').fill('Giorgio Freddi');
    await page.locator('#ap-person-list option[value="Giorgio Freddi"]').waitFor({ state: 'attached' });
    await add.getByLabel('Ruolo').fill('Consulente');
    await add.getByRole('button', { name: 'Aggiungi persona' }).click();
    await page.getByRole('status').filter({ hasText: 'Giorgio Freddi ora fa parte dell’organizzazione.' }).waitFor();
    await people.getByRole('link', { name: 'Giorgio Freddi' }).waitFor();
    assert.match(await people.textContent(), /Consulente/);
    await people.getByRole('button', { name: 'Rimuovi Giorgio Freddi' }).click();
    await people.getByRole('link', { name: 'Giorgio Freddi' }).waitFor({ state: 'detached' });
  });

  it('lists organizations with their people and searches them', async () => {
    await page.goto(`${base}/contacts/organizations`);
    await expectH1('Organizzazioni');
    const list = page.getByTestId('org-list');
    await list.getByRole('link', { name: 'Edilizia Bassi Srl' }).waitFor();
    assert.match(await list.textContent(), /3 persone/);
    await page.getByLabel('Cerca').fill('gialli');
    await list.getByRole('link', { name: 'Edilizia Bassi Srl' }).waitFor({ state: 'detached' });
    await list.getByRole('link', { name: 'Studio Gialli & Associati' }).waitFor();
    await page.getByLabel('Cerca').fill('');
    // a new organization, and the same name again is refused next to the field
    await page.getByRole('button', { name: 'Nuova organizzazione' }).click();
    const form = page.getByTestId('new-organization');
    await form.getByLabel('Nome').fill('EDILIZIA BASSI S.r.l.');
    await form.getByRole('button', { name: 'Crea organizzazione' }).click();
    await page.locator('#no-name-error').filter({ hasText: 'Esiste già un’organizzazione con questo nome.' }).waitFor();
    await form.getByLabel('Nome').fill('Colorificio Blu');
    await form.getByRole('button', { name: 'Crea organizzazione' }).click();
    await expectH1('Colorificio Blu');
    await page.getByText('Nessuno fa ancora parte di questa organizzazione', { exact: false }).waitFor();
  });

  it('shows my customers going cold and takes one off the list with a quick call', async () => {
    await page.goto(`${base}/contacts/going-cold`);
    await expectH1('Si raffreddano');
    const list = page.getByTestId('cold-list');
    const row = list.locator('li').filter({ hasText: 'Giorgio Freddi' });
    await row.waitFor();
    assert.match(await row.textContent(), /Nessun contatto da 100 giorni/);
    assert.match(await row.textContent(), /Cliente: si raffredda dopo 60 giorni senza contatti/);
    assert.match(await row.textContent(), /100 giorni fa/, 'the strength is explained');
    await shot('06-going-cold-it');
    await row.getByRole('button', { name: 'Registra una telefonata Giorgio Freddi' }).click();
    const quick = row.getByTestId('quick-call');
    await quick.getByLabel('Esito').fill('ha risposto, ordina in primavera');
    await quick.getByRole('button', { name: 'Salva la telefonata' }).click();
    await page.getByRole('status').filter({ hasText: 'Telefonata con Giorgio Freddi registrata.' }).waitFor();
    await list.locator('li').filter({ hasText: 'Giorgio Freddi' }).waitFor({ state: 'detached' });
    const tl = await call('GET', `/api/v1/contacts/${ids.cold}/timeline`);
    assert.equal(tl.body.items[0].kind, 'call');
    assert.equal(tl.body.items[0].outcome, 'ha risposto, ordina in primavera');
  });

  it('lets a manager set the going-cold days in Settings', async () => {
    await page.goto(`${base}/settings/going-cold`);
    const form = page.getByTestId('cold-settings');
    await form.waitFor();
    assert.equal(await form.getByLabel('Clienti, giorni', { exact: true }).inputValue(), '60');
    assert.equal(await form.getByLabel('Potenziali clienti, giorni').inputValue(), '30');
    await form.getByLabel('Clienti, giorni', { exact: true }).fill('0');
    await form.getByRole('button', { name: 'Salva' }).click();
    await page.locator('#cold-customer-error').waitFor();
    await form.getByLabel('Clienti, giorni', { exact: true }).fill('45');
    await form.getByRole('button', { name: 'Salva' }).click();
    await page.getByRole('status').filter({ hasText: 'Salvato' }).waitFor();
    await shot('07-settings-it');
    const s = await call('GET', '/api/v1/settings/going-cold');
    assert.deepEqual(s.body, { customer_days: 45, prospect_days: 30 });
  });

  it('reads in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.goto(`${base}/contacts/organizations/${ids.org}`);
    await expectH1('Edilizia Bassi Srl');
    await page.getByRole('heading', { name: 'Timeline of the organization and its people' }).waitFor();
    await page.goto(`${base}/contacts/duplicates`);
    await expectH1('Duplicates');
    await page.getByText('No duplicates to check').waitFor();
    await page.goto(`${base}/contacts/going-cold`);
    await expectH1('Going cold');
    await page.getByText('Nothing is going cold').waitFor();
    await shot('08-going-cold-empty-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expectH1('Si raffreddano');
  });

  it('fits a 375 px phone', async () => {
    await page.setViewportSize({ width: 375, height: 760 });
    await page.goto(`${base}/contacts/organizations/${ids.org}`);
    await expectH1('Edilizia Bassi Srl');
    await page.getByTestId('org-timeline').waitFor();
    await noOverflow('the organization page');
    await shot('09-phone-organization-it');
    await page.goto(`${base}/contacts/${ids.marco}`);
    await expectH1('Marco Verdi');
    await page.getByTestId('membership-form').waitFor();
    await noOverflow('the contact page');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('had no script errors', () => {
    assert.deepEqual(problems, []);
  });
});
