// Browser test of piazza's UI against the real server: it starts `piazza serve`
// on a free loopback port with a new database, drives Debian's Chromium through
// playwright-core, and walks through what a new company does first: set up,
// sign out and in, every section, API tokens, a second user with a temporary
// password, the audit log, the language switch, and the phone layout.
// Screenshots go to test-artifacts/e2e/ for a person to look at.
//
// Run:  PIAZZA_BIN=build/piazza node --test tests/e2e/
// Env:  PIAZZA_BIN (default build/piazza), CHROMIUM (default /usr/bin/chromium)

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
  workspace: 'Trattoria Da Ada',
  slug: 'trattoria-da-ada',
  name: 'Ada Lovelace',
  email: 'ada@trattoria.example',
  password: 'Campo-dei-Fiori-1600',
};
const AGENT = {
  name: 'Bruno Rossi',
  email: 'bruno@trattoria.example',
  password: 'Piazza-Navona-1651',
};

/** Starts the server and resolves once it has printed its address and set-up code. */
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
      () => reject(new Error(`server did not print its address and set-up code within ${START_TIMEOUT_MS} ms;\nstdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`)),
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

/** A set-up code that is certainly not the real one (same shape). */
function wrongCode(code) {
  return code.startsWith('ZZZZ') ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ';
}

