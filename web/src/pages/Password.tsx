// Changing one's own password: the form used in the profile, and the page that
// stands before the app when the account still has a temporary password.
import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Alert, Field, LangSwitch, PageTitle, Status, Wordmark } from '../components';
import { focusFirstInvalid, hasErrors, noErrors, placeError, type FormErrors } from '../forms';

const FIELDS = ['current_password', 'new_password', 'confirm'];

export function PasswordForm({ temporary = false, onDone }: { temporary?: boolean; onDone?: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setDone(false);
    const fields: Record<string, string> = {};
    if (!current) fields.current_password = t('val.required');
    if (!next) fields.new_password = t('val.required');
    else if (next.length < 10) fields.new_password = t('val.passwordShort');
    if (next && confirm !== next) fields.confirm = t('pw.mismatch');
    const local = { fields, form: null };
    if (hasErrors(local)) {
      setErrors(local);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      await api.changePassword({ current_password: current, new_password: next });
      setBusy(false);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
      if (onDone) onDone();
    } catch (err) {
      setBusy(false);
      const e = err as { code?: string };
      // A wrong current password comes back as bad credentials: it belongs to that field.
      const placed =
        e.code === 'auth.bad_credentials'
          ? placeError(i18n, { ...(err as object), field: 'current_password' }, FIELDS)
          : placeError(i18n, err, FIELDS, { password: 'new_password' });
      setErrors(placed);
      focusFirstInvalid(formRef.current);
    }
  };

  const err = (f: string) => errors.fields[f] ?? null;

  return (
    <form ref={formRef} onSubmit={submit} noValidate class="stack">
      {errors.form && <Alert>{errors.form}</Alert>}
      {done && <Status>{t('pw.done')}</Status>}
      <Field id="current_password" label={temporary ? t('pw.temporary') : t('pw.current')} error={err('current_password')}>
        {(aria) => (
          <input
            {...aria}
            type="password"
            autoComplete="current-password"
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field id="new_password" label={t('pw.new')} hint={t('setup.passwordHint')} error={err('new_password')}>
        {(aria) => (
          <input
            {...aria}
            type="password"
            autoComplete="new-password"
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field id="confirm" label={t('pw.confirm')} error={err('confirm')}>
        {(aria) => (
          <input
            {...aria}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
          />
        )}
      </Field>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('pw.submitting') : t('pw.submit')}
        </button>
      </div>
    </form>
  );
}

export function ForcedPasswordPage({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div class="auth-page">
      <a class="skip-link" href="#main">
        {t('a11y.skip')}
      </a>
      <header class="auth-top">
        <Wordmark />
        <LangSwitch />
      </header>
      <main id="main" class="auth-card">
        <PageTitle title={t('pw.title')}>{t('pw.title')}</PageTitle>
        <p class="lead">{t('pw.intro')}</p>
        <p class="muted small">
          {session.user.name} · {session.user.email} · {session.user.workspace.name}
        </p>
        <PasswordForm temporary onDone={onDone} />
        <p class="small">
          <button type="button" class="btn-link" onClick={() => void session.signOut()}>
            {t('shell.signOut')}
          </button>
        </p>
      </main>
    </div>
  );
}
