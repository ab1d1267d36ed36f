// The Contacts section beyond the list: its tabs (All, Going cold, Duplicates,
// Organizations), the going-cold view (my customers and prospects nobody has
// been in touch with for a while, or whose strength fell, with a quick "log a
// call"), the duplicates view (two contacts side by side, Merge for managers,
// Not a duplicate for agents), the organizations list and an organization's
// page (its people and their combined timeline), and the going-cold days that
// managers set in Settings. The server enforces every rule; the UI hides what
// would be refused.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  type Duplicate,
  type DuplicateSide,
  type Contact,
  type GoingColdRow,
  type List,
  type Organization,
  type TimelineEntry,
} from '../api';
import { errorText, formatTime, useI18n, type I18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Alert, ConfirmDialog, Field, Icon, PageTitle, Spinner, Status } from '../components';
import { focusFirstInvalid, noErrors, type FormErrors } from '../forms';
import { Strength, TimelineItem, canDelete, canEdit, stageName, tr, typeName } from './Contacts';
import type { Key } from '../i18n';

// agents and up edit; managers and up do what ends a record (merge) or sets a team rule
const isAgent = canEdit;
const isManager = canDelete;

/**
 * A list read in pages: load(null) starts again (an older answer arriving late is dropped),
 * load(next) appends the following page.
 */
