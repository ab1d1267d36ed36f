// The shared inbox (/inbox, /inbox/{id}): the list of conversations with its
// views and counts, the open conversation (messages as chat bubbles, the
// workflow actions, the composer of replies and internal notes) and the
// contact panel, side by side on a wide screen and one at a time on a phone.
// Keyboard: j/k move, e resolve, a assign, r reply, / search, ? shortcuts.
// Live: the server's event stream refreshes the rows and the open
// conversation in place, keeping the scroll position and the draft.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  api,
  PRIORITIES,
  type CannedReply,
  type Contact,
  type Conversation,
  type ConversationChange,
  type InboxSummary,
  type Message,
  type OwnerChoice,
  type Priority,
} from '../api';
import type { Key } from '../i18n';
import { errorText, useI18n, type I18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Alert, PageTitle, Spinner } from '../components';
import { useStream } from '../stream';
import {
  byActivity,
  ChannelBadge,
  channelName,
  clockTime,
  dayKey,
  dayTitle,
  DEFAULT_FILTER,
  filterFromSearch,
  filterQuery,
  filterToSearch,
  formatSize,
  fullTime,
  initials,
  matchesFilter,
  minutesText,
  navigateWithQuery,
  parseTime,
  shortTime,
  wallClock,
  zonedTime,
  type InboxFilter,
} from '../inbox-parts';
import { canEdit, IdentityRow, stageName, Strength } from './Contacts';

const PAGE = 50;

/** Drafts by conversation, kept while the page lives (switching conversations keeps them). */
const drafts = new Map<number, { mode: 'reply' | 'note'; text: string }>();

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

