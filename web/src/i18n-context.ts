// The language of the page as Preact context: components call useI18n() to get
// t() for the current language and setLocale() to switch it. Who decides the
// language (the account, this browser, the browser's preference) is the App's
// business; this file only carries the decision down the tree.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, hasKey, format, intlTag, type Key, type Locale } from './i18n';
import type { ApiError } from './api';

export interface I18n {
  locale: Locale;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  setLocale: (locale: Locale) => void;
}

export const I18nContext = createContext<I18n>({
  locale: 'en',
  t: (key, vars) => translate('en', key, vars),
  setLocale: () => {},
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function makeI18n(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  return { locale, t: (key, vars) => translate(locale, key, vars), setLocale };
}

/** "5 minutes", "1 second": a wait given in seconds, in words. */
export function waitText(i18n: I18n, seconds: number): string {
  if (seconds < 60) return seconds === 1 ? i18n.t('time.second') : i18n.t('time.seconds', { n: seconds });
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? i18n.t('time.minute') : i18n.t('time.minutes', { n: minutes });
}

/** The translated sentence for an API error, by its code. */
export function errorText(i18n: I18n, error: unknown): string {
  const e = error as Partial<ApiError> | null;
  const code = typeof e?.code === 'string' ? e.code : 'unknown';
  if (code === 'network') return i18n.t('err.network');
  if (code === 'auth.rate_limited') {
    return typeof e?.retryAfter === 'number'
      ? i18n.t('err.auth.rate_limited', { time: waitText(i18n, Math.max(1, e.retryAfter)) })
      : i18n.t('err.auth.rate_limited.noTime');
  }
  const key = `err.${code}`;
  if (hasKey(key)) return i18n.t(key);
  return format(i18n.t('err.unknown'), { code: e?.status ? `${e.status} ${code}` : code });
}

/** An import problem's wording in the user's language, by its code (src/import/problems.c); the
 * server's English message when the code is not one this page knows. */
export function problemText(
  i18n: I18n,
  p: { message: string | null; code?: string | null; args?: string[] | null },
): string {
  const key = `problem.${p.code ?? ''}`;
  if (!p.code || !hasKey(key)) return p.message ?? '';
  const vars: Record<string, string> = {};
  (p.args ?? []).forEach((a, i) => {
    vars[String(i)] = a;
  });
  // an identity's kind ("phone") as the user's language names it ("Telefono")
  const kind = `idk.${vars['0'] ?? ''}`;
  if (p.code.startsWith('identity.') && hasKey(kind)) vars['0'] = i18n.t(kind);
  return i18n.t(key, vars);
}

/** A refused file's "file:line: why", the why in the user's language. */
export function refusalText(i18n: I18n, error: string | null, code?: string | null, args?: string[] | null): string {
  const m = /^(.*?:\d+): ([\s\S]*)$/.exec(error ?? '');
  if (!m) return error ?? '';
  return `${m[1]}: ${problemText(i18n, { message: m[2], code, args })}`;
}

/** Date and time of a UTC millisecond timestamp, in the workspace's zone. */
export function formatTime(i18n: I18n, ms: number, timeZone?: string, seconds = false): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' };
  try {
    return new Intl.DateTimeFormat(intlTag(i18n.locale), { ...options, timeZone }).format(new Date(ms));
  } catch {
    // an unknown zone name: fall back to the browser's zone rather than fail
    return new Intl.DateTimeFormat(intlTag(i18n.locale), options).format(new Date(ms));
  }
}
