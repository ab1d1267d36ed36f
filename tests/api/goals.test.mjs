// Goals and ROI (issue 5): a scripted scenario with exact figures (clicks, visits,
// conversions, costs with hours at their rates, cost per conversion, ROI, pace,
// forecast, status, the explanation naming the biggest shortfall), attribution
// through the click id pz (last touch within 30 days, forged and foreign pz
// refused, through a contact), idempotency, bad input (400 with goals.* codes),
// roles, QR codes, the pixel and the site script, and a restart during hits
// that loses no acknowledged click.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  startServer, startWithOwner, stopAll, Client, assertError, assertJson, assertList, addUser,
  signedIn, cliToken, describeCli, request, show, tempDir, setupOwner, OWNER,
} from './harness.mjs';

const DAY = 86_400_000;
const day = (offset) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** GET /l/{slug}; asserts the 302 and returns the Location's URL object. */
async function click(server, slug, headers = {}) {
  const res = await server.request('GET', `/l/${slug}`, { headers });
  assert.equal(res.status, 302, show(res));
  assert.equal(res.headers['set-cookie'], undefined, 'a tracked link sets no cookie');
  return new URL(res.headers.location);
}

describe('goals: the scripted scenario', { timeout: 120_000 }, () => {
  let server;
  let owner;
  let api; // the owner's bearer client, as an integration
  let marco;
  let giulia;
  let objective;
  let linkedin;
  let letter;
  let linkA;
  let linkB;
  const pzA = [];
  const pzB = [];

  before(async () => {
    ({ server, owner } = await startWithOwner());
    api = new Client(server, { bearer: cliToken(server, 'anna.bianchi@example.it') });
    addUser(server, { email: 'marco@example.it', name: 'Marco', role: 'member' });
    addUser(server, { email: 'giulia@example.it', name: 'Giulia', role: 'member' });
    addUser(server, { email: 'mara@example.it', name: 'Mara', role: 'manager' });
    addUser(server, { email: 'carlo@example.it', name: 'Carlo', role: 'consultant' });
    marco = await signedIn(server, 'marco@example.it');
    giulia = await signedIn(server, 'giulia@example.it');
  });
  after(stopAll);

  it('POST /api/v1/objectives → 201 with progress', async () => {
    objective = assertJson(await api.post('/api/v1/objectives', {
      name: 'Iscrizioni newsletter', metric: 'conversions', event: 'newsletter_signup', target: 120,
      start: day(-9), end: day(20), channels: ['linkedin', 'newsletter'], department: 'marketing',
    }), 201);
    assert.ok(Number.isInteger(objective.id) && objective.id > 0);
    assert.equal(objective.target, 120);
    assert.deepEqual(objective.channels, ['linkedin', 'newsletter']);
    assert.deepEqual(objective.progress, {
      value: 0, expected_to_date: 40, forecast: 0, percent: 0, pace_percent: 0, status: 'at_risk',
      days_elapsed: 10, days_total: 30, as_of: day(0),
    });
  });

  it('POST /api/v1/campaigns → 201 with utm values; a campaign without target gets a share', async () => {
    linkedin = assertJson(await api.post('/api/v1/campaigns', {
      name: 'LinkedIn autunno', objective_id: objective.id, channel: 'linkedin', budget: 500, target: 80,
    }), 201);
    assert.equal(linkedin.utm_source, 'linkedin');
    assert.equal(linkedin.utm_medium, 'social');
    assert.equal(linkedin.utm_campaign, 'linkedin-autunno');
    assert.equal(linkedin.budget, 500);
    letter = assertJson(await api.post('/api/v1/campaigns', {
      name: 'Newsletter novembre', objective_id: objective.id, channel: 'newsletter',
    }), 201);
    assert.equal(letter.utm_medium, 'email');
    assert.equal(letter.target, null);
    const list = assertList(assertJson(await marco.get(`/api/v1/campaigns?objective_id=${objective.id}`)));
    assert.deepEqual(list.map((c) => c.id), [linkedin.id, letter.id]);
  });

  it('POST /api/v1/links → 201 {id, slug, short_url}; /l/{slug} → 302 with utm_* and pz, no cookie', async () => {
    linkA = assertJson(await api.post('/api/v1/links', { url: 'https://www.example.it/newsletter?lang=it#form', campaign_id: linkedin.id }), 201);
    linkB = assertJson(await api.post('/api/v1/links', { url: 'https://www.example.it/newsletter', campaign_id: letter.id }), 201);
    assert.match(linkA.slug, /^[A-Za-z0-9]{7}$/);
    assert.equal(linkA.short_url, `http://127.0.0.1:${server.port}/l/${linkA.slug}`);
    assert.equal(linkA.clicks, 0);
    for (let i = 0; i < 10; i++) {
      const to = await click(server, linkA.slug, {
        'user-agent': i % 2 ? 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        referer: 'https://www.linkedin.com/feed/update/1',
      });
      assert.equal(to.origin + to.pathname, 'https://www.example.it/newsletter');
      assert.equal(to.hash, '#form');
      assert.equal(to.searchParams.get('lang'), 'it');
      assert.equal(to.searchParams.get('utm_source'), 'linkedin');
      assert.equal(to.searchParams.get('utm_medium'), 'social');
      assert.equal(to.searchParams.get('utm_campaign'), 'linkedin-autunno');
      pzA.push(to.searchParams.get('pz'));
    }
    for (let i = 0; i < 5; i++) {
      const to = await click(server, linkB.slug);
      assert.equal(to.searchParams.get('utm_source'), 'newsletter');
      pzB.push(to.searchParams.get('pz'));
    }
    assert.equal(new Set([...pzA, ...pzB]).size, 15, 'every click gets its own click id');
    const got = assertJson(await api.get(`/api/v1/links/${linkA.id}`));
    assert.equal(got.clicks, 10);
    assert.equal(got.unique_visitors, 2, 'two browsers from one address on one day');
    assert.equal(assertJson(await api.get(`/api/v1/links/${linkB.id}`)).clicks, 5);
  });

  it('unknown slugs → 404', async () => {
    assertError(await server.request('GET', '/l/Zzzzzzz'), 404, 'not_found');
    assertError(await server.request('GET', '/l/nope'), 404, 'not_found');
    assertError(await server.request('GET', '/t/nope.gif'), 404, 'not_found');
    assertError(await server.request('GET', '/t/acme.png'), 404, 'not_found');
  });

  it('the pixel answers a 43-byte GIF without cookies and records visits through pz', async () => {
    for (const pz of pzA.slice(0, 4)) {
      const res = await server.request('GET', `/t/acme.gif?e=visit&pz=${encodeURIComponent(pz)}`, { headers: { cookie: 'x=1' } });
      assert.equal(res.status, 200, show(res));
      assert.equal(res.headers['content-type'], 'image/gif');
      assert.equal(res.body.length, 43);
      assert.equal(res.body.subarray(0, 6).toString(), 'GIF89a');
      assert.equal(res.headers['set-cookie'], undefined);
      assert.equal(res.headers['cache-control'], 'no-store');
    }
    for (const pz of pzB.slice(0, 3)) {
      assert.equal((await server.request('GET', `/t/acme.gif?e=visit&pz=${encodeURIComponent(pz)}`)).status, 200);
    }
    assertError(await server.request('GET', '/t/acme.gif?e=Bad%20Event'), 400, 'goals.invalid_field');
  });

  it('the site script carries pz and sends events to the pixel', async () => {
    const res = await server.request('GET', '/t/piazza.js');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /javascript/);
    assert.match(res.text, /piazza\.track|track:/);
    assert.match(res.text, /pz=/);
    assert.doesNotMatch(res.text, /document\.cookie|localStorage|sessionStorage/);
  });

  it('POST /api/v1/conversions: attributed by pz, idempotent by key, forged pz unattributed', async () => {
    const post = (body) => api.post('/api/v1/conversions', { event: 'newsletter_signup', value: 25, ...body });
    const a1 = assertJson(await post({ pz: pzA[0], idempotency_key: 'sub-1' }), 201);
    assert.equal(a1.link_id, linkA.id);
    assert.equal(a1.campaign_id, linkedin.id);
    assert.equal(a1.value, 25);
    assert.equal(a1.currency, 'EUR');
    assert.equal(a1.duplicate, false);
    const again = assertJson(await post({ pz: pzB[0], idempotency_key: 'sub-1', value: 999 }), 200);
    assert.equal(again.id, a1.id);
    assert.equal(again.duplicate, true);
    assert.equal(again.value, 25, 'the first one stands');
    assertJson(await post({ pz: pzA[1], idempotency_key: 'sub-2' }), 201);
    for (let i = 0; i < 4; i++) {
      assert.equal(assertJson(await post({ pz: pzB[i], idempotency_key: `sub-b${i}` }), 201).campaign_id, letter.id);
    }
    assert.equal(assertJson(await post({ idempotency_key: 'sub-none' }), 201).link_id, null);
    const forged = pzA[2].slice(0, -1) + (pzA[2].endsWith('A') ? 'B' : 'A');
    assert.equal(assertJson(await post({ pz: forged, idempotency_key: 'sub-forged' }), 201).link_id, null);
  });

  it('hourly rates: only an owner sets them; a user rate wins over the role rate', async () => {
    assertError(await marco.put('/api/v1/rates', { role: 'member', rate: 99 }), 403, 'auth.forbidden');
    const mara = await signedIn(server, 'mara@example.it');
    assertError(await mara.put('/api/v1/rates', { role: 'member', rate: 99 }), 403, 'auth.forbidden');
    assertJson(await owner.put('/api/v1/rates', { role: 'member', rate: 25 }));
    assertJson(await owner.put('/api/v1/rates', { user_id: marco.user.id, rate: 30 }));
    assertError(await owner.put('/api/v1/rates', { role: 'member', rate: -1 }), 400, 'goals.bad_amount', 'rate');
    assertError(await owner.put('/api/v1/rates', { role: 'wizard', rate: 1 }), 400, 'goals.invalid_field', 'role');
    const items = assertList(assertJson(await mara.get('/api/v1/rates')));
    assert.deepEqual(items.map((r) => [r.role, r.user_id, r.rate]).sort(), [['member', null, 25], [null, marco.user.id, 30]].sort());
  });

  it('investments: money by a manager, hours by each person, priced at their rate', async () => {
    assertJson(await api.post('/api/v1/investments', { kind: 'money', date: day(-8), amount: 300, category: 'ads', campaign_id: linkedin.id }), 201);
    assertJson(await api.post('/api/v1/investments', { kind: 'money', date: day(-7), amount: 120.5, category: 'content', campaign_id: letter.id }), 201);
    const tools = assertJson(await api.post('/api/v1/investments', { kind: 'money', date: day(-9), amount: 49.5, category: 'tools', objective_id: objective.id }), 201);
    assert.equal(tools.currency, 'EUR');
    assert.equal(tools.campaign_id, null);
    const m = assertJson(await marco.post('/api/v1/investments', { kind: 'time', date: day(-5), hours: 2.5, activity: 'post LinkedIn', campaign_id: linkedin.id }), 201);
    assert.equal(m.user_id, marco.user.id);
    assert.equal(m.objective_id, objective.id, 'the campaign names its objective');
    assert.equal(m.rate, 30);
    assert.equal(m.amount, 75);
    assertJson(await giulia.post('/api/v1/investments', { kind: 'time', date: day(-3), hours: 4, activity: 'newsletter', campaign_id: letter.id }), 201);
    // The owner has no rate: the hour counts apart.
    assertJson(await api.post('/api/v1/investments', { kind: 'time', date: day(-1), hours: 1, campaign_id: linkedin.id }), 201);
    // Money in another currency is kept and listed apart, not converted.
    assertJson(await api.post('/api/v1/investments', { kind: 'money', date: day(-1), amount: 10, currency: 'USD', category: 'tools', objective_id: objective.id }), 201);
    const list = assertList(assertJson(await marco.get(`/api/v1/investments?objective_id=${objective.id}&kind=time`)));
    assert.equal(list.length, 3);
  });

  it('GET /api/v1/objectives/{id}/report: exact cost, conversions, value, ROI, forecast and explanation', async () => {
    const r = assertJson(await marco.get(`/api/v1/objectives/${objective.id}/report`));
    // 300 + 120.50 + 49.50 money; 2.5 h x 30 + 4 h x 25 time; 1 h without a rate.
    assert.equal(r.cost_money, 470);
    assert.equal(r.cost_time, 175);
    assert.equal(r.cost, 645);
    assert.equal(r.hours, 7.5);
    assert.equal(r.hours_without_rate, 1);
    assert.deepEqual(r.other_currencies, { costs: [{ currency: 'USD', amount: 10 }], values: [] });
    // 2 LinkedIn + 4 newsletter + 1 without pz + 1 forged pz; the duplicate key counts once.
    assert.equal(r.conversions, 8);
    assert.equal(r.unattributed_conversions, 2);
    assert.equal(r.value, 200);
    assert.equal(r.cost_per_conversion, 80.63);
    assert.equal(r.roi, -68.99);
    assert.equal(r.clicks, 15);
    assert.equal(r.visits, 7);
    assert.deepEqual(r.objective.progress, {
      value: 8, expected_to_date: 40, forecast: 24, percent: 6.67, pace_percent: 20, status: 'at_risk',
      days_elapsed: 10, days_total: 30, as_of: day(0),
    });
    const [a, b] = r.campaigns;
    assert.deepEqual([a.id, a.clicks, a.visits, a.conversions, a.value, a.cost, a.hours, a.expected, a.expected_to_date, a.conversion_rate, a.roi],
      [linkedin.id, 10, 4, 2, 50, 375, 3.5, 80, 27, 20, -86.67]);
    assert.deepEqual([b.id, b.clicks, b.visits, b.conversions, b.value, b.cost, b.hours, b.expected, b.expected_to_date, b.conversion_rate, b.cost_per_conversion],
      [letter.id, 5, 3, 4, 100, 220.5, 4, 40, 13, 80, 55.13]);
    assert.deepEqual(r.channels.map((c) => [c.channel, c.conversions, c.expected]), [['linkedin', 2, 80], ['newsletter', 4, 40]]);
    assert.deepEqual(r.funnel, [
      { step: 'click', count: 15, rate: null },
      { step: 'visit', count: 7, rate: 46.67 },
      { step: 'newsletter_signup', count: 6, rate: 85.71 },
    ]);
    assert.equal(r.series.length, 10);
    assert.equal(r.series[0].date, day(-9));
    assert.equal(r.series[0].cost, 49.5);
    assert.equal(r.series[9].cumulative, 8);
    assert.equal(r.series[9].pace, 40);
    assert.equal(r.series[9].cumulative_cost, 645);
    assert.equal(r.explanation.shortfall_campaign_id, linkedin.id);
    assert.equal(r.explanation.en,
      'Day 10 of 30: 8 newsletter_signup against 40 expected by now (target 120); at this pace the period ends at 24.' +
      ' The biggest shortfall is the linkedin campaign "LinkedIn autunno": it brought 2 of the 27 expected by now;' +
      ' its 10 clicks converted at 20.0% against 80.0% for the newsletter campaign "Newsletter novembre".' +
      ' In the funnel, the weakest step is click → visit at 46.7% (7 of 15).');
    assert.match(r.explanation.it, /^Giorno 10 di 30: 8 newsletter_signup contro 40 attesi a oggi/);
    assert.match(r.explanation.it, /campagna linkedin "LinkedIn autunno": ha portato 2 dei 27 attesi a oggi; i suoi 10 clic hanno convertito al 20,0% contro 80,0%/);
    // Marco has no language of his own: the workspace's (it) is used.
    assert.equal(r.explanation.text, r.explanation.it);
  });

  it('as_of after the end: missed, with the whole plan', async () => {
    const r = assertJson(await api.get(`/api/v1/objectives/${objective.id}/report?as_of=${day(25)}`));
    assert.equal(r.objective.progress.status, 'missed');
    assert.equal(r.objective.progress.days_elapsed, 30);
    assert.equal(r.objective.progress.forecast, 8);
    assert.match(r.explanation.en, /^The period ended with 8 newsletter_signup against a target of 120 \(6%\)\. The biggest shortfall is the linkedin campaign "LinkedIn autunno": it brought 2 of the 80 expected;/);
    assertError(await api.get(`/api/v1/objectives/${objective.id}/report?as_of=tomorrow`), 400, 'goals.bad_date', 'as_of');
  });

  it('reaching the target: status reached, no explanation', async () => {
    const small = assertJson(await api.post('/api/v1/objectives', {
      name: 'Primi iscritti', metric: 'conversions', event: 'newsletter_signup', target: 5, start: day(-1), end: day(10),
    }), 201);
    const r = assertJson(await api.get(`/api/v1/objectives/${small.id}/report`));
    assert.equal(r.objective.progress.status, 'reached');
    assert.equal(r.explanation, null);
    const list = assertList(assertJson(await marco.get('/api/v1/objectives')));
    assert.deepEqual(list.map((o) => [o.id, o.progress.status]), [[objective.id, 'at_risk'], [small.id, 'reached']]);
  });

  it('QR codes: PNG and SVG of the short URL', async () => {
    const png = await marco.get(`/api/v1/links/${linkA.id}/qr.png`);
    assert.equal(png.status, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.body.length > 100);
    const svg = await marco.get(`/api/v1/links/${linkA.id}/qr.svg`);
    assert.equal(svg.status, 200);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    assert.match(svg.text, /<path fill="#000" d="M4 4h7v1h-7z/, 'a finder pattern at the quiet zone');
    assertError(await marco.get('/api/v1/links/999999/qr.png'), 404, 'not_found');
  });

  it('roles: members read and log their own hours; managers plan and spend; consultants only read', async () => {
    const carlo = await signedIn(server, 'carlo@example.it');
    assertJson(await carlo.get(`/api/v1/objectives/${objective.id}/report`));
    assertError(await carlo.post('/api/v1/links', { url: 'https://example.it' }), 403, 'auth.forbidden');
    assertError(await marco.post('/api/v1/objectives', { name: 'x' }), 403, 'auth.forbidden');
    assertError(await marco.post('/api/v1/campaigns', { name: 'x' }), 403, 'auth.forbidden');
    assertError(await marco.post('/api/v1/investments', { kind: 'money', amount: 5, category: 'ads', objective_id: objective.id }), 403, 'auth.forbidden');
    assertError(await marco.post('/api/v1/investments', { kind: 'time', hours: 1, user_id: giulia.user.id, objective_id: objective.id }), 403, 'auth.forbidden');
    assertError(await marco.get('/api/v1/rates'), 403, 'auth.forbidden');
    // Marco may delete his own hours but not Giulia's.
    const mine = assertJson(await marco.post('/api/v1/investments', { kind: 'time', hours: 0.5, objective_id: objective.id }), 201);
    const hers = assertList(assertJson(await marco.get(`/api/v1/investments?campaign_id=${letter.id}&kind=time`)))[0];
    assertError(await marco.delete(`/api/v1/investments/${hers.id}`), 403, 'auth.forbidden');
    assert.equal((await marco.delete(`/api/v1/investments/${mine.id}`)).status, 204);
    assertError(await marco.delete(`/api/v1/investments/${mine.id}`), 404, 'not_found');
    // Without sign-in nothing but the public tracking routes answers.
    assertError(await server.request('GET', '/api/v1/objectives'), 401, 'auth.required');
  });

  it('the timer: start, one at a time, stop gives a time entry', async () => {
    assert.deepEqual(assertJson(await giulia.get('/api/v1/timer')), { timer: null });
    const t = assertJson(await giulia.post('/api/v1/timer/start', { campaign_id: letter.id, activity: 'risposte' }), 201);
    assert.equal(t.timer.campaign_id, letter.id);
    assert.equal(t.timer.objective_id, objective.id);
    assertError(await giulia.post('/api/v1/timer/start', { campaign_id: letter.id }), 409, 'goals.timer_running');
    assert.equal(assertJson(await giulia.get('/api/v1/timer')).timer.activity, 'risposte');
    const entry = assertJson(await giulia.post('/api/v1/timer/stop', {}), 201);
    assert.equal(entry.kind, 'time');
    assert.equal(entry.user_id, giulia.user.id);
    assert.equal(entry.hours, 0.02, 'at least a minute');
    assert.equal(entry.activity, 'risposte');
    assertError(await giulia.post('/api/v1/timer/stop', {}), 409, 'goals.no_timer');
    assertError(await giulia.post('/api/v1/timer/start', {}), 400, 'goals.missing_field', 'campaign_id');
  });
});

