// Search over every message (/search?q=…): the words with filters (channel,
// contact — picked by typing part of a name —, dates, direction) kept in the
// address bar, results best match first with
// the matched words highlighted (the server's snippet segments become text
// and <mark>, never HTML), more results as the list scrolls, and a click that
// opens the conversation at that message.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Contact, type SearchHit, type SearchQuery } from '../api';
import type { Key } from '../i18n';
import { errorText, useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Alert, PageTitle, Spinner } from '../components';
import { ChannelBadge, CHANNELS, channelName, fullTime, navigateWithQuery, parseTime, Snippet } from '../inbox-parts';

type Filters = Omit<SearchQuery, 'cursor'>;

function fromSearch(search: string): Filters {
  const p = new URLSearchParams(search);
  return {
    q: p.get('q') ?? '',
    channel: p.get('channel') ?? '',
    contact: p.get('contact') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
    direction: p.get('direction') ?? '',
  };
}

function toSearch(f: Filters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function SearchPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user } = useSession();
  const { navigate } = useRouter();
  const tz = user.workspace.timezone;
  const [form, setForm] = useState<Filters>(() => fromSearch(window.location.search));
  const [asked, setAsked] = useState<Filters>(form);
  const [items, setItems] = useState<SearchHit[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const seq = useRef(0);
  const sentinel = useRef<HTMLLIElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const url = `/search${toSearch(asked)}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
    if (!asked.q.trim()) {
      setItems(null);
      setNext(null);
      setError(null);
      input.current?.focus();
      return;
    }
    const mine = ++seq.current;
    setBusy(true);
    setError(null);
    api
      .search(asked)
      .then((list) => {
        if (mine !== seq.current) return;
        setItems(list.items);
        setNext(list.next);
      })
      .catch((err) => {
        if (mine !== seq.current) return;
        setItems(null);
        setError(err);
      })
      .finally(() => {
        if (mine === seq.current) setBusy(false);
      });
  }, [asked]);

  const loadMore = async () => {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    const mine = seq.current;
    try {
      const list = await api.search({ ...asked, cursor: next });
      if (mine !== seq.current) return;
      setItems((old) => [...(old ?? []), ...list.items]);
      setNext(list.next);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next || typeof IntersectionObserver === 'undefined') return;
    const obs = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }, { rootMargin: '400px' });
    obs.observe(el);
    return () => obs.disconnect();
  }, [next, loadingMore, items]);

  const set = (k: keyof Filters, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (f: Filters) => {
    setForm(f);
    setAsked({ ...f, q: f.q.trim() });
  };
  const title = t('search.title');

  return (
    <div class="page search-page">
      <p>
        <Link href="/inbox" class="back-link">
          <span aria-hidden="true">←</span> {t('nav.inbox')}
        </Link>
      </p>
      <PageTitle title={asked.q ? `${asked.q} · ${title}` : title}>{title}</PageTitle>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          submit(form);
        }}
      >
        <div class="search-row">
          <label for="search-q" class="visually-hidden">
            {t('search.q')}
          </label>
          <input
            id="search-q"
            ref={input}
            type="search"
            value={form.q}
            placeholder={t('search.placeholder')}
            onInput={(e) => set('q', (e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="btn btn-primary">
            {t('search.go')}
          </button>
        </div>
        <div class="filters search-filters">
          <label class="field-inline">
            <span>{t('ib.channel')}</span>
            <select class="select-compact" value={form.channel} onChange={(e) => submit({ ...form, channel: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{t('ib.channel.all')}</option>
              {CHANNELS.map((c) => (
                <option value={c} key={c}>
                  {channelName(i18n, c)}
                </option>
              ))}
            </select>
          </label>
          <ContactPicker value={form.contact ?? ''} onChange={(contact) => submit({ ...form, contact })} />
          <label class="field-inline">
            <span>{t('search.direction')}</span>
            <select class="select-compact" value={form.direction} onChange={(e) => submit({ ...form, direction: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">{t('search.anyDirection')}</option>
              <option value="incoming">{t('search.dir.incoming')}</option>
              <option value="outgoing">{t('search.dir.outgoing')}</option>
              <option value="note">{t('search.dir.note')}</option>
            </select>
          </label>
          <label class="field-inline">
            <span>{t('search.from')}</span>
            <input type="date" value={form.from} onChange={(e) => submit({ ...form, from: (e.currentTarget as HTMLInputElement).value })} />
          </label>
          <label class="field-inline">
            <span>{t('search.to')}</span>
            <input type="date" value={form.to} onChange={(e) => submit({ ...form, to: (e.currentTarget as HTMLInputElement).value })} />
          </label>
        </div>
      </form>

      {error !== null && <Alert>{errorText(i18n, error)}</Alert>}
      {busy && <Spinner label={t('search.searching')} />}
      {!asked.q && !busy && <p class="muted">{t('search.hint')}</p>}
      {items !== null && !busy && (
        <p class="muted small" role="status">
          {items.length === 0 ? t('search.none', { q: asked.q }) : next ? t('search.someMore', { n: items.length }) : items.length === 1 ? t('search.one') : t('search.count', { n: items.length })}
        </p>
      )}
      {items !== null && items.length > 0 && (
        <ol class="search-results" data-testid="search-results">
          {items.map((h) => {
            const ms = parseTime(h.sent_at) ?? 0;
            const href = `/inbox/${h.conversation_id}?m=${h.message_id}`;
            return (
              <li key={h.message_id} class="search-hit">
                <a
                  href={href}
                  class="search-hit-link"
                  data-testid="search-hit"
                  onClick={(e) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                    e.preventDefault();
                    navigateWithQuery(navigate, `/inbox/${h.conversation_id}`, `?m=${h.message_id}`);
                  }}
                >
                  <span class="search-hit-head">
                    <ChannelBadge channel={h.channel} i18n={i18n} />
                    <span class="search-hit-title">{h.contact?.name || h.conversation_title || t('ib.untitled')}</span>
                    <time dateTime={h.sent_at} class="muted small">
                      {fullTime(i18n, ms, tz)}
                    </time>
                  </span>
                  <span class="search-hit-who small muted">
                    {t(`search.dir.${h.direction}` as Key)}
                    {h.sender_name ? ` · ${h.sender_name}` : ''}
                  </span>
                  <span class="search-snippet">
                    <Snippet segments={h.snippet} />
                  </span>
                </a>
              </li>
            );
          })}
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
        </ol>
      )}
    </div>
  );
}

const PICKER_LIMIT = 8;
const PICKER_DELAY_MS = 180;

/**
 * The contact filter: a combobox that searches the contacts as one types
 * (GET /api/v1/contacts?q=), arrows and Enter choose, Escape closes; the
 * chosen contact shows as a chip with a button to remove it. VALUE is the
 * contact's id ("" for any contact); its name is fetched when the page opens
 * with one in the address.
 */
function ContactPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<Contact[] | null>(null);
  const [active, setActive] = useState(0);
  const [failed, setFailed] = useState(false);
  const seq = useRef(0);
  const box = useRef<HTMLInputElement>(null);
  const closing = useRef(0);

  // Closing on blur waits a moment (a click on a suggestion lands first); focus again cancels it.
  const show = () => {
    window.clearTimeout(closing.current);
    setOpen(true);
  };
  useEffect(() => () => window.clearTimeout(closing.current), []);

  useEffect(() => {
    if (!value) {
      setName(null);
      return;
    }
    if (name !== null) return;
    let live = true;
    api
      .contact(Number(value))
      .then((r) => live && setName(r.contact.name))
      .catch(() => live && setName(`#${value}`));
    return () => {
      live = false;
    };
  }, [value]);

  useEffect(() => {
    const q = text.trim();
    if (!open || !q) {
      setFound(null);
      return;
    }
    const mine = ++seq.current;
    const timer = window.setTimeout(() => {
      api
        .contacts({ q }, PICKER_LIMIT)
        .then((list) => {
          if (mine !== seq.current) return;
          setFound(list.items);
          setActive(0);
          setFailed(false);
        })
        .catch(() => {
          if (mine === seq.current) setFailed(true);
        });
    }, PICKER_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [text, open]);

  const choose = (c: Contact) => {
    setName(c.name);
    setText('');
    setOpen(false);
    setFound(null);
    onChange(String(c.id));
  };

  if (value) {
    return (
      <span class="field-inline">
        <span>{t('search.contact')}</span>
        <span class="chip search-contact-chip" data-testid="search-contact">
          {name ?? '…'}
          <button
            type="button"
            class="chip-remove"
            aria-label={t('search.contactRemove', { name: name ?? '' })}
            onClick={() => {
              setName(null);
              onChange('');
              window.requestAnimationFrame(() => box.current?.focus());
            }}
          >
            ×
          </button>
        </span>
      </span>
    );
  }

  const list = found ?? [];
  const showList = open && text.trim() !== '' && (found !== null || failed);
  return (
    <span class="field-inline search-contact">
      <label for="search-contact">{t('search.contact')}</label>
      <span class="search-contact-box">
        <input
          id="search-contact"
          ref={box}
          type="search"
          role="combobox"
          autoComplete="off"
          aria-autocomplete="list"
          aria-expanded={showList}
          aria-controls="search-contact-list"
          aria-activedescendant={showList && list[active] ? `search-contact-${list[active].id}` : undefined}
          placeholder={t('search.contactPlaceholder')}
          value={text}
          onInput={(e) => {
            setText((e.currentTarget as HTMLInputElement).value);
            show();
          }}
          onFocus={show}
          onBlur={() => {
            window.clearTimeout(closing.current);
            closing.current = window.setTimeout(() => setOpen(false), 150);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && list.length) {
              e.preventDefault();
              setActive((a) => (a + 1) % list.length);
            } else if (e.key === 'ArrowUp' && list.length) {
              e.preventDefault();
              setActive((a) => (a - 1 + list.length) % list.length);
            } else if (e.key === 'Enter' && showList) {
              e.preventDefault();
              const c = list[active];
              if (c) choose(c);
            } else if (e.key === 'Escape') {
              setOpen(false);
            }
          }}
        />
        {showList && (
          <ul id="search-contact-list" role="listbox" class="search-contact-list" aria-label={t('search.contact')}>
            {failed && <li class="muted small">{t('search.contactFailed')}</li>}
            {!failed && list.length === 0 && <li class="muted small">{t('search.contactNone', { q: text.trim() })}</li>}
            {!failed &&
              list.map((c, i) => (
                <li
                  key={c.id}
                  id={`search-contact-${c.id}`}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? 'active' : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(c);
                  }}
                >
                  {c.name}
                </li>
              ))}
          </ul>
        )}
      </span>
    </span>
  );
}
