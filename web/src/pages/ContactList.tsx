// The contacts list: search as you type and filters (stage, type, kind, owner,
// tag, strength range, going cold, sort) kept in the address bar so a view
// can be bookmarked or shared as a link; saved views (mine and the
// workspace's); rows loaded a page at a time as the reader scrolls, so a
// list of 100,000 contacts costs only what is on screen; selection with
// checkboxes (shift-click selects a range, or every contact matching the
// filters) and bulk changes (add or remove a tag, set the owner, set the
// stage); CSV and vCard export of the filtered list for managers.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  api,
  CONTACT_TYPES,
  FILTER_KEYS,
  filterQuery,
  STAGES,
  type Contact,
  type Filters,
  type OwnerChoice,
  type Role,
  type SavedView,
  type TagCount,
} from '../api';
import { hasKey, type Key } from '../i18n';
import { errorText, useI18n, type I18n } from '../i18n-context';
import { useSession } from '../session';
import { Link } from '../router';
import { Alert, ConfirmDialog, Field, Icon, PageTitle, Spinner, Status } from '../components';
import { canEdit, canExport, NewContactForm, Strength } from './Contacts';

const PAGE = 100;

function tr(i18n: I18n, key: string, fallback: string): string {
  return hasKey(key) ? i18n.t(key as Key) : fallback;
}
const stageName = (i18n: I18n, s: string) => tr(i18n, `stage.${s}`, s);
const typeName = (i18n: I18n, s: string) => tr(i18n, `ctype.${s}`, s);


