// Small pieces the inbox and the search page share: the channel badge, times
// in the workspace's zone, the filters the list is asked for and whether a
// conversation still belongs in them, and the highlighted snippet of a search
// hit (segments rendered as text and <mark>, never as HTML).
import type { Conversation, ConversationQuery, SearchHit } from './api';
import type { Key } from './i18n';
import { intlTag } from './i18n';
import type { I18n } from './i18n-context';

/**
 * Moves to PATH with SEARCH in the address bar. The router keeps only the
 * path, so the query is put in place right after, before the new page renders
 * and reads it.
 */
export function navigateWithQuery(navigate: (to: string) => void, path: string, search: string): void {
  navigate(path);
  window.history.replaceState(null, '', `${path}${search}`);
}

export const CHANNELS = ['whatsapp', 'telegram', 'email', 'linkedin', 'messenger', 'instagram', 'x', 'website', 'phone', 'sms'] as const;

const CHANNEL_ABBR: Record<string, string> = {
  whatsapp: 'WA',
  telegram: 'TG',
  email: '@',
  linkedin: 'in',
  messenger: 'M',
  instagram: 'IG',
  x: 'X',
  website: 'W',
  phone: 'T',
  sms: 'SMS',
};

export function channelName(i18n: I18n, channel: string): string {
  return (CHANNELS as readonly string[]).includes(channel) ? i18n.t(`ibch.${channel}` as Key) : channel;
}

/** A coloured badge naming the channel (the full name for screen readers and on hover). */
export function ChannelBadge({ channel, i18n }: { channel: string; i18n: I18n }) {
  const name = channelName(i18n, channel);
  return (
    <span class={`ch-badge ch-${(CHANNELS as readonly string[]).includes(channel) ? channel : 'other'}`} title={name}>
      <span aria-hidden="true">{CHANNEL_ABBR[channel] ?? channel.slice(0, 2)}</span>
      <span class="visually-hidden">{name}</span>
    </span>
  );
}