export function InboxPage({ path }: { path: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const { navigate } = useRouter();
  const tz = user.workspace.timezone;
  const me = user.id;
  const agent = canEdit(user.role);

  const openMatch = /^\/inbox\/(\d+)\/?(\?.*)?$/.exec(path);
  // the Import page links to /inbox?conversation=ID
  const linked = /[?&]conversation=(\d+)/.exec(path) ?? /[?&]conversation=(\d+)/.exec(window.location.search);
  const openId = openMatch ? Number(openMatch[1]) : linked ? Number(linked[1]) : null;
  // a search result opens a conversation at one message (?m=ID), read once per opening
  const jumpTo = useMemo(() => Number(new URLSearchParams(window.location.search).get('m')) || null, [openId]);

  const [filter, setFilter] = useState<InboxFilter>(() => filterFromSearch(window.location.search));
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [summary, setSummary] = useState<InboxSummary | null>(null);
  const [open, setOpen] = useState<Conversation | null>(null);
  // an empty list says "nothing yet" or "nothing waiting" only once the counts have answered
  const [summaryTried, setSummaryTried] = useState(false);
  const [openError, setOpenError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [users, setUsers] = useState<OwnerChoice[]>([]);
  const [showContact, setShowContact] = useState(false);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<{ text: string; undo?: Conversation } | null>(null);
  const seq = useRef(0);
  const listRef = useRef<HTMLUListElement>(null);
  const sentinel = useRef<HTMLLIElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const composerRef = useRef<HTMLTextAreaElement | null>(null);
  const assignRef = useRef<HTMLSelectElement | null>(null);
  const itemsRef = useRef<Conversation[] | null>(null);
  itemsRef.current = items;

  // --- the list
  const loadList = async () => {
    const mine = ++seq.current;
    setLoadError(null);
    try {
      const list = await api.conversations(filterQuery(filter), PAGE);
      if (mine !== seq.current) return;
      setItems(list.items);
      setNext(list.next);
    } catch (err) {
      if (mine === seq.current) setLoadError(err);
    }
  };

  const loadSummary = async () => {
    try {
      setSummary(await api.inboxSummary());
    } catch {
      /* the counts are a help, the list still works without them */
    } finally {
      setSummaryTried(true);
    }
  };

  useEffect(() => {
    setItems(null);
    void loadList();
    const url = `${window.location.pathname}${filterToSearch(filter)}`;
    if (url !== `${window.location.pathname}${window.location.search}` && !linked) window.history.replaceState(null, '', url);
  }, [filter]);

  useEffect(() => {
    void loadSummary();
    api
      .contactOwners()
      .then((list) => setUsers(list.items.filter((u) => !u.disabled && u.role !== 'consultant')))
      .catch(() => setUsers([]));
  }, []);

  // keep the address bar's filters when the open conversation changes
  useEffect(() => {
    if (linked) return;
    const want = filterToSearch(filter);
    const params = new URLSearchParams(window.location.search);
    params.delete('m');
    const have = params.toString() ? `?${params.toString()}` : '';
    if (have !== want) window.history.replaceState(null, '', `${window.location.pathname}${want}`);
  }, [path]);

  const loadMore = async () => {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    const mine = seq.current;
    try {
      const list = await api.conversations({ ...filterQuery(filter), cursor: next }, PAGE);
      if (mine !== seq.current) return;
      setItems((old) => {
        const have = new Set((old ?? []).map((c) => c.id));
        return [...(old ?? []), ...list.items.filter((c) => !have.has(c.id))];
      });
      setNext(list.next);
    } catch (err) {
      setLoadError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next || typeof IntersectionObserver === 'undefined') return;
    const obs = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadMore();
      },
      { root: listRef.current, rootMargin: '300px' },
    );
    obs.observe(el);
    return () => obs.disconnect();
  }, [next, loadingMore, items]);

  // --- the open conversation
  useEffect(() => {
    setOpenError(null);
    setShowContact(false);
    if (openId === null) {
      setOpen(null);
      return;
    }
    const row = itemsRef.current?.find((c) => c.id === openId) ?? null;
    setOpen(row);
    let live = true;
    api
      .conversation(openId)
      .then((c) => {
        if (live) setOpen(c);
      })
      .catch((err) => {
        if (live) setOpenError(err);
      });
    return () => {
      live = false;
    };
  }, [openId]);

  // the open row stays visible in the list
  useEffect(() => {
    if (openId === null) return;
    listRef.current?.querySelector(`[data-conv="${openId}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [openId, items !== null]);

  // The filter as it is now, for answers that arrive after it changed: a live update fetched
  // under the open view must not take a row out of the resolved view the agent moved to since.
  const filterRef = useRef(filter);
  filterRef.current = filter;

  /** Puts an updated conversation in the list (or out of it) and in the open pane. */
  const place = (c: Conversation) => {
    setItems((old) => {
      if (!old) return old;
      const without = old.filter((x) => x.id !== c.id);
      if (!matchesFilter(c, filterRef.current, me)) return without;
      const merged = old.some((x) => x.id === c.id) ? old.map((x) => (x.id === c.id ? { ...x, ...c } : x)) : [...without, c];
      return merged.sort(byActivity);
    });
    setOpen((o) => (o && o.id === c.id ? { ...o, ...c } : o));
  };

  const openConversation = (id: number | null, replace = false) => {
    navigate(id === null ? '/inbox' : `/inbox/${id}`, { replace });
  };

  /** Changes the open conversation; resolving moves on to the next one in the list. */
  const change = async (c: Conversation, body: ConversationChange, advance = false): Promise<boolean> => {
    const before = itemsRef.current ?? [];
    const index = before.findIndex((x) => x.id === c.id);
    try {
      const updated = await api.updateConversation(c.id, body);
      place(updated);
      void loadSummary();
      if (body.status === 'resolved') {
        setNotice({ text: t('ib.resolvedNotice', { name: convName(i18n, updated) }), undo: updated });
      } else if (body.status === 'snoozed') {
        setNotice({ text: t('ib.snoozedNotice', { name: convName(i18n, updated) }), undo: updated });
      } else setNotice(null);
      if (advance && !matchesFilter(updated, filter, me) && openId === c.id) {
        const rest = before.filter((x) => x.id !== c.id);
        const target = rest[Math.min(Math.max(index, 0), rest.length - 1)] ?? null;
        openConversation(target ? target.id : null, true);
      }
      return true;
    } catch (err) {
      setNotice({ text: errorText(i18n, err) });
      return false;
    }
  };

  // --- live updates
  const pending = useRef<Set<number>>(new Set());
  const flushTimer = useRef<number | null>(null);
  useStream((type, data) => {
    if (type === 'stream.reopened') {
      // whatever happened while the line was down: fetch the list and the open conversation again
      void loadSummary();
      if (openId !== null) api.conversation(openId).then(place).catch(() => {});
      return;
    }
    const id = Number(data.conversation_id);
    if (!Number.isInteger(id) || id <= 0) return;
    if (type === 'message.created' && id === openId) setTick((n) => n + 1);
    pending.current.add(id);
    if (flushTimer.current !== null) return;
    flushTimer.current = window.setTimeout(() => {
      flushTimer.current = null;
      const ids = [...pending.current];
      pending.current.clear();
      void loadSummary();
      for (const cid of ids) {
        api
          .conversation(cid)
          .then(place)
          .catch(() => {
            /* gone or not ours: the next full load settles it */
          });
      }
    }, 250);
  });
  useEffect(
    () => () => {
      if (flushTimer.current !== null) window.clearTimeout(flushTimer.current);
    },
    [],
  );

  // --- keyboard
  const onKeyRef = useRef<(event: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyRef.current(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
  {
    onKeyRef.current = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (typing(event.target)) return;
      if (document.querySelector('dialog[open]') && event.key !== '?') return;
      const list = items ?? [];
      const current = open;
      // j/k move from the conversation the address names: it changes the moment a key opens
      // another, while the open pane's data follows a render later
      const index = openId !== null ? list.findIndex((c) => c.id === openId) : -1;
      switch (event.key) {
        case 'j':
        case 'k': {
          if (list.length === 0) return;
          const to = event.key === 'j' ? Math.min(index + 1, list.length - 1) : index < 0 ? 0 : Math.max(index - 1, 0);
          const target = list[to];
          if (target && target.id !== openId) openConversation(target.id, true);
          break;
        }
        case 'e':
          if (current && agent && current.status !== 'resolved') void change(current, { status: 'resolved' }, true);
          else return;
          break;
        case 'a':
          if (!current || !agent) return;
          if (current.assignee?.id !== me) void change(current, { assignee_id: me });
          else {
            const select = assignRef.current as (HTMLSelectElement & { showPicker?: () => void }) | null;
            select?.focus();
            try {
              select?.showPicker?.();
            } catch {
              /* focused is enough: arrows choose */
            }
          }
          break;
        case 'r':
          if (!composerRef.current) return;
          composerRef.current.focus();
          break;
        case '/':
          searchRef.current?.focus();
          break;
        case '?':
          setHelp((h) => !h);
          break;
        default:
          return;
      }
      event.preventDefault();
    };
  }

  const setF = (patch: Partial<InboxFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const filtered = filter.view !== 'all' || filter.status !== '' || filter.channel !== '' || filter.label !== '';
  const nothingAtAll =
    summary !== null && Object.values(summary.status).reduce((a, b) => a + b, 0) === 0 && items !== null && items.length === 0;

  const title = t('nav.inbox');
  return (
    <div class={`inbox${openId !== null ? ' has-open' : ''}${showContact ? ' show-contact' : ''}`}>
      <section class="ib-list-pane" aria-labelledby="inbox-title">
        <div class="ib-list-head">
          <div class="ib-title-row" id="inbox-title">
            <PageTitle title={open ? `${convName(i18n, open)} · ${title}` : title}>{title}</PageTitle>
            <button type="button" class="btn btn-small btn-quiet" onClick={() => setHelp(true)} aria-keyshortcuts="?">
              {t('ib.shortcuts')}
            </button>
          </div>
          <form
            class="ib-search"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              const q = searchRef.current?.value.trim() ?? '';
              if (q) navigateWithQuery(navigate, '/search', `?q=${encodeURIComponent(q)}`);
            }}
          >
            <label for="inbox-search" class="visually-hidden">
              {t('ib.searchLabel')}
            </label>
            <input id="inbox-search" ref={searchRef} type="search" placeholder={t('ib.searchPlaceholder')} aria-keyshortcuts="/" />
            <button type="submit" class="btn btn-small">
              {t('ib.searchGo')}
            </button>
          </form>
          <ViewTabs filter={filter} summary={summary} onView={(view) => setF({ view })} />
          <div class="ib-filters">
            <label class="visually-hidden" for="ib-status">
              {t('ib.status')}
            </label>
            <select id="ib-status" class="select-compact" value={filter.status} onChange={(e) => setF({ status: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{t('ib.status.active')}</option>
              {(['open', 'pending', 'snoozed', 'resolved'] as const).map((s) => (
                <option value={s} key={s}>
                  {t(`ib.st.${s}` as Key)}
                  {summary ? ` (${summary.status[s] ?? 0})` : ''}
                </option>
              ))}
              <option value="all">{t('ib.status.all')}</option>
            </select>
            <label class="visually-hidden" for="ib-channel">
              {t('ib.channel')}
            </label>
            <select id="ib-channel" class="select-compact" value={filter.channel} onChange={(e) => setF({ channel: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{t('ib.channel.all')}</option>
              {Object.entries(summary?.channels ?? {}).map(([ch, n]) => (
                <option value={ch} key={ch}>
                  {channelName(i18n, ch)} ({n})
                </option>
              ))}
              {filter.channel && !summary?.channels?.[filter.channel] && <option value={filter.channel}>{channelName(i18n, filter.channel)}</option>}
            </select>
            <label class="visually-hidden" for="ib-label">
              {t('ib.label')}
            </label>
            <select id="ib-label" class="select-compact" value={filter.label} onChange={(e) => setF({ label: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{t('ib.label.all')}</option>
              {(summary?.labels ?? []).map((l) => (
                <option value={l.name} key={l.name}>
                  {l.name} ({l.count})
                </option>
              ))}
              {filter.label && !summary?.labels?.some((l) => l.name === filter.label) && <option value={filter.label}>{filter.label}</option>}
            </select>
          </div>
        </div>
        {notice && (
          <div class="ib-notice" role="status">
            <span>{notice.text}</span>
            {notice.undo && agent && (
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  const c = notice.undo;
                  if (c) void change(c, { status: 'open' });
                }}
              >
                {t('ib.reopen')}
              </button>
            )}
            <button type="button" class="link-button" onClick={() => setNotice(null)} aria-label={t('common.close')}>
              ×
            </button>
          </div>
        )}
        {loadError !== null && (
          <div class="ib-pad">
            <Alert>{errorText(i18n, loadError)}</Alert>
            <button type="button" class="btn btn-small" onClick={() => void loadList()}>
              {t('common.retry')}
            </button>
          </div>
        )}
        {items === null && loadError === null && (
          <div class="ib-pad">
            <Spinner label={t('ib.loading')} />
          </div>
        )}
        {items !== null && items.length === 0 && !filtered && !summaryTried && (
          <div class="ib-pad">
            <Spinner label={t('ib.loading')} />
          </div>
        )}
        {items !== null &&
          items.length === 0 &&
          (filtered || summaryTried) &&
          (nothingAtAll && !filtered ? (
            <NoConversations />
          ) : filtered ? (
            <EmptyView onAll={() => setFilter(DEFAULT_FILTER)} />
          ) : (
            <AllDone onEvery={() => setF({ status: 'all' })} />
          ))}
        {items !== null && items.length > 0 && (
          <ul class="ib-list" ref={listRef} aria-label={t('ib.listLabel')} data-testid="conversation-list">
            {items.map((c) => (
              <ConversationRow key={c.id} c={c} active={c.id === openId} tz={tz} me={me} />
            ))}
            {next && (
              <li ref={sentinel} class="ib-more">
                {loadingMore ? (
                  <Spinner label={t('ib.loadingMore')} />
                ) : (
                  <button type="button" class="btn btn-small" onClick={() => void loadMore()}>
                    {t('ib.showMore')}
                  </button>
                )}
              </li>
            )}
          </ul>
        )}
      </section>

      <section class="ib-conv-pane" aria-label={t('ib.conversation')}>
        {openId === null && <NothingOpen count={items?.length ?? 0} />}
        {openId !== null && openError !== null && (
          <div class="ib-pad">
            <BackLink />
            <Alert>{errorText(i18n, openError)}</Alert>
          </div>
        )}
        {openId !== null && openError === null && open === null && (
          <div class="ib-pad">
            <Spinner label={t('ib.opening')} />
          </div>
        )}
        {open !== null && openError === null && (
          <ConversationView
            key={open.id}
            conv={open}
            tick={tick}
            jumpTo={jumpTo}
            agent={agent}
            me={me}
            tz={tz}
            users={users}
            knownLabels={summary?.labels.map((l) => l.name) ?? []}
            onChange={change}
            onPosted={(m) => {
              setOpen((o) =>
                o
                  ? {
                      ...o,
                      message_count: o.message_count + 1,
                      last_message_at: m.sent_at,
                      last_message: { direction: m.direction, kind: m.kind, sender_name: m.author?.name ?? null, body: m.body.slice(0, 200) },
                    }
                  : o,
              );
              api.conversation(open.id).then(place).catch(() => {});
            }}
            onToggleContact={() => setShowContact((s) => !s)}
            contactShown={showContact}
            composerRef={composerRef}
            assignRef={assignRef}
          />
        )}
      </section>

      {open !== null && openError === null && (
        <aside class="ib-contact-pane" aria-label={t('ib.contactPanel')}>
          <button type="button" class="btn btn-small ib-contact-close" onClick={() => setShowContact(false)}>
            {t('ib.backToConversation')}
          </button>
          <ContactPanel conv={open} tz={tz} />
        </aside>
      )}
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}

export function convName(i18n: I18n, c: Conversation): string {
  return c.contact?.name || c.title || i18n.t('ib.untitled');
}

function ViewTabs({ filter, summary, onView }: { filter: InboxFilter; summary: InboxSummary | null; onView: (v: InboxFilter['view']) => void }) {
  const { t } = useI18n();
  const views: { view: InboxFilter['view']; label: Key; count?: number }[] = [
    { view: 'mine', label: 'ib.view.mine', count: summary?.views.mine },
    { view: 'unassigned', label: 'ib.view.unassigned', count: summary?.views.unassigned },
    { view: 'all', label: 'ib.view.all', count: summary?.views.all },
    { view: 'breaching', label: 'ib.view.breaching', count: summary?.views.breaching },
  ];
  return (
    <div class="ib-views" role="group" aria-label={t('ib.views')}>
      {views.map((v) => (
        <button
          type="button"
          key={v.view}
          class={`ib-view${v.view === 'breaching' && (v.count ?? 0) > 0 ? ' ib-view-alert' : ''}`}
          aria-pressed={filter.view === v.view}
          onClick={() => onView(v.view)}
          data-testid={`view-${v.view}`}
        >
          <span>{t(v.label)}</span>
          {v.count !== undefined && <span class="ib-count">{v.count}</span>}
        </button>
      ))}
    </div>
  );
}

function ConversationRow({ c, active, tz, me }: { c: Conversation; active: boolean; tz: string; me: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const name = convName(i18n, c);
  const last = c.last_message;
  let preview = '';
  if (last) {
    const body = last.kind === 'media' && !last.body ? t('ib.media') : last.body;
    if (last.direction === 'note') preview = `${t('ib.notePrefix')} ${body}`;
    else if (last.direction === 'outgoing') preview = `${t('ib.youPrefix')} ${body}`;
    else if (c.is_group && last.sender_name) preview = `${last.sender_name}: ${body}`;
    else preview = body;
  }
  return (
    <li class={`ib-row${active ? ' active' : ''}${c.awaiting_reply ? ' awaiting' : ''}`} data-conv={c.id}>
      <Link href={`/inbox/${c.id}`} class="ib-row-link" aria-current={active ? 'page' : undefined} data-testid="conversation-row">
        <ChannelBadge channel={c.channel} i18n={i18n} />
        <span class="ib-row-main">
          <span class="ib-row-top">
            <span class="ib-row-name">{name}</span>
            {c.sla?.breached && (
              <span class="ib-breach" title={t('ib.breachedLong')}>
                {t('ib.breached')}
              </span>
            )}
            <time class="ib-row-time" dateTime={c.last_message_at ?? undefined}>
              {shortTime(i18n, c.last_message_at, tz)}
            </time>
          </span>
          <span class="ib-row-preview">
            {c.awaiting_reply && <span class="ib-dot" title={t('ib.awaiting')} aria-label={t('ib.awaiting')} />}
            {preview || <span class="muted">{t('ib.noMessages')}</span>}
          </span>
          <span class="ib-row-meta">
            {c.status !== 'open' && <span class={`ib-status ib-status-${c.status}`}>{t(`ib.st.${c.status}` as Key)}</span>}
            {(c.priority === 'high' || c.priority === 'urgent') && (
              <span class={`ib-prio ib-prio-${c.priority}`}>{t(`ib.prio.${c.priority}` as Key)}</span>
            )}
            {c.labels.map((l) => (
              <span class="ib-label" key={l}>
                {l}
              </span>
            ))}
            <span class="ib-assignee">
              {c.assignee ? (
                <>
                  <span class="avatar avatar-tiny" aria-hidden="true">
                    {initials(c.assignee.name)}
                  </span>
                  {c.assignee.id === me ? t('ib.you') : c.assignee.name}
                </>
              ) : (
                <span class="muted">{t('ib.unassigned')}</span>
              )}
            </span>
          </span>
        </span>
      </Link>
    </li>
  );
}

function NoConversations() {
  const { t } = useI18n();
  return (
    <section class="empty-state ib-empty" data-testid="inbox-empty">
      <h2 class="h3">{t('ib.empty.title')}</h2>
      <p>{t('ib.empty.body')}</p>
      <p>
        <Link href="/contacts/import" class="btn btn-primary">
          {t('ib.empty.import')}
        </Link>
      </p>
      <p class="small">{t('ib.empty.cli')}</p>
      <pre class="command">
        <code>piazza import whatsapp "WhatsApp Chat with Anna.zip" --me "{t('ib.empty.yourName')}"</code>
      </pre>
    </section>
  );
}

function EmptyView({ onAll }: { onAll: () => void }) {
  const { t } = useI18n();
  return (
    <section class="empty-state ib-empty" data-testid="view-empty">
      <h2 class="h3">{t('ib.emptyView.title')}</h2>
      <p>{t('ib.emptyView.body')}</p>
      <button type="button" class="btn" onClick={onAll}>
        {t('ib.emptyView.all')}
      </button>
    </section>
  );
}

function AllDone({ onEvery }: { onEvery: () => void }) {
  const { t } = useI18n();
  return (
    <section class="empty-state ib-empty" data-testid="view-empty">
      <h2 class="h3">{t('ib.allDone.title')}</h2>
      <p>{t('ib.allDone.body')}</p>
      <button type="button" class="btn" onClick={onEvery}>
        {t('ib.allDone.every')}
      </button>
    </section>
  );
}

function NothingOpen({ count }: { count: number }) {
  const { t } = useI18n();
  return (
    <div class="ib-nothing">
      <p class="h3">{count > 0 ? t('ib.pick') : t('ib.pickNone')}</p>
      {count > 0 && <p class="muted">{t('ib.pickKeys')}</p>}
    </div>
  );
}

function BackLink() {
  const { t } = useI18n();
  return (
    <Link href="/inbox" class="ib-back">
      <span aria-hidden="true">←</span> <span class="ib-back-text">{t('ib.back')}</span>
    </Link>
  );
}

// ---------------------------------------------------------------- the conversation

interface ConversationViewProps {
  conv: Conversation;
  tick: number;
  jumpTo: number | null;
  agent: boolean;
  me: number;
  tz: string;
  users: OwnerChoice[];
  knownLabels: string[];
  onChange: (c: Conversation, body: ConversationChange, advance?: boolean) => Promise<boolean>;
  onPosted: (m: Message) => void;
  onToggleContact: () => void;
  contactShown: boolean;
  composerRef: { current: HTMLTextAreaElement | null };
  assignRef: { current: HTMLSelectElement | null };
}

function ConversationView(props: ConversationViewProps) {
  const { conv, tick, jumpTo, tz } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [older, setOlder] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [highlight, setHighlight] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const topSentinel = useRef<HTMLDivElement>(null);
  /** What to do with the scroll position after the next render of the messages. */
  const scrollPlan = useRef<{ kind: 'bottom' } | { kind: 'keep'; height: number; top: number } | { kind: 'message'; id: number } | null>(null);

  const atBottom = () => {
    const el = scroller.current;
    return !el || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  // first page, then older pages until the message a search pointed at is in
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const page = await api.messages(conv.id, null);
        let items = page.items;
        let cursor = page.next;
        for (let n = 0; jumpTo && cursor && n < 40 && !items.some((m) => m.id === jumpTo); n++) {
          const more = await api.messages(conv.id, cursor);
          items = [...more.items, ...items];
          cursor = more.next;
        }
        if (!live) return;
        scrollPlan.current = jumpTo && items.some((m) => m.id === jumpTo) ? { kind: 'message', id: jumpTo } : { kind: 'bottom' };
        if (jumpTo) setHighlight(jumpTo);
        setMessages(items);
        setOlder(cursor);
      } catch (err) {
        if (live) setError(err);
      }
    })();
    return () => {
      live = false;
    };
  }, [conv.id]);

  // a message arrived on the stream: fetch the newest page and add what is new
  useEffect(() => {
    if (tick === 0 || messages === null) return;
    let live = true;
    api
      .messages(conv.id, null)
      .then((page) => {
        if (!live) return;
        const follow = atBottom();
        setMessages((old) => mergeMessages(old ?? [], page.items));
        if (follow) scrollPlan.current = { kind: 'bottom' };
      })
      .catch(() => {
        /* the next event or opening tries again */
      });
    return () => {
      live = false;
    };
  }, [tick]);

  useLayoutEffect(() => {
    const el = scroller.current;
    const plan = scrollPlan.current;
    if (!el || !plan || messages === null) return;
    scrollPlan.current = null;
    if (plan.kind === 'bottom') el.scrollTop = el.scrollHeight;
    else if (plan.kind === 'keep') el.scrollTop = el.scrollHeight - plan.height + plan.top;
    else {
      const target = el.querySelector<HTMLElement>(`[data-message="${plan.id}"]`);
      if (target) el.scrollTop = Math.max(0, target.offsetTop - el.clientHeight / 3);
    }
  }, [messages]);

  const loadOlder = async () => {
    if (!older || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api.messages(conv.id, older);
      const el = scroller.current;
      scrollPlan.current = el ? { kind: 'keep', height: el.scrollHeight, top: el.scrollTop } : null;
      setMessages((old) => {
        const have = new Set((old ?? []).map((m) => m.id));
        return [...page.items.filter((m) => !have.has(m.id)), ...(old ?? [])];
      });
      setOlder(page.next);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingOlder(false);
    }
  };

  useEffect(() => {
    const el = topSentinel.current;
    if (!el || !older || typeof IntersectionObserver === 'undefined') return;
    const obs = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadOlder();
      },
      { root: scroller.current, rootMargin: '200px' },
    );
    obs.observe(el);
    return () => obs.disconnect();
  }, [older, loadingOlder, messages]);

  const posted = (m: Message) => {
    scrollPlan.current = { kind: 'bottom' };
    setMessages((old) => mergeMessages(old ?? [], [m]));
    props.onPosted(m);
  };

  const senders = new Set((messages ?? []).filter((m) => m.direction === 'incoming' && m.kind !== 'system' && m.sender).map((m) => m.sender?.name));
  const showSender = conv.is_group || senders.size > 1;

  return (
    <div class="ib-conv">
      <ConversationHeader {...props} />
      <div class="ib-messages" ref={scroller} data-testid="messages" tabIndex={0} aria-label={t('ib.messages')}>
        {older && (
          <div ref={topSentinel} class="ib-older">
            {loadingOlder ? (
              <Spinner label={t('ib.loadingOlder')} />
            ) : (
              <button type="button" class="btn btn-small" onClick={() => void loadOlder()}>
                {t('ib.showOlder')}
              </button>
            )}
          </div>
        )}
        {!older && messages !== null && messages.length > 0 && <p class="ib-start">{t('ib.start')}</p>}
        {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
        {messages === null && error === null && <Spinner label={t('ib.loadingMessages')} />}
        {messages !== null && messages.length === 0 && <p class="ib-start">{t('ib.noMessagesYet')}</p>}
        {messages !== null && (
          <ol class="ib-bubbles">
            {messages.map((m, i) => {
              const ms = parseTime(m.sent_at) ?? 0;
              const prev = i > 0 ? messages[i - 1] : undefined;
              const newDay = !prev || dayKey(parseTime(prev.sent_at) ?? 0, tz) !== dayKey(ms, tz);
              return (
                <MessageItem
                  key={m.id}
                  m={m}
                  ms={ms}
                  tz={tz}
                  day={newDay ? dayTitle(i18n, ms, tz) : null}
                  showSender={showSender}
                  highlight={highlight === m.id}
                />
              );
            })}
          </ol>
        )}
      </div>
      {props.agent ? (
        <Composer conv={conv} onPosted={posted} composerRef={props.composerRef} />
      ) : (
        <p class="ib-readonly muted small">{t('ib.readOnly')}</p>
      )}
    </div>
  );
}

function mergeMessages(old: Message[], incoming: Message[]): Message[] {
  const byId = new Map(incoming.map((m) => [m.id, m]));
  const merged = old.map((m) => byId.get(m.id) ?? m);
  const have = new Set(old.map((m) => m.id));
  for (const m of incoming) if (!have.has(m.id)) merged.push(m);
  return merged;
}

function ConversationHeader(props: ConversationViewProps) {
  const { conv, agent, me, users, knownLabels, onChange, assignRef } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const [busy, setBusy] = useState(false);
  const [snoozing, setSnoozing] = useState(false);
  const [more, setMore] = useState(false);
  const name = convName(i18n, conv);

  const run = async (body: ConversationChange, advance = false) => {
    setBusy(true);
    await onChange(conv, body, advance);
    setBusy(false);
  };

  const assigneeChoices = users.some((u) => u.id === conv.assignee?.id) || !conv.assignee ? users : [...users, { ...conv.assignee, role: 'agent' as const, disabled: false }];

  return (
    <header class={`ib-conv-head${more ? ' more-open' : ''}`}>
      <div class="ib-conv-title">
        <BackLink />
        <ChannelBadge channel={conv.channel} i18n={i18n} />
        <div class="ib-conv-name">
          <h2 data-testid="conversation-title">{name}</h2>
          <p class="muted small">
            {channelName(i18n, conv.channel)}
            {conv.is_group && conv.title && conv.contact ? ` · ${conv.title}` : ''}
            {' · '}
            <span data-testid="conversation-status" class={`ib-status ib-status-${conv.status}`}>
              {t(`ib.st.${conv.status}` as Key)}
            </span>
            {conv.status === 'snoozed' && conv.snoozed_until && ` ${t('ib.until', { time: fullTime(i18n, parseTime(conv.snoozed_until) ?? 0, props.tz) })}`}
            {conv.sla?.breached && (
              <>
                {' · '}
                <span class="ib-breach">{t('ib.breachedLong')}</span>
              </>
            )}
          </p>
        </div>
        <button type="button" class="btn btn-small ib-contact-toggle" aria-expanded={props.contactShown} onClick={props.onToggleContact}>
          {t('ib.contactButton')}
        </button>
      </div>
      <div class="ib-toolbar">
        {agent && (
          <div class="ib-actions" role="group" aria-label={t('ib.actions')}>
            {conv.status !== 'resolved' ? (
              <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void run({ status: 'resolved' }, true)} aria-keyshortcuts="e">
                {t('ib.resolve')}
              </button>
            ) : (
              <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void run({ status: 'open' })}>
                {t('ib.reopen')}
              </button>
            )}
            {conv.assignee?.id !== me && (
              <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ assignee_id: me })} aria-keyshortcuts="a" data-testid="assign-me">
                {t('ib.assignMe')}
              </button>
            )}
            <button type="button" class="btn btn-small ib-more-toggle" aria-expanded={more} onClick={() => setMore((m) => !m)}>
              {t('ib.moreActions')}
            </button>
            <span class="ib-secondary">
              {conv.status !== 'pending' && conv.status !== 'resolved' && (
                <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ status: 'pending' })} title={t('ib.pendingHint')}>
                  {t('ib.setPending')}
                </button>
              )}
              {(conv.status === 'pending' || conv.status === 'snoozed') && (
                <button type="button" class="btn btn-small" disabled={busy} onClick={() => void run({ status: 'open' })}>
                  {t('ib.reopen')}
                </button>
              )}
              <button type="button" class="btn btn-small" aria-expanded={snoozing} onClick={() => setSnoozing((s) => !s)}>
                {t('ib.snooze')}
              </button>
              <label class="ib-inline">
                <span class="visually-hidden">{t('ib.assignee')}</span>
                <select
                  ref={(el) => {
                    assignRef.current = el;
                  }}
                  class="select-compact"
                  value={conv.assignee ? String(conv.assignee.id) : ''}
                  disabled={busy}
                  onChange={(e) => {
                    const v = (e.currentTarget as HTMLSelectElement).value;
                    void run({ assignee_id: v ? Number(v) : null });
                  }}
                >
                  <option value="">{t('ib.unassigned')}</option>
                  {assigneeChoices.map((u) => (
                    <option value={String(u.id)} key={u.id}>
                      {u.id === me ? `${u.name} (${t('ib.you')})` : u.name}
                    </option>
                  ))}
                </select>
              </label>
              <label class="ib-inline">
                <span class="visually-hidden">{t('ib.priority')}</span>
                <select
                  class="select-compact"
                  value={conv.priority}
                  disabled={busy}
                  onChange={(e) => void run({ priority: (e.currentTarget as HTMLSelectElement).value as Priority })}
                >
                  {PRIORITIES.map((p) => (
                    <option value={p} key={p}>
                      {t(`ib.prioOpt.${p}` as Key)}
                    </option>
                  ))}
                </select>
              </label>
            </span>
          </div>
        )}
        {agent && snoozing && (
          <SnoozeForm
            tz={props.tz}
            onCancel={() => setSnoozing(false)}
            onSnooze={async (until) => {
              setSnoozing(false);
              await run({ status: 'snoozed', snoozed_until: until }, true);
            }}
          />
        )}
        <LabelsEditor labels={conv.labels} known={knownLabels} edit={agent} onSave={(labels) => run({ labels })} />
      </div>
      {!agent && conv.assignee && (
        <p class="small muted">
          {t('ib.assignedTo', { name: conv.assignee.name })} · {t(`ib.prio.${conv.priority}` as Key)}
        </p>
      )}
    </header>
  );
}

/** Tomorrow at 9, next Monday at 9, or a date and time chosen: on the inbox's clock (TZ), not the browser's. */
function SnoozeForm({ tz, onSnooze, onCancel }: { tz: string; onSnooze: (until: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const at = (days: number) => {
    const today = wallClock(Date.now(), tz);
    return new Date(zonedTime(today.y, today.mo, today.d + days, 9, 0, tz));
  };
  const nextMonday = () => at(((8 - wallClock(Date.now(), tz).wd) % 7) || 7);
  return (
    <form
      class="ib-snooze"
      onSubmit={(e) => {
        e.preventDefault();
        const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
        const ms = m ? zonedTime(+m[1], +m[2], +m[3], +m[4], +m[5], tz) : NaN;
        if (Number.isNaN(ms) || ms <= Date.now()) {
          setError(t('ib.snoozeFuture'));
          return;
        }
        onSnooze(new Date(ms).toISOString());
      }}
    >
      <button type="button" class="btn btn-small" onClick={() => onSnooze(at(1).toISOString())}>
        {t('ib.snoozeTomorrow')}
      </button>
      <button type="button" class="btn btn-small" onClick={() => onSnooze(nextMonday().toISOString())}>
        {t('ib.snoozeMonday')}
      </button>
      <label for="snooze-until" class="small">
        {t('ib.snoozeUntil')} <span class="muted">({tz})</span>
      </label>
      <input
        id="snooze-until"
        type="datetime-local"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'snooze-error' : undefined}
        onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="btn btn-small btn-primary">
        {t('ib.snooze')}
      </button>
      <button type="button" class="btn btn-small btn-quiet" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      {error && (
        <p class="field-error" id="snooze-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function LabelsEditor({ labels, known, edit, onSave }: { labels: string[]; known: string[]; edit: boolean; onSave: (labels: string[]) => Promise<void> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  if (!edit && labels.length === 0) return null;
  const add = () => {
    const name = text.trim();
    if (!name) return;
    setText('');
    if (labels.some((l) => l.toLowerCase() === name.toLowerCase())) return;
    void onSave([...labels, name]);
  };
  return (
    <div class="ib-labels">
      <ul class="chips" aria-label={t('ib.labels')}>
        {labels.map((l) => (
          <li class="chip" key={l}>
            {l}
            {edit && (
              <button type="button" class="chip-remove" aria-label={t('ib.removeLabel', { name: l })} onClick={() => void onSave(labels.filter((x) => x !== l))}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {edit && (
        <form
          class="ib-label-form"
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <label for="add-label" class="visually-hidden">
            {t('ib.addLabel')}
          </label>
          <input
            id="add-label"
            list="known-labels"
            maxLength={60}
            placeholder={t('ib.addLabel')}
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          />
          <datalist id="known-labels">
            {known
              .filter((k) => !labels.includes(k))
              .map((k) => (
                <option value={k} key={k} />
              ))}
          </datalist>
          <button type="submit" class="btn btn-small">
            {t('ib.add')}
          </button>
        </form>
      )}
    </div>
  );
}

function MessageItem({ m, ms, tz, day, showSender, highlight }: { m: Message; ms: number; tz: string; day: string | null; showSender: boolean; highlight: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const dayRow = day ? (
    <li class="ib-day" role="presentation">
      <span>{day}</span>
    </li>
  ) : null;
  if (m.kind === 'system') {
    return (
      <>
        {dayRow}
        <li class="ib-msg ib-system" data-message={m.id}>
          <span>{m.body}</span> <time dateTime={m.sent_at}>{clockTime(i18n, ms, tz)}</time>
        </li>
      </>
    );
  }
  const side = m.direction === 'incoming' ? 'in' : m.direction === 'note' ? 'note' : 'out';
  const who =
    m.direction === 'note'
      ? t('ib.noteBy', { name: m.author?.name ?? m.sender?.name ?? '?' })
      : m.direction === 'outgoing'
        ? m.author?.name ?? m.sender?.name ?? null
        : showSender
          ? m.sender?.name ?? null
          : null;
  // an export writes "IMG-….jpg (file allegato)" where the file was: the file is shown below, its
  // caption (the other lines) stays
  const body =
    m.kind === 'media' && m.attachments.length > 0
      ? m.body
          .split('\n')
          .filter((line) => !m.attachments.some((a) => a.name && line.includes(a.name)))
          .join('\n')
          .trim()
      : m.body;
  const original = m.local_time && m.time_zone && m.time_zone !== tz ? `${m.local_time.slice(11, 16)} ${m.time_zone}` : null;
  const titleTime = `${fullTime(i18n, ms, tz)}${m.local_time && m.time_zone ? ` · ${t('ib.originalTime', { time: m.local_time, zone: m.time_zone })}` : ''}`;
  return (
    <>
      {dayRow}
      <li class={`ib-msg ib-${side}${highlight ? ' ib-hit' : ''}`} data-message={m.id} data-direction={m.direction} data-testid="message">
        <div class="ib-bubble">
          {who && <p class="ib-who">{who}</p>}
          {m.deleted ? (
            <p class="ib-body ib-deleted">{t('ib.deleted')}</p>
          ) : (
            body && <p class="ib-body">{body}</p>
          )}
          {m.attachments.length > 0 && (
            <ul class="ib-attachments">
              {m.attachments.map((a) => (
                <li key={a.id}>
                  {a.url && a.mime_type.startsWith('image/') && (
                    <a href={a.url} download={a.name}>
                      <img
                        class="ib-thumb"
                        src={a.url}
                        alt={a.name}
                        loading="lazy"
                        onError={(e) => {
                          // not a picture the browser can show: the file's name below is enough
                          (e.currentTarget as HTMLImageElement).style.display = 'none';
                        }}
                      />
                    </a>
                  )}
                  <span class="ib-file" aria-hidden="true">
                    ▤
                  </span>{' '}
                  {a.url ? (
                    <a href={a.url} download={a.name}>
                      {a.name || t('ib.attachment')}
                    </a>
                  ) : (
                    <span>{a.name || t('ib.attachment')}</span>
                  )}
                  {a.size !== null && <span class="muted small"> · {formatSize(a.size)}</span>}
                  {!a.url && <span class="muted small"> · {t('ib.notInExport')}</span>}
                </li>
              ))}
            </ul>
          )}
          <p class="ib-meta">
            {m.sent_outside && (
              <span class="ib-outside" title={t('ib.sentOutsideLong')} data-testid="sent-outside">
                {t('ib.sentOutside')}
              </span>
            )}
            {m.direction === 'note' && <span class="ib-note-tag">{t('ib.noteTag')}</span>}
            {m.edited && <span>{t('ib.edited')}</span>}
            <time dateTime={m.sent_at} title={titleTime}>
              {clockTime(i18n, ms, tz)}
              {original && <span class="ib-orig"> ({original})</span>}
            </time>
            <span class="visually-hidden">{titleTime}</span>
          </p>
        </div>
      </li>
    </>
  );
}

// ---------------------------------------------------------------- composer

function Composer({ conv, onPosted, composerRef }: { conv: Conversation; onPosted: (m: Message) => void; composerRef: { current: HTMLTextAreaElement | null } }) {
  const i18n = useI18n();
  const { t } = i18n;
  const saved = drafts.get(conv.id);
  const [mode, setMode] = useState<'reply' | 'note'>(saved?.mode ?? 'reply');
  const [text, setText] = useState(saved?.text ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [cannedOpen, setCannedOpen] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    composerRef.current = area.current;
    return () => {
      composerRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (text) drafts.set(conv.id, { mode, text });
    else drafts.delete(conv.id);
  }, [text, mode]);

  const channel = channelName(i18n, conv.channel);

  const send = async () => {
    const body = text;
    if (!body.trim()) {
      setError(t('err.inbox.empty_body'));
      area.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const m = await api.postMessage(conv.id, { kind: mode, body });
      setText('');
      drafts.delete(conv.id);
      setDone(mode === 'reply' ? t('ib.replyRecorded', { channel }) : t('ib.noteAdded'));
      onPosted(m);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setBusy(false);
      area.current?.focus();
    }
  };

  const insert = (c: CannedReply) => {
    const el = area.current;
    const snippet = c.rendered || c.body;
    if (!el || !text) setText(snippet);
    else {
      const start = el.selectionStart ?? text.length;
      const end = el.selectionEnd ?? text.length;
      setText(text.slice(0, start) + snippet + text.slice(end));
    }
    setCannedOpen(false);
    window.requestAnimationFrame(() => area.current?.focus());
  };

  return (
    <form
      class={`ib-composer ib-composer-${mode}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div class="ib-composer-top">
        <div class="ib-mode" role="radiogroup" aria-label={t('ib.composeAs')}>
          {(['reply', 'note'] as const).map((k) => (
            <label key={k} class={`ib-mode-option${mode === k ? ' on' : ''}`}>
              <input type="radio" name={`compose-mode-${conv.id}`} value={k} checked={mode === k} onChange={() => setMode(k)} />
              {k === 'reply' ? t('ib.reply') : t('ib.note')}
            </label>
          ))}
        </div>
        <button type="button" class="btn btn-small" aria-expanded={cannedOpen} onClick={() => setCannedOpen((o) => !o)}>
          {t('ib.canned')}
        </button>
      </div>
      {cannedOpen && <CannedPicker conversationId={conv.id} onPick={insert} onClose={() => setCannedOpen(false)} />}
      <label for={`composer-${conv.id}`} class="visually-hidden">
        {mode === 'reply' ? t('ib.replyLabel') : t('ib.noteLabel')}
      </label>
      <textarea
        id={`composer-${conv.id}`}
        ref={area}
        rows={3}
        value={text}
        placeholder={mode === 'reply' ? t('ib.replyPlaceholder', { channel }) : t('ib.notePlaceholder')}
        aria-describedby={`composer-hint-${conv.id}`}
        aria-keyshortcuts="r"
        onInput={(e) => {
          setText((e.currentTarget as HTMLTextAreaElement).value);
          setDone(null);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void send();
          } else if (e.key === 'Escape') {
            (e.currentTarget as HTMLTextAreaElement).blur();
          }
        }}
      />
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p class="ib-done" role="status">
          {done}
        </p>
      )}
      <div class="ib-composer-foot">
        <p class="small ib-honest" id={`composer-hint-${conv.id}`}>
          {mode === 'reply' ? t('ib.replyHonest', { channel }) : t('ib.noteHonest')}
        </p>
        <div class="ib-composer-buttons">
          {mode === 'reply' && text.trim() !== '' && (
            <CopyButton text={text} />
          )}
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="composer-send">
            {busy ? t('common.saving') : mode === 'reply' ? t('ib.recordReply') : t('ib.addNote')}
          </button>
        </div>
      </div>
      <p class="small muted ib-ctrl-enter">{t('ib.ctrlEnter')}</p>
    </form>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="btn"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          window.setTimeout(() => setCopied(false), 2000);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? t('ib.copied') : t('ib.copyText')}
    </button>
  );
}

