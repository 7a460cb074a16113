// The Docs screens' reads and writes: spaces, the flat page lists the
// server gives (made into trees here), favourites, recent pages, and the
// live state of the open page's editor (its connection, who is there),
// which the editor's chunk fills in and the page's header shows.

import { api, API, errorOf, ApiError, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { me } from '../app/session';
import { people } from '../chat/state';
import { locale, messages, type Messages } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { Store, useStore } from '../lib/store';
import { toast } from '../ui/Toast';

export type Space = Schemas['SpaceJson'];
export type PageSummary = Schemas['PageSummary'];
export type Page = Schemas['PageJson'];
export type Grant = Schemas['GrantJson'];
export type Version = Schemas['VersionJson'];
export type Comment = Schemas['CommentJson'];
export type PublicLink = Schemas['PublicLinkJson'];
export type PublicPage = Schemas['PublicPageJson'];

/** The built-in templates the server writes, in the person's language. */
export const BUILTIN_TEMPLATES = ['procedure', 'meeting-notes', 'onboarding'] as const;
export type BuiltinTemplate = (typeof BUILTIN_TEMPLATES)[number];

export const useSpaces = () => useResource('docs:spaces', () => api('get', '/spaces'));
export const useSpacePages = (space: number) => useResource(`docs:pages:${space}`, () => api('get', '/spaces/{id}/pages', { path: { id: space } }));
export const useFavourites = () => useResource('docs:favourites', () => api('get', '/pages/favourites'));
export const useRecent = () => useResource('docs:recent', () => api('get', '/pages/recent'), { revalidateOnMount: true });
export const usePage = (id: number) => useResource(`docs:page:${id}`, () => api('get', '/pages/{id}', { path: { id } }));
export const useArchive = (space: number) => useResource(`docs:archive:${space}`, () => api('get', '/spaces/{id}/archive', { path: { id: space } }), { revalidateOnMount: true });
export const useVersions = (page: number) => useResource(`docs:versions:${page}`, () => api('get', '/pages/{id}/versions', { path: { id: page } }), { revalidateOnMount: true });
export const useComments = (page: number) => useResource(`docs:comments:${page}`, () => api('get', '/pages/{id}/comments', { path: { id: page } }), { revalidateOnMount: true });
export const usePublicLink = (page: number) => useResource(`docs:public-link:${page}`, () => api('get', '/pages/{id}/public-link', { path: { id: page } }), { revalidateOnMount: true });
export const useTemplates = (space: number) => useResource(`docs:templates:${space}`, () => api('get', '/spaces/{id}/templates', { path: { id: space } }), { revalidateOnMount: true });

/** The people of the directory (guests have none: they know the names of
 * the people they met in conversations), to name authors and to mention. */
export function useDirectory(): readonly Schemas['UserView'][] {
  const guest = me.get()?.role === 'guest';
  const users = useResource(guest ? 'docs:no-directory' : 'users', () => (guest ? Promise.resolve([]) : api('get', '/users')));
  const known = useStore(people);
  if (!guest) return users.data ?? [];
  return Object.values(known).map((p) => ({ id: p.id, name: p.name, display_name: p.display_name, has_avatar: p.has_avatar, active: true, locale: 'en', role: 'member', created_at: '' }));
}

/** A person's name from the directory, or null when unknown. */
export function nameIn(directory: readonly Schemas['UserView'][], id: number | null | undefined): string | null {
  if (id == null) return null;
  return directory.find((u) => u.id === id)?.display_name ?? people.get()[id]?.display_name ?? null;
}

/** A comment thread: its first comment (which carries the quote and
 * whether it is resolved) and the replies, oldest first. */
export interface Thread {
  first: Comment;
  replies: Comment[];
}

/** The server's flat list (thread by thread) as threads. */
export function threadsOf(comments: readonly Comment[]): Thread[] {
  const threads = new Map<number, Thread>();
  for (const comment of comments) {
    if (comment.thread_id == null) threads.set(comment.id, { first: comment, replies: [] });
  }
  for (const comment of comments) {
    if (comment.thread_id != null) threads.get(comment.thread_id)?.replies.push(comment);
  }
  return [...threads.values()];
}

/** Bytes from the API (a Yjs update), or the server's error. */
export async function bytes(url: string, options: { anonymous?: boolean } = {}): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(`${API}${url}`, { credentials: options.anonymous ? 'omit' : 'same-origin', cache: 'no-store', headers: { Accept: 'application/octet-stream, application/json' } });
  } catch (cause) {
    throw new ApiError(0, 'network', String(cause));
  }
  if (!response.ok) throw await errorOf(response);
  return new Uint8Array(await response.arrayBuffer());
}

/** Reads the tree, favourites and pages again after one's own change
 * (other people's arrive as `docs.tree` events, see notify.ts). */
export function refreshDocs(): void {
  invalidate('docs');
}

/** A failed action as a toast, in the person's words. */
export function failed(t: Messages, error: unknown): void {
  toast(describe(t, error, { notFound: t.docs.gone }).message, 'error');
}

export function titleOf(page: { title: string }, t: Messages = messages()): string {
  return page.title.trim() || t.docs.untitled;
}

/** What a space is called in the list: the person's own is "Private". */
export function spaceLabel(space: Space, t: Messages = messages()): string {
  if (space.kind === 'personal' && space.access === 'write') return t.docs.personal;
  return space.name;
}

