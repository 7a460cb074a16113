// The formatting bar over selected text: bold, italic, strikethrough,
// code, a link (an address typed in the bar), and a comment on the words.
// The keyboard has the formats too: Ctrl+B, Ctrl+I, Ctrl+Shift+S, Ctrl+E,
// and Markdown as one types. Someone who only reads the page gets the bar
// with its comment button alone.

import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { messages } from '../../i18n';
import { Icon } from '../../ui/icons';

type MarkName = 'bold' | 'italic' | 'strike' | 'code';

export interface ToolbarOptions {
  /** Starts a comment on the selected words; none where one cannot comment. */
  comment: ((editor: Editor) => void) | null;
}

export const FormatToolbar = Extension.create<ToolbarOptions>({
  name: 'formatToolbar',
  addOptions() {
    return { comment: null };
  },
  addProseMirrorPlugins() {
    const bar = new Bar(this.editor, this.options.comment);
    return [
      new Plugin({
        key: new PluginKey('formatToolbar'),
        view: () => ({
          update: (view) => bar.follow(view),
          destroy: () => bar.close(),
        }),
        props: {
          handleDOMEvents: {
            blur: (_view, event) => {
              // Clicks in the bar keep the selection; leaving the editor closes it.
              if (!bar.contains(event.relatedTarget as Node | null)) bar.close();
              return false;
            },
          },
        },
      }),
    ];
  },
});

class Bar {
  private host: HTMLDivElement | null = null;
  private stopWatching: (() => void) | null = null;

  constructor(
    private editor: Editor,
    private comment: ToolbarOptions['comment'],
  ) {}

  contains(node: Node | null): boolean {
    return !!node && !!this.host?.contains(node);
  }

  follow(view: EditorView) {
    const { selection } = view.state;
    const text = !selection.empty && selection.$from.parent.inlineContent && !selection.$from.parent.type.spec.code;
    // A reader's view never has the focus: their selection is inside it.
    const reading = !view.editable && !!this.comment && selectedInside(view);
    const show = text && ((view.editable && view.hasFocus()) || reading);
    if (!show) {
      // Not while the person types an address in the bar.
      if (this.contains(document.activeElement)) return;
      this.close();
      return;
    }
    if (!this.host) {
      this.host = document.createElement('div');
      this.host.className = 'format-bar popover';
      document.body.append(this.host);
    }
    if (!view.editable && !this.stopWatching) {
      // No blur comes from a view that cannot take the focus: close when
      // the selection leaves it.
      const check = () => {
        if (!selectedInside(view)) this.close();
      };
      document.addEventListener('selectionchange', check);
      this.stopWatching = () => document.removeEventListener('selectionchange', check);
    }
    const comment = this.comment
      ? () => {
          this.comment?.(this.editor);
          this.close();
        }
      : null;
    render(<Buttons editor={this.editor} formats={view.editable} comment={comment} />, this.host);
    // Above the selection's first line, or under its last when there is no room.
    const start = view.coordsAtPos(selection.from);
    const end = view.coordsAtPos(selection.to);
    const size = this.host.getBoundingClientRect();
    const left = Math.max(8, Math.min(Math.min(start.left, end.left), innerWidth - size.width - 8));
    const above = start.top - size.height - 8;
    this.host.style.left = `${Math.round(left)}px`;
    this.host.style.top = `${Math.round(above > 8 ? above : end.bottom + 8)}px`;
  }

  close() {
    this.stopWatching?.();
    this.stopWatching = null;
    if (!this.host) return;
    render(null, this.host);
    this.host.remove();
    this.host = null;
  }
}

/** Whether the page's selection is non-empty and inside the view. */
function selectedInside(view: EditorView): boolean {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !selection.anchorNode || !selection.focusNode) return false;
  return view.dom.contains(selection.anchorNode) && view.dom.contains(selection.focusNode);
}

function Buttons({ editor, formats, comment }: { editor: Editor; formats: boolean; comment: (() => void) | null }) {
  const t = messages();
  const [linking, setLinking] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const current = (editor.getAttributes('link').href as string | undefined) ?? '';
  useEffect(() => {
    if (linking) field.current?.focus();
  }, [linking]);
  const marks: { name: MarkName; label: string; glyph: string }[] = [
    { name: 'bold', label: t.docs.format.bold, glyph: 'B' },
    { name: 'italic', label: t.docs.format.italic, glyph: 'I' },
    { name: 'strike', label: t.docs.format.strike, glyph: 'S' },
    { name: 'code', label: t.docs.format.code, glyph: '</>' },
  ];
  if (linking) {
    return (
      <form
        class="format-link"
        onSubmit={(e) => {
          e.preventDefault();
          const href = field.current?.value.trim() ?? '';
          const chain = editor.chain().focus().extendMarkRange('link');
          if (!href) chain.unsetMark('link').run();
          else chain.setMark('link', { href: /^[a-z][a-z+.-]*:|^\/|^#/i.test(href) ? href : `https://${href}` }).run();
          setLinking(false);
        }}
      >
        <input ref={field} type="url" aria-label={t.docs.format.address} placeholder="https://…" defaultValue={current} onKeyDown={(e) => e.key === 'Escape' && (setLinking(false), editor.commands.focus())} />
        <button type="submit" class="format-btn">
          {t.common.done}
        </button>
      </form>
    );
  }
  const commentButton = comment && (
    <button type="button" class="format-btn format-comment" onMouseDown={(e) => e.preventDefault()} onClick={comment}>
      <Icon name="chat" />
      {t.docs.comments.comment}
    </button>
  );
  if (!formats) {
    return (
      <div class="format-buttons" role="toolbar" aria-label={t.docs.comments.selectionLabel}>
        {commentButton}
      </div>
    );
  }
  return (
    <div class="format-buttons" role="toolbar" aria-label={t.docs.format.label}>
      {marks.map((mark) => (
        <button
          key={mark.name}
          type="button"
          class={`format-btn format-${mark.name}`}
          aria-label={mark.label}
          title={mark.label}
          aria-pressed={editor.isActive(mark.name) ? 'true' : 'false'}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => editor.chain().focus().toggleMark(mark.name).run()}
        >
          {mark.glyph}
        </button>
      ))}
      <button type="button" class="format-btn" aria-pressed={current ? 'true' : 'false'} onMouseDown={(e) => e.preventDefault()} onClick={() => setLinking(true)}>
        {t.docs.format.link}
      </button>
      {commentButton && <span class="format-sep" aria-hidden="true" />}
      {commentButton}
    </div>
  );
}