function usePaged<T>(fetchPage: (cursor: string | null) => Promise<List<T>>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const load = async (cursor: string | null) => {
    const mine = cursor ? seq.current : ++seq.current;
    try {
      const list = await fetchPage(cursor);
      if (mine !== seq.current) return;
      setItems((old) => (cursor ? [...(old ?? []), ...list.items] : list.items));
      setNext(list.next);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  };
  return { items, setItems, next, error, load };
}

function LoadMore({ next, load }: { next: string | null; load: (cursor: string) => Promise<void> }) {
  const { t } = useI18n();
  if (!next) return null;
  return (
    <div class="list-foot">
      <button type="button" class="btn" onClick={() => void load(next)}>
        {t('ct.loadMore')}
      </button>
    </div>
  );
}

// ------------------------------------------------------------ the section's tabs

const TABS: { href: string; label: Key }[] = [
  { href: '/contacts', label: 'rel.tab.all' },
  { href: '/contacts/going-cold', label: 'rel.tab.cold' },
  { href: '/contacts/duplicates', label: 'rel.tab.duplicates' },
  { href: '/contacts/organizations', label: 'rel.tab.organizations' },
];

export function ContactsTabs() {
  const { t } = useI18n();
  const { path } = useRouter();
  const here = path.replace(/\/$/, '');
  return (
    <nav class="tabs tabs-section" aria-label={t('rel.tabs')}>
      <ul>
        {TABS.map((x) => (
          <li key={x.href}>
            <Link href={x.href} class="tab" aria-current={here === x.href ? 'page' : undefined}>
              {t(x.label)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function PageHead({ title, icon = 'contacts', action }: { title: string; icon?: 'contacts'; action?: preact.ComponentChildren }) {
  return (
    <header class="page-head">
      <span class="page-icon" aria-hidden="true">
        <Icon name={icon} size={24} />
      </span>
      <PageTitle title={title}>{title}</PageTitle>
      {action}
    </header>
  );
}

// ------------------------------------------------------------ going cold

function coldWhy(i18n: I18n, row: GoingColdRow): string {
  if (row.reason === 'fell' && row.previous_strength !== null) {
    return i18n.t('cold.fell', { from: row.previous_strength, to: row.strength });
  }
  if (row.never_contacted) return i18n.t('cold.never', { n: row.days_since });
  return i18n.t('cold.silent', { n: row.days_since });
}

export function GoingColdPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const edit = isAgent(user.role);
  const title = t('rel.tab.cold');
  const [owner, setOwner] = useState<'me' | 'all'>('me');
  const [notice, setNotice] = useState<string | null>(null);
  const [logging, setLogging] = useState<number | null>(null);
  const { items, setItems, next, error, load } = usePaged<GoingColdRow>((cursor) => api.goingCold(owner, cursor));

  useEffect(() => {
    setItems(null);
    void load(null);
  }, [owner, i18n.locale]);

  return (
    <div class="page">
      <PageHead title={title} />
      <p class="lead-small">{t('cold.lead')}</p>
      <div class="stack-large">
        {notice && <Status>{notice}</Status>}
        <div class="filters filters-compact">
          <Field id="cold-owner" label={t('cold.whose')}>
            {(aria) => (
              <select {...aria} value={owner} onChange={(e) => setOwner(e.currentTarget.value as 'me' | 'all')}>
                <option value="me">{t('cold.mine')}</option>
                <option value="all">{t('cold.everybody')}</option>
              </select>
            )}
          </Field>
        </div>
        {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
        {items === null && error === null && <Spinner label={t('common.loading')} />}
        {items !== null && items.length === 0 && (
          <section class="empty-state" aria-labelledby="cold-empty" data-testid="cold-empty">
            <h2 class="h3" id="cold-empty">
              {t('cold.emptyTitle')}
            </h2>
            <p>{owner === 'me' ? t('cold.emptyMine') : t('cold.emptyAll')}</p>
            {isManager(user.role) && (
              <p>
                <Link href="/settings/going-cold" class="btn">
                  {t('cold.settingsLink')}
                </Link>
              </p>
            )}
          </section>
        )}
        {items !== null && items.length > 0 && (
          <ul class="contact-list cold-list" data-testid="cold-list">
            {items.map((c) => (
              <li key={c.id} class="cold-row">
                <div class="cold-main">
                  <div class="contact-row-main">
                    <Link href={`/contacts/${c.id}`} class="contact-name">
                      {c.name}
                    </Link>
                    <span class={`cold-why${c.reason === 'fell' ? ' cold-fell' : ''}`}>{coldWhy(i18n, c)}</span>
                    <span class="muted small">{t('cold.limit', { stage: stageName(i18n, c.stage), n: c.cold_days })}</span>
                  </div>
                  <span class="badge">{stageName(i18n, c.stage)}</span>
                  <Strength value={c.strength} />
                  {edit && logging !== c.id && (
                    <button type="button" class="btn btn-small" onClick={() => setLogging(c.id)}>
                      {t('cold.logCall')}
                      <span class="visually-hidden"> {c.name}</span>
                    </button>
                  )}
                </div>
                <p class="muted small strength-explanation">{c.strength_explanation}</p>
                {logging === c.id && (
                  <QuickCall
                    row={c}
                    onCancel={() => setLogging(null)}
                    onDone={async () => {
                      setLogging(null);
                      setNotice(t('cold.logged', { name: c.name }));
                      await load(null);
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        <LoadMore next={next} load={load} />
      </div>
    </div>
  );
}

/** "Log a call" in one step: direction, outcome and a note. */
function QuickCall({ row, onCancel, onDone }: { row: GoingColdRow; onCancel: () => void; onDone: () => Promise<void> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [direction, setDirection] = useState<'out' | 'in'>('out');
  const [outcome, setOutcome] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLSelectElement>(null);
  const prefix = `qc-${row.id}`;

  useEffect(() => first.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.logInteraction(row.id, {
        kind: 'call',
        direction,
        ...(outcome.trim() ? { outcome: outcome.trim() } : {}),
        ...(body.trim() ? { body: body.trim() } : {}),
      });
      await onDone();
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="quick-call" onSubmit={submit} noValidate data-testid="quick-call">
      {error && <Alert>{error}</Alert>}
      <div class="field-row three">
        <div class="field">
          <label for={`${prefix}-dir`}>{t('ct.direction')}</label>
          <select id={`${prefix}-dir`} ref={first} value={direction} onChange={(e) => setDirection(e.currentTarget.value as 'out' | 'in')}>
            <option value="out">{t('ct.dir.out')}</option>
            <option value="in">{t('ct.dir.in')}</option>
          </select>
        </div>
        <div class="field">
          <label for={`${prefix}-outcome`}>{t('ct.outcome')}</label>
          <input id={`${prefix}-outcome`} type="text" maxLength={200} autoComplete="off" value={outcome} onInput={(e) => setOutcome(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${prefix}-note`}>{t('ct.note')}</label>
          <input id={`${prefix}-note`} type="text" autoComplete="off" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </div>
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('ct.logging') : t('cold.saveCall')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

// ------------------------------------------------------------ duplicates

function reasonText(i18n: I18n, d: Duplicate): string {
  if (d.reason === 'identity') return i18n.t('dup.reasonIdentity', { value: d.detail ?? '' });
  return i18n.t('dup.reasonName', { org: d.detail ?? '' });
}

export function DuplicatesPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const title = t('rel.tab.duplicates');
  const [notice, setNotice] = useState<{ text: string; id?: number } | null>(null);
  const { items, setItems, next, error, load } = usePaged<Duplicate>((cursor) => api.duplicates(cursor));

  useEffect(() => {
    void load(null);
  }, []);

  const drop = (id: number) => setItems((old) => (old ?? []).filter((x) => x.id !== id));

  return (
    <div class="page">
      <PageHead title={title} />
      <p class="lead-small">{t('dup.lead')}</p>
      <div class="stack-large">
        {notice && (
          <Status>
            {notice.text}{' '}
            {notice.id !== undefined && <Link href={`/contacts/${notice.id}`}>{t('dup.openKept')}</Link>}
          </Status>
        )}
        {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
        {items === null && error === null && <Spinner label={t('common.loading')} />}
        {items !== null && items.length === 0 && (
          <section class="empty-state" aria-labelledby="dup-empty" data-testid="dup-empty">
            <h2 class="h3" id="dup-empty">
              {t('dup.emptyTitle')}
            </h2>
            <p>{t('dup.emptyBody')}</p>
          </section>
        )}
        {items !== null &&
          items.map((d) => (
            <DuplicateCard
              key={d.id}
              d={d}
              canMerge={isManager(user.role)}
              canDismiss={isAgent(user.role)}
              onMerged={(kept, gone) => {
                drop(d.id);
                // other suggestions that named the merged contact are gone with it
                setItems((old) => (old ?? []).filter((x) => x.a.id !== gone && x.b.id !== gone));
                setNotice({ text: t('dup.merged', { gone: d.a.id === gone ? d.a.name : d.b.name, kept: kept.name }), id: kept.id });
              }}
              onDismissed={() => {
                drop(d.id);
                setNotice({ text: t('dup.dismissed', { a: d.a.name, b: d.b.name }) });
              }}
            />
          ))}
        <LoadMore next={next} load={load} />
      </div>
    </div>
  );
}

function DuplicateCard({
  d,
  canMerge,
  canDismiss,
  onMerged,
  onDismissed,
}: {
  d: Duplicate;
  canMerge: boolean;
  canDismiss: boolean;
  onMerged: (kept: Contact, goneId: number) => void;
  onDismissed: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  // the older record is kept by default: it is the one people have been linking to
  const [keep, setKeep] = useState<number>(d.a.created_at <= d.b.created_at ? d.a.id : d.b.id);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kept = keep === d.a.id ? d.a : d.b;
  const gone = keep === d.a.id ? d.b : d.a;
  const headId = `dup-${d.id}`;

  const merge = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.mergeContacts(kept.id, gone.id);
      setConfirming(false);
      onMerged(answer.contact, gone.id);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  const dismiss = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.dismissDuplicate(d.id);
      onDismissed();
    } catch (err) {
      setError(errorText(i18n, err));
      setBusy(false);
    }
  };

  return (
    <section class="card dup-card" aria-labelledby={headId} data-testid="duplicate">
      <h2 class="h3" id={headId}>
        {t('dup.pair', { a: d.a.name, b: d.b.name })}
      </h2>
      <p class="dup-reason">{reasonText(i18n, d)}</p>
      {error && !confirming && <Alert>{error}</Alert>}
      <fieldset class="dup-sides">
        <legend class="visually-hidden">{t('dup.keepLegend')}</legend>
        {[d.a, d.b].map((s) => (
          <DuplicateSideView key={s.id} side={s} name={`keep-${d.id}`} chosen={keep === s.id} choose={canMerge ? () => setKeep(s.id) : null} />
        ))}
      </fieldset>
      {(canMerge || canDismiss) && (
        <div class="form-actions">
          {canMerge && (
            <button
              type="button"
              class="btn btn-primary"
              disabled={busy}
              onClick={() => {
                setError(null);
                setConfirming(true);
              }}
            >
              {t('dup.merge')}
            </button>
          )}
          {canDismiss && (
            <button type="button" class="btn" disabled={busy} onClick={() => void dismiss()}>
              {t('dup.notDuplicate')}
            </button>
          )}
        </div>
      )}
      {!canMerge && <p class="muted small">{t('dup.managersMerge')}</p>}
      <ConfirmDialog
        open={confirming}
        title={t('dup.confirmTitle', { gone: gone.name, kept: kept.name })}
        body={t('dup.confirmBody', { gone: gone.name, kept: kept.name })}
        confirmLabel={t('dup.merge')}
        busy={busy}
        error={confirming ? error : null}
        onConfirm={() => void merge()}
        onCancel={() => setConfirming(false)}
      />
    </section>
  );
}

function DuplicateSideView({ side, name, chosen, choose }: { side: DuplicateSide; name: string; chosen: boolean; choose: (() => void) | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const members = side.kind === 'organization' ? side.people ?? [] : side.organizations ?? [];
  const owner = side.owner === null ? '—' : side.owner === user.id ? t('ct.ownerYou') : t('ct.ownerUser', { id: side.owner });
  return (
    <div class={`dup-side${chosen && choose ? ' dup-chosen' : ''}`} data-testid="duplicate-side">
      <p class="dup-name">
        <Link href={`/contacts/${side.id}`} class="contact-name">
          {side.name}
        </Link>
      </p>
      <dl class="facts dup-facts">
        <div>
          <dt>{t('ct.stage')}</dt>
          <dd>{stageName(i18n, side.stage)}</dd>
        </div>
        <div>
          <dt>{t('ct.type')}</dt>
          <dd>{side.type ? typeName(i18n, side.type) : '—'}</dd>
        </div>
        <div>
          <dt>{t('ct.owner')}</dt>
          <dd>{owner}</dd>
        </div>
        <div>
          <dt>{t('dup.history')}</dt>
          <dd>{side.timeline_entries === 1 ? t('dup.entry') : t('dup.entries', { n: side.timeline_entries })}</dd>
        </div>
        <div>
          <dt>{t('dup.created')}</dt>
          <dd>{formatTime(i18n, side.created_at, user.workspace.timezone)}</dd>
        </div>
      </dl>
      <h3 class="small-heading">{t('ct.identities')}</h3>
      {side.identities.length > 0 ? (
        <ul class="plain-list">
          {side.identities.map((x) => (
            <li key={`${x.kind}:${x.value}`}>
              <span class="muted">{tr(i18n, `idk.${x.kind}`, x.kind)}</span> {x.original || x.value}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('ct.noIdentities')}</p>
      )}
      {members.length > 0 && (
        <>
          <h3 class="small-heading">{side.kind === 'organization' ? t('ct.people') : t('ct.organizations')}</h3>
          <ul class="plain-list">
            {members.map((m) => (
              <li key={m.id}>
                {m.name}
                {m.title && <span class="muted"> · {m.title}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {choose && (
        <label class="radio dup-keep">
          <input type="radio" name={name} checked={chosen} onChange={choose} />
          <span>{t('dup.keepThis')}</span>
        </label>
      )}
    </div>
  );
}

// ------------------------------------------------------------ organizations

export function OrganizationsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const edit = isAgent(user.role);
  const title = t('rel.tab.organizations');
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [formOpen, setFormOpen] = useState(false);
  const { items, next, error, load } = usePaged<Organization>((cursor) => api.organizations(debounced, cursor));

  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(q.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [q]);

  useEffect(() => {
    void load(null);
  }, [debounced]);

  return (
    <div class="page">
      <PageHead
        title={title}
        action={
          edit && !formOpen ? (
            <button type="button" class="btn btn-primary page-head-action" onClick={() => setFormOpen(true)}>
              {t('org.new')}
            </button>
          ) : undefined
        }
      />
      <p class="lead-small">{t('org.lead')}</p>
      <div class="stack-large">
        {formOpen && <NewOrganizationForm onCancel={() => setFormOpen(false)} />}
        <div class="filters filters-compact" role="search">
          <Field id="org-q" label={t('ct.search')} class="filter-search">
            {(aria) => <input {...aria} type="search" autoComplete="off" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
          </Field>
        </div>
        {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
        {items === null && error === null && <Spinner label={t('common.loading')} />}
        {items !== null && items.length === 0 && (
          <section class="empty-state" aria-labelledby="org-empty" data-testid="org-empty">
            <h2 class="h3" id="org-empty">
              {debounced ? t('ct.noMatch') : t('org.emptyTitle')}
            </h2>
            {!debounced && <p>{edit ? t('org.emptyBody') : t('org.emptyReadOnly')}</p>}
          </section>
        )}
        {items !== null && items.length > 0 && (
          <ul class="contact-list" data-testid="org-list">
            {items.map((o) => (
              <li key={o.id} class="contact-row">
                <div class="contact-row-main">
                  <Link href={`/contacts/organizations/${o.id}`} class="contact-name">
                    {o.name}
                  </Link>
                  <span class="muted small">{t('org.peopleCount', { n: o.people })}</span>
                </div>
                <span class="badge">{stageName(i18n, o.stage)}</span>
                <Strength value={o.strength} />
              </li>
            ))}
          </ul>
        )}
        <LoadMore next={next} load={load} />
      </div>
    </div>
  );
}

function NewOrganizationForm({ onCancel }: { onCancel: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { navigate } = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [website, setWebsite] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('#no-name')?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ fields: { name: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      const answer = await api.createOrganization({ name: name.trim(), ...(website.trim() ? { website: website.trim() } : {}) });
      navigate(`/contacts/organizations/${answer.contact.id}`);
    } catch (err) {
      const e = err as { field?: string | null };
      const text = errorText(i18n, err);
      if (e.field === 'name' || e.field === 'website') setErrors({ fields: { [e.field]: text }, form: null });
      else setErrors({ fields: {}, form: text });
      focusFirstInvalid(formRef.current);
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="no-title">
      <h3 id="no-title">{t('org.new')}</h3>
      <form ref={formRef} onSubmit={submit} noValidate data-testid="new-organization">
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row three">
          <Field id="no-name" label={t('ct.name')} error={errors.fields.name ?? null}>
            {(aria) => <input {...aria} type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field id="no-website" label={t('idk.website')} error={errors.fields.website ?? null}>
            {(aria) => (
              <input {...aria} type="url" autoComplete="off" placeholder="https://" value={website} onInput={(e) => setWebsite(e.currentTarget.value)} />
            )}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('ct.creating') : t('org.create')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

export function OrganizationPage({ id }: { id: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const edit = isAgent(user.role);
  const tz = user.workspace.timezone;
  const [org, setOrg] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const {
    items: timeline,
    setItems: setTimeline,
    next: tlNext,
    error: tlError,
    load: loadTimeline,
  } = usePaged<TimelineEntry>((cursor) => api.organizationTimeline(id, cursor));

  const reload = async () => {
    try {
      setOrg((await api.organization(id)).contact);
      setError(null);
    } catch (err) {
      setError(err);
    }
    await loadTimeline(null);
  };

  useEffect(() => {
    setOrg(null);
    setTimeline(null);
    setNotice(null);
    void reload();
  }, [id, i18n.locale]);

  const removePerson = async (personId: number, name: string) => {
    setNotice(null);
    setRemoveError(null);
    try {
      await api.removeMembership(personId, id);
      setNotice(t('org.personRemoved', { name }));
      await reload();
    } catch (err) {
      setRemoveError(errorText(i18n, err));
    }
  };

  if (error !== null) {
    const notFound = (error as { status?: number }).status === 404;
    return (
      <div class="page">
        <PageTitle title={t('rel.tab.organizations')}>{t('rel.tab.organizations')}</PageTitle>
        <Alert>{notFound ? t('org.notFound') : errorText(i18n, error)}</Alert>
        <p>
          <Link href="/contacts/organizations" class="btn">
            {t('org.back')}
          </Link>
        </p>
      </div>
    );
  }
  if (!org) return <Spinner label={t('common.loading')} />;
  const people = org.people ?? [];

  return (
    <div class="page org-page">
      <p class="back-link">
        <Link href="/contacts/organizations">← {t('org.back')}</Link>
      </p>
      <header class="page-head">
        <PageTitle title={org.name}>{org.name}</PageTitle>
        <Link href={`/contacts/${org.id}`} class="btn page-head-action">
          {t('org.openContact')}
        </Link>
      </header>
      <div class="stack-large">
        <dl class="facts contact-facts">
          <div>
            <dt>{t('ct.stage')}</dt>
            <dd>{stageName(i18n, org.stage)}</dd>
          </div>
          <div>
            <dt>{t('ct.type')}</dt>
            <dd>{org.type ? typeName(i18n, org.type) : '—'}</dd>
          </div>
          <div>
            <dt>{t('org.peopleTitle')}</dt>
            <dd>{people.length}</dd>
          </div>
          <div>
            <dt>{t('ct.strength')}</dt>
            <dd>
              <Strength value={org.strength} />
            </dd>
          </div>
        </dl>
        {org.strength_explanation && <p class="muted strength-explanation">{org.strength_explanation}</p>}

        <section aria-labelledby="org-people">
          <h2 class="h3" id="org-people">
            {t('org.peopleTitle')}
          </h2>
          {notice && <Status>{notice}</Status>}
          {removeError && <Alert>{removeError}</Alert>}
          {people.length > 0 ? (
            <ul class="contact-list" data-testid="org-people">
              {people.map((p) => (
                <li key={p.id} class="contact-row org-person">
                  <div class="contact-row-main">
                    <Link href={`/contacts/${p.id}`} class="contact-name">
                      {p.name}
                    </Link>
                    <span class="muted small">{p.title ?? t('org.noTitle')}</span>
                  </div>
                  {edit && (
                    <button type="button" class="btn btn-small btn-danger-quiet" onClick={() => void removePerson(p.id, p.name)}>
                      {t('org.leave')}
                      <span class="visually-hidden"> {p.name}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{edit ? t('org.noPeopleEdit') : t('org.noPeopleHint')}</p>
          )}
          {edit && (
            <AddPersonForm
              orgId={id}
              onAdded={async (name) => {
                setRemoveError(null);
                setNotice(t('org.personAdded', { name }));
                await reload();
              }}
            />
          )}
        </section>

        <section aria-labelledby="org-tl">
          <h2 class="h3" id="org-tl">
            {t('org.timeline')}
          </h2>
          <p class="muted small">{t('org.timelineHint')}</p>
          {tlError !== null && <Alert>{errorText(i18n, tlError)}</Alert>}
          {timeline === null && tlError === null && <Spinner label={t('common.loading')} />}
          {timeline !== null && timeline.length === 0 && <p class="muted">{t('ct.timelineEmpty')}</p>}
          {timeline !== null && timeline.length > 0 && (
            <ol class="timeline" data-testid="org-timeline">
              {timeline.map((e) => (
                <TimelineItem
                  key={e.id}
                  e={e}
                  tz={tz}
                  who={
                    e.contact_id === org.id ? (
                      <span class="tl-who">{org.name}</span>
                    ) : (
                      <Link href={`/contacts/${e.contact_id}`} class="tl-who">
                        {e.contact_name ?? `#${e.contact_id}`}
                      </Link>
                    )
                  }
                />
              ))}
            </ol>
          )}
          <LoadMore next={tlNext} load={loadTimeline} />
        </section>
      </div>
    </div>
  );
}

/** Adds an existing person to organization ORG_ID with a title; people are found as the user types. */
function AddPersonForm({ orgId, onAdded }: { orgId: number; onAdded: (name: string) => Promise<void> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [matches, setMatches] = useState<Contact[]>([]);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const q = name.trim();
    if (q.length < 2) {
      setMatches([]);
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .people(q)
        .then((list) => {
          if (live) setMatches(list.items);
        })
        .catch(() => {
          /* no suggestions: the form says so when submitted */
        });
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [name]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const n = name.trim();
    const person = matches.find((c) => c.name.toLowerCase() === n.toLowerCase());
    if (!person) {
      setErrors({ fields: { person: n ? t('org.pickPerson') : t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      await api.addMembership(person.id, { organization_id: orgId, title: title.trim() });
      setName('');
      setTitle('');
      setMatches([]);
      await onAdded(person.name);
    } catch (err) {
      const e = err as { field?: string | null };
      const text = errorText(i18n, err);
      setErrors(e.field === 'title' ? { fields: { title: text }, form: null } : { fields: {}, form: text });
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate class="membership-form" data-testid="add-person">
      {errors.form && <Alert>{errors.form}</Alert>}
      <div class="field-row three">
        <Field id="ap-person" label={t('org.person')} hint={t('org.personHint')} error={errors.fields.person ?? null}>
          {(aria) => <input {...aria} type="text" list="ap-person-list" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <datalist id="ap-person-list">
          {matches.map((c) => (
            <option key={c.id} value={c.name} />
          ))}
        </datalist>
        <Field id="ap-title" label={t('org.title')} error={errors.fields.title ?? null}>
          {(aria) => <input {...aria} type="text" maxLength={200} autoComplete="off" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />}
        </Field>
      </div>
      <div class="form-actions">
        <button type="submit" class="btn" disabled={busy}>
          {busy ? t('common.saving') : t('org.addPerson')}
        </button>
      </div>
    </form>
  );
}

// ------------------------------------------------------------ settings

/** The going-cold days per stage, in Settings (managers and up). */
export function GoingColdSettingsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [customer, setCustomer] = useState('');
  const [prospect, setProspect] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api
      .goingColdSettings()
      .then((s) => {
        setCustomer(String(s.customer_days));
        setProspect(String(s.prospect_days));
        setLoaded(true);
      })
      .catch(setLoadError);
  }, []);

  const days = (v: string) => (/^\d{1,4}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 3650 ? Number(v) : null);

  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setSaved(false);
    const c = days(customer);
    const p = days(prospect);
    const fields: Record<string, string> = {};
    if (c === null) fields.customer_days = t('cold.daysInvalid');
    if (p === null) fields.prospect_days = t('cold.daysInvalid');
    if (Object.keys(fields).length) {
      setErrors({ fields, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      const s = await api.setGoingColdSettings({ customer_days: c ?? undefined, prospect_days: p ?? undefined });
      setCustomer(String(s.customer_days));
      setProspect(String(s.prospect_days));
      setSaved(true);
    } catch (err) {
      const e = err as { field?: string | null };
      const text = errorText(i18n, err);
      setErrors(e.field === 'customer_days' || e.field === 'prospect_days' ? { fields: { [e.field]: text }, form: null } : { fields: {}, form: text });
    } finally {
      setBusy(false);
    }
  };

  if (loadError !== null) return <Alert>{errorText(i18n, loadError)}</Alert>;
  if (!loaded) return <Spinner label={t('common.loading')} />;
  return (
    <section class="card" aria-labelledby="cold-settings">
      <h3 id="cold-settings">{t('cold.settingsTitle')}</h3>
      <p>{t('cold.settingsLead')}</p>
      <form ref={formRef} onSubmit={save} noValidate data-testid="cold-settings">
        {errors.form && <Alert>{errors.form}</Alert>}
        <div class="field-row three">
          <Field id="cold-customer" label={t('cold.customerDays')} error={errors.fields.customer_days ?? null}>
            {(aria) => (
              <input {...aria} type="number" min={1} max={3650} inputMode="numeric" value={customer} onInput={(e) => setCustomer(e.currentTarget.value)} />
            )}
          </Field>
          <Field id="cold-prospect" label={t('cold.prospectDays')} error={errors.fields.prospect_days ?? null}>
            {(aria) => (
              <input {...aria} type="number" min={1} max={3650} inputMode="numeric" value={prospect} onInput={(e) => setProspect(e.currentTarget.value)} />
            )}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
        {saved && <Status>{t('cold.saved')}</Status>}
      </form>
    </section>
  );
}
