// Goals measured from other capabilities (issue 5): the response time of the company's
// conversations (a WhatsApp chat with known times imported with `piazza import`; customer turns,
// the median in business minutes (the inbox's hours), lower is better, unanswered turns counted with their wait so far, a turn
// open before the period not counted, channels) and the contacts that entered a stage in the
// period (created in it, or moved into it; each once).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  startWithOwner, stopAll, Client, assertError, assertJson, cliToken, describeCli, tempDir,
} from './harness.mjs';

const DAY = 86_400_000;
const day = (offset) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
/** A WhatsApp (Android, Italian) date: dd/mm/yy of the UTC day OFFSET days from today. */
const wa = (offset) => {
  const d = new Date(Date.now() + offset * DAY);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)}`;
};

describe('goals: response time of conversations', { timeout: 120_000 }, () => {
  let server;
  let api;

  before(async () => {
    ({ server } = await startWithOwner());
    api = new Client(server, { bearer: cliToken(server, 'anna.bianchi@example.it') });
    // Franco writes; "Io Azienda" is the company. Times are UTC (--tz UTC).
    const chat = [
      `${wa(-11)}, 10:00 - Franco: una domanda di prima`, // a turn open before the period
      `${wa(-9)}, 00:30 - Franco: ci siete?`, // ... still that turn: not the period's
      `${wa(-9)}, 01:00 - Io Azienda: eccoci`,
      `${wa(-3)}, 09:00 - Franco: buongiorno, avete il catalogo?`, // turn 1: 20 min
      `${wa(-3)}, 09:05 - Franco: quello nuovo`,
      `${wa(-3)}, 09:20 - Io Azienda: certo, eccolo`,
      `${wa(-2)}, 10:00 - Franco: e i prezzi?`, // turn 2: 90 min
      `${wa(-2)}, 11:30 - Io Azienda: in allegato`,
      `${wa(-2)}, 23:00 - Franco: sono ancora validi domani?`, // turn 3: 480 min (8 h)
      `${wa(-1)}, 07:00 - Io Azienda: sì`,
      `${wa(-1)}, 08:00 - Io Azienda: buona giornata`, // the company writes first: no turn
      `${wa(-1)}, 08:10 - Franco: grazie`, // turn 4: 10 min
      `${wa(-1)}, 08:20 - Io Azienda: prego`,
    ].join('\n') + '\n';
    const dir = tempDir();
    const file = path.join(dir, 'Chat WhatsApp con Franco.txt');
    fs.writeFileSync(file, chat);
    const r = server.cli(['import', 'whatsapp', file, '--me', 'Io Azienda', '--tz', 'UTC', '--json']);
    assert.equal(r.status, 0, describeCli(r));
    assert.equal(JSON.parse(r.stdout).messages, 13, r.stdout);
  });
  after(stopAll);

  const create = async (fields) => assertJson(await api.post('/api/v1/objectives', {
    name: 'Rispondere entro un\'ora', metric: 'response_time', start: day(-9), end: day(20),
    channels: ['whatsapp'], ...fields,
  }), 201);

  it('the median of the customer turns, in minutes; lower than the target is on track', async () => {
    const o = await create({ target: 60 });
    assert.equal(o.metric, 'response_time');
    assert.equal(o.event, null);
    // Waits 20, 90, 480, 10 → sorted 10, 20, 90, 480 → median (20 + 90) / 2 = 55.
    assert.deepEqual(o.progress, {
      value: 55, expected_to_date: 60, forecast: 55, percent: 91.67, pace_percent: 91.67,
      status: 'on_track', days_elapsed: 10, days_total: 30, as_of: day(0),
    });
    const rep = assertJson(await api.get(`/api/v1/objectives/${o.id}/report`));
    assert.deepEqual(rep.responses, {
      messages: 4, unanswered: 0, late: 2, median_minutes: 55,
      channels: [{ channel: 'whatsapp', messages: 4, unanswered: 0, late: 2, median_minutes: 55 }],
    });
    assert.equal(rep.explanation, null);
    // The series: each day's median and the median so far against the maximum.
    const byDate = Object.fromEntries(rep.series.map((d) => [d.date, d]));
    assert.equal(byDate[day(-9)].value, null);
    assert.equal(byDate[day(-3)].value, 20);
    assert.equal(byDate[day(-3)].cumulative, 20);
    assert.equal(byDate[day(-2)].value, 285); // (90 + 480) / 2
    assert.equal(byDate[day(-2)].cumulative, 90); // 20, 90, 480
    assert.equal(byDate[day(-1)].value, 10);
    assert.equal(byDate[day(-1)].cumulative, 55);
    assert.equal(byDate[day(-1)].pace, 60);
  });

  it('a turn without a reply counts with the time it has waited so far', async () => {
    const o = await create({ target: 60 });
    // As of day -2, turn 3 (23:00) has waited until midnight: 60 min; waits 20, 90, 60.
    const rep = assertJson(await api.get(`/api/v1/objectives/${o.id}/report?as_of=${day(-2)}`));
    assert.equal(rep.objective.progress.value, 60);
    assert.equal(rep.objective.progress.status, 'on_track');
    assert.deepEqual(rep.responses, {
      messages: 3, unanswered: 1, late: 1, median_minutes: 60,
      channels: [{ channel: 'whatsapp', messages: 3, unanswered: 1, late: 1, median_minutes: 60 }],
    });
  });

  it('over the maximum is at risk, with an explanation in Italian and English', async () => {
    const o = await create({ target: 30 });
    assert.equal(o.progress.status, 'at_risk');
    const rep = assertJson(await api.get(`/api/v1/objectives/${o.id}/report`));
    assert.equal(rep.explanation.en,
      'Day 10 of 30: the median response time is 55 minutes against a maximum of 30.'
      + ' 2 of 4 customer messages waited longer than 30 minutes.');
    assert.equal(rep.explanation.it,
      'Giorno 10 di 30: il tempo di risposta mediano è di 55 minuti su un massimo di 30.'
      + ' 2 messaggi di clienti su 4 hanno atteso più di 30 minuti.');
    assert.equal(rep.explanation.shortfall_campaign_id, null);
  });

  it('when the period is over: reached at or under the maximum, else missed', async () => {
    const done = await create({ target: 60, start: day(-5), end: day(-1) });
    assert.equal(done.progress.status, 'reached');
    assert.equal(done.progress.value, 55);
    const late = await create({ target: 30, start: day(-5), end: day(-1) });
    assert.equal(late.progress.status, 'missed');
    const rep = assertJson(await api.get(`/api/v1/objectives/${late.id}/report`));
    assert.match(rep.explanation.en, /^The period ended with a median response time of 55 minutes against a maximum of 30\./);
  });

  it('only the objective\'s channels count; none named means every channel', async () => {
    const mail = await create({ target: 60, channels: ['email', 'newsletter'] });
    assert.equal(mail.progress.value, 0);
    assert.equal(mail.progress.status, 'on_track');
    const rep = assertJson(await api.get(`/api/v1/objectives/${mail.id}/report`));
    assert.deepEqual(rep.responses, { messages: 0, unanswered: 0, late: 0, median_minutes: null, channels: [] });
    const all = await create({ target: 60, channels: [] });
    assert.equal(all.progress.value, 55);
  });

  it('waits are counted in the inbox\'s business hours, as its SLA is', async () => {
    const o = await create({ target: 60 });
    const every = (open, close) => [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open, close }));
    const put = (hours) => api.put('/api/v1/settings/inbox', {
      time_zone: 'UTC', hours, first_response_target_minutes: null, resolution_target_minutes: null,
    });
    assertJson(await put(every('08:00', '20:00')));
    try {
      // Turn 3 (23:00 → 07:00) falls wholly outside 08:00–20:00: 0 minutes; the others are in
      // opening hours. Waits 20, 90, 0, 10 → sorted 0, 10, 20, 90 → median 15.
      const rep = assertJson(await api.get(`/api/v1/objectives/${o.id}/report`));
      assert.equal(rep.objective.progress.value, 15);
      assert.deepEqual(rep.responses, {
        messages: 4, unanswered: 0, late: 1, median_minutes: 15,
        channels: [{ channel: 'whatsapp', messages: 4, unanswered: 0, late: 1, median_minutes: 15 }],
      });
    } finally {
      assertJson(await put([]));
    }
    // Always open again: every minute counts.
    const back = assertJson(await api.get(`/api/v1/objectives/${o.id}`));
    assert.equal(back.progress.value, 55);
  });

  it('refuses a response time target of more than a year of minutes, and no event is needed', async () => {
    assertError(await api.post('/api/v1/objectives', {
      name: 'x', metric: 'response_time', target: 600000, start: day(0), end: day(1),
    }), 400, 'goals.bad_amount', 'target');
    assertError(await api.post('/api/v1/objectives', {
      name: 'x', metric: 'response_minutes', target: 60, start: day(0), end: day(1),
    }), 400, 'goals.invalid_field', 'metric');
  });
});

describe('goals: contacts entering a stage', { timeout: 120_000 }, () => {
  let server;
  let api;
  let owner;

  before(async () => {
    ({ server, owner } = await startWithOwner());
    api = new Client(server, { bearer: cliToken(server, 'anna.bianchi@example.it') });
  });
  after(stopAll);

  const contact = async (name, stage) => assertJson(await owner.post('/api/v1/contacts', { name, stage }), 201).contact;
  const stage = async (c, s) => assertJson(await owner.patch(`/api/v1/contacts/${c.id}`, { stage: s }));

  it('counts contacts created in the stage or moved into it in the period, each once', async () => {
    const o = assertJson(await api.post('/api/v1/objectives', {
      name: 'Nuovi clienti', metric: 'contacts', stage: 'customer', target: 10, start: day(-9), end: day(20),
    }), 201);
    assert.equal(o.progress.value, 0);
    await contact('Anna Cliente', 'customer'); // created in the stage
    const b = await contact('Bruno Lead', 'lead'); // moved into it, out, and in again: once
    await stage(b, 'customer');
    await stage(b, 'lead');
    await stage(b, 'customer');
    const c = await contact('Carla Ex', 'customer'); // entered, then left: it still entered
    await stage(c, 'former');
    const d = await contact('Dario Lead', 'lead'); // moved out of lead first, then in
    await stage(d, 'prospect');
    await contact('Elena Lead', 'lead'); // never a customer
    const e = await contact('Fabio Prospect', 'prospect'); // created earlier, moved in: counts
    await stage(e, 'customer');
    await stage(d, 'customer');
    const got = assertJson(await api.get(`/api/v1/objectives/${o.id}`));
    assert.equal(got.progress.value, 5, JSON.stringify(got.progress));
    const rep = assertJson(await api.get(`/api/v1/objectives/${o.id}/report`));
    const today = rep.series.find((s) => s.date === day(0));
    assert.equal(today.value, 5);
    assert.equal(today.cumulative, 5);
    // Nothing entered before today.
    const before = assertJson(await api.get(`/api/v1/objectives/${o.id}/report?as_of=${day(-1)}`));
    assert.equal(before.objective.progress.value, 0);
    // A stage nobody entered.
    const adv = assertJson(await api.post('/api/v1/objectives', {
      name: 'Promotori', metric: 'contacts', stage: 'advocate', target: 3, start: day(-9), end: day(20),
    }), 201);
    assert.equal(adv.progress.value, 0);
  });
});
