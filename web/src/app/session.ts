// Who is using this tab: the signed-in person, how the tab learnt it, and
// what ends it. The event stream keeps the person's record up to date and
// tells when the session was revoked or the account deactivated.

import { api, ApiError, setCsrfToken, whenUnauthenticated, type Me, type User } from '../api/client';
import { locale, setLocale } from '../i18n';
import { clearResources, gateReadsOn, invalidate, invalidateAll, patch } from '../lib/resource';
import { Store } from '../lib/store';
import { applyChatEvent, forget as forgetChat, loadDirectory, loadEntries, resync as resyncChat } from '../chat/state';
import { startChatNotifications } from '../chat/notify';
import { applyDocsEvent, forgetMentions } from '../docs/notify';
import { forgetOfflineDocs, forgetOthersOfflineDocs } from '../docs/offline';
import { connect, disconnect, type ServerEvent } from '../realtime/events';
import { clearToasts } from '../ui/Toast';
import { navigate, place } from './router';

/** Why the login page is shown, for its message. */
export type Notice = 'signed_out' | 'session_ended' | 'deactivated';

export type Phase =
  | { kind: 'booting' }
  | { kind: 'anonymous'; notice?: Notice }
  | { kind: 'user' }
  /** The server could not be reached while starting; retrying. */
  | { kind: 'unreachable' };

export const phase = new Store<Phase>({ kind: 'booting' });
export const me = new Store<User | null>(null);
/** Bumped when a picture changes, so its URL changes and caches follow. */
export const avatarVersions = new Store<Record<number, number>>({});

/** Where to go after logging in (the page that asked for it). */
let afterLogin = '/';

let bootAttempts = 0;
let bootTimer: ReturnType<typeof setTimeout> | undefined;

/** Finds out who is using the tab. Without a server, says so and tries
 * again: after 3 s, then 6, 12… at most every 30 s. */
export async function boot(): Promise<void> {
  clearTimeout(bootTimer);
  try {
    const current = await api('get', '/me');
    bootAttempts = 0;
    signedIn(current);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      bootAttempts = 0;
      phase.set({ kind: 'anonymous' });
      return;
    }
    phase.set({ kind: 'unreachable' });
    const delay = Math.min(30_000, 3000 * 2 ** bootAttempts++);
    bootTimer = setTimeout(() => {
      if (phase.get().kind === 'unreachable') void boot();
    }, delay);
  }
}

/** A login, setup or invitation answered with the new session. */
export function signedIn(current: Me): void {
  clearResources();
  forgetChat();
  forgetMentions();
  void forgetOthersOfflineDocs(current.user.id);
  stopChatNotifications();
  stopChatNotifications = startChatNotifications();
  setCsrfToken(current.csrf_token);
  me.set(current.user);
  setLocale(current.user.locale);
  phase.set({ kind: 'user' });
  connect({
    ready({ first, reload }) {
      releaseGate();
      if (first || reload) void refreshMe();
      // The unread counts feed the bell and the title on every screen.
      if (first) {
        void loadEntries().catch(() => {});
        void loadDirectory().catch(() => {});
      }
      if (reload) {
        invalidateAll();
        resyncChat();
      }
      if (!first) void checkForNewVersion();
    },
    event: applyEvent,
    accessEnded(last) {
      void checkSession(last);
    },
  });
  // Resources wait for the stream (or 2 s) so nothing changes unseen
  // between a read and the stream's start.
  setTimeout(releaseGate, 2000);
}

export async function login(name: string, password: string): Promise<void> {
  const current = await api('post', '/auth/login', { body: { name, password } });
  signedIn(current);
  const next = afterLogin;
  afterLogin = '/';
  navigate(next, { replace: true });
}

export async function logout(): Promise<void> {
  try {
    await api('post', '/auth/logout');
  } catch {
    // Already ended, or offline: the cookies expire with the session anyway.
  }
  end('signed_out');
}

/** Ends the tab's session and shows the login page with why. */
export function end(notice: Notice): void {
  disconnect();
  clearResources();
  forgetChat();
  forgetMentions();
  // Pages kept for offline edits belong to this person alone: gone at
  // logout and with the account. A session that merely expired keeps
  // them, so edits not yet sent reach the server at the person's next
  // login (anyone else's login deletes them, see `signedIn`).
  if (notice !== 'session_ended') void forgetOfflineDocs();
  stopChatNotifications();
  clearToasts();
  setCsrfToken(null);
  me.set(null);
  phase.set({ kind: 'anonymous', notice });
  navigate('/login', { replace: true });
}