describe('goals: bad input is a 400 with a code and changes nothing', { timeout: 60_000 }, () => {
  let server;
  let owner;
  let objective;
  let campaign;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    objective = assertJson(await owner.post('/api/v1/objectives', { name: 'Vendite', metric: 'revenue', event: 'purchase', target: 1000.5, start: day(0), end: day(30) }), 201);
    campaign = assertJson(await owner.post('/api/v1/campaigns', { name: 'Ads', objective_id: objective.id, channel: 'google_ads' }), 201);
  });
  after(stopAll);

  it('a revenue target is an amount', () => {
    assert.equal(objective.target, 1000.5);
  });

  it('investments', async () => {
    const base = { kind: 'money', amount: 10, category: 'ads', campaign_id: campaign.id };
    const cases = [
      [{ ...base, amount: -5 }, 'goals.bad_amount', 'amount'],
      [{ ...base, amount: 0 }, 'goals.bad_amount', 'amount'],
      [{ ...base, amount: 5e12 }, 'goals.bad_amount', 'amount'],
      [{ ...base, amount: '10' }, 'goals.bad_amount', 'amount'],
      [{ ...base, amount: undefined }, 'goals.missing_field', 'amount'],
      [{ ...base, currency: 'XYZ' }, 'goals.bad_currency', 'currency'],
      [{ ...base, currency: 'eur' }, 'goals.bad_currency', 'currency'],
      [{ ...base, category: undefined }, 'goals.missing_field', 'category'],
      [{ ...base, category: 'pizza' }, 'goals.invalid_field', 'category'],
      [{ ...base, kind: undefined }, 'goals.missing_field', 'kind'],
      [{ ...base, kind: 'barter' }, 'goals.invalid_field', 'kind'],
      [{ ...base, campaign_id: undefined }, 'goals.missing_field', 'campaign_id'],
      [{ ...base, campaign_id: 99999 }, 'goals.unknown_reference', 'campaign_id'],
      [{ ...base, date: '31/12/2026' }, 'goals.bad_date', 'date'],
      [{ ...base, date: '2026-02-30' }, 'goals.bad_date', 'date'],
      [{ kind: 'time', hours: 25, campaign_id: campaign.id }, 'goals.bad_amount', 'hours'],
      [{ kind: 'time', hours: -1, campaign_id: campaign.id }, 'goals.bad_amount', 'hours'],
      [{ kind: 'time', campaign_id: campaign.id }, 'goals.missing_field', 'hours'],
      [{ kind: 'time', hours: 1, user_id: 99999, campaign_id: campaign.id }, 'goals.unknown_reference', 'user_id'],
    ];
    for (const [body, code, field] of cases) {
      assertError(await owner.post('/api/v1/investments', body), 400, code, field);
    }
    assert.deepEqual(assertList(assertJson(await owner.get('/api/v1/investments'))), []);
    assertError(await owner.post('/api/v1/investments', '{"kind":'), 400, 'request.bad_json');
  });

  it('objectives, campaigns, links and conversions', async () => {
    const o = { name: 'X', metric: 'conversions', event: 'signup', target: 10, start: day(0), end: day(5) };
    const cases = [
      ['/api/v1/objectives', { ...o, name: undefined }, 'goals.missing_field', 'name'],
      ['/api/v1/objectives', { ...o, target: undefined }, 'goals.missing_field', 'target'],
      ['/api/v1/objectives', { ...o, target: -3 }, 'goals.bad_amount', 'target'],
      ['/api/v1/objectives', { ...o, metric: 'likes' }, 'goals.invalid_field', 'metric'],
      ['/api/v1/objectives', { ...o, event: undefined }, 'goals.missing_field', 'event'],
      ['/api/v1/objectives', { ...o, event: 'Sign Up' }, 'goals.invalid_field', 'event'],
      ['/api/v1/objectives', { ...o, end: day(-1) }, 'goals.bad_date', 'end'],
      ['/api/v1/objectives', { ...o, start: 'soon' }, 'goals.bad_date', 'start'],
      ['/api/v1/objectives', { ...o, channels: ['myspace'] }, 'goals.invalid_field', 'channels'],
      ['/api/v1/objectives', { ...o, metric: 'contacts', stage: 'vip' }, 'goals.invalid_field', 'stage'],
      ['/api/v1/campaigns', { name: 'C', objective_id: objective.id }, 'goals.missing_field', 'channel'],
      ['/api/v1/campaigns', { name: 'C', objective_id: objective.id, channel: 'fax' }, 'goals.invalid_field', 'channel'],
      ['/api/v1/campaigns', { name: 'C', objective_id: 424242, channel: 'x' }, 'goals.unknown_reference', 'objective_id'],
      ['/api/v1/campaigns', { name: 'C', objective_id: objective.id, channel: 'x', budget: -1 }, 'goals.bad_amount', 'budget'],
      ['/api/v1/links', {}, 'goals.missing_field', 'url'],
      ['/api/v1/links', { url: 'ftp://example.it/file' }, 'goals.invalid_field', 'url'],
      ['/api/v1/links', { url: 'https://example.it/a b' }, 'goals.invalid_field', 'url'],
      ['/api/v1/links', { url: 'https://example.it/', campaign_id: 424242 }, 'goals.unknown_reference', 'campaign_id'],
      ['/api/v1/conversions', { event: 'purchase' }, 'goals.missing_field', 'idempotency_key'],
      ['/api/v1/conversions', { idempotency_key: 'k' }, 'goals.missing_field', 'event'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', value: -1 }, 'goals.bad_amount', 'value'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', currency: 'LIRE' }, 'goals.bad_currency', 'currency'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', at: Date.now() + 10 * DAY }, 'goals.bad_date', 'at'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', contact: 424242 }, 'goals.unknown_reference', 'contact'],
    ];
    for (const [path, body, code, field] of cases) {
      assertError(await owner.post(path, body), 400, code, field);
    }
    assertError(await owner.patch(`/api/v1/objectives/${objective.id}`, { target: 0 }), 400, 'goals.bad_amount', 'target');
    assertError(await owner.patch('/api/v1/objectives/424242', { name: 'y' }), 404, 'not_found');
    assert.equal(assertList(assertJson(await owner.get('/api/v1/objectives'))).length, 1);
    assert.equal(assertList(assertJson(await owner.get('/api/v1/campaigns'))).length, 1);
    assert.deepEqual(assertList(assertJson(await owner.get('/api/v1/links'))), []);
    assert.deepEqual(assertList(assertJson(await owner.get('/api/v1/conversions'))), []);
  });

  it('absurd amounts and every PATCH: 400 with a code, nothing changed', async () => {
    const o = { name: 'X', metric: 'conversions', event: 'signup', target: 10, start: day(0), end: day(5) };
    const posts = [
      ['/api/v1/objectives', { ...o, target: 1e13 }, 'goals.bad_amount', 'target'],
      ['/api/v1/objectives', { ...o, target: 'ten' }, 'goals.bad_amount', 'target'],
      ['/api/v1/objectives', { ...o, end: day(2000) }, 'goals.bad_date', 'end'],
      ['/api/v1/objectives', { ...o, metric: undefined }, 'goals.missing_field', 'metric'],
      ['/api/v1/objectives', { ...o, start: undefined }, 'goals.missing_field', 'start'],
      ['/api/v1/objectives', { ...o, metric: 'contacts', event: undefined }, 'goals.missing_field', 'stage'],
      ['/api/v1/campaigns', { name: 'C', objective_id: objective.id, channel: 'x', budget: 5e12 }, 'goals.bad_amount', 'budget'],
      ['/api/v1/campaigns', { name: 'C', objective_id: objective.id, channel: 'x', target: 0 }, 'goals.bad_amount', 'target'],
      ['/api/v1/campaigns', { objective_id: objective.id, channel: 'x' }, 'goals.missing_field', 'name'],
      ['/api/v1/campaigns', { name: 'C', channel: 'x' }, 'goals.missing_field', 'objective_id'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', value: 5e12 }, 'goals.bad_amount', 'value'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', value: '12' }, 'goals.bad_amount', 'value'],
      ['/api/v1/conversions', { event: 'purchase', idempotency_key: 'k', currency: 'usd' }, 'goals.bad_currency', 'currency'],
    ];
    for (const [path, body, code, field] of posts) {
      assertError(await owner.post(path, body), 400, code, field);
    }
    const link = assertJson(await owner.post('/api/v1/links', { url: 'https://example.it/' }), 201);
    const patches = [
      [`/api/v1/objectives/${objective.id}`, { name: '' }, 'goals.missing_field', 'name'],
      [`/api/v1/objectives/${objective.id}`, { metric: 'likes' }, 'goals.invalid_field', 'metric'],
      [`/api/v1/objectives/${objective.id}`, { end: day(-5) }, 'goals.bad_date', 'end'],
      [`/api/v1/objectives/${objective.id}`, { target: -1 }, 'goals.bad_amount', 'target'],
      [`/api/v1/objectives/${objective.id}`, { channels: ['fax'] }, 'goals.invalid_field', 'channels'],
      [`/api/v1/campaigns/${campaign.id}`, { channel: 'fax' }, 'goals.invalid_field', 'channel'],
      [`/api/v1/campaigns/${campaign.id}`, { budget: -1 }, 'goals.bad_amount', 'budget'],
      [`/api/v1/campaigns/${campaign.id}`, { objective_id: 424242 }, 'goals.unknown_reference', 'objective_id'],
      [`/api/v1/campaigns/${campaign.id}`, { start: day(3), end: day(1) }, 'goals.bad_date', 'end'],
      [`/api/v1/links/${link.id}`, { url: 'javascript:alert(1)' }, 'goals.invalid_field', 'url'],
      [`/api/v1/links/${link.id}`, { campaign_id: campaign.id }, 'goals.invalid_field', 'campaign_id'],
    ];
    for (const [path, body, code, field] of patches) {
      assertError(await owner.patch(path, body), 400, code, field);
    }
    const still = assertJson(await owner.get(`/api/v1/objectives/${objective.id}`));
    assert.equal(still.name, 'Vendite');
    assert.equal(still.target, 1000.5);
    assert.equal(assertJson(await owner.get(`/api/v1/campaigns/${campaign.id}`)).channel, 'google_ads');
    assert.equal(assertJson(await owner.get(`/api/v1/links/${link.id}`)).url, 'https://example.it/');
    assertError(await owner.patch(`/api/v1/links/${link.id}`, '{"url":'), 400, 'request.bad_json');
  });

  it('a conversion in another currency is kept apart, never added to euros', async () => {
    assertJson(await owner.post('/api/v1/conversions', { event: 'purchase', idempotency_key: 'eur-1', value: 100 }), 201);
    assertJson(await owner.post('/api/v1/conversions', { event: 'purchase', idempotency_key: 'usd-1', value: 70, currency: 'USD' }), 201);
    assertJson(await owner.post('/api/v1/investments', { kind: 'money', amount: 30, currency: 'CHF', category: 'ads', campaign_id: campaign.id }), 201);
    const r = assertJson(await owner.get(`/api/v1/objectives/${objective.id}/report`));
    assert.equal(r.objective.progress.value, 100); // revenue in EUR only
    assert.equal(r.value, 100);
    assert.equal(r.conversions, 2);
    assert.equal(r.cost, 0);
    assert.deepEqual(r.other_currencies, { costs: [{ currency: 'CHF', amount: 30 }], values: [{ currency: 'USD', amount: 70 }] });
  });

  it('PATCH changes only what it names; a revenue target stays an amount', async () => {
    const p = assertJson(await owner.patch(`/api/v1/objectives/${objective.id}`, { target: 2000.25, department: 'vendite' }));
    assert.equal(p.target, 2000.25);
    assert.equal(p.department, 'vendite');
    assert.equal(p.name, 'Vendite');
    const c = assertJson(await owner.patch(`/api/v1/campaigns/${campaign.id}`, { budget: 99.99 }));
    assert.equal(c.budget, 99.99);
    assert.equal(c.name, 'Ads');
    assert.equal(assertJson(await owner.patch(`/api/v1/campaigns/${campaign.id}`, { budget: null })).budget, null);
  });
});

