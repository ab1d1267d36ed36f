// Small building blocks shared by the pages: the logo, the language switch,
// labelled form fields whose hints and errors are tied to the control with
// aria-describedby, alerts, the page title that takes focus after navigation,
// a confirmation dialog on the native <dialog>, a copy-once secret box and the
// line icons of the navigation (drawn for piazza).
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from './i18n-context';
import { LOCALES } from './i18n';
import { takeFocusPending } from './router';

export function Logo({ size = 32 }: { size?: number }) {
  return (
    <svg class="logo-mark" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="var(--brand)" />
      <path d="M7 25V15a9 9 0 0 1 18 0v10h-5v-9a4 4 0 0 0-8 0v9z" fill="var(--brand-ink)" />
      <rect x="5" y="25" width="22" height="2.5" rx="1" fill="var(--accent-soft)" />
    </svg>
  );
}

export function Wordmark() {
  return (
    <span class="wordmark">
      <Logo />
      <span class="wordmark-text">piazza</span>
    </span>
  );
}

export function LangSwitch({ compact = false }: { compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <div class={`lang-switch${compact ? ' compact' : ''}`} role="group" aria-label={t('lang.group')}>
      {LOCALES.map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          title={l === 'it' ? t('lang.it') : t('lang.en')}
          aria-pressed={locale === l}
          onClick={() => setLocale(l)}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

/** The h1 of a page; takes keyboard focus when the user navigated to the page. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · piazza`;
  }, [title]);
  useEffect(() => {
    if (takeFocusPending() && ref.current) ref.current.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} class="page-title">
      {children}
    </h1>
  );
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (aria: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: 'true';
  }) => JSX.Element;
  class?: string;
}

/** A label, a control, an optional hint and an optional error, linked for screen readers. */
export function Field({ id, label, hint, error, children, class: extra }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}${extra ? ` ${extra}` : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        'aria-describedby': described || undefined,
        'aria-invalid': error ? 'true' : undefined,
      })}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          <ErrorIcon />
          <span>{error}</span>
        </p>
      )}
    </div>
  );
}

export function Alert({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-error" role="alert" id={id}>
      <ErrorIcon />
      <div>{children}</div>
    </div>
  );
}

/** A polite status line, announced without interrupting. */
export function Status({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-ok" role="status">
      <OkIcon />
      <div>{children}</div>
    </div>
  );
}

function ErrorIcon() {
  return (
    <svg class="alert-icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="8.5" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path d="M10 5.5v5.5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
      <circle cx="10" cy="14.2" r="1.1" fill="currentColor" />
    </svg>
  );
}

