// The formatting bar over selected text: bold, italic, strikethrough,
// code, and a link (an address typed in the bar). The keyboard has them
// too: Ctrl+B, Ctrl+I, Ctrl+Shift+S, Ctrl+E, and Markdown as one types.

import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { messages } from '../../i18n';

type MarkName = 'bold' | 'italic' | 'strike' | 'code';

export const FormatToolbar = Extension.create({
  name: 'formatToolbar',
  addProseMirrorPlugins() {
    const bar = new Bar(this.editor);
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

  constructor(private editor: Editor) {}

  contains(node: Node | null): boolean {
    return !!node && !!this.host?.contains(node);
  }

  follow(view: EditorView) {
    const { selection } = view.state;
    const show = view.editable && view.hasFocus() && !selection.empty && selection.$from.parent.inlineContent && !selection.$from.parent.type.spec.code;
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
    render(<Buttons editor={this.editor} />, this.host);
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
    if (!this.host) return;
    render(null, this.host);
    this.host.remove();
    this.host = null;
  }
}

function Buttons({ editor }: { editor: Editor }) {
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
    </div>
  );
}