describe('goals: attribution rules', { timeout: 60_000 }, () => {
  let server;
  let owner;
  let api;
  let link;
  let campaign;
  before(async () => {
    ({ server, owner } = await startWithOwner());
    api = new Client(server, { bearer: cliToken(server, 'anna.bianchi@example.it') });
    const o = assertJson(await api.post('/api/v1/objectives', { name: 'Coupon', metric: 'conversions', event: 'coupon', target: 10, start: day(-1), end: day(10) }), 201);
    campaign = assertJson(await api.post('/api/v1/campaigns', { name: 'FB', objective_id: o.id, channel: 'facebook' }), 201);
    link = assertJson(await api.post('/api/v1/links', { url: 'https://example.it/coupon', campaign_id: campaign.id }), 201);
  });
  after(stopAll);

  it('a conversion reported before its click is not credited to it; within the window it is', async () => {
    const pz = (await click(server, link.slug)).searchParams.get('pz');
    const early = assertJson(await api.post('/api/v1/conversions', { event: 'coupon', pz, idempotency_key: 'e1', at: Date.now() - 2 * DAY }), 201);
    assert.equal(early.link_id, null);
    const later = assertJson(await api.post('/api/v1/conversions', { event: 'coupon', pz, idempotency_key: 'e2', at: Date.now() }), 201);
    assert.equal(later.link_id, link.id);
  });

  it('last touch through a contact: a later conversion without pz takes the contact\'s latest click', async () => {
    const contact = assertJson(await api.post('/api/v1/contacts', { name: 'Lucia Verdi', identities: [{ kind: 'email', value: 'lucia@verdi.it' }] }), 201).contact;
    const pz = (await click(server, link.slug)).searchParams.get('pz');
    const first = assertJson(await api.post('/api/v1/conversions', { event: 'coupon', pz, contact: 'Lucia@Verdi.it', idempotency_key: 'c1' }), 201);
    assert.equal(first.contact_id, contact.id);
    assert.equal(first.link_id, link.id);
    const second = assertJson(await api.post('/api/v1/conversions', { event: 'purchase', contact: contact.id, value: 40, idempotency_key: 'c2' }), 201);
    assert.equal(second.link_id, link.id);
    assert.equal(second.campaign_id, campaign.id);
    const stranger = assertJson(await api.post('/api/v1/conversions', { event: 'purchase', contact: 'nobody@example.it', idempotency_key: 'c3' }), 201);
    assert.equal(stranger.contact_id, null);
    assert.equal(stranger.link_id, null);
  });

  it('a click id of another workspace is not honoured', async () => {
    const ws = server.cli(['workspace', 'add', '--name', 'Beta', '--slug', 'beta']);
    assert.equal(ws.status, 0, describeCli(ws));
    addUser(server, { email: 'b@example.com', role: 'owner', workspace: 'beta' });
    const b = await signedIn(server, 'b@example.com');
    const pz = (await click(server, link.slug)).searchParams.get('pz');
    const v = assertJson(await b.post('/api/v1/conversions', { event: 'coupon', pz, idempotency_key: 'x1' }), 201);
    assert.equal(v.link_id, null);
    // The same key in another workspace is another conversion.
    const mine = assertJson(await api.post('/api/v1/conversions', { event: 'coupon', pz, idempotency_key: 'x1' }), 201);
    assert.equal(mine.link_id, link.id);
    assertError(await b.get(`/api/v1/links/${link.id}`), 404, 'not_found');
    assert.deepEqual(assertList(assertJson(await b.get('/api/v1/objectives'))), []);
  });

  it('pixel events with the event of the objective count as conversions', async () => {
    const pz = (await click(server, link.slug)).searchParams.get('pz');
    const before = assertJson(await api.get(`/api/v1/objectives/${campaign.objective_id}/report`));
    assert.equal((await server.request('GET', `/t/acme.gif?e=coupon&pz=${encodeURIComponent(pz)}`)).status, 200);
    const after = assertJson(await api.get(`/api/v1/objectives/${campaign.objective_id}/report`));
    assert.equal(after.conversions, before.conversions + 1);
    assert.equal(after.campaigns[0].conversions, before.campaigns[0].conversions + 1);
  });
});

