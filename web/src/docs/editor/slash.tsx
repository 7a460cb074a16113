// The slash menu: "/" opens a list of blocks, filtered as the person types
// ("/hea", "/titre"), chosen with the arrows and Enter, or the mouse
// (suggest.tsx draws the list).

import { Extension, type Editor, type Range } from '@tiptap/core';
import { messages, type Messages } from '../../i18n';
import { pickFiles } from './media';
import { fold, suggestions, type Choice } from './suggest';

type Key = keyof Messages['docs']['slash'];

export interface Block extends Choice {
  id: string;
  run: (editor: Editor, range: Range) => void;
}

const chain = (editor: Editor, range: Range) => editor.chain().focus().deleteRange(range);

/** Every block, in the person's language; the table's rows and columns
 * only when the cursor is in a table. */
function blocks(editor: Editor, t: Messages): Block[] {
  const s = t.docs.slash;
  const m = t.docs.media;
  const make = (id: string, title: string, hint: string, mark: string, run: Block['run']): Block => ({ id, key: id, title, hint, mark, run });
  const block = (id: Key, mark: string, run: Block['run']) => make(id, s[id], s[`${id}Hint` as Key], mark, run);
  const list: Block[] = [
    block('text', '¶', (e, r) => chain(e, r).setParagraph().run()),
    block('h1', 'H1', (e, r) => chain(e, r).setHeading({ level: 1 }).run()),
    block('h2', 'H2', (e, r) => chain(e, r).setHeading({ level: 2 }).run()),
    block('h3', 'H3', (e, r) => chain(e, r).setHeading({ level: 3 }).run()),
    block('bullets', '•', (e, r) => chain(e, r).toggleBulletList().run()),
    block('numbers', '1.', (e, r) => chain(e, r).toggleOrderedList().run()),
    block('tasks', '☑', (e, r) => chain(e, r).toggleTaskList().run()),
    block('toggle', '▸', (e, r) => chain(e, r).setDetails().run()),
    block('quote', '❝', (e, r) => chain(e, r).setBlockquote().run()),
    block('code', '</>', (e, r) => chain(e, r).setCodeBlock().run()),
    block('divider', '—', (e, r) => chain(e, r).setHorizontalRule().run()),
    block('callout', '💡', (e, r) => chain(e, r).wrapIn('callout').run()),
    block('table', '▦', (e, r) => chain(e, r).insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()),
    make('image', m.image, m.imageHint, '🖼', (e, r) => {
      chain(e, r).run();
      pickFiles(e, 'image');
    }),
    make('file', m.file, m.fileHint, '📎', (e, r) => {
      chain(e, r).run();
      pickFiles(e, 'file');
    }),
  ];
  if (editor.isActive('table')) {
    list.push(
      block('addRow', '+', (e, r) => chain(e, r).addRowAfter().run()),
      block('addColumn', '+', (e, r) => chain(e, r).addColumnAfter().run()),
      block('deleteRow', '−', (e, r) => chain(e, r).deleteRow().run()),
      block('deleteColumn', '−', (e, r) => chain(e, r).deleteColumn().run()),
      block('deleteTable', '×', (e, r) => chain(e, r).deleteTable().run()),
    );
  }
  return list;
}

export function matching(editor: Editor, query: string, t: Messages = messages()): Block[] {
  const q = fold(query.trim());
  const all = blocks(editor, t);
  if (!q) return all;
  return all.filter((b) => fold(b.title).includes(q) || fold(b.hint).includes(q) || b.id.toLowerCase().includes(q));
}

export const SlashCommand = Extension.create({
  name: 'slashCommand',
  addProseMirrorPlugins() {
    return [
      suggestions<Block>(this.editor, {
        name: 'slash',
        // A "/" at the start of a block or after a space, and what follows
        // it up to the cursor (words too: "/add a row").
        pattern: /(?:^|\s)\/((?:\S[^/\n]{0,23})?)$/,
        choices: (editor, query) => matching(editor, query),
        choose: (editor, block, range) => block.run(editor, range),
        label: (t) => t.docs.slash.label,
        empty: (t) => t.docs.slash.empty,
      }),
    ];
  },
});