function CannedPicker({ conversationId, onPick, onClose }: { conversationId: number; onPick: (c: CannedReply) => void; onClose: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [items, setItems] = useState<CannedReply[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [q, setQ] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    api
      .cannedReplies(conversationId)
      .then((answer) => setItems(Array.isArray(answer) ? answer : answer.items))
      .catch(setError);
    input.current?.focus();
  }, [conversationId]);
  const needle = q.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (c) => !needle || c.shortcut.toLowerCase().includes(needle) || c.title.toLowerCase().includes(needle) || c.body.toLowerCase().includes(needle),
  );
  return (
    <div
      class="ib-canned"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <label for="canned-filter" class="visually-hidden">
        {t('ib.cannedFilter')}
      </label>
      <input
        id="canned-filter"
        ref={input}
        type="search"
        placeholder={t('ib.cannedFilter')}
        value={q}
        onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            const first = shown[0];
            if (first) onPick(first);
          }
        }}
      />
      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {items === null && error === null && <Spinner label={t('common.loading')} />}
      {items !== null && items.length === 0 && <p class="small muted">{t('ib.cannedNone')}</p>}
      <ul class="ib-canned-list">
        {shown.map((c) => (
          <li key={c.id}>
            <button type="button" class="ib-canned-item" onClick={() => onPick(c)}>
              <span class="ib-canned-title">
                <code>/{c.shortcut}</code> {c.title}
              </span>
              <span class="ib-canned-body">{c.rendered || c.body}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---------------------------------------------------------------- contact panel

function ContactPanel({ conv, tz }: { conv: Conversation; tz: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(null);
  const contactId = conv.contact?.id ?? null;
  useEffect(() => {
    setContact(null);
    setError(null);
    if (contactId === null) return;
    let live = true;
    api
      .contact(contactId)
      .then((a) => {
        if (live) setContact(a.contact);
      })
      .catch((err) => {
        if (live) setError(err);
      });
    return () => {
      live = false;
    };
  }, [contactId]);

  const when = (iso: string | null) => {
    const ms = parseTime(iso);
    return ms === null ? '—' : fullTime(i18n, ms, tz);
  };

  return (
    <div class="ib-contact" data-testid="contact-panel">
      {contactId === null && (
        <section>
          <h2 class="h3">{t('ib.noContact')}</h2>
          <p class="small muted">{conv.is_group ? t('ib.groupNoContact') : t('ib.noContactBody')}</p>
        </section>
      )}
      {contactId !== null && error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {contactId !== null && contact === null && error === null && <Spinner label={t('common.loading')} />}
      {contact && (
        <section>
          <h2 class="h3">
            <Link href={`/contacts/${contact.id}`}>{contact.name}</Link>
          </h2>
          <p class="badges">
            <span class="badge">{stageName(i18n, contact.stage)}</span>
          </p>
          <p class="ib-strength">
            <span class="small muted">{t('ib.strength')}</span> <Strength value={contact.strength} />
          </p>
          {(contact.identities ?? []).length > 0 && (
            <ul class="plain-list ib-identities">
              {(contact.identities ?? []).map((id) => (
                <IdentityRow key={id.id} id={id} />
              ))}
            </ul>
          )}
          <p>
            <Link href={`/contacts/${contact.id}`} class="btn btn-small">
              {t('ib.openContact')}
            </Link>
          </p>
        </section>
      )}
      {(conv.participants ?? []).length > 0 && (
        <section>
          <h3 class="small-heading">{t('ib.participants')}</h3>
          <ul class="plain-list ib-participants">
            {(conv.participants ?? []).map((p) => (
              <li key={p.id}>
                {p.contact_id ? <Link href={`/contacts/${p.contact_id}`}>{p.name}</Link> : <span>{p.name}</span>}
                {p.handle && p.handle !== p.name && <span class="muted small"> · {p.handle}</span>}
                {p.is_me && <span class="badge ib-us">{t('ib.ourSide')}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3 class="small-heading">{t('ib.facts')}</h3>
        <dl class="ib-facts">
          <dt>{t('ib.messageCount')}</dt>
          <dd>{conv.message_count}</dd>
          <dt>{t('ib.firstMessage')}</dt>
          <dd>{when(conv.first_message_at)}</dd>
          <dt>{t('ib.firstResponse')}</dt>
          <dd>
            {conv.sla?.first_response_minutes !== null && conv.sla?.first_response_minutes !== undefined
              ? minutesText(i18n, conv.sla.first_response_minutes)
              : t('ib.notYet')}
          </dd>
          {conv.sla?.due_at && (
            <>
              <dt>{t('ib.slaDue')}</dt>
              <dd class={conv.sla.breached ? 'ib-breach-text' : ''}>
                {when(conv.sla.due_at)}
                {conv.sla.breached ? ` · ${t('ib.breached')}` : ''}
              </dd>
            </>
          )}
          {conv.sla?.resolution_minutes !== null && conv.sla?.resolution_minutes !== undefined && (
            <>
              <dt>{t('ib.resolutionTime')}</dt>
              <dd>{minutesText(i18n, conv.sla.resolution_minutes)}</dd>
            </>
          )}
          {conv.team && (
            <>
              <dt>{t('ib.team')}</dt>
              <dd>{conv.team.name}</dd>
            </>
          )}
        </dl>
      </section>
    </div>
  );
}

// ---------------------------------------------------------------- shortcuts

const SHORTCUTS: [string, Key][] = [
  ['j', 'ib.key.j'],
  ['k', 'ib.key.k'],
  ['e', 'ib.key.e'],
  ['a', 'ib.key.a'],
  ['r', 'ib.key.r'],
  ['/', 'ib.key.slash'],
  ['Ctrl+Enter', 'ib.key.send'],
  ['?', 'ib.key.help'],
];

function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="shortcuts-title" onClose={onClose} data-testid="shortcuts">
      <h2 id="shortcuts-title">{t('ib.shortcutsTitle')}</h2>
      <dl class="ib-keys">
        {SHORTCUTS.map(([k, label]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
      <p class="small muted">{t('ib.shortcutsNote')}</p>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