function fmt(i18n: I18n, ms: number, options: Intl.DateTimeFormatOptions, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(intlTag(i18n.locale), { ...options, timeZone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat(intlTag(i18n.locale), options).format(new Date(ms));
  }
}

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The calendar day of ms in the zone, as YYYY-MM-DD (for grouping and "today"). */
export function dayKey(ms: number, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
  try {
    return new Intl.DateTimeFormat('en-CA', { ...options, timeZone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat('en-CA', options).format(new Date(ms));
  }
}

/** A wall clock in a zone: the date (month 1-12), the time and the weekday (0 Sunday). */
export interface WallClock {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  wd: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** What the clocks of TIMEZONE show at MS (the browser's own zone when it is not known). */
export function wallClock(ms: number, timeZone: string): WallClock {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short', hourCycle: 'h23',
  };
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...options, timeZone }).formatToParts(new Date(ms));
  } catch {
    parts = new Intl.DateTimeFormat('en-US', options).formatToParts(new Date(ms));
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    y: Number(get('year')), mo: Number(get('month')), d: Number(get('day')),
    h: Number(get('hour')) % 24, mi: Number(get('minute')), wd: WEEKDAYS.indexOf(get('weekday')),
  };
}

/**
 * The moment (UTC ms) when the clocks of TIMEZONE show the date and time given (month 1-12; a
 * day past the month's end runs into the next). A time the clocks skip when they go forward
 * counts as the same time after the change.
 */
export function zonedTime(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const want = Date.UTC(y, mo - 1, d, h, mi);
  let ms = want;
  for (let i = 0; i < 4; i++) {
    const c = wallClock(ms, timeZone);
    const shown = Date.UTC(c.y, c.mo - 1, c.d, c.h, c.mi);
    if (shown === want) break;
    ms += want - shown;
  }
  return ms;
}

/** A list time: the hour today, the day this year, the date before. */
export function shortTime(i18n: I18n, iso: string | null, timeZone: string): string {
  const ms = parseTime(iso);
  if (ms === null) return '';
  const now = Date.now();
  if (dayKey(ms, timeZone) === dayKey(now, timeZone)) return fmt(i18n, ms, { hour: '2-digit', minute: '2-digit' }, timeZone);
  if (fmt(i18n, ms, { year: 'numeric' }, timeZone) === fmt(i18n, now, { year: 'numeric' }, timeZone)) {
    return fmt(i18n, ms, { day: 'numeric', month: 'short' }, timeZone);
  }
  return fmt(i18n, ms, { day: 'numeric', month: 'short', year: '2-digit' }, timeZone);
}

export function clockTime(i18n: I18n, ms: number, timeZone: string): string {
  return fmt(i18n, ms, { hour: '2-digit', minute: '2-digit' }, timeZone);
}

export function fullTime(i18n: I18n, ms: number, timeZone: string): string {
  return fmt(i18n, ms, { dateStyle: 'medium', timeStyle: 'short' }, timeZone);
}

export function dayTitle(i18n: I18n, ms: number, timeZone: string): string {
  return fmt(i18n, ms, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, timeZone);
}

/** What the list shows: one of the views plus optional status, channel and label. */
export interface InboxFilter {
  view: 'all' | 'mine' | 'unassigned' | 'breaching';
  /** '' = open and pending (the server's default), a status, or 'all'. */
  status: string;
  channel: string;
  label: string;
}

export const DEFAULT_FILTER: InboxFilter = { view: 'all', status: '', channel: '', label: '' };

export function filterFromSearch(search: string): InboxFilter {
  const p = new URLSearchParams(search);
  const view = p.get('view');
  return {
    view: view === 'mine' || view === 'unassigned' || view === 'breaching' ? view : 'all',
    status: p.get('status') ?? '',
    channel: p.get('channel') ?? '',
    label: p.get('label') ?? '',
  };
}

export function filterToSearch(f: InboxFilter): string {
  const p = new URLSearchParams();
  if (f.view !== 'all') p.set('view', f.view);
  if (f.status) p.set('status', f.status);
  if (f.channel) p.set('channel', f.channel);
  if (f.label) p.set('label', f.label);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function filterQuery(f: InboxFilter): ConversationQuery {
  return {
    view: f.view === 'breaching' ? 'all' : f.view,
    sla: f.view === 'breaching' ? 'breaching' : undefined,
    status: f.status || undefined,
    channel: f.channel || undefined,
    label: f.label || undefined,
  };
}

/** Whether C belongs in the list for F (after a change made here or seen on the stream). */
export function matchesFilter(c: Conversation, f: InboxFilter, me: number): boolean {
  const statuses = f.status === 'all' ? null : f.status ? f.status.split(',') : ['open', 'pending'];
  if (statuses && !statuses.includes(c.status)) return false;
  if (f.view === 'mine' && c.assignee?.id !== me) return false;
  if (f.view === 'unassigned' && c.assignee !== null) return false;
  if (f.view === 'breaching' && !c.sla?.breached) return false;
  if (f.channel && c.channel !== f.channel) return false;
  if (f.label && !c.labels.some((l) => l.toLowerCase() === f.label.toLowerCase())) return false;
  return true;
}

/** Newest activity first, as the server sorts. */
export function byActivity(a: Conversation, b: Conversation): number {
  const ta = a.last_message_at ?? '';
  const tb = b.last_message_at ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return b.id - a.id;
}

/** A search hit's snippet: matched words as <mark>, every segment as text. */
export function Snippet({ segments }: { segments: SearchHit['snippet'] }) {
  return (
    <>
      {segments.map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? parts[parts.length - 1]?.[0] ?? '' : '';
  return (first + last).toUpperCase();
}

/** "1 h 20 min", "3 days": business minutes in words. */
export function minutesText(i18n: I18n, minutes: number): string {
  if (minutes < 60) return i18n.t('ib.min', { n: minutes });
  if (minutes < 60 * 24) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? i18n.t('ib.hmin', { h, m }) : i18n.t('ib.h', { n: h });
  }
  return i18n.t('ib.days', { n: Math.round(minutes / 60 / 24) });
}

export function formatSize(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
