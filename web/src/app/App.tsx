import type { ComponentType, VNode } from 'preact';
import { useEffect } from 'preact/hooks';
import { Invite } from '../accounts/Invite';
import { Login } from '../accounts/Login';
import { Password } from '../accounts/Password';
import { Profile } from '../accounts/Profile';
import { Sessions } from '../accounts/Sessions';
import { Setup } from '../accounts/Setup';
import { Tokens } from '../accounts/Tokens';
import type { AdminSection } from '../admin/Admin';
import { Chat } from '../chat/Chat';
import { SearchResults } from '../chat/SearchResults';
import { lazy } from '../lib/lazy';
import { useStore } from '../lib/store';
import { Meetings } from '../meetings/Meetings';
import { ErrorBoundary, NotFound, Splash, Unreachable } from './Fallbacks';
import { Home } from './Home';
import { Layout } from './Layout';
import { navigate, usePlace } from './router';
import { phase, rememberDestination } from './session';

const Admin = lazy<{ section: AdminSection }>(() => import('../admin/Admin').then((m) => m.Admin));
const Docs = lazy(() => import('../docs/Docs').then((m) => m.Docs));
const Files = lazy(() => import('../files/Files').then((m) => m.Files));
const Office = lazy(() => import('../office/Office').then((m) => m.Office));
const Visitor = lazy(() => import('../files/Visitor').then((m) => m.Visitor));
const PublicPage = lazy(() => import('../docs/Public').then((m) => m.PublicPageView));
const MeetingPage = lazy<{ id: number; guestKey: string | null }>(() => import('../meetings/Meeting').then((m) => m.MeetingPage));

/** /meet/ID (members) and /meet/ID/guest#k=KEY (anyone with the link). */
function meetingRoute(path: string, hash: string): { id: number; guestKey: string | null } | null {
  const found = /^\/meet\/(\d+)(\/guest)?$/.exec(path);
  if (!found) return null;
  const key = found[2] ? (new URLSearchParams(hash.replace(/^#/, '')).get('k') ?? '') : null;
  return { id: Number(found[1]), guestKey: key };
}

/** Pages anyone may open, signed in or not: /s a shared file or folder,
 * /p a Docs page behind its public link. */
const PUBLIC: Record<string, ComponentType> = { '/login': Login, '/setup': Setup, '/invite': Invite, '/s': Visitor, '/p': PublicPage };

/** The signed-in pages. Sections not built yet match their sub-paths too
 * (`/chat/general`), so links made today keep working tomorrow. */
function screenFor(path: string): { screen: VNode } | { redirect: string } | null {
  const pages: Record<string, ComponentType> = {
    '/': Home,
    '/settings/profile': Profile,
    '/settings/password': Password,
    '/settings/sessions': Sessions,
    '/settings/tokens': Tokens,
    '/search': SearchResults,
  };
  const Page = pages[path];
  if (Page) return { screen: <Page key={path} /> };
  const sections: Record<string, ComponentType> = { chat: Chat, docs: Docs, files: Files, meetings: Meetings, office: Office };
  const first = path.split('/')[1] ?? '';
  const Section = sections[first];
  if (Section) return { screen: <Section key={first} /> };
  if (path === '/settings' || path === '/settings/') return { redirect: '/settings/profile' };
  if (path === '/admin' || path === '/admin/') return { redirect: '/admin/people' };
  const admin = /^\/admin\/(people|invitations|groups|teams|audit)$/.exec(path);
  if (admin) {
    const section = admin[1] as AdminSection;
    return { screen: <Admin key={section} section={section} /> };
  }
  return null;
}

export function App() {
  const current = useStore(phase);
  const { path, hash } = usePlace();
  const meeting = meetingRoute(path, hash);
  const publicPage = PUBLIC[path];
  const guestMeeting = meeting !== null && meeting.guestKey !== null;
  const signedOut = current.kind === 'anonymous';

  useEffect(() => {
    if (signedOut && !publicPage && !guestMeeting) {
      rememberDestination();
      navigate('/login', { replace: true });
    }
    if (current.kind === 'user' && path === '/login') navigate('/', { replace: true });
  }, [current.kind, path]);

  if (current.kind === 'booting') return <Splash />;
  if (meeting && (guestMeeting || current.kind === 'user')) {
    // A call fills the window: no sidebar. Guests need no account.
    return (
      <ErrorBoundary resetKey={path}>
        <MeetingPage key={meeting.id} {...meeting} />
      </ErrorBoundary>
    );
  }
  if (publicPage && (current.kind !== 'user' || path !== '/login')) {
    const Page = publicPage;
    return (
      <ErrorBoundary resetKey={path}>
        <Page />
      </ErrorBoundary>
    );
  }
  if (current.kind === 'unreachable') return <Unreachable />;
  if (current.kind !== 'user') return <Splash />;

  const found = screenFor(path);
  if (found && 'redirect' in found) {
    navigate(found.redirect, { replace: true });
    return null;
  }
  return (
    <Layout>
      <ErrorBoundary resetKey={path}>
        {found?.screen ?? <NotFound />}
      </ErrorBoundary>
    </Layout>
  );
}
