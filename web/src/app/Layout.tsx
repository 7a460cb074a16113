import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { connection, retryNow, type ConnectionState } from '../realtime/events';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { ConfirmHost } from '../ui/Dialog';
import { Icon, Logo, type IconName } from '../ui/icons';
import { ToastHost } from '../ui/Toast';
import { StatusDialog } from '../chat/StatusDialog';
import { dmName, entries, people } from '../chat/state';
import { docMentions, mentionHref, seenMentions } from '../docs/notify';
import { updateReady } from './pwa';
import { navigate, usePlace } from './router';
import { logout, me } from './session';

/** The signed-in frame: the sidebar with the office's sections, the top bar
 * with search and notifications, and the connection's state. */
export function Layout({ children }: { children: ComponentChildren }) {
  const t = useT();
  const { path } = usePlace();
  const [drawer, setDrawer] = useState(false);
  useEffect(() => setDrawer(false), [path]);
  useEffect(() => {
    if (!drawer) return;
    const close = (e: KeyboardEvent) => e.key === 'Escape' && setDrawer(false);
    addEventListener('keydown', close);
    return () => removeEventListener('keydown', close);
  }, [drawer]);
  return (
    <div class={`shell ${drawer ? 'drawer-open' : ''}`}>
      <a class="skip-link" href="#main">
        {t.app.skipToContent}
      </a>
      <Sidebar open={drawer} onClose={() => setDrawer(false)} />
      {drawer && <div class="backdrop" onClick={() => setDrawer(false)} />}
      <div class="main-column">
        <header class="topbar">
          <IconButton
            class="menu-btn"
            icon="menu"
            label={t.app.openMenu}
            expanded={drawer}
            controls="sidebar"
            onClick={() => setDrawer(!drawer)}
          />
          <a href="/" class="topbar-brand" aria-label={t.nav.home}>
            <Logo />
          </a>
          <Search />
          <Notifications />
        </header>
        <ConnectionBanner />
        <UpdateBanner />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
      <ToastHost />
      <ConfirmHost />
    </div>
  );
}

interface NavItem {
  href: string;
  icon: IconName;
  label: string;
}

function Sidebar({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const user = useStore(me);
  const { path } = usePlace();
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('a, button')?.focus();
  }, [open]);
  const office: NavItem[] = [
    { href: '/', icon: 'home', label: t.nav.home },
    { href: '/chat', icon: 'chat', label: t.nav.chat },
    { href: '/meetings', icon: 'meetings', label: t.nav.meetings },
    { href: '/docs', icon: 'docs', label: t.nav.docs },
    { href: '/files', icon: 'files', label: t.nav.files },
    { href: '/office', icon: 'office', label: t.nav.office },
  ];
  const account: NavItem[] = [
    { href: '/settings/profile', icon: 'user', label: t.nav.profile },
    { href: '/settings/password', icon: 'lock', label: t.nav.password },
    { href: '/settings/sessions', icon: 'devices', label: t.nav.sessions },
    { href: '/settings/tokens', icon: 'key', label: t.nav.tokens },
  ];
  const admin: NavItem[] = [
    { href: '/admin/people', icon: 'people', label: t.nav.people },
    { href: '/admin/invitations', icon: 'invite', label: t.nav.invitations },
    { href: '/admin/groups', icon: 'groups', label: t.nav.groups },
    { href: '/admin/teams', icon: 'files', label: t.nav.teams },
    { href: '/admin/audit', icon: 'audit', label: t.nav.audit },
  ];
  const isCurrent = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  const list = (items: NavItem[]) => (
    <ul>
      {items.map((item) => (
        <li key={item.href}>
          <a href={item.href} class="nav-link" aria-current={isCurrent(item.href) ? 'page' : undefined}>
            <Icon name={item.icon} />
            <span>{item.label}</span>
          </a>
        </li>
      ))}
    </ul>
  );
  return (
    <aside id="sidebar" class={`sidebar ${open ? 'open' : ''}`} ref={panel} aria-label={t.app.sidebar}>
      <div class="sidebar-head">
        <a href="/" class="brand">
          <Logo />
          <span>{t.app.name}</span>
        </a>
        <IconButton class="close-drawer" icon="close" label={t.app.closeMenu} onClick={onClose} />
      </div>
      <nav class="sidebar-nav" aria-label={t.app.mainNav}>
        <h2 class="nav-heading">{t.nav.workspace}</h2>
        {list(office)}
        <h2 class="nav-heading">{t.nav.account}</h2>
        {list(account)}
        {user?.role === 'admin' && (
          <>
            <h2 class="nav-heading">{t.nav.admin}</h2>
            {list(admin)}
          </>
        )}
      </nav>
      {user && <Presence />}
    </aside>
  );
}

/** The person, and whether this tab is connected: online, reconnecting or
 * offline, straight from the event stream. */
function Presence() {
  const t = useT();
  const user = useStore(me);
  const { state } = useStore(connection);
  const [statusOpen, setStatusOpen] = useState(false);
  if (!user) return null;
  const shown: ConnectionState = state === 'idle' ? 'connecting' : state;
  return (
    <div class="presence">
      <a href="/settings/profile" class="presence-person">
        <span class="presence-avatar">
          <Avatar user={user} />
          <span class={`dot dot-${shown}`} aria-hidden="true" />
        </span>
        <span class="presence-text">
          <span class="presence-name">{user.display_name}</span>
          <span class="presence-state">{user.status && shown === 'online' ? `${user.status.emoji} ${user.status.text}` : t.presence[shown]}</span>
        </span>
      </a>
      <IconButton icon="smile" label={user.status ? `${user.status.emoji} ${user.status.text}` : t.status.set} onClick={() => setStatusOpen(true)} />
      <IconButton icon="logout" label={t.nav.logout} onClick={() => void logout()} />
      <StatusDialog open={statusOpen} onClose={() => setStatusOpen(false)} />
    </div>
  );
}

