// The first-run page: shown while piazza has no user. It creates the workspace
// and its owner in one request, guarded by the one-time code that the server
// printed on its console, and signs the owner in.
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, type SessionAnswer } from '../api';
import { useI18n } from '../i18n-context';
import { isLocale } from '../i18n';
import { Alert, Field, LangSwitch, PageTitle, Wordmark } from '../components';
import {
  CODE_RE,
  EMAIL_RE,
  SLUG_RE,
  focusFirstInvalid,
  hasErrors,
  noErrors,
  normaliseCode,
  placeError,
  slugify,
  timeZones,
  type FormErrors,
} from '../forms';

const FIELDS = ['workspace_name', 'workspace_slug', 'locale', 'timezone', 'name', 'email', 'password', 'code'];

export function SetupPage({ onDone, onAlreadyDone }: { onDone: (a: SessionAnswer) => void; onAlreadyDone: () => void }) {
  const i18n = useI18n();
  const { t, locale, setLocale } = i18n;
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(timeZones, []);

  const [workspaceName, setWorkspaceName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [timezone, setTimezone] = useState('Europe/Rome');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [alreadyDone, setAlreadyDone] = useState(false);

  const effectiveSlug = slugEdited ? slug : slugify(workspaceName);

  const validate = (): FormErrors => {
    const fields: Record<string, string> = {};
    if (!workspaceName.trim()) fields.workspace_name = t('val.required');
    if (!effectiveSlug) fields.workspace_slug = t('val.required');
    else if (!SLUG_RE.test(effectiveSlug)) fields.workspace_slug = t('val.slug');
    if (!name.trim()) fields.name = t('val.required');
    if (!email.trim()) fields.email = t('val.required');
    else if (!EMAIL_RE.test(email.trim())) fields.email = t('val.email');
    if (!password) fields.password = t('val.required');
    else if (password.length < 10) fields.password = t('val.passwordShort');
    const c = normaliseCode(code);
    if (!c) fields.code = t('val.required');
    else if (!CODE_RE.test(c)) fields.code = t('val.code');
    return { fields, form: null };
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const local = validate();
    if (hasErrors(local)) {
      setErrors(local);
      focusFirstInvalid(formRef.current);
      return;
    }
    setErrors(noErrors);
    setBusy(true);
    try {
      const answer = await api.setup({
        code: normaliseCode(code),
        workspace_name: workspaceName.trim(),
        workspace_slug: effectiveSlug,
        locale,
        timezone,
        name: name.trim(),
        email: email.trim(),
        password,
      });
      onDone(answer);
    } catch (err) {
      setBusy(false);
      if ((err as { code?: string }).code === 'setup.done') setAlreadyDone(true);
      const placed = placeError(i18n, err, FIELDS);
      setErrors(placed);
      focusFirstInvalid(formRef.current);
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
      <main id="main" class="auth-card auth-card-wide">
        <PageTitle title={t('setup.title')}>{t('setup.title')}</PageTitle>
        <p class="lead">{t('setup.intro')}</p>
        {errors.form && (
          <Alert>
            <p>{errors.form}</p>
            {alreadyDone && (
              <button type="button" class="btn btn-primary" onClick={onAlreadyDone}>
                {t('setup.goSignIn')}
              </button>
            )}
          </Alert>
        )}
        <form ref={formRef} onSubmit={submit} noValidate>
          <fieldset>
            <legend>{t('setup.section.workspace')}</legend>
            <Field id="workspace_name" label={t('setup.workspaceName')} error={err('workspace_name')}>
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autoComplete="organization"
                  value={workspaceName}
                  onInput={(e) => setWorkspaceName(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field
              id="workspace_slug"
              label={t('setup.workspaceSlug')}
              hint={t('setup.workspaceSlugHint')}
              error={err('workspace_slug')}
            >
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellcheck={false}
                  value={effectiveSlug}
                  onInput={(e) => {
                    setSlugEdited(true);
                    setSlug(e.currentTarget.value);
                  }}
                />
              )}
            </Field>
            <div class="field-row">
              <Field id="locale" label={t('setup.locale')} hint={t('setup.localeHint')} error={err('locale')}>
                {(aria) => (
                  <select
                    {...aria}
                    value={locale}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      if (isLocale(v)) setLocale(v);
                    }}
                  >
                    <option value="it" lang="it">
                      Italiano
                    </option>
                    <option value="en" lang="en">
                      English
                    </option>
                  </select>
                )}
              </Field>
              <Field id="timezone" label={t('setup.timezone')} hint={t('setup.timezoneHint')} error={err('timezone')}>
                {(aria) => (
                  <select {...aria} value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)}>
                    {zones.map((z) => (
                      <option key={z} value={z}>
                        {z.replace(/_/g, ' ')}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          </fieldset>

          <fieldset>
            <legend>{t('setup.section.owner')}</legend>
            <Field id="name" label={t('setup.name')} error={err('name')}>
              {(aria) => (
                <input {...aria} type="text" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
              )}
            </Field>
            <Field id="email" label={t('setup.email')} error={err('email')}>
              {(aria) => (
                <input
                  {...aria}
                  type="email"
                  autoComplete="email"
                  autoCapitalize="none"
                  spellcheck={false}
                  value={email}
                  onInput={(e) => setEmail(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field id="password" label={t('setup.password')} hint={t('setup.passwordHint')} error={err('password')}>
              {(aria) => (
                <input
                  {...aria}
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)}
                />
              )}
            </Field>
          </fieldset>

          <fieldset>
            <legend>{t('setup.section.code')}</legend>
            <Field id="code" label={t('setup.code')} hint={t('setup.codeHint')} error={err('code')} class="field-code">
              {(aria) => (
                <input
                  {...aria}
                  type="text"
                  autoComplete="one-time-code"
                  autoCapitalize="characters"
                  spellcheck={false}
                  placeholder="XXXX-XXXX"
                  maxLength={16}
                  value={code}
                  onInput={(e) => setCode(e.currentTarget.value.toUpperCase())}
                />
              )}
            </Field>
          </fieldset>

          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-large" disabled={busy}>
              {busy ? t('setup.submitting') : t('setup.submit')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
