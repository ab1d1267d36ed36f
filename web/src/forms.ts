// Turning an API error into messages placed on a form: next to the field the
// server named in error.field (or the field a code is obviously about), or at
// the top of the form when no field fits. Also the few checks the browser can
// make before sending, in the same words the server's errors are shown in.
import { errorText, type I18n } from './i18n-context';
import { hasKey } from './i18n';
import type { ApiError } from './api';

export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const noErrors: FormErrors = { fields: {}, form: null };

/** Fields that a code is about when the server does not name one. */
const codeFields: Record<string, string> = {
  'password.too_short': 'password',
  'password.too_common': 'password',
  'password.same_as_email': 'password',
  'setup.bad_code': 'code',
  'user.exists': 'email',
};

/**
 * Places err on the form. fieldMap maps server field names to the form's own
 * names (a field absent from the map stays under its server name); known lists
 * the form's fields, so an error on a field the form does not show goes on top.
 */
export function placeError(
  i18n: I18n,
  err: unknown,
  known: string[],
  fieldMap: Record<string, string> = {},
): FormErrors {
  const e = err as Partial<ApiError>;
  const serverField = (typeof e.field === 'string' && e.field) || (e.code ? codeFields[e.code] : undefined);
  const field = serverField ? fieldMap[serverField] ?? serverField : undefined;
  // request.invalid says only "not valid"; say what a valid value looks like when we know the field
  const specific = e.code === 'request.invalid' && serverField ? `invalid.${serverField}` : '';
  const text = specific && hasKey(specific) ? i18n.t(specific) : errorText(i18n, err);
  if (field && known.includes(field)) return { fields: { [field]: text }, form: null };
  return { fields: {}, form: text };
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.form !== null || Object.keys(errors.fields).length > 0;
}

/** Moves focus to the first control marked invalid inside form. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  if (!form) return;
  window.setTimeout(() => {
    const el = form.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (el) el.focus();
  }, 0);
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const CODE_RE = /^[A-Z0-9]{4}-[A-Z0-9]{4}$/;

/** A short name for addresses: "Caffè Roma S.r.l." → "caffe-roma-s-r-l". */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
}

/** The set-up code as typed, made canonical: upper case, dash in the middle. */
export function normaliseCode(raw: string): string {
  const compact = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.length === 8) return `${compact.slice(0, 4)}-${compact.slice(4)}`;
  return raw.trim().toUpperCase();
}

/** Every IANA time zone the browser knows, or a short list without Intl support. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  let zones: string[] = [];
  try {
    zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    zones = [];
  }
  if (zones.length === 0) zones = ['Europe/Rome', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York'];
  if (!zones.includes('Europe/Rome')) zones.push('Europe/Rome');
  if (!zones.includes('UTC')) zones.push('UTC');
  return zones.sort();
}
