// The root of the UI: finds out where the visitor stands (piazza not set up
// yet, signed out, signed in with a temporary password, signed in) and shows
// the matching page, and owns the language of the page. The language comes
// from the account when signed in, otherwise from the choice remembered in
// this browser, otherwise from the browser's own preference.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, setCsrfToken, setSessionLostHandler, type SessionAnswer, type User } from './api';
import { browserLocale, isLocale, rememberLocale, storedLocale, type Locale } from './i18n';
import { I18nContext, makeI18n, useI18n } from './i18n-context';
import { useRouter } from './router';
import { SessionContext, type Session } from './session';
import { LangSwitch, Spinner, Wordmark } from './components';
import { SetupPage } from './pages/Setup';
import { SignInPage } from './pages/SignIn';
import { ForcedPasswordPage } from './pages/Password';
import { Shell } from './pages/Shell';

type Phase =
  | { kind: 'loading' }
  | { kind: 'offline' }
  | { kind: 'setup' }
  | { kind: 'signin'; notice: 'signedOut' | 'expired' | null }
  | { kind: 'password'; user: User }
  | { kind: 'app'; user: User };


function applyLang(locale: Locale) {
  document.documentElement.lang = locale;
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(() => storedLocale() ?? browserLocale());
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const { navigate } = useRouter();

  useEffect(() => applyLang(locale), [locale]);

  /** Takes a session answer from set-up, sign-in or GET /me. */
  const enter = useCallback((answer: SessionAnswer) => {
    setCsrfToken(answer.csrf_token);
    const user = answer.user;
    if (isLocale(user.locale)) {
      setLocaleState(user.locale);
      rememberLocale(user.locale);
    }
    setPhase(user.must_change_password ? { kind: 'password', user } : { kind: 'app', user });
  }, []);

  const boot = useCallback(async () => {
    setPhase({ kind: 'loading' });
    try {
      const setup = await api.setupNeeded();
      if (setup.needed) {
        setPhase({ kind: 'setup' });
        return;
      }
      enter(await api.me());
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 401) setPhase({ kind: 'signin', notice: null });
      else setPhase({ kind: 'offline' });
    }
  }, [enter]);

  useEffect(() => {
    void boot();
  }, [boot]);

  useEffect(() => {
    setSessionLostHandler(() => {
      setCsrfToken(null);
      setPhase({ kind: 'signin', notice: 'expired' });
    });
    return () => setSessionLostHandler(null);
  }, []);

  const signedInUser = phase.kind === 'app' || phase.kind === 'password' ? phase.user : null;

  const setLocale = useCallback(
    (next: Locale) => {
      setLocaleState(next);
      applyLang(next);
      rememberLocale(next);
      if (signedInUser && signedInUser.locale !== next) {
        // Saved to the account so the choice follows the user to other browsers.
        api
          .updateMe({ locale: next })
          .then((answer) =>
            setPhase((p) => (p.kind === 'app' || p.kind === 'password' ? { ...p, user: answer.user } : p)),
          )
          .catch(() => {
            /* the page is already in the new language; saving is retried on the next switch */
          });
      }
    },
    [signedInUser],
  );

  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale, setLocale]);

  const session = useMemo<Session | null>(() => {
    if (!signedInUser) return null;
    return {
      user: signedInUser,
      setUser: (user: User) => setPhase((p) => (p.kind === 'app' || p.kind === 'password' ? { ...p, user } : p)),
      signOut: async () => {
        try {
          await api.signOut();
        } catch {
          /* whatever the server said, this page forgets the session */
        }
        setCsrfToken(null);
        // the next person to sign in here starts from the beginning, not from this page
        navigate('/', { replace: true });
        setPhase({ kind: 'signin', notice: 'signedOut' });
      },
    };
  }, [signedInUser, navigate]);

  let page;
  switch (phase.kind) {
    case 'loading':
      page = <Loading />;
      break;
    case 'offline':
      page = <Offline retry={boot} />;
      break;
    case 'setup':
      page = <SetupPage onDone={enter} onAlreadyDone={() => setPhase({ kind: 'signin', notice: null })} />;
      break;
    case 'signin':
      page = <SignInPage notice={phase.notice} onSignedIn={enter} />;
      break;
    case 'password':
      page = (
        <SessionContext.Provider value={session}>
          <ForcedPasswordPage onDone={boot} />
        </SessionContext.Provider>
      );
      break;
    case 'app':
      page = (
        <SessionContext.Provider value={session}>
          <Shell />
        </SessionContext.Provider>
      );
      break;
  }

  return (
    <I18nContext.Provider value={i18n}>
      {page}
    </I18nContext.Provider>
  );
}

function Loading() {
  const { t } = useI18n();
  return (
    <div class="center-screen">
      <Spinner label={t('boot.loading')} />
    </div>
  );
}

function Offline({ retry }: { retry: () => void }) {
  const { t } = useI18n();
  return (
    <div class="auth-page">
      <div class="auth-top">
        <Wordmark />
        <LangSwitch />
      </div>
      <main class="auth-card" id="main">
        <div class="alert alert-error" role="alert">
          <div>{t('boot.failed')}</div>
        </div>
        <button type="button" class="btn btn-primary" onClick={retry}>
          {t('common.retry')}
        </button>
      </main>
    </div>
  );
}
