// The sign-in page. Wrong credentials, a locked-out address (with the wait the
// server gave in Retry-After) and a disabled account each get their own
// sentence; the workspace field appears only when the server asks which
// workspace an e-mail that belongs to several is signing in to.
import { useRef, useState } from 'preact/hooks';
import { api, type SessionAnswer } from '../api';
import { useI18n } from '../i18n-context';
import { Alert, Field, LangSwitch, PageTitle, Status, Wordmark } from '../components';
import { EMAIL_RE, focusFirstInvalid, hasErrors, noErrors, placeError, type FormErrors } from '../forms';

export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice: 'signedOut' | 'expired' | null;
  onSignedIn: (a: SessionAnswer) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [askWorkspace, setAskWorkspace] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [showNotice, setShowNotice] = useState(true);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const fields: Record<string, string> = {};
    if (!email.trim()) fields.email = t('val.required');
    else if (!EMAIL_RE.test(email.trim())) fields.email = t('val.email');
    if (!password) fields.password = t('val.required');
    if (askWorkspace && !workspace.trim()) fields.workspace = t('val.required');
    const local = { fields, form: null };
    setShowNotice(false);
    if (hasErrors(local)) {
      setErrors(local);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      const body: { email: string; password: string; workspace?: string } = { email: email.trim(), password };
      if (askWorkspace && workspace.trim()) body.workspace = workspace.trim();
      onSignedIn(await api.signIn(body));
    } catch (err) {
      setBusy(false);
      const e = err as { code?: string; field?: string | null };
      if (e.field === 'workspace') setAskWorkspace(true);
      // Credential errors are not about one field: which one was wrong is not told.
      const known = ['email', 'workspace'];
      setErrors(placeError(i18n, err, e.code === 'request.invalid' ? known : ['workspace']));
    }
  };

  const err = (f: string) => errors.fields[f] ?? null;

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
        <PageTitle title={t('signin.title')}>{t('signin.title')}</PageTitle>
        <p class="lead">{t('signin.subtitle')}</p>
        {showNotice && notice === 'signedOut' && <Status>{t('signin.signedOut')}</Status>}
        {showNotice && notice === 'expired' && <Alert>{t('signin.expired')}</Alert>}
        {errors.form && <Alert id="signin-error">{errors.form}</Alert>}
        <form ref={formRef} onSubmit={submit} noValidate aria-describedby={errors.form ? 'signin-error' : undefined}>
          <Field id="email" label={t('signin.email')} error={err('email')}>
            {(aria) => (
              <input
                {...aria}
                type="email"
                autoComplete="username"
                autoCapitalize="none"
                spellcheck={false}
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field id="password" label={t('signin.password')} error={err('password')}>
            {(aria) => (
              <input
                {...aria}
                type="password"
                autoComplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            )}
          </Field>
          {askWorkspace && (
            <Field id="workspace" label={t('signin.workspace')} hint={t('signin.workspaceHint')} error={err('workspace')}>
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autoCapitalize="none"
                  spellcheck={false}
                  value={workspace}
                  onInput={(e) => setWorkspace(e.currentTarget.value)}
                />
              )}
            </Field>
          )}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-large btn-block" disabled={busy}>
              {busy ? t('signin.submitting') : t('signin.submit')}
            </button>
          </div>
        </form>
        <p class="muted small">{t('signin.help')}</p>
      </main>
    </div>
  );
}