function OkIcon() {
  return (
    <svg class="alert-icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="8.5" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path d="M6.2 10.4l2.6 2.6 5-5.4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal question with Cancel first (it gets focus) and a destructive confirm. */
export function ConfirmDialog({ open, title, body, confirmLabel, busy, error, onConfirm, onCancel }: ConfirmProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onClose={() => {
        if (open) onCancel();
      }}
    >
      {open && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            onConfirm();
          }}
        >
          <h2 id="confirm-title">{title}</h2>
          <p id="confirm-body">{body}</p>
          {error && <Alert>{error}</Alert>}
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={onCancel}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="btn btn-danger" disabled={busy}>
              {confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** A secret shown once: read-only text, a copy button and a warning. */
export function SecretBox({
  title,
  warning,
  label,
  secret,
  doneLabel,
  onDone,
  testid,
}: {
  title: string;
  warning: string;
  label: string;
  secret: string;
  doneLabel: string;
  onDone: () => void;
  testid: string;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLElement>(null);
  const [copyState, setCopyState] = useState<'idle' | 'ok' | 'failed'>('idle');

  useEffect(() => {
    box.current?.focus();
  }, []);

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(secret);
      setCopyState('ok');
    } catch {
      // Without the asynchronous clipboard (an http:// address that is not
      // localhost), fall back to selecting the text and the old copy command.
      const el = input.current;
      let ok = false;
      if (el) {
        el.select();
        try {
          ok = document.execCommand('copy');
        } catch {
          ok = false;
        }
      }
      setCopyState(ok ? 'ok' : 'failed');
    }
  };

  return (
    <section class="secret-box" tabIndex={-1} ref={box} aria-labelledby={`${testid}-title`} data-testid={testid}>
      <h2 id={`${testid}-title`}>{title}</h2>
      <p class="secret-warning">
        <strong>{warning}</strong>
      </p>
      <label for={`${testid}-value`}>{label}</label>
      <div class="secret-row">
        <input
          ref={input}
          id={`${testid}-value`}
          class="secret-value"
          type="text"
          readOnly
          value={secret}
          spellcheck={false}
          autoComplete="off"
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button type="button" class="btn" onClick={copy}>
          {t('common.copy')}
        </button>
      </div>
      <div aria-live="polite" class="copy-state">
        {copyState === 'ok' && t('common.copied')}
        {copyState === 'failed' && t('common.copyFailed')}
      </div>
      <button type="button" class="btn btn-primary" onClick={onDone}>
        {doneLabel}
      </button>
    </section>
  );
}

/** An e-mail address that may wrap before its @ when a column is narrow. */
export function Email({ address }: { address: string }) {
  const at = address.lastIndexOf('@');
  if (at <= 0) return <>{address}</>;
  return (
    <>
      {address.slice(0, at)}
      <wbr />
      {address.slice(at)}
    </>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

type IconName = 'inbox' | 'contacts' | 'goals' | 'plan' | 'community' | 'insights' | 'people' | 'settings';

/** Line icons, 24×24, stroked in the current colour. */
export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  const common = {
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': 1.7,
    'stroke-linecap': 'round' as const,
    'stroke-linejoin': 'round' as const,
  };
  let shapes: JSX.Element;
  switch (name) {
    case 'inbox':
      shapes = (
        <g {...common}>
          <path d="M3.5 13.5l2.6-7.2A1.5 1.5 0 0 1 7.5 5.3h9a1.5 1.5 0 0 1 1.4 1l2.6 7.2" />
          <path d="M3.5 13.5v4.2a1 1 0 0 0 1 1h15a1 1 0 0 0 1-1v-4.2h-5l-1.2 2.2h-4.6l-1.2-2.2z" />
        </g>
      );
      break;
    case 'contacts':
      shapes = (
        <g {...common}>
          <rect x="4" y="3.5" width="16" height="17" rx="2" />
          <circle cx="12" cy="10" r="3" />
          <path d="M7.5 17.2c.8-2 2.4-3 4.5-3s3.7 1 4.5 3" />
        </g>
      );
      break;
    case 'goals':
      shapes = (
        <g {...common}>
          <circle cx="12" cy="12" r="8.2" />
          <circle cx="12" cy="12" r="4.6" />
          <circle cx="12" cy="12" r="1.2" fill="currentColor" />
        </g>
      );
      break;
    case 'plan':
      shapes = (
        <g {...common}>
          <rect x="3.8" y="5" width="16.4" height="15" rx="2" />
          <path d="M3.8 9.5h16.4M8.2 3.2v3.6M15.8 3.2v3.6M7.5 13h3M13.5 13h3M7.5 16.5h3" />
        </g>
      );
      break;
    case 'community':
      shapes = (
        <g {...common}>
          <path d="M4 6.5a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v5.5a2 2 0 0 1-2 2H9.5L6 17v-3H6a2 2 0 0 1-2-2z" />
          <path d="M17 9h1a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2v2.5L15 18h-3.5a2 2 0 0 1-1.8-1.1" />
        </g>
      );
      break;
    case 'insights':
      shapes = (
        <g {...common}>
          <path d="M4 20h16" />
          <rect x="5.5" y="12" width="3" height="5.5" rx=".6" />
          <rect x="10.5" y="7.5" width="3" height="10" rx=".6" />
          <rect x="15.5" y="4" width="3" height="13.5" rx=".6" />
        </g>
      );
      break;
    case 'people':
      shapes = (
        <g {...common}>
          <circle cx="9" cy="8.5" r="3.2" />
          <path d="M3.5 19c.6-3.2 2.6-5 5.5-5s4.9 1.8 5.5 5" />
          <circle cx="16.8" cy="9.5" r="2.5" />
          <path d="M16 14.2c2.4 0 4 1.5 4.5 4.3" />
        </g>
      );
      break;
    case 'settings':
      shapes = (
        <g {...common}>
          <path d="M4 7h9M17 7h3M4 17h3M11 17h9M4 12h4M12 12h8" />
          <circle cx="15" cy="7" r="2" />
          <circle cx="9" cy="17" r="2" />
          <circle cx="10" cy="12" r="2" />
        </g>
      );
      break;
  }
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {shapes}
    </svg>
  );
}

export type { IconName };
