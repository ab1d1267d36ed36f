// The signed-in frame of the product: top bar (workspace, language, account
// menu), the navigation of every section (a side column on wide screens, a
// menu button on a phone) and the page of the current route. The sections
// whose modules are not built yet say so plainly and point at what can be done
// today; nothing here shows made-up data.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Key } from '../i18n';
import { useI18n } from '../i18n-context';
import { useSession } from '../session';
import { Link, useRouter } from '../router';
import { Icon, LangSwitch, Logo, PageTitle, type IconName } from '../components';
import { SettingsPage } from './Settings';
import { ContactPage } from './Contacts';
import { ContactsPage } from './ContactList';
import { ContactsTabs, DuplicatesPage, GoingColdPage, OrganizationPage, OrganizationsPage } from './Relations';
import { GoalsPage, ObjectivePage, TimerControl } from './Goals';
import { ImportPage } from './Import';
import { InboxPage } from './Inbox';
import { SearchPage } from './Search';

interface NavItem {
  path: string;
  label: Key;
  icon: IconName;
}

const SECTIONS: NavItem[] = [
  { path: '/inbox', label: 'nav.inbox', icon: 'inbox' },
  { path: '/contacts', label: 'nav.contacts', icon: 'contacts' },
  { path: '/goals', label: 'nav.goals', icon: 'goals' },
  { path: '/plan', label: 'nav.plan', icon: 'plan' },
  { path: '/community', label: 'nav.community', icon: 'community' },
  { path: '/insights', label: 'nav.insights', icon: 'insights' },
  { path: '/people', label: 'nav.people', icon: 'people' },
];

const SETTINGS: NavItem = { path: '/settings', label: 'nav.settings', icon: 'settings' };

export function Shell() {
  const { t } = useI18n();
  const { user } = useSession();
  const { path, navigate } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/inbox', { replace: true });
    else if (path === '/settings' || path === '/settings/') navigate('/settings/profile', { replace: true });
  }, [path]);

  useEffect(() => setMenuOpen(false), [path]);

  const toggleMenu = () => {
    const open = !menuOpen;
    setMenuOpen(open);
    // put the keyboard in the menu that just opened (it is visible once the class is set)
    if (open) window.requestAnimationFrame(() => navRef.current?.querySelector<HTMLElement>('a')?.focus());
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (menuOpen && event.key === 'Escape') {
      setMenuOpen(false);
      menuButton.current?.focus();
    }
  };

  const isActive = (p: string) => path === p || path.startsWith(`${p}/`);

  const navLink = (item: NavItem) => (
    <li key={item.path}>
      <Link
        href={item.path === '/settings' ? '/settings/profile' : item.path}
        class="nav-link"
        aria-current={isActive(item.path) ? 'page' : undefined}
        onNavigate={() => setMenuOpen(false)}
      >
        <Icon name={item.icon} />
        <span>{t(item.label)}</span>
      </Link>
    </li>
  );

  let content;
  const section = SECTIONS.find((s) => s.path === path);
  const contactMatch = /^\/contacts\/(\d+)\/?$/.exec(path);
  const orgMatch = /^\/contacts\/organizations\/(\d+)\/?$/.exec(path);
  const contactsView = path.replace(/\/$/, '');
  const objectiveMatch = /^\/goals\/(\d+)\/?$/.exec(path);
  if (/^\/inbox(\/\d+)?\/?(\?.*)?$/.test(path)) content = <InboxPage path={path} />;
  else if (path === '/search' || path === '/search/') content = <SearchPage />;
  else if (path === '/contacts' || path === '/contacts/') content = <ContactsPage />;
  else if (contactsView === '/contacts/going-cold') content = <GoingColdPage />;
  else if (contactsView === '/contacts/duplicates') content = <DuplicatesPage />;
  else if (contactsView === '/contacts/organizations') content = <OrganizationsPage />;
  else if (orgMatch) content = <OrganizationPage key={orgMatch[1]} id={Number(orgMatch[1])} />;
  else if (path === '/contacts/import') content = <ImportPage />;
  else if (contactMatch) content = <ContactPage key={contactMatch[1]} id={Number(contactMatch[1])} />;
  else if (contactsView === '/goals') content = <GoalsPage />;
  else if (objectiveMatch) content = <ObjectivePage key={objectiveMatch[1]} id={Number(objectiveMatch[1])} />;
  else if (section) content = <SectionPage item={section} />;
  else if (path.startsWith('/settings/')) content = <SettingsPage />;
  else if (path === '/' || path === '/settings') content = null;
  else content = <NotFound />;

  return (
    <div class={`shell${menuOpen ? ' menu-open' : ''}`} onKeyDown={onKeyDown}>
      <a class="skip-link" href="#main">
        {t('a11y.skip')}
      </a>
      <header class="topbar">
        <button
          ref={menuButton}
          type="button"
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={toggleMenu}
        >
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            {menuOpen ? (
              <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
            ) : (
              <path d="M3 5.5h14M3 10h14M3 14.5h14" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
            )}
          </svg>
          <span>{t('shell.menu')}</span>
        </button>
        <Link href="/inbox" class="brand">
          <Logo size={28} />
          <span class="brand-text">
            <span class="brand-product">piazza</span>
            <span class="brand-workspace" data-testid="workspace-name">
              {user.workspace.name}
            </span>
          </span>
        </Link>
        <div class="topbar-end">
          <TimerControl />
          <LangSwitch compact />
          <UserMenu />
        </div>
      </header>
      <div class="shell-body">
        <nav id="main-nav" ref={navRef} class="sidenav" aria-label={t('nav.label')}>
          <ul>{SECTIONS.map(navLink)}</ul>
          <ul class="sidenav-end">{navLink(SETTINGS)}</ul>
        </nav>
        <div class="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />
        <main id="main" tabIndex={-1} class="content">
          {['/contacts', '/contacts/going-cold', '/contacts/duplicates', '/contacts/organizations'].includes(contactsView) && <ContactsTabs />}
          {content}
        </main>
      </div>
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? parts[parts.length - 1]?.[0] ?? '' : '';
  return (first + last).toUpperCase();
}