describe('piazza in the browser', { timeout: 180_000 }, () => {
  let dir;
  let server;
  let base;
  let setupCode;
  let browser;
  let context;
  let page;
  const pageProblems = [];

  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const h1 = (p = page) => p.getByRole('heading', { level: 1 });
  const expectH1 = async (text, p = page) => {
    const heading = h1(p);
    await heading.filter({ hasText: text }).waitFor();
    assert.equal((await heading.textContent()).trim(), text);
  };
  const nav = (p = page, name = 'Principale') => p.getByRole('navigation', { name });
  const accountButton = (userName, p = page) =>
    p.getByRole('button', { name: new RegExp(`^(Account menu|Menu dell’account): ${userName}$`) });
  const signOut = async (userName, signedOutText) => {
    await accountButton(userName).click();
    await page.getByRole('button', { name: /^(Esci|Sign out)$/ }).click();
    await page.getByRole('status').filter({ hasText: signedOutText }).waitFor();
  };
  const signIn = async (email, password) => {
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: /^(Accedi|Sign in)$/ }).click();
  };

  before(async () => {
    assert.ok(existsSync(BIN), `piazza binary not found at ${BIN} (build it with make, or set PIAZZA_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM)`);
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'piazza-e2e-'));
    server = startServer(dir);
    ({ base, code: setupCode } = await server.ready);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-gpu',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    // An Italian browser: before any choice the UI must follow it.
    context = await browser.newContext({
      locale: 'it-IT',
      viewport: { width: 1280, height: 860 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // script errors and CSP violations; answers like 401 are expected and not counted
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageProblems.push(`console: ${msg.text()}`);
    });
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

  it('shows the first-run set-up page in the browser language and creates the workspace', async () => {
    await page.goto(`${base}/`);
    await expectH1('Configura piazza');
    assert.equal(await page.locator('html').getAttribute('lang'), 'it');

    await page.getByLabel('Nome dell’azienda o dello spazio di lavoro').fill(OWNER.workspace);
    // the short name follows the workspace name until edited
    assert.equal(await page.getByLabel('Nome breve').inputValue(), OWNER.slug);
    assert.equal(await page.getByLabel('Fuso orario').inputValue(), 'Europe/Rome');
    assert.equal(await page.getByLabel('Lingua', { exact: true }).inputValue(), 'it');
    await page.getByLabel('Il tuo nome').fill(OWNER.name);
    await page.getByLabel('E-mail').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);

    // a wrong code: the server's error is shown, translated, next to the code field
    const code = page.getByLabel('Codice di configurazione');
    await code.fill(wrongCode(setupCode));
    await page.getByRole('button', { name: 'Crea lo spazio di lavoro' }).click();
    const codeError = page.locator('#code-error');
    await codeError.waitFor();
    assert.match(await codeError.textContent(), /Codice di configurazione errato/);
    assert.equal(await codeError.getAttribute('role'), 'alert');
    assert.match(await code.getAttribute('aria-describedby'), /\bcode-error\b/);
    assert.equal(await code.getAttribute('aria-invalid'), 'true');
    await shot('01-setup-wrong-code');

    await code.fill(setupCode.toLowerCase()); // typed in lower case: the page upper-cases it
    await page.getByRole('button', { name: 'Crea lo spazio di lavoro' }).click();
    await expectH1('Posta in arrivo');
    assert.equal(new URL(page.url()).pathname, '/inbox');
    assert.equal((await page.getByTestId('workspace-name').textContent()).trim(), OWNER.workspace);
    // the inbox is built (tests/e2e/inbox.test.mjs): with no conversations yet it says how to import chats
    assert.match(await page.locator('.empty-state').textContent(), /piazza import whatsapp/);
    await shot('02-inbox-it');
  });

  it('signs out', async () => {
    await signOut(OWNER.name, 'Uscita effettuata.');
    await expectH1('Accedi');
    // the session is really gone on the server
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401);
    await shot('03-signed-out-it');
  });

  it('shows an error for a wrong password', async () => {
    await signIn(OWNER.email, 'not-the-password-at-all');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'E-mail o password errate.' }).waitFor();
    await expectH1('Accedi');
    await shot('04-wrong-password-it');
  });

  it('signs in again', async () => {
    await signIn(OWNER.email, OWNER.password);
    await expectH1('Posta in arrivo');
    await accountButton(OWNER.name).click();
    assert.equal((await page.getByTestId('user-role').textContent()).trim(), 'Titolare');
    await page.keyboard.press('Escape');
    await page.getByTestId('user-role').waitFor({ state: 'detached' });
    assert.equal(await accountButton(OWNER.name).getAttribute('aria-expanded'), 'false');
  });

  it('reaches every section through the navigation', async () => {
    const sections = [
      ['Contatti', '/contacts'],
      ['Obiettivi', '/goals'],
      ['Piano', '/plan'],
      ['Community', '/community'],
      ['Analisi', '/insights'],
      ['Persone', '/people'],
      ['Posta in arrivo', '/inbox'],
    ];
    for (const [label, route] of sections) {
      const link = nav().getByRole('link', { name: label, exact: true });
      await link.click();
      await expectH1(label);
      assert.equal(new URL(page.url()).pathname, route);
      assert.equal(await link.getAttribute('aria-current'), 'page');
      // Contacts is built (tests/e2e/contacts.test.mjs): with no contacts yet it says how to import
      if (route === '/contacts') assert.match(await page.locator('.empty-state').textContent(), /piazza import/);
      // Goals is built (tests/e2e/goals.test.mjs): with no objectives yet it says how to start one
      else if (route === '/goals') assert.match(await page.locator('.empty-state').textContent(), /Crea il primo obiettivo/);
      else if (route === '/inbox') assert.match(await page.locator('.empty-state').textContent(), /Ancora nessuna conversazione/);
      else assert.match(await page.locator('.empty-state').textContent(), /Non ancora disponibile/);
    }
    await nav().getByRole('link', { name: 'Contatti', exact: true }).click();
    await page.getByText('Ancora nessun contatto').waitFor();
    await shot('05-contacts-it');

    await nav().getByRole('link', { name: 'Impostazioni', exact: true }).click();
    await expectH1('Impostazioni');
    assert.equal(new URL(page.url()).pathname, '/settings/profile');
    const tabs = nav(page, 'Sezioni delle impostazioni');
    for (const tab of ['Profilo', 'Token API', 'Utenti', 'Registro attività']) {
      assert.equal(await tabs.getByRole('link', { name: tab, exact: true }).count(), 1, `owner sees the ${tab} tab`);
    }
    await shot('06-settings-profile-it');

    // a client-side route loads directly too (the server serves index.html)
    await page.goto(`${base}/plan`);
    await expectH1('Piano');
    await page.goto(`${base}/no-such-page`);
    await expectH1('Pagina non trovata');
  });

  it('creates an API token, shows its secret once, and revokes it', async () => {
    await page.goto(`${base}/settings/tokens`);
    await page.getByRole('heading', { level: 2, name: 'Token API' }).waitFor();
    await page.getByText('Non hai ancora nessun token.').waitFor();
    await page.getByLabel('Nome del token').fill('Modulo del sito');
    await page.getByRole('button', { name: 'Crea token' }).click();
    const box = page.getByTestId('token-secret');
    await box.waitFor();
    const secret = await box.getByLabel('Token segreto').inputValue();
    assert.match(secret, /^pz_\S{8,}$/);
    assert.match(await box.textContent(), /è l’unica volta/);
    await shot('07-token-secret-it');

    // the secret works as a Bearer token
    const me = await page.evaluate(async (s) => {
      const r = await fetch('/api/v1/me', { credentials: 'omit', headers: { Authorization: `Bearer ${s}` } });
      return { status: r.status, body: await r.json() };
    }, secret);
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, OWNER.email);

    await box.getByRole('button', { name: 'Copia', exact: true }).click();
    await box.getByText('Copiato negli appunti.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

    await box.getByRole('button', { name: 'L’ho copiato' }).click();
    assert.equal(await page.getByTestId('token-secret').count(), 0);
    const row = page.getByRole('row').filter({ hasText: 'Modulo del sito' });
    assert.match(await row.textContent(), new RegExp(`${secret.slice(0, 8).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(await row.textContent(), /Attivo/);
    assert.ok(!(await page.content()).includes(secret.slice(8)), 'the secret is not shown again');

    await row.getByRole('button', { name: 'Revoca il token Modulo del sito' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revocare il token “Modulo del sito”?' });
    await dialog.waitFor();
    await shot('08-token-revoke-dialog-it');
    await dialog.getByRole('button', { name: 'Revoca il token' }).click();
    await page.getByRole('status').filter({ hasText: 'Token “Modulo del sito” revocato.' }).waitFor();
    // the list either drops a revoked token or marks it revoked; either way it can no longer be revoked
    await page.waitForFunction(() =>
      [...document.querySelectorAll('tr')].every((tr) => !tr.textContent.includes('Modulo del sito') || tr.textContent.includes('Revocato')),
    );
    assert.equal(await row.getByRole('button', { name: /Revoca/ }).count(), 0, 'a revoked token has no revoke button');
    const after = await page.evaluate(async (s) => {
      const r = await fetch('/api/v1/me', { credentials: 'omit', headers: { Authorization: `Bearer ${s}` } });
      return r.status;
    }, secret);
    assert.equal(after, 401);
  });

  it('adds a user whose temporary password must be changed at the first sign-in', async () => {
    await page.goto(`${base}/settings/users`);
    await page.getByRole('heading', { level: 2, name: 'Utenti' }).waitFor();
    await page.getByLabel('E-mail', { exact: true }).fill(AGENT.email);
    await page.getByLabel('Nome', { exact: true }).fill(AGENT.name);
    await page.getByLabel('Ruolo', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Aggiungi utente' }).click();
    const box = page.getByTestId('temporary-password');
    await box.waitFor();
    const temporary = await box.getByLabel('Password temporanea').inputValue();
    assert.ok(temporary.length >= 10, 'a temporary password of at least 10 characters');
    const row = page.getByRole('row').filter({ hasText: AGENT.email });
    await row.waitFor();
    assert.equal(await row.getByRole('combobox', { name: `Ruolo di ${AGENT.name}` }).inputValue(), 'agent');
    await shot('09-user-added-it');

    // the same e-mail again is refused, next to the e-mail field
    await page.getByLabel('E-mail', { exact: true }).fill(AGENT.email);
    await page.getByLabel('Nome', { exact: true }).fill(AGENT.name);
    await page.getByRole('button', { name: 'Aggiungi utente' }).click();
    await page.locator('#user-email-error').filter({ hasText: 'Esiste già un utente con questa e-mail.' }).waitFor();

    // change the role through the select
    await row.getByRole('combobox', { name: `Ruolo di ${AGENT.name}` }).selectOption('member');
    await page.getByRole('status').filter({ hasText: `Ora il ruolo di ${AGENT.name} è Membro.` }).waitFor();

    // the only owner cannot demote themself: the server refuses, the page explains and keeps the role
    const mine = page.getByRole('combobox', { name: `Ruolo di ${OWNER.name}` });
    await mine.selectOption('manager');
    await page.getByRole('alert').filter({ hasText: 'almeno un titolare attivo' }).waitFor();
    assert.equal(await mine.inputValue(), 'owner');

    // the new user signs in, must choose a password, and sees no owner pages
    await signOut(OWNER.name, 'Uscita effettuata.');
    await signIn(AGENT.email, temporary);
    await expectH1('Scegli la tua password');
    await page.getByLabel('Password temporanea').fill(temporary);
    await page.getByLabel('Nuova password', { exact: true }).fill(AGENT.password);
    await page.getByLabel('Ripeti la nuova password').fill(AGENT.password);
    await shot('10-forced-password-it');
    await page.getByRole('button', { name: 'Cambia password' }).click();
    await expectH1('Posta in arrivo');
    await nav().getByRole('link', { name: 'Impostazioni', exact: true }).click();
    await expectH1('Impostazioni');
    const tabs = nav(page, 'Sezioni delle impostazioni');
    assert.equal(await tabs.getByRole('link', { name: 'Profilo', exact: true }).count(), 1);
    assert.equal(await tabs.getByRole('link', { name: 'Utenti', exact: true }).count(), 0);
    assert.equal(await tabs.getByRole('link', { name: 'Registro attività', exact: true }).count(), 0);
    await page.goto(`${base}/settings/users`);
    await page.getByRole('alert').filter({ hasText: 'Solo il titolare' }).waitFor();

    await signOut(AGENT.name, 'Uscita effettuata.');
    await signIn(OWNER.email, OWNER.password);
    // signing out leaves the address of the last page behind: a new sign-in starts in the inbox
    await expectH1('Posta in arrivo');
  });

  it('shows the audit log in words, newest first', async () => {
    await page.goto(`${base}/settings/audit`);
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const text = await table.textContent();
    for (const words of ['piazza configurata', 'Accesso', 'Accesso non riuscito', 'Uscita', 'Token API creato', 'Token API revocato', 'Utente aggiunto', 'Ruolo cambiato', 'Password cambiata']) {
      assert.ok(text.includes(words), `audit log shows “${words}”`);
    }
    assert.ok(!/session\.sign_in|setup\.complete/.test(text), 'no raw action codes');
    const firstAction = (await table.locator('tbody tr').first().locator('td').nth(1).textContent()).trim();
    assert.equal(firstAction, 'Accesso', 'the newest event is the last sign-in');
    await shot('11-audit-it');

    // more events than one page: "load more" follows the server's cursor to the oldest
    const created = await page.evaluate(async () => {
      const csrf = (await (await fetch('/api/v1/me')).json()).csrf_token;
      let ok = 0;
      for (let i = 1; i <= 45; i++) {
        const r = await fetch('/api/v1/tokens', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ name: `batch ${i}` }),
        });
        if (r.status === 201) ok++;
      }
      return ok;
    });
    assert.equal(created, 45);
    await page.reload();
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 50, 'the first page holds 50 events');
    const more = page.getByRole('button', { name: 'Carica altri' });
    await more.click();
    await page.getByText('Questo è l’evento più vecchio.').waitFor();
    assert.equal(await rows.count(), 58, '13 earlier events and 45 token creations');
    assert.equal((await rows.last().locator('td').nth(1).textContent()).trim(), 'piazza configurata');
    assert.equal(await more.count(), 0);
  });

  it('tells how long to wait after too many wrong passwords', async () => {
    const other = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 860 } });
    const p = await other.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${base}/`);
    await expectH1('Accedi', p);
    let status = 0;
    let retryAfter = null;
    for (let i = 0; i < 8 && status !== 429; i++) {
      await p.getByLabel('E-mail', { exact: true }).fill(AGENT.email);
      await p.getByLabel('Password', { exact: true }).fill(`wrong-password-${i}`);
      const [answer] = await Promise.all([
        p.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session'),
        p.getByRole('button', { name: 'Accedi' }).click(),
      ]);
      status = answer.status();
      retryAfter = answer.headers()['retry-after'] ?? null;
      const expected = status === 429 ? 'Troppi tentativi' : 'E-mail o password errate.';
      await p.getByRole('alert').filter({ hasText: expected }).waitFor();
    }
    assert.equal(status, 429, 'five wrong passwords for one account are limited');
    assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After in seconds');
    const seconds = Number(retryAfter);
    const wait = seconds < 60 ? `${seconds} second${seconds === 1 ? 'o' : 'i'}` : Math.ceil(seconds / 60) === 1 ? '1 minuto' : `${Math.ceil(seconds / 60)} minuti`;
    const text = (await p.getByRole('alert').filter({ hasText: 'Troppi tentativi' }).textContent()).trim();
    assert.equal(text, `Troppi tentativi. Riprova tra ${wait}.`);
    await shot('12-rate-limited-it', p);
    await other.close();
  });

  it('gives a consultant read-only pages, and refuses a disabled account', async () => {
    const CONSULTANT = { name: 'Carla Bianchi', email: 'carla@studio.example', password: 'Studio-Bianchi-2026' };
    const added = await page.evaluate(async (c) => {
      const csrf = (await (await fetch('/api/v1/me')).json()).csrf_token;
      const r = await fetch('/api/v1/users', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ email: c.email, name: c.name, role: 'consultant' }),
      });
      return { status: r.status, body: await r.json() };
    }, CONSULTANT);
    assert.equal(added.status, 201);

    const other = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 860 } });
    const p = await other.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${base}/settings/tokens`);
    await p.getByLabel('E-mail', { exact: true }).fill(CONSULTANT.email);
    await p.getByLabel('Password', { exact: true }).fill(added.body.temporary_password);
    await p.getByRole('button', { name: 'Accedi' }).click();
    await expectH1('Scegli la tua password', p);
    await p.getByLabel('Password temporanea').fill(added.body.temporary_password);
    await p.getByLabel('Nuova password', { exact: true }).fill(CONSULTANT.password);
    await p.getByLabel('Ripeti la nuova password').fill(CONSULTANT.password);
    await p.getByRole('button', { name: 'Cambia password' }).click();
    // signed in from a deep link, the page asked for is the page shown
    await expectH1('Impostazioni', p);
    const tab = nav(p, 'Sezioni delle impostazioni').getByRole('link', { name: 'Token API', exact: true });
    assert.equal(await tab.getAttribute('aria-current'), 'page');
    await p.getByText('I consulenti hanno accesso in sola lettura').waitFor();
    assert.equal(await p.getByRole('button', { name: 'Crea token' }).count(), 0, 'no create button for a consultant');
    assert.equal(await nav(p, 'Sezioni delle impostazioni').getByRole('link', { name: 'Utenti', exact: true }).count(), 0);
    await shot('13-consultant-tokens-it', p);

    // the owner disables the account, after confirming
    await page.goto(`${base}/settings/users`);
    const row = page.getByRole('row').filter({ hasText: CONSULTANT.email });
    await row.getByRole('button', { name: `Disattiva ${CONSULTANT.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Disattivare ${CONSULTANT.name}?` });
    await dialog.getByRole('button', { name: 'Disattiva l’account' }).click();
    await page.getByRole('status').filter({ hasText: `L’account di ${CONSULTANT.name} è stato disattivato.` }).waitFor();
    await row.filter({ hasText: 'Disattivato' }).waitFor();
    assert.equal(await row.getByRole('button', { name: `Riattiva ${CONSULTANT.name}` }).count(), 1);
    await shot('14-user-disabled-it');

    // and a new sign-in of that account is refused with its own message
    const fresh = await browser.newContext({ locale: 'it-IT' });
    const q = await fresh.newPage();
    q.setDefaultTimeout(10_000);
    await q.goto(`${base}/`);
    await q.getByLabel('E-mail', { exact: true }).fill(CONSULTANT.email);
    await q.getByLabel('Password', { exact: true }).fill(CONSULTANT.password);
    await q.getByRole('button', { name: 'Accedi' }).click();
    await q.getByRole('alert').filter({ hasText: 'Questo account è disattivato.' }).waitFor();

    // enabled again, the account signs in
    await row.getByRole('button', { name: `Riattiva ${CONSULTANT.name}` }).click();
    await page.getByRole('status').filter({ hasText: `L’account di ${CONSULTANT.name} è stato riattivato.` }).waitFor();
    await row.filter({ hasText: /Attivo/ }).waitFor(); // case-sensitive: not the "attivo" inside "Disattivato"
    await q.getByRole('button', { name: 'Accedi' }).click();
    await expectH1('Posta in arrivo', q);
    await fresh.close();
    await other.close();
  });

  it('saves a new name from the profile, shown at once in the top bar', async () => {
    await page.goto(`${base}/settings/profile`);
    const name = page.getByLabel('Nome', { exact: true });
    assert.equal(await name.inputValue(), OWNER.name);
    await name.fill('Ada King');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Nome salvato.' }).waitFor();
    await accountButton('Ada King').waitFor();
    await name.fill('');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.locator('#profile-name-error').filter({ hasText: 'Compila questo campo.' }).waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill(OWNER.name);
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await accountButton(OWNER.name).waitFor();
    const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.name);
    assert.equal(me, OWNER.name);
  });

  it('switches language IT↔EN, and the choice survives a reload', async () => {
    await page.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expectH1('Inbox');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    for (const label of ['Inbox', 'Contacts', 'Goals', 'Plan', 'Community', 'Insights', 'People', 'Settings']) {
      assert.equal(await nav(page, 'Main').getByRole('link', { name: label, exact: true }).count(), 1, `nav shows ${label}`);
    }
    assert.equal(await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed'), 'true');
    // saved to the account: wait until the server has it, then reload
    await page.waitForFunction(async () => (await (await fetch('/api/v1/me')).json()).user.locale === 'en');
    await page.reload();
    await expectH1('Inbox');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await nav(page, 'Main').getByRole('link', { name: 'Contacts', exact: true }).click();
    await expectH1('Contacts');
    await page.getByText('No contacts yet').waitFor();
    await shot('15-contacts-en');
    await page.goto(`${base}/settings/audit`);
    await page.getByTestId('audit-table').getByText('API token created').first().waitFor();
    await shot('16-audit-en');

    // the signed-out pages keep the language chosen last
    await signOut(OWNER.name, 'You have signed out.');
    await expectH1('Sign in');
    await shot('17-signin-en');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expectH1('Accedi');
    await page.reload();
    await expectH1('Accedi');

    // signed in, the account's saved choice (English) wins over this browser's
    await signIn(OWNER.email, OWNER.password);
    await expectH1('Inbox');
    await page.getByRole('button', { name: 'IT', exact: true }).click();
    await expectH1('Posta in arrivo');
    await page.waitForFunction(async () => (await (await fetch('/api/v1/me')).json()).user.locale === 'it');
    await page.reload();
    await expectH1('Posta in arrivo');
    assert.equal(await nav().getByRole('link', { name: 'Contatti', exact: true }).count(), 1);
  });

  it('collapses the navigation behind a menu button on a phone', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo');
    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    const contacts = nav().getByRole('link', { name: 'Contatti', exact: true });
    assert.equal(await menu.isVisible(), true);
    assert.equal(await contacts.isVisible(), false, 'the nav is hidden until the menu opens');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await shot('18-phone-it');

    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await contacts.waitFor({ state: 'visible' });
    await page.waitForTimeout(300); // let the slide-in finish for the picture
    await shot('19-phone-menu-it');
    await contacts.click();
    await expectH1('Contatti');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await contacts.waitFor({ state: 'hidden' });

    // keyboard: open with Enter, close with Escape, focus back on the button
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('Escape');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Menu');

    await page.goto(`${base}/settings/users`);
    await page.getByRole('heading', { level: 2, name: 'Utenti' }).waitFor();
    await shot('20-phone-users-it');

    // the pages before sign-in fit a phone too
    const phone = await browser.newContext({ locale: 'en-GB', viewport: { width: 375, height: 740 } });
    const p2 = await phone.newPage();
    await p2.goto(`${base}/`);
    await expectH1('Sign in', p2);
    const overflow = await p2.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no sideways scrolling at 375 px');
    await shot('21-phone-signin-en', p2);
    await phone.close();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('is usable with the keyboard: skip link and nav by Tab', async () => {
    await page.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(first, 'Vai al contenuto principale');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

    // Tab from the top reaches the nav links, and Enter follows one
    await page.goto(`${base}/inbox`);
    await expectH1('Posta in arrivo');
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Obiettivi');
    }
    assert.ok(reached, 'Tab reaches the Goals link');
    await page.keyboard.press('Enter');
    await expectH1('Obiettivi');
    // The title takes the focus in an effect after it renders: waited for, within 5 s.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null, { timeout: 5000 })
      .catch(() => {});
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    assert.equal(focused, 'H1', 'the new page title takes the focus');
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});