/** Remembers the page someone wanted before being sent to the login page. */
export function rememberDestination(): void {
  const here = place.get();
  if (here.path !== '/login') afterLogin = here.path + here.search;
}

let lastAccessEvent: ServerEvent | null = null;

async function checkSession(last: ServerEvent | null): Promise<void> {
  lastAccessEvent = last;
  try {
    const seen = ownEvents;
    const current = await api('get', '/me');
    setCsrfToken(current.csrf_token);
    if (ownEvents === seen) me.set(current.user);
  } catch {
    // A 401 ends the session through `whenUnauthenticated`; anything else
    // (offline) leaves the reconnection loop to try again.
  }
}

whenUnauthenticated(() => {
  if (phase.get().kind !== 'user') return;
  const current = me.get();
  const deactivated =
    lastAccessEvent?.kind === 'user.deactivated' && current !== null && lastAccessEvent.data.id === current.id;
  end(deactivated ? 'deactivated' : 'session_ended');
});

/** Counts the events that changed the person's own record, so a read of
 * `/me` that was answered before such an event arrived is known to be stale. */
let ownEvents = 0;

async function refreshMe(): Promise<void> {
  try {
    // An event may overtake the answer (a language changed in another tab
    // while the read was in flight): the answer would then undo it, so read
    // again until no event came in between.
    for (let attempt = 0; attempt < 5; attempt++) {
      const seen = ownEvents;
      const current = await api('get', '/me');
      setCsrfToken(current.csrf_token);
      if (ownEvents === seen) {
        updateMe(current.user);
        return;
      }
    }
  } catch {
    // Handled by the stream's own state or by `whenUnauthenticated`.
  }
}

/** Applies a new version of the person's own record. */
export function updateMe(user: User): void {
  const before = me.get();
  me.set(user);
  if (before && user.locale !== before.locale && user.locale !== locale.get()) setLocale(user.locale);
  if (before && user.has_avatar !== before.has_avatar) bumpAvatar(user.id);
}

export function bumpAvatar(id: number): void {
  avatarVersions.update((versions) => ({ ...versions, [id]: (versions[id] ?? 0) + 1 }));
}

let stopChatNotifications: () => void = () => {};

function applyEvent(event: ServerEvent): void {
  applyChatEvent(event);
  applyDocsEvent(event);
  const data = event.data;
  const id = typeof data.id === 'number' ? data.id : undefined;
  switch (event.kind) {
    case 'user.created':
      invalidate('users');
      break;
    case 'user.updated':
    case 'user.deactivated':
    case 'user.reactivated': {
      const changed = data as Partial<User>;
      const known = patch<User[]>('users', (users) => users.map((u) => (u.id === id ? { ...u, ...changed } : u)));
      if (!known) invalidate('users');
      const current = me.get();
      if (current && current.id === id) {
        ownEvents++;
        updateMe({ ...current, ...changed });
      }
      break;
    }
    case 'session.revoked':
      invalidate('sessions');
      lastAccessEvent = event;
      break;
    case 'token.created':
    case 'token.revoked':
      invalidate('tokens');
      break;
    case 'invitation.created':
    case 'invitation.revoked':
      invalidate('invitations');
      break;
    case 'invitation.used':
      invalidate('invitations');
      invalidate('users');
      break;
    default:
      if (event.kind.startsWith('group.')) invalidate('groups');
  }
  if (event.kind === 'user.deactivated') lastAccessEvent = event;
}

// ---- the gate: reads wait for the event stream's first "ready" ----------

let releaseGate: () => void = () => {};
let streamGate: Promise<void> = Promise.resolve();
gateReadsOn(() => streamGate);
phase.subscribe((current) => {
  if (current.kind === 'user') {
    streamGate = new Promise((resolve) => {
      releaseGate = resolve;
    });
  } else {
    releaseGate();
    streamGate = Promise.resolve();
  }
});

// ---- new versions of the app --------------------------------------------

/** A reconnection often means the server restarted, perhaps upgraded: ask
 * the service worker to check for a new version (a 304 when there is none). */
async function checkForNewVersion(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration();
  await registration?.update().catch(() => {});
}