function UserMenu() {
  const { t } = useI18n();
  const { user, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  return (
    <div
      class="user-menu"
      ref={wrap}
      onKeyDown={(event) => {
        if (open && event.key === 'Escape') {
          event.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
      onFocusOut={(event) => {
        const next = event.relatedTarget as Node | null;
        if (next && wrap.current && !wrap.current.contains(next)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        class="user-button"
        aria-expanded={open}
        aria-controls="user-panel"
        aria-label={`${t('shell.account')}: ${user.name}`}
        onClick={() => setOpen(!open)}
      >
        <span class="avatar" aria-hidden="true">
          {initials(user.name)}
        </span>
        <span class="user-button-name">{user.name}</span>
        <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
          <path d="M2.5 4.5L6 8l3.5-3.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
        </svg>
      </button>
      {open && (
        <div id="user-panel" class="user-panel">
          <div class="user-panel-head">
            <span class="avatar avatar-large" aria-hidden="true">
              {initials(user.name)}
            </span>
            <div>
              <p class="user-panel-name">{user.name}</p>
              <p class="user-panel-email">{user.email}</p>
              <p>
                <span class="badge" data-testid="user-role">
                  {t(`role.${user.role}` as Key)}
                </span>{' '}
                <span class="muted small">{user.workspace.name}</span>
              </p>
            </div>
          </div>
          <Link href="/settings/profile" class="user-panel-link" onNavigate={() => setOpen(false)}>
            {t('shell.profile')}
          </Link>
          <button
            type="button"
            class="user-panel-link signout"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await signOut();
            }}
          >
            {busy ? t('shell.signingOut') : t('shell.signOut')}
          </button>
        </div>
      )}
    </div>
  );
}

/** What each section will do, and what can be done meanwhile. */
const SECTION_TEXT: Record<
  string,
  { lead: Key; body: Key; status: Key; next: Key; nextOwner?: Key; link?: { href: string; label: Key; ownerOnly?: boolean } }
> = {
  '/contacts': { lead: 'contacts.lead', body: 'contacts.body', status: 'contacts.status', next: 'contacts.next' },
  '/plan': { lead: 'plan.lead', body: 'plan.body', status: 'plan.status', next: 'plan.next' },
  '/community': { lead: 'community.lead', body: 'community.body', status: 'community.status', next: 'community.next' },
  '/insights': {
    lead: 'insights.lead',
    body: 'insights.body',
    status: 'insights.status',
    next: 'insights.nextOther',
    nextOwner: 'insights.next',
    link: { href: '/settings/audit', label: 'link.audit', ownerOnly: true },
  },
  '/people': {
    lead: 'people.lead',
    body: 'people.body',
    status: 'people.status',
    next: 'people.next',
    nextOwner: 'people.nextOwner',
    link: { href: '/settings/users', label: 'link.users', ownerOnly: true },
  },
};

function SectionPage({ item }: { item: NavItem }) {
  const { t } = useI18n();
  const { user } = useSession();
  const text = SECTION_TEXT[item.path];
  if (!text) return null;
  const owner = user.role === 'owner';
  const next = owner && text.nextOwner ? text.nextOwner : text.next;
  let link = text.link && (!text.link.ownerOnly || owner) ? text.link : undefined;
  if (!link && text.nextOwner && !owner) link = { href: '/settings/profile', label: 'link.profile' };
  const title = t(item.label);
  return (
    <div class="page" key={item.path}>
      <header class="page-head">
        <span class="page-icon" aria-hidden="true">
          <Icon name={item.icon} size={24} />
        </span>
        <PageTitle title={title}>{title}</PageTitle>
      </header>
      <p class="lead">{t(text.lead)}</p>
      <section class="empty-state" aria-labelledby="empty-status">
        <p class="badge badge-soon" id="empty-status">
          {t('common.comingLater')}
        </p>
        <p>{t(text.body)}</p>
        <p class="empty-status">{t(text.status)}</p>
        <h2 class="h3">{t('common.whatNow')}</h2>
        <p>{t(next)}</p>
        {link && (
          <p>
            <Link href={link.href} class="btn">
              {t(link.label)}
            </Link>
          </p>
        )}
      </section>
    </div>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div class="page">
      <PageTitle title={t('notFound.title')}>{t('notFound.title')}</PageTitle>
      <p class="lead">{t('notFound.body')}</p>
      <p>
        <Link href="/inbox" class="btn btn-primary">
          {t('notFound.home')}
        </Link>
      </p>
    </div>
  );
}
