// Settings: the frame with its own tabs (Users and Audit log only for the
// owner, since only the owner may use them) and the Profile page: name,
// language and password of the signed-in user.
import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Key } from '../i18n';
import { LOCALES } from '../i18n';
import { useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Alert, Field, PageTitle, Status } from '../components';
import { focusFirstInvalid, noErrors, placeError, type FormErrors } from '../forms';
import { PasswordForm } from './Password';
import { TokensPage } from './Tokens';
import { UsersPage } from './Users';
import { AuditPage } from './Audit';
import { GoingColdSettingsPage } from './Relations';
import { CannedRepliesPage } from './CannedReplies';

interface Tab {
  slug: string;
  label: Key;
  ownerOnly: boolean;
  managerOnly?: boolean;
}

const TABS: Tab[] = [
  { slug: 'profile', label: 'settings.profile', ownerOnly: false },
  { slug: 'tokens', label: 'settings.tokens', ownerOnly: false },
  { slug: 'users', label: 'settings.users', ownerOnly: true },
  { slug: 'audit', label: 'settings.audit', ownerOnly: true },
  { slug: 'going-cold', label: 'settings.goingCold', ownerOnly: false, managerOnly: true },
  { slug: 'canned-replies', label: 'settings.canned', ownerOnly: false, managerOnly: true },
];

export function SettingsPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const { path } = useRouter();
  const slug = path.replace(/^\/settings\//, '').replace(/\/$/, '');
  const tab = TABS.find((x) => x.slug === slug);
  const owner = user.role === 'owner';
  const manager = owner || user.role === 'manager';
  const visible = TABS.filter((x) => (owner || !x.ownerOnly) && (manager || !x.managerOnly));

  let body;
  if (!tab) body = <p class="lead">{t('notFound.body')}</p>;
  else if (tab.ownerOnly && !owner) body = <Alert>{t('settings.ownerOnly')}</Alert>;
  else if (tab.managerOnly && !manager) body = <Alert>{t('settings.managerOnly')}</Alert>;
  else if (tab.slug === 'going-cold') body = <GoingColdSettingsPage />;
  else if (tab.slug === 'canned-replies') body = <CannedRepliesPage />;
  else if (tab.slug === 'profile') body = <ProfilePage />;
  else if (tab.slug === 'tokens') body = <TokensPage />;
  else if (tab.slug === 'users') body = <UsersPage />;
  else body = <AuditPage />;

  const title = tab ? `${t(tab.label)} · ${t('settings.title')}` : t('settings.title');
  return (
    <div class="page">
      <PageTitle key={slug} title={title}>
        {t('settings.title')}
      </PageTitle>
      <nav class="tabs" aria-label={t('settings.nav')}>
        <ul>
          {visible.map((x) => (
            <li key={x.slug}>
              <Link href={`/settings/${x.slug}`} class="tab" aria-current={x.slug === slug ? 'page' : undefined}>
                {t(x.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div class="tab-body">
        {tab && <h2 class="section-title">{t(tab.label)}</h2>}
        {body}
      </div>
    </div>
  );
}

function ProfilePage() {
  const i18n = useI18n();
  const { t, locale, setLocale } = i18n;
  const { user, setUser } = useSession();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(user.name);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    if (!name.trim()) {
      setErrors({ fields: { name: t('val.required') }, form: null });
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    try {
      const answer = await api.updateMe({ name: name.trim() });
      setUser(answer.user);
      setSaved(true);
    } catch (err) {
      setErrors(placeError(i18n, err, ['name']));
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack-large">
      <section class="card" aria-labelledby="profile-details">
        <h3 id="profile-details">{t('profile.details')}</h3>
        <dl class="facts">
          <div>
            <dt>{t('profile.email')}</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>{t('profile.role')}</dt>
            <dd>{t(`role.${user.role}` as Key)}</dd>
          </div>
          <div>
            <dt>{t('profile.workspace')}</dt>
            <dd>
              {user.workspace.name} <span class="muted">({user.workspace.slug})</span>
            </dd>
          </div>
        </dl>
        <form ref={formRef} onSubmit={save} noValidate class="inline-form">
          {errors.form && <Alert>{errors.form}</Alert>}
          <Field id="profile-name" label={t('profile.name')} error={errors.fields.name ?? null}>
            {(aria) => (
              <input {...aria} type="text" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            )}
          </Field>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </form>
        {saved && <Status>{t('profile.nameSaved')}</Status>}
      </section>

      <section class="card" aria-labelledby="profile-language">
        <h3 id="profile-language">{t('profile.language')}</h3>
        <fieldset class="radio-group" aria-describedby="profile-language-hint">
          <legend class="visually-hidden">{t('profile.language')}</legend>
          {LOCALES.map((l) => (
            <label key={l} class="radio" lang={l}>
              <input type="radio" name="locale" value={l} checked={locale === l} onChange={() => setLocale(l)} />
              <span>{l === 'it' ? 'Italiano' : 'English'}</span>
            </label>
          ))}
        </fieldset>
        <p class="hint" id="profile-language-hint">
          {t('profile.languageHint')}
        </p>
      </section>

      <section class="card" aria-labelledby="profile-password">
        <h3 id="profile-password">{t('profile.password')}</h3>
        <PasswordForm />
      </section>
    </div>
  );
}
