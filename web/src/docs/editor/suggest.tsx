// Lists that open as the person types in the text: "/" for blocks, "@"
// for people and pages. What follows the trigger filters the list; the
// arrows and Enter (or Tab), or the mouse, choose; Escape closes it there.
// The list is a listbox whose active option the editor names
// (aria-activedescendant), so screen readers follow the arrows.
// A small ProseMirror plugin rather than @tiptap/suggestion, which brings
// a positioning library along (7 KB) for what place() does here.

import type { Editor, Range } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { render, type ComponentChild } from 'preact';
import { messages, type Messages } from '../../i18n';
import { place } from '../widgets';

/** One line of a list. */
export interface Choice {
  /** Unique in the list; names the option for tests and styles. */
  key: string;
  title: string;
  hint: string;
  /** A glyph or a picture that says what it is. */
  mark: ComponentChild;
}

export interface SuggestOptions<C extends Choice> {
  /** Names the plugin and the list's element ids. */
  name: string;
  /** What the text before the cursor ends with when the list is open; its
   * first group is the query, after a one-character trigger. */
  pattern: RegExp;
  choices: (editor: Editor, query: string) => C[];
  choose: (editor: Editor, choice: C, range: Range) => void;
  /** The list's accessible name, and what it says when nothing matches. */
  label: (t: Messages) => string;
  empty: (t: Messages) => string;
  /** Choices that arrive later (read from the server): calls `redraw`
   * when they change, returns how to stop. */
  watch?: (redraw: () => void) => () => void;
}

/** Where the trigger typed is, with what follows it up to the cursor. */
interface Trigger {
  from: number;
  to: number;
  query: string;
}

interface SuggestState {
  trigger: Trigger | null;
  /** Where the person closed the list with Escape: it stays closed there. */
  dismissed: number | null;
}

export function suggestions<C extends Choice>(editor: Editor, options: SuggestOptions<C>): Plugin<SuggestState> {
  const key = new PluginKey<SuggestState>(options.name);
  const menu = new SuggestMenu(editor, options, key);
  return new Plugin<SuggestState>({
    key,
    state: {
      init: () => ({ trigger: null, dismissed: null }),
      apply(tr, old, _before, state) {
        const dismiss = tr.getMeta(key) as number | undefined;
        const trigger = triggerIn(state, options.pattern);
        let dismissed = dismiss ?? (old.dismissed === null ? null : tr.mapping.map(old.dismissed));
        if (!trigger || trigger.from !== dismissed) dismissed = dismiss ?? null;
        return { trigger, dismissed };
      },
    },
    view: (view) => {
      const stop = options.watch?.(() => menu.redraw(view)) ?? (() => {});
      return {
        update: (updated) => menu.follow(updated, key.getState(updated.state)!),
        destroy: () => {
          stop();
          menu.close();
        },
      };
    },
    props: {
      handleKeyDown: (view, event) => menu.key(view, event),
      handleDOMEvents: {
        blur: () => {
          menu.close();
          return false;
        },
      },
    },
  });
}

function triggerIn(state: EditorState, pattern: RegExp): Trigger | null {
  const { selection } = state;
  if (!selection.empty) return null;
  const $at = selection.$from;
  if (!$at.parent.isTextblock || $at.parent.type.spec.code) return null;
  const before = $at.parent.textBetween(0, $at.parentOffset, undefined, '\ufffc');
  const found = pattern.exec(before);
  if (!found) return null;
  const length = found[1].length + 1;
  return { from: $at.pos - length, to: $at.pos, query: found[1] };
}

/** Lower case, without accents: "Titre" matches "titre", "Élément" "elem". */
export const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The floating list, drawn with Preact into a box placed under the trigger. */
class SuggestMenu<C extends Choice> {
  private host: HTMLDivElement | null = null;
  private items: C[] = [];
  private trigger: Trigger | null = null;
  private selected = 0;

  constructor(
    private editor: Editor,
    private options: SuggestOptions<C>,
    private pluginKey: PluginKey<SuggestState>,
  ) {}

  follow(view: EditorView, state: SuggestState) {
    const trigger = view.editable && view.hasFocus() && state.trigger && state.trigger.from !== state.dismissed ? state.trigger : null;
    if (!trigger) {
      this.close();
      return;
    }
    if (trigger.query !== this.trigger?.query || trigger.from !== this.trigger?.from) this.selected = 0;
    const items = this.options.choices(this.editor, trigger.query);
    // A trigger then words that name nothing: the person is just writing.
    if (items.length === 0 && /\s/.test(trigger.query)) {
      this.close();
      return;
    }
    this.trigger = trigger;
    this.items = items;
    this.selected = Math.min(this.selected, Math.max(0, items.length - 1));
    if (!this.host) {
      this.host = document.createElement('div');
      this.host.className = `slash-menu popover suggest-${this.options.name}`;
      document.body.append(this.host);
    }
    this.draw(view);
  }

  /** The choices changed (they arrived from the server): list them again. */
  redraw(view: EditorView) {
    if (this.host) this.follow(view, this.pluginKey.getState(view.state)!);
  }

  key(view: EditorView, event: KeyboardEvent): boolean {
    if (!this.host || !this.trigger) return false;
    if (event.key === 'Escape') {
      view.dispatch(view.state.tr.setMeta(this.pluginKey, this.trigger.from));
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
    const dom = this.editor.isDestroyed ? null : this.editor.view.dom;
    dom?.removeAttribute('aria-controls');
    dom?.removeAttribute('aria-activedescendant');
  }

  private choose(index: number) {
    const item = this.items[index];
    const trigger = this.trigger;
    if (!item || !trigger) return;
    this.close();
    this.options.choose(this.editor, item, { from: trigger.from, to: trigger.to });
  }

  private draw(view: EditorView) {
    if (!this.host || !this.trigger) return;
    const t = messages();
    const list = `suggest-${this.options.name}`;
    const option = (index: number) => `${list}-${index}`;
    render(
      <div role="listbox" id={list} aria-label={this.options.label(t)} class="slash-list">
        {this.items.length === 0 ? (
          <p class="slash-empty">{this.options.empty(t)}</p>
        ) : (
          this.items.map((item, index) => (
            <button
              key={item.key}
              id={option(index)}
              type="button"
              role="option"
              tabIndex={-1}
              aria-selected={index === this.selected ? 'true' : 'false'}
              class={`slash-item ${index === this.selected ? 'selected' : ''}`}
              data-choice={item.key}
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
    view.dom.setAttribute('aria-controls', list);
    if (this.items.length > 0) view.dom.setAttribute('aria-activedescendant', option(this.selected));
    else view.dom.removeAttribute('aria-activedescendant');
    this.host.querySelector('.selected')?.scrollIntoView({ block: 'nearest' });
    const at = view.coordsAtPos(this.trigger.from);
    const box = { left: at.left, right: at.left, top: at.top, bottom: at.bottom, width: 0, height: at.bottom - at.top };
    place(this.host, { getBoundingClientRect: () => box } as Element, 'start');
  }
}