function ConnectionBanner() {
  const t = useT();
  const current = useStore(connection);
  const [, tick] = useState(0);
  const waiting = current.state === 'reconnecting' || current.state === 'offline';
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [waiting]);
  if (!waiting) return null;
  const seconds = current.retryAt ? Math.max(0, Math.ceil((current.retryAt - Date.now()) / 1000)) : 0;
  return (
    <div class={`banner banner-${current.state}`} role="status" data-connection={current.state}>
      <Icon name={current.state === 'offline' ? 'offline' : 'refresh'} class={current.state === 'reconnecting' ? 'spin' : ''} />
      <p>
        <strong>{current.state === 'offline' ? t.connection.offlineTitle : t.connection.reconnectingTitle}</strong>{' '}
        {current.state === 'offline' ? t.connection.offlineBody : t.connection.reconnectingBody}
        {seconds > 0 && <span class="muted"> {t.connection.retryIn(seconds)}</span>}
      </p>
      <Button size="small" onClick={retryNow}>
        {t.connection.retryNow}
      </Button>
    </div>
  );
}

function UpdateBanner() {
  const t = useT();
  const ready = useStore(updateReady);
  if (!ready) return null;
  return (
    <div class="banner banner-update" role="status">
      <Icon name="sparkle" />
      <p>{t.update.ready}</p>
      <Button size="small" kind="primary" onClick={() => location.reload()}>
        {t.update.reload}
      </Button>
    </div>
  );
}

/** The global search box. Search itself arrives with chat; until then the
 * box says so instead of pretending. */
function Search() {
  const t = useT();
  const { path, search } = usePlace();
  const [query, setQuery] = useState(() => (path === '/search' ? new URLSearchParams(search).get('q') ?? '' : ''));
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (path === '/search') setQuery(new URLSearchParams(search).get('q') ?? '');
  }, [path, search]);
  useEffect(() => {
    const focus = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      const typing = target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
      if (!typing && (e.key === '/' || (e.key === 'k' && (e.ctrlKey || e.metaKey)))) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener('keydown', focus);
    return () => removeEventListener('keydown', focus);
  }, []);
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (query.trim()) navigate(`/search?q=${encodeURIComponent(query.trim())}`);
      }}
    >
      <label for="global-search" class="visually-hidden">
        {t.search.label}
      </label>
      <Icon name="search" />
      <input
        id="global-search"
        ref={input}
        type="search"
        value={query}
        placeholder={t.search.placeholder}
        autocomplete="off"
        aria-describedby="search-help"
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <span id="search-help" class="visually-hidden">
        {t.search.help}
      </span>
      <kbd class="search-key" aria-hidden="true">
        /
      </kbd>
    </form>
  );
}

/** Mentions and direct messages waiting, from the chat's unread counts,
 * and mentions in Docs comments since the tab opened. */
function Notifications() {
  const t = useT();
  const [open, setOpen] = useState(false);
  const list = useStore(entries);
  const known = useStore(people);
  const inDocs = useStore(docMentions);
  const waiting = (list ?? []).filter((e) => e.notify !== 'mute' && (e.channel.kind === 'dm' ? e.unread > 0 : e.mentions > 0));
  const count = waiting.reduce((n, e) => n + (e.channel.kind === 'dm' ? e.unread : e.mentions), 0) + inDocs.length;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', outside);
    addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      removeEventListener('keydown', escape);
    };
  }, [open]);
  return (
    <div class="notifications" ref={box}>
      <IconButton icon="bell" label={count ? t.notifications.labelCount(count) : t.notifications.label} expanded={open} controls="notifications-panel" onClick={() => setOpen(!open)} />
      {count > 0 && (
        <span class="bell-count" aria-hidden="true">
          {count}
        </span>
      )}
      <div id="notifications-panel" class={`popover notifications-popover ${open ? '' : 'hidden'}`} role="region" aria-label={t.notifications.label}>
        <p class="popover-title">{t.notifications.title}</p>
        {waiting.length === 0 && inDocs.length === 0 ? (
          <p class="popover-empty">
            <Icon name="check" />
            {t.notifications.empty}
          </p>
        ) : (
          <ul class="notification-list">
            {waiting.map((e) => (
              <li key={e.channel.id}>
                <a href={`/chat/${e.channel.id}`} onClick={() => setOpen(false)}>
                  {e.channel.kind === 'dm'
                    ? t.notifications.direct(e.unread, dmName(e, (id) => known[id]?.display_name ?? `#${id}`))
                    : t.notifications.mentions(e.mentions, e.channel.name ?? '')}
                </a>
              </li>
            ))}
            {inDocs.map((m) => (
              <li key={`doc-${m.comment}`}>
                <a
                  href={mentionHref(m)}
                  onClick={() => {
                    seenMentions(m.page);
                    setOpen(false);
                  }}
                >
                  {t.notifications.docMention(m.by, m.title)}
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
