// The Docs screens' reads and writes: spaces, the flat page lists the
// server gives (made into trees here), favourites, recent pages, and the
// live state of the open page's editor (its connection, who is there),
// which the editor's chunk fills in and the page's header shows.

import { api, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { messages, type Messages } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { Store } from '../lib/store';
import { toast } from '../ui/Toast';

export type Space = Schemas['SpaceJson'];
export type PageSummary = Schemas['PageSummary'];
export type Page = Schemas['PageJson'];
export type Grant = Schemas['GrantJson'];

export const useSpaces = () => useResource('docs:spaces', () => api('get', '/spaces'));
export const useSpacePages = (space: number) => useResource(`docs:pages:${space}`, () => api('get', '/spaces/{id}/pages', { path: { id: space } }));
export const useFavourites = () => useResource('docs:favourites', () => api('get', '/pages/favourites'));
export const useRecent = () => useResource('docs:recent', () => api('get', '/pages/recent'), { revalidateOnMount: true });
export const usePage = (id: number) => useResource(`docs:page:${id}`, () => api('get', '/pages/{id}', { path: { id } }));
export const useArchive = (space: number) => useResource(`docs:archive:${space}`, () => api('get', '/spaces/{id}/archive', { path: { id: space } }), { revalidateOnMount: true });

/** Reads the tree, favourites and pages again after a change (other
 * people's changes come without events: when the tab comes back). */
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
 * editor has loaded, if it has not yet). */
export const editorHandle = {
  wanted: false,
  focus(): void {
    editorHandle.wanted = true;
  },
};

// ---- writes --------------------------------------------------------------

export async function createPage(space: number, parent: number | null): Promise<Page> {
  const page = await api('post', '/pages', { body: { space_id: space, title: '', parent_id: parent, icon: '' } });
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
