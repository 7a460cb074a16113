// The slash menu: "/" opens a list of blocks, filtered as the person types
// ("/hea", "/titre"), chosen with the arrows and Enter, or the mouse.
// A small ProseMirror plugin rather than @tiptap/suggestion, which brings
// a positioning library along (7 KB) for what place() does here.

import { Extension, type Editor, type Range } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { render } from 'preact';
import { messages, type Messages } from '../../i18n';
import { place } from '../widgets';

type Key = keyof Messages['docs']['slash'];

export interface Block {
  id: string;
  title: string;
  hint: string;
  /** A glyph that says what the block looks like. */
  mark: string;
  run: (editor: Editor, range: Range) => void;
}

const chain = (editor: Editor, range: Range) => editor.chain().focus().deleteRange(range);

/** Every block, in the person's language; the table's rows and columns
 * only when the cursor is in a table. */
function blocks(editor: Editor, t: Messages): Block[] {
  const s = t.docs.slash;
  const block = (id: Key, mark: string, run: Block['run']): Block => ({ id, title: s[id], hint: s[`${id}Hint` as Key], mark, run });
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

/** Lower case, without accents: "Titre" matches "titre", "Élément" "elem". */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function matching(editor: Editor, query: string, t: Messages = messages()): Block[] {
  const q = fold(query.trim());
  const all = blocks(editor, t);
  if (!q) return all;
  return all.filter((b) => fold(b.title).includes(q) || fold(b.hint).includes(q) || b.id.toLowerCase().includes(q));
}

/** Where a "/" typed at the start of a block or after a space is, with
 * what follows it up to the cursor (words too: "/add a row"). */
interface Trigger {
  from: number;
  to: number;
  query: string;
}

function triggerIn(state: EditorState): Trigger | null {
  const { selection } = state;
  if (!selection.empty) return null;
  const $at = selection.$from;
  if (!$at.parent.isTextblock || $at.parent.type.spec.code) return null;
  const before = $at.parent.textBetween(0, $at.parentOffset, undefined, '\ufffc');
  const found = /(?:^|\s)\/((?:\S[^/\n]{0,23})?)$/.exec(before);
  if (!found) return null;
  const length = found[1].length + 1;
  return { from: $at.pos - length, to: $at.pos, query: found[1] };
}

interface SlashState {
  trigger: Trigger | null;
  /** Where the person closed the menu with Escape: it stays closed there. */
  dismissed: number | null;
}

const key = new PluginKey<SlashState>('slash');

export const SlashCommand = Extension.create({
  name: 'slashCommand',
  addProseMirrorPlugins() {
    const editor = this.editor;
    const menu = new SlashMenu(editor);
    return [
      new Plugin<SlashState>({
        key,
        state: {
          init: () => ({ trigger: null, dismissed: null }),
          apply(tr, old, _before, state) {
            const dismiss = tr.getMeta(key) as number | undefined;
            const trigger = triggerIn(state);
            let dismissed = dismiss ?? (old.dismissed === null ? null : tr.mapping.map(old.dismissed));
            if (!trigger || trigger.from !== dismissed) dismissed = dismiss ?? null;
            return { trigger, dismissed };
          },
        },
        view: () => ({
          update: (view) => menu.follow(view, key.getState(view.state)!),
          destroy: () => menu.close(),
        }),
        props: {
          handleKeyDown: (view, event) => menu.key(view, event),
          handleDOMEvents: {
            blur: () => {
              menu.close();
              return false;
            },
          },
        },
      }),
    ];
  },
});

/** The floating list, drawn with Preact into a box placed under the "/". */
class SlashMenu {
  private host: HTMLDivElement | null = null;
  private items: Block[] = [];
  private trigger: Trigger | null = null;
  private selected = 0;

  constructor(private editor: Editor) {}

  follow(view: EditorView, state: SlashState) {
    const trigger = view.editable && view.hasFocus() && state.trigger && state.trigger.from !== state.dismissed ? state.trigger : null;
    if (!trigger) {
      this.close();
      return;
    }
    if (trigger.query !== this.trigger?.query || trigger.from !== this.trigger?.from) this.selected = 0;
    const items = matching(this.editor, trigger.query);
    // "/" then words that name no block: the person is just writing.
    if (items.length === 0 && /\s/.test(trigger.query)) {
      this.close();
      return;
    }
    this.trigger = trigger;
    this.items = items;
    if (!this.host) {
      this.host = document.createElement('div');
      this.host.className = 'slash-menu popover';
      document.body.append(this.host);
    }
    this.draw(view);
  }

  key(view: EditorView, event: KeyboardEvent): boolean {
    if (!this.host || !this.trigger) return false;
    if (event.key === 'Escape') {
      view.dispatch(view.state.tr.setMeta(key, this.trigger.from));
      return true;
    }
    if (this.items.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      this.selected = (this.selected + (event.key === 'ArrowDown' ? 1 : this.items.length - 1)) % this.items.length;
      this.draw(view);
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      this.choose(this.selected);
      return true;
    }
    return false;
  }

  close() {
    if (!this.host) return;
    render(null, this.host);
    this.host.remove();
    this.host = null;
    this.trigger = null;
  }

  private choose(index: number) {
    const item = this.items[index];
    const trigger = this.trigger;
    if (!item || !trigger) return;
    this.close();
    item.run(this.editor, { from: trigger.from, to: trigger.to });
  }

  private draw(view: EditorView) {
    if (!this.host || !this.trigger) return;
    const t = messages();
    render(
      <div role="listbox" aria-label={t.docs.slash.label} class="slash-list">
        {this.items.length === 0 ? (
          <p class="slash-empty">{t.docs.slash.empty}</p>
        ) : (
          this.items.map((item, index) => (
            <button
              key={item.id}
              type="button"
              role="option"
              tabIndex={-1}
              aria-selected={index === this.selected ? 'true' : 'false'}
              class={`slash-item ${index === this.selected ? 'selected' : ''}`}
              data-block={item.id}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => this.choose(index)}
            >
              <span class="slash-mark" aria-hidden="true">
                {item.mark}
              </span>
              <span class="slash-text">
                <span class="slash-title">{item.title}</span>
                <span class="slash-hint">{item.hint}</span>
              </span>
            </button>
          ))
        )}
      </div>,
      this.host,
    );
    this.host.querySelector('.selected')?.scrollIntoView({ block: 'nearest' });
    const at = view.coordsAtPos(this.trigger.from);
    const box = { left: at.left, right: at.left, top: at.top, bottom: at.bottom, width: 0, height: at.bottom - at.top };
    place(this.host, { getBoundingClientRect: () => box } as Element, 'start');
  }
}