describe('goals: SIGTERM during a stream of clicks loses no acknowledged click', { timeout: 120_000 }, () => {
  const dir = tempDir();
  after(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every 302 answered before the stop is counted after a restart', async () => {
    const first = await startServer({ dir });
    const c = await setupOwner(first);
    const link = assertJson(await c.post('/api/v1/links', { url: 'https://example.it/' }), 201);
    let acknowledged = 0;
    let sent = 0;
    let refused = 0;
    const worker = async () => {
      for (let i = 0; i < 2000; i++) {
        sent++;
        try {
          const res = await request(first.port, 'GET', `/l/${link.slug}`, { timeoutMs: 5000 });
          if (res.status === 302) acknowledged++;
        } catch {
          refused++;
          return; // the server stopped listening
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    for (let i = 0; i < 2000 && acknowledged < 300; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(acknowledged >= 300, `only ${acknowledged} clicks answered`);
    const code = await first.stop('SIGTERM');
    await Promise.all(workers);
    assert.equal(code, 0, first.stderr);
    assert.ok(refused > 0, 'the stop came while clicks were still being sent');
    const second = await startServer({ dir, expectSetupCode: false });
    const again = await signedIn(second, OWNER.email);
    const clicks = assertJson(await again.get(`/api/v1/links/${link.id}`)).clicks;
    // Every answered click is stored. A click whose answer was lost with its connection (the
    // client gave up, or the stop closed it) may be stored too, but nothing that was not sent.
    assert.ok(clicks >= acknowledged, `stored ${clicks} < acknowledged ${acknowledged} (sent ${sent}, failed ${refused})`);
    assert.ok(clicks <= sent, `stored ${clicks} > sent ${sent}`);
    await second.stop();
  });
});
