// The Goals section: the objectives with their progress and status, an
// objective's page (charts of progress against pace, cost against conversions
// and the funnel; the explanation of a shortfall; campaigns with their tracked
// links and QR codes; investments in money and staff time), the hourly rates
// that price staff time, and the start/stop timer of the top bar. Figures come
// from the server's report as they are; the page only formats and draws them.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  CHANNELS,
  METRICS,
  MONEY_CATEGORIES,
  ROLES,
  STAGES,
  type Campaign,
  type GoalStatus,
  type Investment,
  type Metric,
  type Objective,
  type Rate,
  type Report,
  type ReportDay,
  type Timer,
  type TrackedLink,
  type User,
} from '../api';
import { Alert, Field, Icon, PageTitle, Spinner, Status } from '../components';
import { focusFirstInvalid, noErrors, placeError, type FormErrors } from '../forms';
import { intlTag, type Key } from '../i18n';
import { errorText, useI18n, type I18n } from '../i18n-context';
import { Link, useRouter } from '../router';
import { useSession } from '../session';
import { canDelete, tr } from './Contacts';

const isManager = canDelete;

/** Sent when the timer of the top bar logged time, so an open objective page shows it. */
const TIME_LOGGED = 'piazza:time-logged';

/** Calls reload whenever the timer logs time. */
function useTimeLogged(reload: () => void) {
  useEffect(() => {
    const on = () => reload();
    window.addEventListener(TIME_LOGGED, on);
    return () => window.removeEventListener(TIME_LOGGED, on);
  }, [reload]);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function num(i18n: I18n, n: number, digits = 0): string {
  return new Intl.NumberFormat(intlTag(i18n.locale), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
}

function money(i18n: I18n, n: number | null, currency = 'EUR'): string {
  if (n === null) return '—';
  return new Intl.NumberFormat(intlTag(i18n.locale), { style: 'currency', currency }).format(n);
}

function pct(i18n: I18n, n: number | null): string {
  if (n === null) return '—';
  return `${num(i18n, n, 1)} %`;
}

function day(i18n: I18n, iso: string | null): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(intlTag(i18n.locale), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/** A value in the objective's metric: an amount for revenue, else a count. */
function metricValue(i18n: I18n, o: Objective, v: number | null): string {
  if (v === null) return '—';
  if (o.metric === 'response_time') return i18n.t('goals.minutes', { n: num(i18n, v) });
  return o.metric === 'revenue' ? money(i18n, v) : num(i18n, v);
}

/** Copies TEXT to the clipboard (or selects INPUT's text and asks the browser to copy it). */
function useCopy(): [(text: string, input: HTMLInputElement | HTMLTextAreaElement | null) => Promise<void>, 'idle' | 'ok' | 'failed'] {
  const [copied, setCopied] = useState<'idle' | 'ok' | 'failed'>('idle');
  const copy = async (text: string, input: HTMLInputElement | HTMLTextAreaElement | null) => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setCopied('ok');
    } catch {
      let ok = false;
      if (input) {
        input.select();
        try {
          ok = document.execCommand('copy');
        } catch {
          ok = false;
        }
      }
      setCopied(ok ? 'ok' : 'failed');
    }
  };
  return [copy, copied];
}

const channelName = (i18n: I18n, c: string) => tr(i18n, `goals.channel.${c}`, c);
const stepName = (i18n: I18n, s: string) => tr(i18n, `goals.step.${s}`, s);

export function StatusBadge({ status }: { status: GoalStatus }) {
  const { t } = useI18n();
  return (
    <span class={`badge goal-status status-${status}`} data-testid="goal-status">
      <span class="goal-dot" aria-hidden="true" />
      {t(`goals.status.${status}` as Key)}
    </span>
  );
}

function ProgressBar({ o }: { o: Objective }) {
  const i18n = useI18n();
  const p = o.progress;
  const done = Math.min(100, p.percent ?? 0);
  const pace = o.target > 0 ? Math.min(100, (p.expected_to_date / o.target) * 100) : 0;
  return (
    <div class="goal-bar-wrap">
      <div
        class={`goal-bar status-${p.status}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(done)}
        aria-valuetext={i18n.t('goals.progressText', {
          value: metricValue(i18n, o, p.value),
          target: metricValue(i18n, o, o.target),
          percent: pct(i18n, p.percent),
        })}
      >
        <span class="goal-bar-fill" style={{ width: `${done}%` }} />
        {o.metric !== 'response_time' && <span class="goal-bar-pace" style={{ left: `${pace}%` }} title={i18n.t('goals.paceMark')} />}
      </div>
    </div>
  );
}

function GoalsHead({ title, action }: { title: string; action?: ComponentChildren }) {
  return (
    <header class="page-head">
      <span class="page-icon" aria-hidden="true">
        <Icon name="goals" size={24} />
      </span>
      <PageTitle title={title}>{title}</PageTitle>
      {action}
    </header>
  );
}

// --- overview ------------------------------------------------------------------------------

export function GoalsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const manager = isManager(user.role);
  const [items, setItems] = useState<Objective[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [formOpen, setFormOpen] = useState(false);

  const load = async () => {
    try {
      const all: Objective[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.objectives(cursor);
        all.push(...page.items);
        cursor = page.next;
      } while (cursor && all.length < 1000);
      setItems(all);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  return (
    <div class="page">
      <GoalsHead
        title={t('nav.goals')}
        action={
          manager && !formOpen ? (
            <button type="button" class="btn btn-primary page-head-action" onClick={() => setFormOpen(true)}>
              {t('goals.new')}
            </button>
          ) : undefined
        }
      />
      <p class="lead-small">{t('goals.lead')}</p>
      <div class="stack-large">
        {formOpen && <ObjectiveForm onCancel={() => setFormOpen(false)} />}
        {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
        {items === null && error === null && <Spinner label={t('common.loading')} />}
        {items !== null && items.length === 0 && !formOpen && (
          <section class="empty-state" aria-labelledby="goals-empty" data-testid="goals-empty">
            <h2 class="h3" id="goals-empty">
              {t('goals.emptyTitle')}
            </h2>
            <p>{t('goals.emptyBody')}</p>
            <p>{manager ? t('goals.emptyManager') : t('goals.emptyMember')}</p>
            {manager && (
              <p>
                <button type="button" class="btn btn-primary" onClick={() => setFormOpen(true)}>
                  {t('goals.new')}
                </button>
              </p>
            )}
          </section>
        )}
        {items !== null && items.length > 0 && (
          <ul class="goal-list" data-testid="goal-list">
            {items.map((o) => (
              <ObjectiveCard key={o.id} o={o} />
            ))}
          </ul>
        )}
        {items !== null && items.length > 0 && <SiteScript event={null} />}
        {manager && <RatesSection />}
      </div>
    </div>
  );
}

function ObjectiveCard({ o }: { o: Objective }) {
  const i18n = useI18n();
  const { t } = i18n;
  const p = o.progress;
  return (
    <li class="goal-card">
      <div class="goal-card-head">
        <Link href={`/goals/${o.id}`} class="goal-name">
          {o.name}
        </Link>
        <StatusBadge status={p.status} />
      </div>
      <ProgressBar o={o} />
      <p class="goal-figures">
        <strong>
          {t('goals.valueOfTarget', { value: metricValue(i18n, o, p.value), target: metricValue(i18n, o, o.target) })}
        </strong>{' '}
        <span class="muted">({pct(i18n, p.percent)})</span>
      </p>
      <p class="muted small">
        {t('goals.paceLine', { expected: metricValue(i18n, o, p.expected_to_date), pace: pct(i18n, p.pace_percent) })}
        {' · '}
        {t('goals.forecastLine', { forecast: metricValue(i18n, o, p.forecast) })}
        {' · '}
        {t('goals.daysLine', { elapsed: Math.min(p.days_elapsed, p.days_total), total: p.days_total, end: day(i18n, o.end) })}
      </p>
    </li>
  );
}

/** Creates an objective (then opens its page), or edits OBJECTIVE and calls onSaved. */
function ObjectiveForm({ objective, onCancel, onSaved }: { objective?: Objective; onCancel: () => void; onSaved?: (o: Objective) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { navigate } = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const start0 = today();
  const [f, setF] = useState({
    name: objective?.name ?? '',
    metric: (objective?.metric ?? 'conversions') as Metric,
    event: objective?.event ?? '',
    stage: objective?.stage ?? 'customer',
    target: objective ? String(objective.target) : '',
    start: objective?.start ?? start0,
    end: objective?.end ?? addDays(start0, 89),
    department: objective?.department ?? '',
    funnel: objective?.funnel.join(', ') ?? '',
  });
  const [channels, setChannels] = useState<string[]>(objective?.channels ?? []);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => {
    // read now: the event is gone by the time a queued update runs
    const value = (e.currentTarget as HTMLInputElement).value;
    setF((prev) => ({ ...prev, [k]: value }));
  };
  const prefix = objective ? 'ge' : 'go';

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>(`#${prefix}-name`)?.focus();
  }, []);

  const needsEvent = f.metric === 'conversions' || f.metric === 'revenue';
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const fields: Record<string, string> = {};
    if (!f.name.trim()) fields.name = t('val.required');
    if (needsEvent && !f.event.trim()) fields.event = t('val.required');
    if (!f.target.trim()) fields.target = t('val.required');
    else if (!(Number(f.target.replace(',', '.')) > 0)) fields.target = t('err.goals.bad_amount');
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    const body = {
      name: f.name.trim(),
      metric: f.metric,
      ...(needsEvent ? { event: f.event.trim() } : {}),
      ...(f.metric === 'contacts' ? { stage: f.stage } : {}),
      target: Number(f.target.replace(',', '.')),
      start: f.start,
      end: f.end,
      channels,
      funnel: f.funnel
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x),
      ...(f.department.trim() || objective ? { department: f.department.trim() } : {}),
    };
    try {
      if (objective) {
        const o = await api.updateObjective(objective.id, body);
        setBusy(false);
        onSaved?.(o);
      } else {
        const o = await api.createObjective(body);
        navigate(`/goals/${o.id}`);
      }
    } catch (err) {
      setErrors(placeError(i18n, err, ['name', 'metric', 'event', 'stage', 'target', 'start', 'end', 'department', 'channels', 'funnel']));
      focusFirstInvalid(formRef.current);
      setBusy(false);
    }
  };

  const targetLabel =
    f.metric === 'revenue' ? t('goals.f.targetRevenue') : f.metric === 'response_time' ? t('goals.f.targetMinutes') : t('goals.f.target');
  return (
    <section class="card" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{objective ? t('goals.editTitle') : t('goals.new')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid={objective ? 'edit-objective' : 'new-objective'}>
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row">
          <Field id={`${prefix}-name`} label={t('goals.f.name')} hint={t('goals.f.nameHint')} error={errors.fields.name ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={f.name} onInput={set('name')} />}
          </Field>
          <Field id={`${prefix}-metric`} label={t('goals.f.metric')} error={errors.fields.metric ?? null}>
            {(aria) => (
              <select {...aria} value={f.metric} onChange={set('metric')}>
                {METRICS.map((m) => (
                  <option key={m} value={m}>
                    {t(`goals.metric.${m}` as Key)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div class="field-row">
          {needsEvent && (
            <Field id={`${prefix}-event`} label={t('goals.f.event')} hint={t('goals.f.eventHint')} error={errors.fields.event ?? null}>
              {(aria) => (
                <input {...aria} type="text" autoComplete="off" spellcheck={false} placeholder="newsletter_signup" value={f.event} onInput={set('event')} />
              )}
            </Field>
          )}
          {f.metric === 'contacts' && (
            <Field id={`${prefix}-stage`} label={t('goals.f.stage')} error={errors.fields.stage ?? null}>
              {(aria) => (
                <select {...aria} value={f.stage} onChange={set('stage')}>
                  {STAGES.map((s) => (
                    <option key={s} value={s}>
                      {tr(i18n, `stage.${s}`, s)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field id={`${prefix}-target`} label={targetLabel} error={errors.fields.target ?? null}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={f.target} onInput={set('target')} />}
          </Field>
        </div>
        <div class="field-row three">
          <Field id={`${prefix}-start`} label={t('goals.f.start')} error={errors.fields.start ?? null}>
            {(aria) => <input {...aria} type="date" value={f.start} onInput={set('start')} />}
          </Field>
          <Field id={`${prefix}-end`} label={t('goals.f.end')} error={errors.fields.end ?? null}>
            {(aria) => <input {...aria} type="date" value={f.end} onInput={set('end')} />}
          </Field>
          <Field id={`${prefix}-department`} label={t('goals.f.department')} error={errors.fields.department ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={f.department} onInput={set('department')} />}
          </Field>
        </div>
        <fieldset class="goal-channels" aria-describedby={`${prefix}-channels-hint`}>
          <legend>{t('goals.f.channels')}</legend>
          <p class="muted small" id={`${prefix}-channels-hint`}>
            {t('goals.f.channelsHint')}
          </p>
          {errors.fields.channels && <p class="field-error">{errors.fields.channels}</p>}
          <div class="check-grid">
            {CHANNELS.map((c) => (
              <label key={c} class="check">
                <input
                  type="checkbox"
                  checked={channels.includes(c)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setChannels((prev) => (on ? CHANNELS.filter((x) => x === c || prev.includes(x)) : prev.filter((x) => x !== c)));
                  }}
                />{' '}
                {channelName(i18n, c)}
              </label>
            ))}
          </div>
        </fieldset>
        {f.metric !== 'response_time' && f.metric !== 'contacts' && (
          <Field id={`${prefix}-funnel`} label={t('goals.f.funnel')} hint={t('goals.f.funnelHint')} error={errors.fields.funnel ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" spellcheck={false} value={f.funnel} onInput={set('funnel')} />}
          </Field>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : objective ? t('goals.save') : t('goals.create')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

// --- hourly rates (owners set them, managers see them) --------------------------------------

function RatesSection() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const owner = user.role === 'owner';
  const [rates, setRates] = useState<Rate[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [who, setWho] = useState('role:member');
  const [rate, setRate] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const load = async () => {
    try {
      setRates((await api.rates()).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
    if (owner)
      api
        .users()
        .then((l) => setUsers(l.items))
        .catch(() => setUsers([]));
  }, []);

  const whoName = (r: Rate) => {
    if (r.role) return t('goals.rates.everyRole', { role: t(`role.${r.role}` as Key) });
    const u = users.find((x) => x.id === r.user_id);
    return u ? u.name : `#${r.user_id}`;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const value = rate.trim() === '' ? null : Number(rate.replace(',', '.'));
    if (value !== null && !(value >= 0)) {
      setErrors({ fields: { rate: t('err.goals.bad_amount') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setSaved(false);
    setErrors(noErrors);
    try {
      const [kind, id] = who.split(':');
      await api.setRate(kind === 'role' ? { role: id, rate: value } : { user_id: Number(id), rate: value });
      setRate('');
      setSaved(true);
      await load();
    } catch (err) {
      setErrors(placeError(i18n, err, ['rate'], { user_id: 'rate', role: 'rate' }));
      focusFirstInvalid(formRef.current);
    }
    setBusy(false);
  };

  return (
    <section class="card" aria-labelledby="rates-title" data-testid="rates">
      <h2 class="h3" id="rates-title">
        {t('goals.rates.title')}
      </h2>
      <p class="muted">{t('goals.rates.lead')}</p>
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {rates !== null && rates.length === 0 && <p>{t('goals.rates.none')}</p>}
      {rates !== null && rates.length > 0 && (
        <ul class="plain-list rate-list">
          {rates.map((r) => (
            <li key={`${r.role ?? ''}${r.user_id ?? ''}`}>
              <span>{whoName(r)}</span> <strong>{t('goals.rates.perHour', { amount: money(i18n, r.rate, r.currency) })}</strong>
            </li>
          ))}
        </ul>
      )}
      {owner && (
        <form ref={formRef} onSubmit={submit} noValidate class="goal-inline" data-testid="rate-form">
          {errors.form && <Alert>{errors.form}</Alert>}
          <div class="field-row three">
            <Field id="rate-who" label={t('goals.rates.who')}>
              {(aria) => (
                <select {...aria} value={who} onChange={(e) => setWho(e.currentTarget.value)}>
                  <optgroup label={t('goals.rates.roles')}>
                    {ROLES.map((r) => (
                      <option key={r} value={`role:${r}`}>
                        {t(`role.${r}` as Key)}
                      </option>
                    ))}
                  </optgroup>
                  {users.length > 0 && (
                    <optgroup label={t('goals.rates.people')}>
                      {users.map((u) => (
                        <option key={u.id} value={`user:${u.id}`}>
                          {u.name}
                        </option>
                      ))}
                    </optgroup>
                  )}
                </select>
              )}
            </Field>
            <Field id="rate-value" label={t('goals.rates.rate')} hint={t('goals.rates.rateHint')} error={errors.fields.rate ?? null}>
              {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={rate} onInput={(e) => setRate(e.currentTarget.value)} />}
            </Field>
            <div class="form-actions">
              <button type="submit" class="btn" disabled={busy}>
                {busy ? t('common.saving') : t('common.save')}
              </button>
            </div>
          </div>
          {saved && <Status>{t('common.saved')}</Status>}
        </form>
      )}
    </section>
  );
}

// --- charts (hand-drawn SVG) -----------------------------------------------------------------

const W = 640;
const H = 240;
const PAD = { l: 56, r: 56, t: 16, b: 32 };

function niceMax(v: number, whole = false): number {
  // four equal steps of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten
  const raw = Math.max(v, 0) / 4;
  if (raw <= 0) return whole ? 4 : 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * p;
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  }
  if (whole) step = Math.max(1, Math.ceil(step));
  return 4 * step;
}

function Axis({ max, fmt, side = 'l' }: { max: number; fmt: (n: number) => string; side?: 'l' | 'r' }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const x = side === 'l' ? PAD.l - 6 : W - PAD.r + 6;
  return (
    <g class="chart-axis">
      {ticks.map((f) => {
        const y = H - PAD.b - f * (H - PAD.t - PAD.b);
        return (
          <g key={f}>
            {side === 'l' && <line x1={PAD.l} x2={W - PAD.r} y1={y} y2={y} class="chart-grid" />}
            <text x={x} y={y + 4} text-anchor={side === 'l' ? 'end' : 'start'}>
              {fmt(max * f)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function XLabels({ first, last }: { first: string; last: string }) {
  return (
    <g class="chart-axis">
      <text x={PAD.l} y={H - 10} text-anchor="start">
        {first}
      </text>
      <text x={W - PAD.r} y={H - 10} text-anchor="end">
        {last}
      </text>
    </g>
  );
}

function Legend({ items }: { items: { cls: string; label: string; dashed?: boolean }[] }) {
  return (
    <ul class="chart-legend">
      {items.map((it) => (
        <li key={it.label}>
          <span class={`chart-key ${it.cls}${it.dashed ? ' dashed' : ''}`} aria-hidden="true" />
          {it.label}
        </li>
      ))}
    </ul>
  );
}

/** Cumulative progress against the even pace to the target, with the forecast to the end. */
function ProgressChart({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  const o = r.objective;
  const p = o.progress;
  const total = Math.max(1, p.days_total);
  const series = r.series;
  const last = series.length ? series[series.length - 1] : null;
  const lastCum = last?.cumulative ?? 0;
  const max = niceMax(Math.max(o.target, p.forecast ?? 0, lastCum), o.metric !== 'revenue');
  const x = (i: number) => PAD.l + (i / total) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const actual = series.map((d, i) => `${i ? 'L' : 'M'}${x(i + 1).toFixed(1)},${y(d.cumulative ?? 0).toFixed(1)}`).join('');
  const fmt = (n: number) => num(i18n, n);
  const summary = t('goals.chart.progressSummary', {
    value: metricValue(i18n, o, p.value),
    expected: metricValue(i18n, o, p.expected_to_date),
    forecast: metricValue(i18n, o, p.forecast),
    target: metricValue(i18n, o, o.target),
  });
  return (
    <figure class="chart" data-testid="chart-progress">
      <figcaption class="chart-title">{t('goals.chart.progress')}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <Axis max={max} fmt={fmt} />
        <line class="chart-target" x1={PAD.l} x2={W - PAD.r} y1={y(o.target)} y2={y(o.target)} />
        <text class="chart-note" x={W - PAD.r} y={y(o.target) - 6} text-anchor="end">
          {t('goals.chart.target')}
        </text>
        <line class="chart-pace" x1={x(0)} y1={y(0)} x2={x(total)} y2={y(o.target)} />
        {last && p.forecast !== null && series.length < total && (
          <line class="chart-forecast" x1={x(series.length)} y1={y(lastCum)} x2={x(total)} y2={y(p.forecast)} />
        )}
        {series.length > 0 && <path class="chart-actual" d={`M${x(0)},${y(0)}${actual.replace(/^M/, 'L')}`} />}
        {last && <circle class="chart-actual-dot" cx={x(series.length)} cy={y(lastCum)} r="4" />}
        <XLabels first={day(i18n, o.start)} last={day(i18n, o.end)} />
      </svg>
      <Legend
        items={[
          { cls: 'k-actual', label: t('goals.chart.actual') },
          { cls: 'k-pace', label: t('goals.chart.pace'), dashed: true },
          { cls: 'k-forecast', label: t('goals.chart.forecast'), dashed: true },
        ]}
      />
      <p class="chart-caption">{summary}</p>
    </figure>
  );
}

/** Conversions per day (bars, right axis) against the cumulative cost (line, left axis). */
function CostChart({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  const s: ReportDay[] = r.series;
  if (s.length === 0) return null;
  const costMax = niceMax(Math.max(1, ...s.map((d) => d.cumulative_cost)));
  const convMax = niceMax(Math.max(1, ...s.map((d) => d.conversions)), true);
  const step = (W - PAD.l - PAD.r) / s.length;
  const x = (i: number) => PAD.l + i * step;
  const yc = (v: number) => H - PAD.b - (v / costMax) * (H - PAD.t - PAD.b);
  const yv = (v: number) => H - PAD.b - (v / convMax) * (H - PAD.t - PAD.b);
  const line = s.map((d, i) => `${i ? 'L' : 'M'}${(x(i) + step / 2).toFixed(1)},${yc(d.cumulative_cost).toFixed(1)}`).join('');
  const summary = t('goals.chart.costSummary', {
    cost: money(i18n, r.cost),
    conversions: num(i18n, r.conversions),
    cpc: money(i18n, r.cost_per_conversion),
  });
  return (
    <figure class="chart" data-testid="chart-cost">
      <figcaption class="chart-title">{t('goals.chart.cost')}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axis max={costMax} fmt={(n) => money(i18n, n).replace(/[,.]00(?=\D*$)/, '')} />
        <Axis max={convMax} fmt={(n) => num(i18n, n, 1)} side="r" />
        {s.map((d, i) =>
          d.conversions > 0 ? (
            <rect
              key={d.date}
              class="chart-bar"
              x={x(i) + step * 0.15}
              width={Math.max(1, step * 0.7)}
              y={yv(d.conversions)}
              height={H - PAD.b - yv(d.conversions)}
            >
              <title>{`${day(i18n, d.date)}: ${num(i18n, d.conversions)}`}</title>
            </rect>
          ) : null,
        )}
        <path class="chart-cost" d={line} />
        <XLabels first={day(i18n, s[0]?.date ?? null)} last={day(i18n, s[s.length - 1]?.date ?? null)} />
      </svg>
      <Legend
        items={[
          { cls: 'k-cost', label: t('goals.chart.cumulativeCost') },
          { cls: 'k-bar', label: t('goals.chart.conversionsPerDay') },
        ]}
      />
      <p class="chart-caption">{summary}</p>
    </figure>
  );
}

/** The ROI so far, day by day ((value - cost) / cost), against the break-even line. */
function RoiChart({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  const s: ReportDay[] = r.series;
  if (s.length === 0) return null;
  const points = s.map((d, i) => ({ i, roi: d.roi })).filter((p): p is { i: number; roi: number } => p.roi !== null);
  const summary = t('goals.chart.roiSummary', { roi: pct(i18n, r.roi), value: money(i18n, r.value), cost: money(i18n, r.cost) });
  const hi = niceMax(Math.max(10, ...points.map((p) => p.roi)));
  const lo = -niceMax(Math.max(10, ...points.map((p) => -p.roi)));
  const step = (W - PAD.l - PAD.r) / s.length;
  const x = (i: number) => PAD.l + i * step + step / 2;
  const y = (v: number) => PAD.t + ((hi - v) / (hi - lo)) * (H - PAD.t - PAD.b);
  const line = points.map((p, k) => `${k ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.roi).toFixed(1)}`).join('');
  const ticks = [hi, hi / 2, 0, lo / 2, lo];
  return (
    <figure class="chart" data-testid="chart-roi">
      <figcaption class="chart-title">{t('goals.chart.roi')}</figcaption>
      {points.length === 0 ? (
        <p class="muted">{t('goals.chart.roiEmpty')}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
          {ticks.map((v) => (
            <g key={v} class="chart-axis">
              <line class="chart-grid" x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} />
              <text x={PAD.l - 6} y={y(v) + 4} text-anchor="end">
                {pct(i18n, v)}
              </text>
            </g>
          ))}
          <line class="chart-target" x1={PAD.l} x2={W - PAD.r} y1={y(0)} y2={y(0)} />
          <text class="chart-note" x={W - PAD.r} y={y(0) - 6} text-anchor="end">
            {t('goals.chart.breakEven')}
          </text>
          <path class="chart-actual" d={line} />
          {points.length > 0 && <circle class="chart-actual-dot" cx={x(points[points.length - 1].i)} cy={y(points[points.length - 1].roi)} r="4" />}
          <XLabels first={day(i18n, s[0]?.date ?? null)} last={day(i18n, s[s.length - 1]?.date ?? null)} />
        </svg>
      )}
      <Legend items={[{ cls: 'k-actual', label: t('goals.chart.roiLine') }]} />
      <p class="chart-caption">{summary}</p>
    </figure>
  );
}

/** Response time: the median so far day by day against the maximum. */
function ResponseChart({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  const o = r.objective;
  const s = r.series;
  const total = Math.max(1, o.progress.days_total);
  const pts = s.map((d, i) => ({ i, v: d.cumulative })).filter((p): p is { i: number; v: number } => p.v !== null);
  const max = niceMax(Math.max(o.target * 1.25, ...pts.map((p) => p.v)), true);
  const x = (i: number) => PAD.l + ((i + 1) / total) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const line = pts.map((p, k) => `${k ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const summary = t('goals.chart.responseSummary', { value: metricValue(i18n, o, o.progress.value), target: metricValue(i18n, o, o.target) });
  return (
    <figure class="chart" data-testid="chart-progress">
      <figcaption class="chart-title">{t('goals.chart.progress')}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <Axis max={max} fmt={(n) => num(i18n, n)} />
        <line class="chart-target" x1={PAD.l} x2={W - PAD.r} y1={y(o.target)} y2={y(o.target)} />
        <text class="chart-note" x={W - PAD.r} y={y(o.target) - 6} text-anchor="end">
          {t('goals.chart.maximum')}
        </text>
        {pts.length > 0 && <path class="chart-actual" d={line} />}
        {pts.length > 0 && <circle class="chart-actual-dot" cx={x(pts[pts.length - 1].i)} cy={y(pts[pts.length - 1].v)} r="4" />}
        <XLabels first={day(i18n, o.start)} last={day(i18n, o.end)} />
      </svg>
      <Legend
        items={[
          { cls: 'k-actual', label: t('goals.chart.medianSoFar') },
          { cls: 'k-pace', label: t('goals.chart.maximum'), dashed: true },
        ]}
      />
      <p class="chart-caption">{summary}</p>
    </figure>
  );
}

/** Response times by conversation channel. */
function ResponseTable({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  const x = r.responses;
  if (!x) return null;
  const min = (n: number | null) => (n === null ? '—' : t('goals.minutes', { n: num(i18n, n) }));
  return (
    <section aria-labelledby="goal-responses" data-testid="responses">
      <h2 class="section-title" id="goal-responses">
        {t('goals.resp.title')}
      </h2>
      {x.messages === 0 ? (
        <div class="empty-state">
          <p>{t('goals.resp.empty')}</p>
        </div>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('goals.resp.channel')}</th>
              <th scope="col">{t('goals.resp.messages')}</th>
              <th scope="col">{t('goals.resp.median')}</th>
              <th scope="col">{t('goals.resp.late')}</th>
              <th scope="col">{t('goals.resp.unanswered')}</th>
            </tr>
          </thead>
          <tbody>
            {x.channels.map((c) => (
              <tr key={c.channel}>
                <th scope="row">{channelName(i18n, c.channel)}</th>
                <td>{num(i18n, c.messages)}</td>
                <td>{min(c.median_minutes)}</td>
                <td>{num(i18n, c.late)}</td>
                <td>{num(i18n, c.unanswered)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The funnel steps as bars, each with its rate from the step before. */
function FunnelChart({ r }: { r: Report }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (r.funnel.length === 0) return null;
  const max = Math.max(1, ...r.funnel.map((s) => s.count));
  return (
    <figure class="chart" data-testid="chart-funnel">
      <figcaption class="chart-title">{t('goals.chart.funnel')}</figcaption>
      <ol class="funnel">
        {r.funnel.map((s, i) => (
          <li key={s.step} class="funnel-step">
            {i > 0 && (
              <span class="funnel-rate">
                {s.rate === null ? t('goals.funnel.noRate') : t('goals.funnel.rate', { rate: pct(i18n, s.rate) })}
              </span>
            )}
            <span class="funnel-label">
              <span>{stepName(i18n, s.step)}</span>
              <strong>{num(i18n, s.count)}</strong>
            </span>
            <span class="funnel-track" aria-hidden="true">
              <span class="funnel-fill" style={{ width: `${(s.count / max) * 100}%` }} />
            </span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

// --- the objective's page ------------------------------------------------------------------

export function ObjectivePage({ id }: { id: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const manager = isManager(user.role);
  const [report, setReport] = useState<Report | null>(null);
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [campaignForm, setCampaignForm] = useState(false);
  const [editing, setEditing] = useState(false);

  const load = async () => {
    try {
      const [r, c] = await Promise.all([api.report(id), api.campaigns(id)]);
      setReport(r);
      setCampaigns(c.items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);
  useTimeLogged(load);

  if (error !== null && !report)
    return (
      <div class="page">
        <Link href="/goals" class="back-link">
          {t('goals.back')}
        </Link>
        <Alert>{errorText(i18n, error)}</Alert>
      </div>
    );
  if (!report || !campaigns) return <Spinner label={t('common.loading')} />;
  const o = report.objective;
  const p = o.progress;
  const eur = (n: number | null) => money(i18n, n, report.currency);
  const explanation = report.explanation ? (i18n.locale === 'it' ? report.explanation.it : report.explanation.en) : null;

  return (
    <div class="page goal-page">
      <Link href="/goals" class="back-link">
        {t('goals.back')}
      </Link>
      <GoalsHead
        title={o.name}
        action={
          <span class="page-head-action">
            <StatusBadge status={p.status} />{' '}
            {manager && !editing && (
              <button type="button" class="btn" onClick={() => setEditing(true)} data-testid="objective-edit">
                {t('goals.edit')}
              </button>
            )}
          </span>
        }
      />
      {editing && (
        <ObjectiveForm
          objective={o}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            void load();
          }}
        />
      )}
      <p class="lead-small">
        {t(`goals.metricLine.${o.metric}` as Key, { event: o.event ?? '', stage: o.stage ? tr(i18n, `stage.${o.stage}`, o.stage) : '' })}{' '}
        {t('goals.periodLine', { start: day(i18n, o.start), end: day(i18n, o.end) })}
        {o.department ? ` · ${o.department}` : ''}
      </p>
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      <div class="stack-large">
        <section class="card" aria-labelledby="goal-progress">
          <h2 class="h3" id="goal-progress">
            {t('goals.progress')}
          </h2>
          <ProgressBar o={o} />
          <p class="goal-figures">
            <strong>{t('goals.valueOfTarget', { value: metricValue(i18n, o, p.value), target: metricValue(i18n, o, o.target) })}</strong>{' '}
            <span class="muted">({pct(i18n, p.percent)})</span>
          </p>
          <p class="muted small">
            {o.metric !== 'response_time' && (
              <>
                {t('goals.paceLine', { expected: metricValue(i18n, o, p.expected_to_date), pace: pct(i18n, p.pace_percent) })}
                {' · '}
                {t('goals.forecastLine', { forecast: metricValue(i18n, o, p.forecast) })}
                {' · '}
              </>
            )}
            {t('goals.daysLine', { elapsed: Math.min(p.days_elapsed, p.days_total), total: p.days_total, end: day(i18n, o.end) })}
          </p>
          {explanation && (
            <div class={`goal-explain status-${p.status}`} data-testid="goal-explanation">
              <h3 class="small-heading">{p.status === 'missed' ? t('goals.whyMissed') : t('goals.whyAtRisk')}</h3>
              <p>{explanation}</p>
            </div>
          )}
        </section>

        <section aria-labelledby="goal-report">
          <h2 class="section-title" id="goal-report">
            {t('goals.report')}
          </h2>
          <dl class="figures" data-testid="goal-report">
            <div>
              <dt>{t('goals.fig.cost')}</dt>
              <dd data-testid="fig-cost">{eur(report.cost)}</dd>
              <dd class="muted small">
                {t('goals.fig.costSplit', { money: eur(report.cost_money), hours: num(i18n, report.hours, 2), time: eur(report.cost_time) })}
              </dd>
            </div>
            <div>
              <dt>{t('goals.fig.conversions')}</dt>
              <dd data-testid="fig-conversions">{num(i18n, report.conversions)}</dd>
              <dd class="muted small">{t('goals.fig.clicks', { clicks: num(i18n, report.clicks), rate: pct(i18n, report.conversion_rate) })}</dd>
            </div>
            <div>
              <dt>{t('goals.fig.value')}</dt>
              <dd data-testid="fig-value">{eur(report.value)}</dd>
            </div>
            <div>
              <dt>{t('goals.fig.cpc')}</dt>
              <dd data-testid="fig-cpc">{eur(report.cost_per_conversion)}</dd>
            </div>
            <div>
              <dt>{t('goals.fig.roi')}</dt>
              <dd data-testid="fig-roi" class={report.roi !== null && report.roi < 0 ? 'neg' : ''}>
                {pct(i18n, report.roi)}
              </dd>
              <dd class="muted small">{t('goals.fig.roiHow')}</dd>
            </div>
          </dl>
          {report.hours_without_rate > 0 && (
            <p class="note" data-testid="unpriced">
              {t('goals.fig.unpriced', { hours: num(i18n, report.hours_without_rate, 2) })}
            </p>
          )}
          {report.unattributed_conversions > 0 && (
            <p class="muted small">{t('goals.fig.unattributed', { n: report.unattributed_conversions })}</p>
          )}
        </section>

        <section class="charts" aria-label={t('goals.charts')}>
          {o.metric === 'response_time' ? <ResponseChart r={report} /> : <ProgressChart r={report} />}
          <CostChart r={report} />
          <RoiChart r={report} />
          <FunnelChart r={report} />
        </section>

        {o.metric === 'response_time' && <ResponseTable r={report} />}

        <section aria-labelledby="goal-campaigns">
          <div class="section-head">
            <h2 class="section-title" id="goal-campaigns">
              {t('goals.campaigns')}
            </h2>
            {manager && !campaignForm && (
              <button type="button" class="btn" onClick={() => setCampaignForm(true)}>
                {t('goals.campaign.new')}
              </button>
            )}
          </div>
          {campaignForm && (
            <CampaignForm
              objective={o}
              onCancel={() => setCampaignForm(false)}
              onDone={async () => {
                setCampaignForm(false);
                await load();
              }}
            />
          )}
          {campaigns.length === 0 && !campaignForm && (
            <div class="empty-state" data-testid="campaigns-empty">
              <p>{t('goals.campaign.empty')}</p>
              <p>{manager ? t('goals.campaign.emptyManager') : t('goals.campaign.emptyMember')}</p>
            </div>
          )}
          {campaigns.length > 0 && (
            <ul class="campaign-list" data-testid="campaign-list">
              {campaigns.map((c) => (
                <CampaignItem
                  key={c.id}
                  c={c}
                  objective={o}
                  figures={report.campaigns.find((k) => k.id === c.id)}
                  currency={report.currency}
                  manager={manager}
                  onChanged={load}
                />
              ))}
            </ul>
          )}
        </section>

        <Investments objective={o} campaigns={campaigns} onChange={load} />

        {(o.metric === 'conversions' || o.metric === 'revenue') && <SiteScript event={o.event} />}
      </div>
    </div>
  );
}

/** Creates a campaign of OBJECTIVE, or edits CAMPAIGN. */
function CampaignForm({
  objective,
  campaign,
  onCancel,
  onDone,
}: {
  objective: Objective;
  campaign?: Campaign;
  onCancel: () => void;
  onDone: () => Promise<void>;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [f, setF] = useState({
    name: campaign?.name ?? '',
    channel: campaign?.channel ?? objective.channels[0] ?? 'linkedin',
    budget: campaign?.budget !== null && campaign?.budget !== undefined ? String(campaign.budget) : '',
    target: campaign?.target !== null && campaign?.target !== undefined ? String(campaign.target) : '',
    start: campaign ? (campaign.start ?? '') : objective.start,
    end: campaign ? (campaign.end ?? '') : objective.end,
  });
  const prefix = campaign ? `gce-${campaign.id}` : 'gc';
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => {
    // read now: the event is gone by the time a queued update runs
    const value = (e.currentTarget as HTMLInputElement).value;
    setF((prev) => ({ ...prev, [k]: value }));
  };

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>(`#${prefix}-name`)?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!f.name.trim()) {
      setErrors({ fields: { name: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    const budget = f.budget.trim() ? Number(f.budget.replace(',', '.')) : undefined;
    const target = f.target.trim() ? Number(f.target.replace(',', '.')) : undefined;
    const bad: Record<string, string> = {};
    if (budget !== undefined && !(budget >= 0)) bad.budget = t('err.goals.bad_amount');
    if (target !== undefined && !(target > 0)) bad.target = t('err.goals.bad_amount');
    if (Object.keys(bad).length) {
      setErrors({ fields: bad, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    try {
      if (campaign) {
        await api.updateCampaign(campaign.id, {
          name: f.name.trim(),
          channel: f.channel,
          budget: budget ?? null,
          target: target ?? null,
          ...(f.start ? { start: f.start } : {}),
          ...(f.end ? { end: f.end } : {}),
        });
      } else {
        await api.createCampaign({
          name: f.name.trim(),
          objective_id: objective.id,
          channel: f.channel,
          ...(budget !== undefined ? { budget } : {}),
          ...(target !== undefined ? { target } : {}),
          ...(f.start ? { start: f.start } : {}),
          ...(f.end ? { end: f.end } : {}),
        });
      }
      await onDone();
    } catch (err) {
      setErrors(placeError(i18n, err, ['name', 'channel', 'budget', 'target', 'start', 'end']));
      focusFirstInvalid(formRef.current);
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{campaign ? t('goals.campaign.editTitle', { name: campaign.name }) : t('goals.campaign.new')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid={campaign ? 'edit-campaign' : 'new-campaign'}>
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row three">
          <Field id={`${prefix}-name`} label={t('goals.f.name')} error={errors.fields.name ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={f.name} onInput={set('name')} />}
          </Field>
          <Field id={`${prefix}-channel`} label={t('goals.f.channel')} error={errors.fields.channel ?? null}>
            {(aria) => (
              <select {...aria} value={f.channel} onChange={set('channel')}>
                {CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {channelName(i18n, c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={`${prefix}-budget`} label={t('goals.f.budget')} hint={t('goals.f.optional')} error={errors.fields.budget ?? null}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={f.budget} onInput={set('budget')} />}
          </Field>
        </div>
        <div class="field-row three">
          <Field id={`${prefix}-start`} label={t('goals.f.start')} error={errors.fields.start ?? null}>
            {(aria) => <input {...aria} type="date" value={f.start} onInput={set('start')} />}
          </Field>
          <Field id={`${prefix}-end`} label={t('goals.f.end')} error={errors.fields.end ?? null}>
            {(aria) => <input {...aria} type="date" value={f.end} onInput={set('end')} />}
          </Field>
          <Field id={`${prefix}-target`} label={t('goals.f.campaignTarget')} hint={t('goals.f.optional')} error={errors.fields.target ?? null}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={f.target} onInput={set('target')} />}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : campaign ? t('goals.save') : t('goals.campaign.create')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

function CampaignItem({
  c,
  objective,
  figures,
  currency,
  manager,
  onChanged,
}: {
  c: Campaign;
  objective: Objective;
  figures: Report['campaigns'][number] | undefined;
  currency: string;
  manager: boolean;
  onChanged: () => Promise<void>;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  if (editing)
    return (
      <li class="campaign" data-testid="campaign">
        <CampaignForm
          objective={objective}
          campaign={c}
          onCancel={() => setEditing(false)}
          onDone={async () => {
            setEditing(false);
            await onChanged();
          }}
        />
      </li>
    );
  const eur = (n: number | null) => money(i18n, n, currency);
  const panel = `campaign-${c.id}-links`;
  return (
    <li class="campaign card" data-testid="campaign">
      <div class="campaign-head">
        <h3 class="campaign-name">{c.name}</h3>
        <span class="badge">{channelName(i18n, c.channel)}</span>
        {manager && (
          <button type="button" class="btn btn-small" onClick={() => setEditing(true)} data-testid="campaign-edit">
            {t('goals.campaign.edit')}
          </button>
        )}
      </div>
      <dl class="figures figures-small">
        <div>
          <dt>{t('goals.fig.budget')}</dt>
          <dd>{eur(c.budget)}</dd>
        </div>
        <div>
          <dt>{t('goals.fig.cost')}</dt>
          <dd>{eur(figures?.cost ?? 0)}</dd>
        </div>
        <div>
          <dt>{t('goals.fig.clicksShort')}</dt>
          <dd>{num(i18n, figures?.clicks ?? 0)}</dd>
        </div>
        <div>
          <dt>{t('goals.fig.conversions')}</dt>
          <dd data-testid="campaign-conversions">{num(i18n, figures?.conversions ?? 0)}</dd>
        </div>
        <div>
          <dt>{t('goals.fig.roi')}</dt>
          <dd>{pct(i18n, figures?.roi ?? null)}</dd>
        </div>
      </dl>
      <button type="button" class="btn btn-small" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
        {open ? t('goals.links.hide') : t('goals.links.show')}
      </button>
      {open && (
        <div id={panel}>
          <CampaignLinks campaign={c} />
        </div>
      )}
    </li>
  );
}

function CampaignLinks({ campaign }: { campaign: Campaign }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [links, setLinks] = useState<TrackedLink[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const load = async () => {
    try {
      setLinks((await api.links(campaign.id)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [campaign.id]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!url.trim()) {
      setErrors({ fields: { url: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    try {
      await api.createLink({ url: url.trim(), campaign_id: campaign.id, ...(name.trim() ? { name: name.trim() } : {}) });
      setUrl('');
      setName('');
      await load();
    } catch (err) {
      setErrors(placeError(i18n, err, ['url', 'name']));
      focusFirstInvalid(formRef.current);
    }
    setBusy(false);
  };

  return (
    <div class="links">
      <p class="muted small">
        {t('goals.links.utm', { source: campaign.utm_source, medium: campaign.utm_medium, campaign: campaign.utm_campaign })}
      </p>
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {links === null && error === null && <Spinner label={t('common.loading')} />}
      {links !== null && links.length === 0 && <p>{t('goals.links.none')}</p>}
      {links !== null && links.length > 0 && (
        <ul class="link-list" data-testid="link-list">
          {links.map((l) => (
            <LinkRow key={l.id} l={l} onChanged={load} />
          ))}
        </ul>
      )}
      <form ref={formRef} onSubmit={submit} noValidate class="goal-inline" data-testid="new-link">
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row three">
          <Field id={`gl-url-${campaign.id}`} label={t('goals.links.url')} error={errors.fields.url ?? null}>
            {(aria) => (
              <input {...aria} type="url" autoComplete="off" placeholder="https://" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
            )}
          </Field>
          <Field id={`gl-name-${campaign.id}`} label={t('goals.links.name')} hint={t('goals.f.optional')} error={errors.fields.name ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('goals.links.create')}
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}

function LinkRow({ l, onChanged }: { l: TrackedLink; onChanged: () => Promise<void> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const input = useRef<HTMLInputElement>(null);
  const [copy, copied] = useCopy();
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState(l.url);
  const [name, setName] = useState(l.name ?? '');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const id = `link-${l.id}`;
  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!url.trim()) {
      setErrors({ fields: { url: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    try {
      await api.updateLink(l.id, { url: url.trim(), name: name.trim() });
      setEditing(false);
      await onChanged();
    } catch (err) {
      setErrors(placeError(i18n, err, ['url', 'name']));
      focusFirstInvalid(formRef.current);
    }
    setBusy(false);
  };
  return (
    <li class="link-row" data-testid="link">
      <img class="qr" src={l.qr_svg} width={96} height={96} alt={t('goals.links.qrAlt', { url: l.short_url })} />
      <div class="link-main">
        {!editing && (
          <p class="link-target">
            {l.name && <strong>{l.name} · </strong>}
            <span class="muted small" data-testid="link-url">
              {l.url}
            </span>{' '}
            <button type="button" class="btn btn-small" onClick={() => setEditing(true)} data-testid="link-edit">
              {t('goals.links.edit')}
            </button>
          </p>
        )}
        {editing && (
          <form ref={formRef} onSubmit={save} noValidate class="goal-inline" data-testid="edit-link">
            {errors.form && <Alert>{errors.form}</Alert>}
            <div class="field-row three">
              <Field id={`${id}-url`} label={t('goals.links.url')} error={errors.fields.url ?? null}>
                {(aria) => <input {...aria} type="url" autoComplete="off" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />}
              </Field>
              <Field id={`${id}-name`} label={t('goals.links.name')} hint={t('goals.f.optional')} error={errors.fields.name ?? null}>
                {(aria) => <input {...aria} type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
              </Field>
              <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled={busy}>
                  {busy ? t('common.saving') : t('goals.links.save')}
                </button>
                <button type="button" class="btn" onClick={() => setEditing(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          </form>
        )}
        <label for={id} class="visually-hidden">
          {t('goals.links.short')}
        </label>
        <div class="secret-row">
          <input
            ref={input}
            id={id}
            class="secret-value"
            type="text"
            readOnly
            value={l.short_url}
            data-testid="short-url"
            onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
          />
          <button type="button" class="btn btn-small" onClick={() => copy(l.short_url, input.current)}>
            {t('common.copy')}
          </button>
        </div>
        <div aria-live="polite" class="copy-state">
          {copied === 'ok' && t('common.copied')}
          {copied === 'failed' && t('common.copyFailed')}
        </div>
        <p class="small">
          <span data-testid="link-clicks">{t('goals.links.clicks', { n: num(i18n, l.clicks ?? 0), u: num(i18n, l.unique_visitors ?? 0) })}</span>
          {' · '}
          <a href={l.qr_png} download={`qr-${l.slug}.png`}>
            {t('goals.links.png')}
          </a>
          {' · '}
          <a href={l.qr_svg} download={`qr-${l.slug}.svg`}>
            {t('goals.links.svg')}
          </a>
        </p>
      </div>
    </li>
  );
}

/** How to put piazza.js on the company's site and report a conversion, with a copy button. */
function SiteScript({ event }: { event: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const area = useRef<HTMLTextAreaElement>(null);
  const [copy, copied] = useCopy();
  const name = event ?? 'newsletter_signup';
  const snippet =
    `<script src="${location.origin}/t/piazza.js" data-site="${user.workspace.slug}"></script>\n` +
    `<script>\n  // ${t('goals.site.event')}\n  piazza.track("${name}");\n</script>`;
  return (
    <section class="card site-script" aria-labelledby="site-script-title" data-testid="site-script">
      <h2 class="h3" id="site-script-title">
        {t('goals.site.title')}
      </h2>
      <p>{t('goals.site.intro')}</p>
      <label for="site-script-code" class="visually-hidden">
        {t('goals.site.title')}
      </label>
      <textarea id="site-script-code" ref={area} class="code-block" readOnly rows={6} value={snippet} data-testid="site-script-code" />
      <p>
        <button type="button" class="btn btn-small" onClick={() => copy(snippet, area.current)}>
          {t('goals.site.copy')}
        </button>{' '}
        <span aria-live="polite" class="copy-state">
          {copied === 'ok' && t('common.copied')}
          {copied === 'failed' && t('common.copyFailed')}
        </span>
      </p>
      <p class="muted small">{t('goals.site.server')}</p>
    </section>
  );
}

// --- investments ---------------------------------------------------------------------------

function Investments({ objective, campaigns, onChange }: { objective: Objective; campaigns: Campaign[]; onChange: () => Promise<void> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const manager = isManager(user.role);
  const [items, setItems] = useState<Investment[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    try {
      setItems((await api.investments(objective.id)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [objective.id]);
  useTimeLogged(load);

  const campaignName = (id: number | null) => (id ? campaigns.find((c) => c.id === id)?.name ?? `#${id}` : t('goals.inv.wholeObjective'));
  const remove = async (inv: Investment) => {
    try {
      await api.deleteInvestment(inv.id);
      await Promise.all([load(), onChange()]);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="goal-investments">
      <h2 class="section-title" id="goal-investments">
        {t('goals.inv.title')}
      </h2>
      <p class="muted">{t('goals.inv.lead')}</p>
      <InvestmentForm
        objective={objective}
        campaigns={campaigns}
        canMoney={manager}
        onDone={async () => {
          await Promise.all([load(), onChange()]);
        }}
      />
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {items !== null && items.length === 0 && <p>{t('goals.inv.none')}</p>}
      {items !== null && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="investments">
            <thead>
              <tr>
                <th scope="col">{t('goals.f.date')}</th>
                <th scope="col">{t('goals.inv.what')}</th>
                <th scope="col" class="num">
                  {t('goals.fig.cost')}
                </th>
                <th scope="col">{t('goals.inv.for')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('goals.inv.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id}>
                  <td class="nowrap">{day(i18n, inv.date)}</td>
                  <td>
                    {inv.kind === 'money'
                      ? tr(i18n, `goals.category.${inv.category ?? ''}`, inv.category ?? '')
                      : t('goals.inv.hoursOf', { hours: num(i18n, inv.hours ?? 0, 2), activity: inv.activity ?? t('goals.inv.time') })}
                    {inv.note ? <span class="muted small"> · {inv.note}</span> : null}
                  </td>
                  <td class="num nowrap">
                    {inv.amount === null ? <span class="muted">{t('goals.inv.noRate')}</span> : money(i18n, inv.amount, inv.currency)}
                  </td>
                  <td>{campaignName(inv.campaign_id)}</td>
                  <td class="cell-actions">
                    {(manager || (inv.kind === 'time' && inv.user_id === user.id)) && (
                      <button
                        type="button"
                        class="btn btn-small btn-danger-quiet"
                        aria-label={t('goals.inv.deleteOne', { date: day(i18n, inv.date) })}
                        onClick={() => void remove(inv)}
                      >
                        {t('goals.inv.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function InvestmentForm({
  objective,
  campaigns,
  canMoney,
  onDone,
}: {
  objective: Objective;
  campaigns: Campaign[];
  canMoney: boolean;
  onDone: () => Promise<void>;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<'money' | 'time'>(canMoney ? 'money' : 'time');
  const [f, setF] = useState({ date: today(), amount: '', currency: 'EUR', category: 'ads', hours: '', activity: '', campaign: '', note: '' });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => {
    // read now: the event is gone by the time a queued update runs
    const value = (e.currentTarget as HTMLInputElement).value;
    setF((prev) => ({ ...prev, [k]: value }));
  };
  const decimal = (s: string) => (s.trim() === '' ? undefined : Number(s.trim().replace(',', '.')));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setDone(false);
    setErrors(noErrors);
    const target = f.campaign ? { campaign_id: Number(f.campaign) } : { objective_id: objective.id };
    // the server checks every field and names the one at fault; the page sends what was typed
    const amount = decimal(f.amount);
    const hours = decimal(f.hours);
    try {
      await api.createInvestment(
        kind === 'money'
          ? { kind, date: f.date, ...(amount !== undefined ? { amount: Number.isNaN(amount) ? -1 : amount } : {}), currency: f.currency.trim().toUpperCase(), category: f.category, ...target, ...(f.note.trim() ? { note: f.note.trim() } : {}) }
          : { kind, date: f.date, ...(hours !== undefined ? { hours: Number.isNaN(hours) ? -1 : hours } : {}), ...(f.activity.trim() ? { activity: f.activity.trim() } : {}), ...target },
      );
      setF({ ...f, amount: '', hours: '', activity: '', note: '' });
      setDone(true);
      await onDone();
    } catch (err) {
      setErrors(placeError(i18n, err, ['date', 'amount', 'currency', 'category', 'hours', 'activity', 'campaign', 'note'], { campaign_id: 'campaign', objective_id: 'campaign' }));
      focusFirstInvalid(formRef.current);
    }
    setBusy(false);
  };

  return (
    <section class="card" aria-labelledby="gi-title">
      <h3 id="gi-title">{t('goals.inv.add')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="new-investment">
        {errors.form && <Alert>{errors.form}</Alert>}
        {canMoney && (
          <fieldset class="radio-group">
            <legend>{t('goals.inv.kind')}</legend>
            {(['money', 'time'] as const).map((k) => (
              <label key={k} class="radio">
                <input type="radio" name="gi-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {t(`goals.inv.kind.${k}` as Key)}
              </label>
            ))}
          </fieldset>
        )}
        <div class="field-row three">
          <Field id="gi-date" label={t('goals.f.date')} error={errors.fields.date ?? null}>
            {(aria) => <input {...aria} type="date" value={f.date} onInput={set('date')} />}
          </Field>
          {kind === 'money' ? (
            <>
              <Field key="gi-amount" id="gi-amount" label={t('goals.inv.amount')} error={errors.fields.amount ?? null}>
                {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={f.amount} onInput={set('amount')} />}
              </Field>
              <Field key="gi-currency" id="gi-currency" label={t('goals.inv.currency')} error={errors.fields.currency ?? null}>
                {(aria) => <input {...aria} type="text" autoComplete="off" maxLength={3} spellcheck={false} value={f.currency} onInput={set('currency')} />}
              </Field>
            </>
          ) : (
            <>
              <Field key="gi-hours" id="gi-hours" label={t('goals.inv.hours')} hint={t('goals.inv.hoursHint')} error={errors.fields.hours ?? null}>
                {(aria) => <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={f.hours} onInput={set('hours')} />}
              </Field>
              <Field key="gi-activity" id="gi-activity" label={t('goals.inv.activity')} hint={t('goals.f.optional')} error={errors.fields.activity ?? null}>
                {(aria) => <input {...aria} type="text" autoComplete="off" value={f.activity} onInput={set('activity')} />}
              </Field>
            </>
          )}
        </div>
        <div class="field-row three">
          {kind === 'money' && (
            <Field key="gi-category" id="gi-category" label={t('goals.inv.category')} error={errors.fields.category ?? null}>
              {(aria) => (
                <select {...aria} value={f.category} onChange={set('category')}>
                  {MONEY_CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {t(`goals.category.${c}` as Key)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field key="gi-campaign" id="gi-campaign" label={t('goals.inv.for')} error={errors.fields.campaign ?? null}>
            {(aria) => (
              <select {...aria} value={f.campaign} onChange={set('campaign')}>
                <option value="">{t('goals.inv.wholeObjective')}</option>
                {campaigns.map((c) => (
                  <option key={c.id} value={String(c.id)}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {kind === 'money' && (
            <Field key="gi-note" id="gi-note" label={t('goals.inv.note')} hint={t('goals.f.optional')} error={errors.fields.note ?? null}>
              {(aria) => <input {...aria} type="text" autoComplete="off" value={f.note} onInput={set('note')} />}
            </Field>
          )}
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('goals.inv.save')}
          </button>
        </div>
        {done && <Status>{t('goals.inv.saved')}</Status>}
      </form>
    </section>
  );
}

// --- the timer of the top bar ----------------------------------------------------------------

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** Start/stop of staff time against an objective or a campaign; the time becomes an investment. */
export function TimerControl() {
  const i18n = useI18n();
  const { t } = i18n;
  const [timer, setTimer] = useState<Timer | null | undefined>(undefined);
  const [base, setBase] = useState(0); // Date.now() - elapsed at the last answer
  const [now, setNow] = useState(Date.now());
  const [open, setOpen] = useState(false);
  const [objectives, setObjectives] = useState<Objective[] | null>(null);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [objective, setObjective] = useState('');
  const [campaign, setCampaign] = useState('');
  const [activity, setActivity] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [logged, setLogged] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  const take = (tm: Timer | null) => {
    setTimer(tm);
    if (tm) setBase(Date.now() - tm.elapsed_seconds * 1000);
  };

  useEffect(() => {
    api
      .timer()
      .then((a) => take(a.timer))
      .catch(() => setTimer(null));
  }, []);

  useEffect(() => {
    if (!timer) return;
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, [timer]);

  useEffect(() => {
    if (!open || objectives) return;
    api
      .objectives()
      .then((l) => {
        setObjectives(l.items);
        const first = l.items[0];
        if (first && !objective) setObjective(String(first.id));
      })
      .catch((err) => setError(errorText(i18n, err)));
  }, [open]);

  useEffect(() => {
    setCampaign('');
    if (!objective) {
      setCampaigns([]);
      return;
    }
    api
      .campaigns(Number(objective))
      .then((l) => setCampaigns(l.items))
      .catch(() => setCampaigns([]));
  }, [objective]);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  if (timer === undefined) return null;

  const start = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!objective) {
      setError(t('goals.timer.pick'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const a = await api.startTimer({
        ...(campaign ? { campaign_id: Number(campaign) } : { objective_id: Number(objective) }),
        ...(activity.trim() ? { activity: activity.trim() } : {}),
      });
      take(a.timer);
      setLogged(null);
      setOpen(false);
      button.current?.focus();
    } catch (err) {
      // a timer started in another tab: show it rather than an error
      if ((err as { code?: string }).code === 'goals.timer_running') {
        const a = await api.timer().catch(() => ({ timer: null }));
        take(a.timer);
        setOpen(false);
      } else setError(errorText(i18n, err));
    }
    setBusy(false);
  };

  const stop = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const inv = await api.stopTimer();
      take(null);
      setLogged(t('goals.timer.logged', { hours: num(i18n, inv.hours ?? 0, 2) }));
      window.dispatchEvent(new Event(TIME_LOGGED));
    } catch (err) {
      if ((err as { code?: string }).code === 'goals.no_timer') take(null);
      else setLogged(errorText(i18n, err));
    }
    setBusy(false);
  };

  const elapsed = timer ? Math.max(0, Math.floor((now - base) / 1000)) : 0;

  return (
    <div
      class="timer"
      ref={wrap}
      data-testid="timer"
      onKeyDown={(event) => {
        if (open && event.key === 'Escape') {
          event.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      {timer ? (
        <button
          ref={button}
          type="button"
          class="timer-button running"
          onClick={() => void stop()}
          disabled={busy}
          aria-label={t('goals.timer.stopLabel', { time: clock(elapsed) })}
        >
          <span class="timer-dot" aria-hidden="true" />
          <span class="timer-clock" data-testid="timer-clock">
            {clock(elapsed)}
          </span>
          <span class="timer-word">{t('goals.timer.stop')}</span>
        </button>
      ) : (
        <button
          ref={button}
          type="button"
          class="timer-button"
          aria-expanded={open}
          aria-controls="timer-panel"
          aria-label={t('goals.timer.start')}
          onClick={() => {
            setOpen(!open);
            setLogged(null);
          }}
        >
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <circle cx="8" cy="9" r="5.6" fill="none" stroke="currentColor" stroke-width="1.5" />
            <path d="M8 6v3.2l2 1.3M6.5 1.8h3" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
          </svg>
          <span class="timer-word">{t('goals.timer.start')}</span>
        </button>
      )}
      <span class="visually-hidden" aria-live="polite">
        {logged ?? ''}
      </span>
      {logged && !open && !timer && (
        <span class="timer-logged" data-testid="timer-logged">
          {logged}
        </span>
      )}
      {open && !timer && (
        <form id="timer-panel" class="timer-panel" onSubmit={start} data-testid="timer-panel">
          <p class="small muted">{t('goals.timer.lead')}</p>
          {error && <Alert>{error}</Alert>}
          {objectives !== null && objectives.length === 0 ? (
            <p>{t('goals.timer.noObjectives')}</p>
          ) : (
            <>
              <Field id="timer-objective" label={t('goals.timer.objective')}>
                {(aria) => (
                  <select {...aria} value={objective} onChange={(e) => setObjective(e.currentTarget.value)}>
                    {(objectives ?? []).map((o) => (
                      <option key={o.id} value={String(o.id)}>
                        {o.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="timer-campaign" label={t('goals.timer.campaign')}>
                {(aria) => (
                  <select {...aria} value={campaign} onChange={(e) => setCampaign(e.currentTarget.value)}>
                    <option value="">{t('goals.inv.wholeObjective')}</option>
                    {campaigns.map((c) => (
                      <option key={c.id} value={String(c.id)}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="timer-activity" label={t('goals.inv.activity')} hint={t('goals.f.optional')}>
                {(aria) => <input {...aria} type="text" autoComplete="off" value={activity} onInput={(e) => setActivity(e.currentTarget.value)} />}
              </Field>
              <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled={busy || objectives === null}>
                  {t('goals.timer.startNow')}
                </button>
              </div>
            </>
          )}
        </form>
      )}
    </div>
  );
}