/** The filters in the address bar. */
function readFilters(): Filters {
  const params = new URLSearchParams(window.location.search);
  const f: Filters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

function clean(f: Filters): Filters {
  const out: Filters = {};
  for (const k of FILTER_KEYS) if (f[k]) out[k] = f[k];
  return out;
}

const sameFilters = (a: Filters, b: Filters) => filterQuery(clean(a)) === filterQuery(clean(b));

type Selection = { mode: 'ids'; ids: Set<number> } | { mode: 'filter' };

export function ContactsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const edit = canEdit(user.role);
  const title = t('nav.contacts');

  const [filters, setFilters] = useState<Filters>(readFilters);
  const [q, setQ] = useState(filters.q ?? '');
  const [items, setItems] = useState<Contact[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [formOpen, setFormOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [owners, setOwners] = useState<OwnerChoice[]>([]);
  const [tags, setTags] = useState<TagCount[]>([]);
  const [views, setViews] = useState<SavedView[]>([]);
  const [selection, setSelection] = useState<Selection>({ mode: 'ids', ids: new Set() });
  const [reload, setReload] = useState(0);
  const lastClicked = useRef<number | null>(null);
  const seq = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  const loadLookups = () => {
    api.contactOwners().then((l) => setOwners(l.items)).catch(() => setOwners([]));
    api.tags().then((l) => setTags(l.items)).catch(() => setTags([]));
    api.views().then((l) => setViews(l.items)).catch(() => setViews([]));
  };
  useEffect(loadLookups, []);

  // Search as you type, a moment after the last key.
  useEffect(() => {
    const timer = window.setTimeout(() => setFilters((f) => (f.q ?? '') === q.trim() ? f : clean({ ...f, q: q.trim() })), 250);
    return () => window.clearTimeout(timer);
  }, [q]);

  // The filters live in the address bar, so a view can be bookmarked.
  useEffect(() => {
    const qs = filterQuery(clean(filters));
    const url = `${window.location.pathname}${qs ? `?${qs}` : ''}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
  }, [filters]);

  useEffect(() => {
    const mine = ++seq.current;
    setLoadError(null);
    setSelection({ mode: 'ids', ids: new Set() });
    lastClicked.current = null;
    api
      .contacts(filters, PAGE)
      .then((list) => {
        if (mine !== seq.current) return; // an older answer arriving late
        setItems(list.items);
        setNext(list.next);
      })
      .catch((err) => {
        if (mine === seq.current) setLoadError(err);
      });
  }, [filterQuery(clean(filters)), reload]);

  const loadMore = async () => {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    const mine = seq.current;
    try {
      const list = await api.contacts({ ...filters, cursor: next }, PAGE);
      if (mine !== seq.current) return;
      setItems((old) => [...(old ?? []), ...list.items]);
      setNext(list.next);
    } catch (err) {
      setLoadError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  // The next page comes when the end of the list scrolls into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next || typeof IntersectionObserver === 'undefined') return;
    const obs = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { rootMargin: '400px' });
    obs.observe(el);
    return () => obs.disconnect();
  }, [next, loadingMore, items]);

  const set = (k: keyof Filters, v: string) => setFilters((f) => clean({ ...f, [k]: v }));
  const filtered = FILTER_KEYS.some((k) => k !== 'sort' && filters[k]);
  const empty = items !== null && items.length === 0 && !filtered;
  const activeView = views.find((v) => sameFilters(v.filters, filters)) ?? null;

  const applyFilters = (f: Filters) => {
    setFilters(clean(f));
    setQ(f.q ?? '');
  };

  // --- selection
  const selectedCount = selection.mode === 'ids' ? selection.ids.size : null;
  const toggle = (index: number, id: number, shift: boolean) => {
    if (!items) return;
    setSelection((sel) => {
      const ids = new Set(sel.mode === 'ids' ? sel.ids : items.map((c) => c.id));
      const on = !ids.has(id);
      if (shift && lastClicked.current !== null) {
        const [a, b] = [Math.min(lastClicked.current, index), Math.max(lastClicked.current, index)];
        for (let i = a; i <= b; i++) {
          if (on) ids.add(items[i].id);
          else ids.delete(items[i].id);
        }
      } else if (on) ids.add(id);
      else ids.delete(id);
      return { mode: 'ids', ids };
    });
    lastClicked.current = index;
  };
  const isSelected = (id: number) => selection.mode === 'filter' || selection.ids.has(id);
  const allLoadedSelected = items !== null && items.length > 0 && items.every((c) => isSelected(c.id));
  const toggleAll = () => {
    if (!items) return;
    setSelection(allLoadedSelected ? { mode: 'ids', ids: new Set() } : { mode: 'ids', ids: new Set(items.map((c) => c.id)) });
  };
  const anySelected = selection.mode === 'filter' || selection.ids.size > 0;

  return (
    <div class="page">
      <header class="page-head">
        <span class="page-icon" aria-hidden="true">
          <Icon name="contacts" size={24} />
        </span>
        <PageTitle title={title}>{title}</PageTitle>
        {edit && !formOpen && (
          <div class="page-head-action btn-row">
            <Link href="/contacts/import" class="btn" data-testid="contacts-import">
              {t('im.action')}
            </Link>
            <button type="button" class="btn btn-primary" onClick={() => setFormOpen(true)}>
              {t('ct.new')}
            </button>
          </div>
        )}
      </header>
      <p class="lead-small">{t('ct.lead')}</p>

      <div class="stack-large">
        {notice && <Status>{notice}</Status>}
        {formOpen && (
          <NewContactForm
            onCancel={() => setFormOpen(false)}
            onCreated={(c) => {
              setFormOpen(false);
              setItems((old) => [c, ...(old ?? []).filter((x) => x.id !== c.id)]);
              setNotice(null);
            }}
          />
        )}

        {empty ? (
          <section class="empty-state" aria-labelledby="ct-empty" data-testid="contacts-empty">
            <h2 class="h3" id="ct-empty">
              {t('ct.emptyTitle')}
            </h2>
            <p>{edit ? t('ct.emptyBody') : t('ct.emptyReadOnly')}</p>
            {edit && (
              <p>
                <Link href="/contacts/import" class="btn btn-primary">
                  {t('im.title')}
                </Link>
              </p>
            )}
            <p class="muted">{t('ct.emptyFormats')}</p>
            <pre class="command">
              <code>piazza import contacts.vcf --db /var/lib/piazza/piazza.db</code>
            </pre>
          </section>
        ) : (
          <section aria-labelledby="ct-results">
            <h2 class="visually-hidden" id="ct-results">
              {t('ct.results')}
            </h2>
            <ViewsBar
              views={views}
              active={activeView}
              filters={filters}
              filtered={filtered}
              role={user.role}
              onPick={(v) => applyFilters(v.filters)}
              onSaved={(v) => {
                setViews((old) => [...old.filter((x) => x.id !== v.id), v].sort((a, b) => a.name.localeCompare(b.name)));
                setNotice(t('cl.viewSaved', { name: v.name }));
              }}
              onDeleted={(v) => {
                setViews((old) => old.filter((x) => x.id !== v.id));
                setNotice(t('cl.viewDeleted', { name: v.name }));
              }}
            />
            <div class="filters filters-wide" role="search">
              <Field id="ct-q" label={t('ct.search')} hint={t('ct.searchHint')} class="filter-search">
                {(aria) => <input {...aria} type="search" autoComplete="off" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
              </Field>
              <Field id="ct-stage" label={t('ct.filterStage')}>
                {(aria) => (
                  <select {...aria} value={filters.stage ?? ''} onChange={(e) => set('stage', e.currentTarget.value)}>
                    <option value="">{t('ct.any')}</option>
                    {STAGES.map((s) => (
                      <option key={s} value={s}>
                        {stageName(i18n, s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="ct-type" label={t('ct.filterType')}>
                {(aria) => (
                  <select {...aria} value={filters.type ?? ''} onChange={(e) => set('type', e.currentTarget.value)}>
                    <option value="">{t('ct.any')}</option>
                    {CONTACT_TYPES.map((s) => (
                      <option key={s} value={s}>
                        {typeName(i18n, s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="ct-owner" label={t('cl.owner')}>
                {(aria) => (
                  <select {...aria} value={filters.owner ?? ''} onChange={(e) => set('owner', e.currentTarget.value)}>
                    <option value="">{t('cl.anyone')}</option>
                    <option value="me">{t('cl.mine')}</option>
                    {owners
                      .filter((o) => o.id !== user.id)
                      .map((o) => (
                        <option key={o.id} value={String(o.id)}>
                          {o.disabled ? t('cl.ownerDisabled', { name: o.name }) : o.name}
                        </option>
                      ))}
                  </select>
                )}
              </Field>
              <Field id="ct-tag" label={t('ct.tags')}>
                {(aria) => (
                  <select {...aria} value={filters.tag ?? ''} onChange={(e) => set('tag', e.currentTarget.value)}>
                    <option value="">{t('ct.any')}</option>
                    {filters.tag && !tags.some((x) => x.name.toLowerCase() === filters.tag?.toLowerCase()) && (
                      <option value={filters.tag}>{filters.tag}</option>
                    )}
                    {tags.map((x) => (
                      <option key={x.name} value={x.name}>
                        {t('cl.tagCount', { name: x.name, n: x.contacts })}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="ct-kind" label={t('ct.kind')}>
                {(aria) => (
                  <select {...aria} value={filters.kind ?? ''} onChange={(e) => set('kind', e.currentTarget.value)}>
                    <option value="">{t('ct.any')}</option>
                    <option value="person">{t('ct.kind.person')}</option>
                    <option value="organization">{t('ct.kind.organization')}</option>
                  </select>
                )}
              </Field>
              <Field id="ct-smin" label={t('cl.strengthMin')}>
                {(aria) => (
                  <input
                    {...aria}
                    type="number"
                    min={0}
                    max={100}
                    inputMode="numeric"
                    value={filters.strength_min ?? ''}
                    onChange={(e) => set('strength_min', e.currentTarget.value)}
                  />
                )}
              </Field>
              <Field id="ct-smax" label={t('cl.strengthMax')}>
                {(aria) => (
                  <input
                    {...aria}
                    type="number"
                    min={0}
                    max={100}
                    inputMode="numeric"
                    value={filters.strength_max ?? ''}
                    onChange={(e) => set('strength_max', e.currentTarget.value)}
                  />
                )}
              </Field>
              <Field id="ct-sort" label={t('ct.sort')}>
                {(aria) => (
                  <select {...aria} value={filters.sort ?? 'name'} onChange={(e) => set('sort', e.currentTarget.value === 'name' ? '' : e.currentTarget.value)}>
                    <option value="name">{t('ct.sort.name')}</option>
                    <option value="newest">{t('ct.sort.newest')}</option>
                    <option value="strength">{t('ct.sort.strength')}</option>
                  </select>
                )}
              </Field>
              <div class="field filter-check">
                <label>
                  <input type="checkbox" checked={filters.going_cold === '1'} onChange={(e) => set('going_cold', e.currentTarget.checked ? '1' : '')} />{' '}
                  {t('cl.goingCold')}
                </label>
                <p class="hint">{t('cl.goingColdHint')}</p>
              </div>
            </div>
            <div class="list-tools">
              {filtered && (
                <button type="button" class="btn btn-small" onClick={() => applyFilters(filters.sort ? { sort: filters.sort } : {})}>
                  {t('cl.clear')}
                </button>
              )}
              {canExport(user.role) && items !== null && items.length > 0 && (
                <span class="export-links">
                  <a class="btn btn-small" data-testid="export-csv" href={`/api/v1/contacts/export?${filterQuery(clean(filters), { format: 'csv' })}`} download>
                    {t('cl.exportCsv')}
                  </a>
                  <a class="btn btn-small" data-testid="export-vcard" href={`/api/v1/contacts/export?${filterQuery(clean(filters), { format: 'vcard' })}`} download>
                    {t('cl.exportVcard')}
                  </a>
                </span>
              )}
            </div>

            {edit && anySelected && items !== null && (
              <BulkBar
                selection={selection}
                count={selectedCount}
                filters={filters}
                owners={owners}
                tags={tags}
                onDone={(text) => {
                  setNotice(text);
                  setReload((n) => n + 1);
                  loadLookups();
                }}
                onClear={() => setSelection({ mode: 'ids', ids: new Set() })}
              />
            )}
            {edit && allLoadedSelected && selection.mode === 'ids' && next && (
              <p class="select-all-note">
                {t('cl.pageSelected', { n: selection.ids.size })}{' '}
                <button type="button" class="link-button" onClick={() => setSelection({ mode: 'filter' })}>
                  {t('cl.selectAllMatching')}
                </button>
              </p>
            )}
            {selection.mode === 'filter' && (
              <p class="select-all-note" data-testid="all-matching">
                {t('cl.allMatchingSelected')}{' '}
                <button type="button" class="link-button" onClick={() => setSelection({ mode: 'ids', ids: new Set() })}>
                  {t('cl.clearSelection')}
                </button>
              </p>
            )}

            {loadError !== null && <Alert>{errorText(i18n, loadError)}</Alert>}
            {items === null && loadError === null && <Spinner label={t('common.loading')} />}
            {items !== null && items.length === 0 && <p class="muted">{t('ct.noMatch')}</p>}
            {items !== null && items.length > 0 && (
              <>
                {edit && (
                  <label class="select-all">
                    <input type="checkbox" checked={allLoadedSelected} onChange={toggleAll} /> {t('cl.selectShown', { n: items.length })}
                  </label>
                )}
                <ul class={`contact-list${edit ? ' selectable' : ''}`} data-testid="contact-list" aria-live="polite">
                  {items.map((c, index) => (
                    <li key={c.id} class={`contact-row${isSelected(c.id) ? ' selected' : ''}`}>
                      {edit && (
                        <input
                          type="checkbox"
                          class="row-check"
                          aria-label={t('cl.select', { name: c.name })}
                          checked={isSelected(c.id)}
                          onClick={(e) => toggle(index, c.id, e.shiftKey)}
                        />
                      )}
                      <div class="contact-row-main">
                        <Link href={`/contacts/${c.id}`} class="contact-name">
                          {c.name}
                        </Link>
                        {c.kind === 'organization' && <span class="muted small">{t('ct.kind.organization')}</span>}
                      </div>
                      <span class="badge">{stageName(i18n, c.stage)}</span>
                      <Strength value={c.strength} />
                    </li>
                  ))}
                </ul>
              </>
            )}
            <div ref={sentinel} />
            {next && (
              <div class="list-foot">
                <button type="button" class="btn" disabled={loadingMore} onClick={() => void loadMore()}>
                  {loadingMore ? t('common.loading') : t('ct.loadMore')}
                </button>
              </div>
            )}
          </section>
        )}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- saved views

function ViewsBar({
  views,
  active,
  filters,
  filtered,
  role,
  onPick,
  onSaved,
  onDeleted,
}: {
  views: SavedView[];
  active: SavedView | null;
  filters: Filters;
  filtered: boolean;
  role: Role;
  onPick: (v: SavedView) => void;
  onSaved: (v: SavedView) => void;
  onDeleted: (v: SavedView) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<SavedView | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const canSave = role !== 'consultant';
  const canShare = role === 'agent' || role === 'manager' || role === 'owner';
  const canDelete = (v: SavedView) => v.mine || (v.shared && (role === 'manager' || role === 'owner'));

  const save = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) {
      setError(t('val.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api.createView({ name: name.trim(), filters: clean(filters), shared });
      onSaved(answer.view);
      setSaving(false);
      setName('');
      setShared(false);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="views-bar" data-testid="views-bar">
      <Field id="ct-view" label={t('cl.views')}>
        {(aria) => (
          <select
            {...aria}
            value={active ? String(active.id) : ''}
            onChange={(e) => {
              const v = views.find((x) => String(x.id) === e.currentTarget.value);
              if (v) onPick(v);
            }}
          >
            <option value="">{views.length ? t('cl.pickView') : t('cl.noViews')}</option>
            {views.map((v) => (
              <option key={v.id} value={String(v.id)}>
                {v.shared && !v.mine ? t('cl.viewBy', { name: v.name, owner: v.owner_name }) : v.shared ? t('cl.viewShared', { name: v.name }) : v.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="views-actions">
        {canSave && filtered && !active && !saving && (
          <button type="button" class="btn btn-small" onClick={() => setSaving(true)}>
            {t('cl.saveView')}
          </button>
        )}
        {active && canDelete(active) && (
          <button
            type="button"
            class="btn btn-small btn-danger-quiet"
            onClick={() => {
              setDeleteError(null);
              setDeleting(active);
            }}
          >
            {t('cl.deleteView')}
          </button>
        )}
      </div>
      {saving && (
        <form class="view-form" onSubmit={save} noValidate data-testid="save-view">
          <Field id="view-name" label={t('cl.viewName')} error={error}>
            {(aria) => <input {...aria} type="text" maxLength={80} autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          {canShare && (
            <label class="check">
              <input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} /> {t('cl.shareView')}
            </label>
          )}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setSaving(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('cl.deleteViewTitle', { name: deleting?.name ?? '' })}
        body={deleting && deleting.owner !== user.id ? t('cl.deleteViewOthers', { owner: deleting.owner_name }) : t('cl.deleteViewBody')}
        confirmLabel={t('cl.deleteView')}
        busy={busy}
        error={deleteError}
        onConfirm={async () => {
          if (!deleting) return;
          setBusy(true);
          try {
            await api.deleteView(deleting.id);
            onDeleted(deleting);
            setDeleting(null);
          } catch (err) {
            setDeleteError(errorText(i18n, err));
          } finally {
            setBusy(false);
          }
        }}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

// ---------------------------------------------------------------- bulk changes

type BulkAction = 'tag_add' | 'tag_remove' | 'owner' | 'stage';

function BulkBar({
  selection,
  count,
  filters,
  owners,
  tags,
  onDone,
  onClear,
}: {
  selection: Selection;
  count: number | null;
  filters: Filters;
  owners: OwnerChoice[];
  tags: TagCount[];
  onDone: (notice: string) => void;
  onClear: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [action, setAction] = useState<BulkAction>('tag_add');
  const [tag, setTag] = useState('');
  const [owner, setOwner] = useState('');
  const [stage, setStage] = useState('customer');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tagList = useMemo(() => tags.map((x) => x.name), [tags]);

  const apply = async (e: Event) => {
    e.preventDefault();
    if ((action === 'tag_add' || action === 'tag_remove') && !tag.trim()) {
      setError(t('cl.tagNeeded'));
      return;
    }
    const set =
      action === 'tag_add'
        ? { tags_add: [tag.trim()] }
        : action === 'tag_remove'
          ? { tags_remove: [tag.trim()] }
          : action === 'owner'
            ? { owner: owner === '' ? null : Number(owner) }
            : { stage };
    setBusy(true);
    setError(null);
    try {
      const body = selection.mode === 'filter' ? { filter: clean(filters), set } : { ids: [...selection.ids], set };
      const answer = await api.bulk(body);
      setTag('');
      onDone(t('cl.bulkDone', { changed: answer.changed, matched: answer.matched }));
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="bulk-bar card" onSubmit={apply} noValidate data-testid="bulk-bar" aria-label={t('cl.bulkTitle')}>
      <p class="bulk-count">
        <strong>{count === null ? t('cl.allMatching') : t('cl.selected', { n: count })}</strong>{' '}
        <button type="button" class="link-button" onClick={onClear}>
          {t('cl.clearSelection')}
        </button>
      </p>
      {error && <Alert>{error}</Alert>}
      <div class="bulk-fields">
        <Field id="bulk-action" label={t('cl.bulkAction')}>
          {(aria) => (
            <select {...aria} value={action} onChange={(e) => setAction(e.currentTarget.value as BulkAction)}>
              <option value="tag_add">{t('cl.bulk.tagAdd')}</option>
              <option value="tag_remove">{t('cl.bulk.tagRemove')}</option>
              <option value="owner">{t('cl.bulk.owner')}</option>
              <option value="stage">{t('cl.bulk.stage')}</option>
            </select>
          )}
        </Field>
        {(action === 'tag_add' || action === 'tag_remove') && (
          <Field id="bulk-tag" label={t('cl.bulkTag')}>
            {(aria) => (
              <>
                <input {...aria} type="text" list="bulk-tags" maxLength={64} autoComplete="off" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
                <datalist id="bulk-tags">
                  {tagList.map((x) => (
                    <option key={x} value={x} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        )}
        {action === 'owner' && (
          <Field id="bulk-owner" label={t('ct.owner')}>
            {(aria) => (
              <select {...aria} value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
                <option value="">{t('cl.nobody')}</option>
                {owners
                  .filter((o) => !o.disabled)
                  .map((o) => (
                    <option key={o.id} value={String(o.id)}>
                      {o.name}
                    </option>
                  ))}
              </select>
            )}
          </Field>
        )}
        {action === 'stage' && (
          <Field id="bulk-stage" label={t('ct.stage')}>
            {(aria) => (
              <select {...aria} value={stage} onChange={(e) => setStage(e.currentTarget.value)}>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {stageName(i18n, s)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('cl.applying') : t('cl.apply')}
          </button>
        </div>
      </div>
    </form>
  );
}
