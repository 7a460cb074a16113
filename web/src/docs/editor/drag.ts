// A handle beside the block under the mouse: dragging it moves the block
// (ProseMirror's own drop does the move, in one transaction that Yjs
// shares as any other edit). Written here rather than taken from TipTap,
// whose drag handle brings a positioning library along. The handle is for
// the mouse only: keyboard users move content by cutting and pasting, or
// with the slash menu's blocks, as before.

import { Extension } from '@tiptap/core';
import { NodeSelection, Plugin } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import { messages } from '../../i18n';

/** How far left of the text the handle reaches (editor.css, .drag-handle). */
const HANDLE_WIDTH = 32;

export const DragHandle = Extension.create({
  name: 'dragHandle',
  addProseMirrorPlugins() {
    return [new Plugin({ view: (view) => new Handle(view) })];
  },
});

/** The top-level block under the mouse, with where it starts. */
interface Target {
  dom: HTMLElement;
  pos: number;
}

class Handle {
  private handle: HTMLDivElement;
  private target: Target | null = null;
  /** The mouse button is down on the handle: a drag may be starting. */
  private pressed = false;
  private host: HTMLElement | null;

  constructor(private view: EditorView) {
    this.host = view.dom.parentElement;
    this.handle = document.createElement('div');
    this.handle.className = 'drag-handle';
    this.handle.draggable = true;
    // The mouse's tool alone: screen readers and keyboards move blocks otherwise.
    this.handle.setAttribute('aria-hidden', 'true');
    this.handle.title = messages().docs.media.dragHandle;
    this.handle.hidden = true;
    this.host?.append(this.handle);
    view.dom.addEventListener('mousemove', this.hover);
    this.host?.addEventListener('mouseleave', this.hide);
    this.handle.addEventListener('mousedown', this.press);
    this.handle.addEventListener('dragstart', this.start);
    this.handle.addEventListener('dragend', this.end);
  }

  update() {
    // Blocks come and go with everyone's edits: the handle follows the
    // mouse's next move rather than a block that may be gone.
    if (this.target && !this.target.dom.isConnected) this.hide();
  }

  destroy() {
    this.view.dom.removeEventListener('mousemove', this.hover);
    this.host?.removeEventListener('mouseleave', this.hide);
    this.handle.remove();
  }

  private hover = (event: MouseEvent) => {
    if (!this.view.editable || !this.host) return this.hide();
    const target = this.blockAt(event.target);
    if (!target) return;
    this.target = target;
    const box = target.dom.getBoundingClientRect();
    const host = this.host.getBoundingClientRect();
    // No room beside the text (a phone): no handle rather than half of one.
    if (host.left < HANDLE_WIDTH) return this.hide();
    // Beside the block's first line (the CSSOM: the CSP refuses style="").
    const line = parseFloat(getComputedStyle(target.dom).lineHeight) || 24;
    this.handle.style.top = `${Math.round(box.top - host.top + Math.min(line, box.height) / 2)}px`;
    this.handle.hidden = false;
  };

  private press = () => {
    this.pressed = true;
    addEventListener('mouseup', () => (this.pressed = false), { once: true });
  };

  private hide = () => {
    if (this.pressed) return;
    this.handle.hidden = true;
    this.target = null;
  };

  /** The child of the document that holds `node`, and where it starts. */
  private blockAt(node: EventTarget | null): Target | null {
    let dom = node instanceof globalThis.Node ? node : null;
    while (dom && dom.parentNode !== this.view.dom) dom = dom.parentNode;
    if (!(dom instanceof HTMLElement)) return null;
    let found: Target | null = null;
    this.view.state.doc.forEach((_child, offset) => {
      if (!found && this.view.nodeDOM(offset) === dom) found = { dom: dom as HTMLElement, pos: offset };
    });
    return found;
  }

  private start = (event: DragEvent) => {
    const target = this.target;
    if (!target || !event.dataTransfer || !this.view.editable) {
      event.preventDefault();
      return;
    }
    const { state } = this.view;
    const selection = NodeSelection.create(state.doc, target.pos);
    this.view.dispatch(state.tr.setSelection(selection));
    const slice = selection.content();
    const { dom, text } = this.view.serializeForClipboard(slice);
    event.dataTransfer.clearData();
    event.dataTransfer.setData('text/html', dom.innerHTML);
    event.dataTransfer.setData('text/plain', text);
    event.dataTransfer.effectAllowed = 'copyMove';
    event.dataTransfer.setDragImage(target.dom, 0, 0);
    // ProseMirror's drop reads this: the block moves, its old place goes.
    this.view.dragging = { slice, move: true, node: selection } as EditorView['dragging'];
  };

  private end = () => {
    // A drop outside the editor: nothing moved.
    setTimeout(() => {
      this.view.dragging = null;
    }, 50);
    this.pressed = false;
    this.hide();
  };
}
