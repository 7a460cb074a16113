// Mentions in Docs comments, as they arrive on the tab's event stream
// (`docs.mentioned`, sent to the person mentioned only): a toast that
// opens the thread, a desktop notification when the tab is out of sight
// and the person allowed them for chat, and an entry under the bell until
// the page is opened. And `docs.tree` (sent to those who see something
// of a space): what is on screen of that space's tree is read again, so
// pages others add, rename, move or archive show at once. Part of the
// main file: it must stay small, and it loads nothing of Docs itself.

import { navigate } from '../app/router';
import { people } from '../chat/state';
import { messages } from '../i18n';
import { invalidate } from '../lib/resource';
import { Store } from '../lib/store';
import type { ServerEvent } from '../realtime/events';
import { toast } from '../ui/Toast';

export interface DocMention {
  page: number;
  title: string;
  thread: number;
  comment: number;
  by: string;
  excerpt: string;
}

/** Mentions not yet looked at, oldest first. */
export const docMentions = new Store<readonly DocMention[]>([]);
/** Comments already announced (a replay after a reconnection brings them again). */
const announced = new Set<number>();

/** Forgets everything (the session ended). */
export function forgetMentions(): void {
  announced.clear();
  docMentions.set([]);
}

export function mentionHref(mention: DocMention): string {
  return `/docs/${mention.page}?thread=${mention.thread}`;
}

export function applyDocsEvent(event: ServerEvent): void {
  if (event.kind === 'docs.tree') {
    treeChanged(event);
    return;
  }
  if (event.kind !== 'docs.mentioned') return;
  const data = event.data as { page_id?: unknown; title?: unknown; comment_id?: unknown; thread_id?: unknown; by?: { id?: unknown; name?: unknown }; excerpt?: unknown };
  if (typeof data.page_id !== 'number' || typeof data.comment_id !== 'number') return;
  const t = messages();
  const mention: DocMention = {
    page: data.page_id,
    title: typeof data.title === 'string' && data.title.trim() ? data.title : t.docs.untitled,
    thread: typeof data.thread_id === 'number' ? data.thread_id : data.comment_id,
    comment: data.comment_id,
    // The event names the author by login; the directory knows how they like to be called.
    by: (typeof data.by?.id === 'number' ? people.get()[data.by.id]?.display_name : undefined) ?? (typeof data.by?.name === 'string' ? data.by.name : t.docs.comments.someone),
    excerpt: typeof data.excerpt === 'string' ? data.excerpt : '',
  };
  if (announced.has(mention.comment)) return;
  announced.add(mention.comment);
  const here = location.pathname === `/docs/${mention.page}` && document.visibilityState === 'visible';
  if (!here) docMentions.update((list) => [...list, mention].slice(-20));
  const open = () => {
    seenMentions(mention.page);
    navigate(mentionHref(mention));
  };
  toast(t.docs.mentioned(mention.by, mention.title, shorten(mention.excerpt)), 'info', { label: t.docs.openThread, run: open });
  if (document.visibilityState !== 'visible' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const note = new Notification(t.docs.mentionedTitle(mention.by, mention.title), { body: mention.excerpt, tag: `docs-${mention.comment}` });
    note.onclick = () => {
      window.focus();
      open();
      note.close();
    };
  }
}

/** The page was opened: its mentions have been seen. */
export function seenMentions(page: number): void {
  if (docMentions.get().some((m) => m.page === page)) docMentions.update((list) => list.filter((m) => m.page !== page));
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 89)}…` : flat;
}

/** Someone changed a space's tree or settings (`docs.tree`, sent only to
 * those who see something of it): what is on screen of it is read again.
 * Only what a screen shows is fetched; the rest waits until it is. */
function treeChanged(event: ServerEvent): void {
  const space = (event.data as { space_id?: unknown }).space_id;
  if (typeof space !== 'number') return;
  invalidate('docs:spaces');
  invalidate(`docs:pages:${space}`);
  invalidate(`docs:archive:${space}`);
  invalidate('docs:favourites');
  invalidate('docs:recent');
  invalidate((key) => key.startsWith('docs:page:'));
}
