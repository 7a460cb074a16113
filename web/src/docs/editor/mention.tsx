// @mentions in a page: "@" opens a list of people (the directory, or for
// a guest the people they met) and pages (those of the spaces the person
// reads), filtered by what follows. A person shows as a chip "@Name", a
// page as a link chip to /docs/ID with its title (the app's router follows
// it). The node is `mention` with `id`, `label` and `kind` ('person' or
// 'page'), as the Markdown export and the search index read it.

import { Extension, mergeAttributes, Node } from '@tiptap/core';
import { api } from '../../api/client';
import { people, type Person } from '../../chat/state';
import { messages } from '../../i18n';
import { Store } from '../../lib/store';
import { Avatar } from '../../ui/Avatar';
import { titleOf, type PageSummary } from '../state';
import { fold, suggestions, type Choice } from './suggest';

export type MentionKind = 'person' | 'page';

interface MentionAttrs {
  id: string;
  label: string;
  kind: MentionKind;
}

/** Where a page mention leads; null where pages cannot be opened (a
 * public link's signed-out reader): the chip then only names the page. */
export type PageHref = (id: string) => string | null;

export const Mention = Node.create<{ pageHref: PageHref }>({
  name: 'mention',
  group: 'inline',
  inline: true,
  atom: true,
  selectable: false,
  addOptions() {
    return { pageHref: (id) => `/docs/${id}` };
  },
  addAttributes() {
    return {
      id: { default: '', parseHTML: (el) => el.getAttribute('data-id') ?? '' },
      label: { default: '', parseHTML: (el) => el.getAttribute('data-label') ?? el.textContent?.replace(/^@/, '') ?? '' },
      kind: { default: 'person', parseHTML: (el) => (el.getAttribute('data-kind') === 'page' ? 'page' : 'person') },
    };
  },
  parseHTML() {
    return [{ tag: 'span[data-type="mention"]' }, { tag: 'a[data-type="mention"]' }];
  },
  renderHTML({ node }) {
    const { id, label, kind } = node.attrs as MentionAttrs;
    const data = { 'data-type': 'mention', 'data-id': id, 'data-label': label, 'data-kind': kind };
    if (kind !== 'page') return ['span', mergeAttributes(data, { class: 'mention mention-person' }), `@${label}`];
    const href = this.options.pageHref(id);
    const title = label || messages().docs.untitled;
    if (!href) return ['span', mergeAttributes(data, { class: 'mention mention-page' }), title];
    return ['a', mergeAttributes(data, { class: 'mention mention-page', href }), title];
  },
  renderText({ node }) {
    const { label, kind } = node.attrs as MentionAttrs;
    return kind === 'page' ? label : `@${label}`;
  },
});

interface Mentionable extends Choice, MentionAttrs {}

/** The "@" list of the live editor. */
export const MentionSuggestions = Extension.create({
  name: 'mentionSuggestions',
  addProseMirrorPlugins() {
    return [
      suggestions<Mentionable>(this.editor, {
        name: 'mention',
        // An "@" at the start of a block, after a space or a bracket, and
        // up to two words after it ("@Léa Dub").
        pattern: /(?:^|[\s(])@((?:[^\s@][^\s@]{0,30}(?: [^\s@]{0,30})?)?)$/,
        choices: (_editor, query) => mentionable(query),
        choose: (editor, choice, range) => {
          const attrs: MentionAttrs = { id: choice.id, label: choice.label, kind: choice.kind };
          editor
            .chain()
            .focus()
            .insertContentAt(range, [
              { type: 'mention', attrs },
              { type: 'text', text: ' ' },
            ])
            .run();
        },
        label: (t) => t.docs.mentions.label,
        empty: (t) => (pages.get().at === 0 ? t.docs.mentions.loading : t.docs.mentions.empty),
        watch: (redraw) => {
          const stopPeople = people.subscribe(redraw);
          const stopPages = pages.subscribe(redraw);
          return () => {
            stopPeople();
            stopPages();
          };
        },
      }),
    ];
  },
});

/** At most this many of each kind in the list. */
const EACH = 5;

function mentionable(query: string): Mentionable[] {
  loadPages();
  const t = messages();
  const q = fold(query.trim());
  const everyone = Object.values(people.get()).sort((a, b) => a.display_name.localeCompare(b.display_name));
  const persons = best(q, everyone, (person) => [person.display_name, person.name]).map(
    (person): Mentionable => ({ key: `person-${person.id}`, id: String(person.id), label: person.display_name, kind: 'person', title: person.display_name, hint: `@${person.name} · ${t.docs.mentions.person}`, mark: <PersonMark person={person} /> }),
  );
  const titled = pages.get().list.map((page) => ({ page, title: titleOf(page, t) }));
  const found = best(q, titled, ({ title }) => [title]).map(
    ({ page, title }): Mentionable => ({ key: `page-${page.id}`, id: String(page.id), label: page.title.trim(), kind: 'page', title, hint: t.docs.mentions.page, mark: page.icon || '📄' }),
  );
  return [...persons, ...found];
}

/** The few that match `q` best: those whose name starts with it, then
 * those with a word that does ("Léa" for "du"), then the others that hold
 * it ("Camille" for "le"); in their order otherwise. */
function best<T>(q: string, all: readonly T[], names: (item: T) => string[]): T[] {
  if (!q) return all.slice(0, EACH);
  const rank = (item: T) => {
    const folded = names(item).map(fold);
    if (folded.some((name) => name.startsWith(q))) return 0;
    if (folded.some((name) => name.split(/[\s\-_.'’]+/).some((word) => word.startsWith(q)))) return 1;
    return folded.some((name) => name.includes(q)) ? 2 : 3;
  };
  return all
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .filter((ranked) => ranked.rank < 3)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, EACH)
    .map((ranked) => ranked.item);
}

function PersonMark({ person }: { person: Person }) {
  return <Avatar user={person} size="small" />;
}

/** The pages of every space the person reads, most recently edited first,
 * read when the list first opens and again after half a minute. */
const pages = new Store<{ list: readonly PageSummary[]; at: number }>({ list: [], at: 0 });
const FRESH_MS = 30_000;
let loading = false;

function loadPages(): void {
  if (loading || Date.now() - pages.get().at < FRESH_MS) return;
  loading = true;
  void (async () => {
    try {
      const spaces = await api('get', '/spaces');
      const lists = await Promise.all(spaces.map((space) => api('get', '/spaces/{id}/pages', { path: { id: space.id } })));
      const list = lists.flat().sort((a, b) => b.updated_at.localeCompare(a.updated_at));
      pages.set({ list, at: Date.now() });
    } catch {
      // Offline or refused: people can still be mentioned; try again later.
      pages.set({ list: pages.get().list, at: Date.now() - FRESH_MS + 5000 });
    } finally {
      loading = false;
    }
  })();
}