export interface TreeNode {
  page: PageSummary;
  children: TreeNode[];
}

/** The server's flat list (siblings in order) as a tree. A page whose
 * parent the person may not read shows at the top. */
export function buildTree(pages: readonly PageSummary[]): TreeNode[] {
  const nodes = new Map<number, TreeNode>();
  for (const page of pages) nodes.set(page.id, { page, children: [] });
  const roots: TreeNode[] = [];
  for (const page of pages) {
    const node = nodes.get(page.id)!;
    const parent = page.parent_id != null ? nodes.get(page.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The pages below `id` (to refuse a drop of a page into its own branch). */
export function descendants(pages: readonly PageSummary[], id: number): Set<number> {
  const below = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const page of pages) {
      if (page.parent_id != null && (page.parent_id === id || below.has(page.parent_id)) && !below.has(page.id)) {
        below.add(page.id);
        grew = true;
      }
    }
  }
  return below;
}

/** Pages whose sub-pages show in the tree, kept across visits. */
const EXPANDED_KEY = 'bureau.docs.expanded';
export const expanded = new Store<Set<number>>(loadExpanded());

function loadExpanded(): Set<number> {
  try {
    const saved = JSON.parse(localStorage.getItem(EXPANDED_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(saved) ? saved.filter((n): n is number => typeof n === 'number') : []);
  } catch {
    return new Set();
  }
}

export function setExpanded(id: number, open: boolean): void {
  const next = new Set(expanded.get());
  if (open) next.add(id);
  else next.delete(id);
  expanded.set(next);
  try {
    localStorage.setItem(EXPANDED_KEY, JSON.stringify([...next].slice(-500)));
  } catch {
    // The choice lasts for this page only.
  }
}

/** The open page's live connection, as its editor reports it. */
export type LiveStatus = 'connecting' | 'saved' | 'offline';
export interface Peer {
  /** The awareness client: one per tab. */
  client: number;
  id: number;
  name: string;
  hue: number;
  has_avatar: boolean;
}
export const live = new Store<{ page: number | null; status: LiveStatus; peers: Peer[] }>({ page: null, status: 'connecting', peers: [] });

/** The open editor, for the title's Enter key to move into it (once the
 * editor has loaded, if it has not yet), and for the comments to take a
 * thread's anchor out of the text. */
export const editorHandle = {
  wanted: false,
  focus(): void {
    editorHandle.wanted = true;
  },
  unmark(_thread: number): void {
    // No editor yet: nothing to unmark.
  },
};

/** The open page's mark of a change to its table (a database's rows,
 * columns or view, by anyone): the server sets `rows` in the Yjs
 * document's map `bureau`, the editor reports it here, the table reads
 * itself again. */
export const tableMark = new Store<{ page: number; at: unknown } | null>(null);

/** Text chosen in the editor to comment on: the comments panel asks for the
 * first comment, then `anchor` marks the text with the new thread (the
 * editor keeps where the text is meanwhile, as others type). */
export interface SelectionDraft {
  page: number;
  quote: string;
  anchor: (thread: number) => void;
  cancel: () => void;
}
export const selectionDraft = new Store<SelectionDraft | null>(null);

/** The open page's threads as its editor shows their anchors: highlighted
 * while open, and one in focus (chosen in the panel or in the text). */
export const threadAnchors = new Store<{ page: number | null; open: ReadonlySet<number>; active: number | null }>({ page: null, open: new Set(), active: null });

/** An anchor clicked in the text: the panel opens on its thread. */
export const anchorClicked = new Store<{ page: number; thread: number; at: number } | null>(null);

// ---- writes --------------------------------------------------------------

/** What a new page starts from: nothing, a built-in template (written in
 * the person's language) or one of the space's templates. */
export type Start = { template: BuiltinTemplate; title?: string; icon?: string } | { template_id: number; title?: string; icon?: string } | null;

export async function createPage(space: number, parent: number | null, start: Start = null): Promise<Page> {
  const body: Schemas['PageRequest'] = {
    space_id: space,
    title: start?.title ?? '',
    parent_id: parent,
    icon: (start && 'icon' in start ? start.icon : '') ?? '',
    ...(start && 'template' in start ? { template: start.template, lang: locale.get() } : {}),
    ...(start && 'template_id' in start ? { template_id: start.template_id } : {}),
  };
  const page = await api('post', '/pages', { body });
  if (parent != null) setExpanded(parent, true);
  refreshDocs();
  return page;
}

/** A new database (a page whose sub-pages are the rows of a table). */
export async function createDatabase(space: number, parent: number | null): Promise<Page> {
  const page = await api('post', '/pages', { body: { space_id: space, title: '', parent_id: parent, icon: '', kind: 'database' } });
  if (parent != null) setExpanded(parent, true);
  refreshDocs();
  return page;
}

export async function movePage(id: number, to: { space_id?: number; parent_id: number | null; index?: number }): Promise<void> {
  await api('post', '/pages/{id}/move', { path: { id }, body: { space_id: to.space_id ?? null, parent_id: to.parent_id, index: to.index ?? null } });
  if (to.parent_id != null) setExpanded(to.parent_id, true);
  refreshDocs();
}

export async function setFavourite(id: number, on: boolean): Promise<void> {
  if (on) await api('put', '/pages/{id}/favourite', { path: { id } });
  else await api('delete', '/pages/{id}/favourite', { path: { id } });
  invalidate('docs:favourites');
}
