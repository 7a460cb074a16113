// Comments in the text: the `comment` mark that anchors a thread to the
// words it is about (it lives in the shared Yjs document, so the anchor
// travels with the text as people edit), the highlight of open threads'
// anchors, and the words chosen for a new thread while its first comment
// is being written.
//
// Whether a thread is open is not in the document: the comments panel
// says so through `threadAnchors`, and the highlight is a decoration, so
// resolving a thread changes nobody's document.

import { Extension, Mark, mergeAttributes, type Editor, type MappablePosition } from '@tiptap/core';
import type { Node as PmNode } from '@tiptap/pm/model';
import { Plugin, PluginKey, type Transaction } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { anchorClicked, editorHandle, selectionDraft, threadAnchors } from '../state';

/** The mark: `<span class="comment-mark" data-thread="ID">`. Several
 * threads may cover the same words (the mark does not exclude itself). */
export const CommentMark = Mark.create({
  name: 'comment',
  inclusive: false,
  excludes: '',
  spanning: true,
  addAttributes() {
    return {
      thread: {
        default: null,
        parseHTML: (element) => Number(element.getAttribute('data-thread')) || null,
        renderHTML: (attributes) => ({ 'data-thread': String(attributes.thread) }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'span[data-thread]' }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['span', mergeAttributes(HTMLAttributes, { class: 'comment-mark' }), 0];
  },
});

interface Pending {
  from: MappablePosition;
  to: MappablePosition;
}

interface AnchorState {
  decorations: DecorationSet;
  /** The words chosen for a thread not yet posted. */
  pending: Pending | null;
}

type Meta = { pending: Pending | null } | { redraw: true };

const key = new PluginKey<AnchorState>('commentAnchors');

/** Highlights the open threads' anchors, keeps the chosen words while a
 * thread is written, and opens a thread when its anchor is clicked. */
export const CommentAnchors = Extension.create<{ page: number }>({
  name: 'commentAnchors',
  addOptions() {
    return { page: 0 };
  },
  addProseMirrorPlugins() {
    const editor = this.editor;
    const page = this.options.page;
    return [
      new Plugin<AnchorState>({
        key,
        state: {
          init: (_config, state) => ({ decorations: decorate(state.doc, null, page), pending: null }),
          apply(tr, old, _before, state) {
            const meta = tr.getMeta(key) as Meta | undefined;
            let pending = old.pending;
            if (meta && 'pending' in meta) pending = meta.pending;
            else if (pending && tr.docChanged) pending = follow(editor, pending, tr);
            if (!tr.docChanged && !meta) return old;
            return { decorations: decorate(state.doc, pending ? range(pending) : null, page), pending };
          },
        },
        props: {
          decorations: (state) => key.getState(state)?.decorations,
          handleClick(view, pos, event) {
            const target = (event.target as Element | null)?.closest?.('.comment-anchor');
            if (!target) return false;
            const open = threadAnchors.get();
            const threads = threadsAt(view.state.doc, pos).filter((id) => open.page === page && open.open.has(id));
            if (threads.length === 0) return false;
            // The most recent thread over these words, when several are.
            anchorClicked.set({ page, thread: Math.max(...threads), at: Date.now() });
            return false;
          },
        },
        view(view) {
          const redraw = () => {
            if (!view.isDestroyed) view.dispatch(view.state.tr.setMeta(key, { redraw: true }).setMeta('addToHistory', false));
          };
          const stop = threadAnchors.subscribe(redraw);
          editorHandle.unmark = (thread) => unmark(editor, thread);
          return {
            destroy() {
              stop();
              editorHandle.unmark = () => {};
              const draft = selectionDraft.get();
              if (draft?.page === page) selectionDraft.set(null);
            },
          };
        },
      }),
    ];
  },
});

/** Starts a thread on the selected words: the panel asks for its first
 * comment, and the words are marked once the thread exists. */
export function startComment(editor: Editor, page: number): void {
  const { state } = editor;
  const { from, to, empty } = state.selection;
  if (empty) return;
  const quote = state.doc.textBetween(from, to, ' ', ' ').replace(/\s+/g, ' ').trim();
  if (!quote) return;
  const pending: Pending = { from: editor.utils.createMappablePosition(from), to: editor.utils.createMappablePosition(to) };
  const setPending = (value: Pending | null) => {
    if (!editor.isDestroyed) editor.view.dispatch(editor.state.tr.setMeta(key, { pending: value }).setMeta('addToHistory', false));
  };
  setPending(pending);
  selectionDraft.get()?.cancel();
  selectionDraft.set({
    page,
    quote,
    anchor(thread) {
      const current = key.getState(editor.state)?.pending;
      setPending(null);
      if (selectionDraft.get()?.page === page) selectionDraft.set(null);
      // Readers comment without marking: their changes would not be kept.
      if (!current || editor.isDestroyed || !editor.isEditable) return;
      const at = range(current);
      if (!at) return;
      const type = editor.schema.marks.comment;
      editor.view.dispatch(editor.state.tr.addMark(at.from, at.to, type.create({ thread })));
    },
    cancel() {
      setPending(null);
      if (selectionDraft.get()?.page === page) selectionDraft.set(null);
    },
  });
  // Collapse the selection so the formatting bar makes way for the panel.
  editor.commands.setTextSelection(to);
}

/** The chosen words after a change (a remote one moves them through Yjs). */
function follow(editor: Editor, pending: Pending, tr: Transaction): Pending {
  return {
    from: editor.utils.getUpdatedPosition(pending.from, tr).position,
    to: editor.utils.getUpdatedPosition(pending.to, tr).position,
  };
}

function range(pending: Pending): { from: number; to: number } | null {
  const from = pending.from.position;
  const to = pending.to.position;
  return to > from ? { from, to } : null;
}

/** The decorations: open threads' anchors, the one in focus, and the words
 * waiting for a thread. */
function decorate(doc: PmNode, pending: { from: number; to: number } | null, page: number): DecorationSet {
  const anchors = threadAnchors.get();
  const decorations: Decoration[] = [];
  if (anchors.page === page && anchors.open.size > 0) {
    doc.descendants((node, pos) => {
      if (!node.isText) return true;
      let open = false;
      let active = false;
      for (const mark of node.marks) {
        if (mark.type.name !== 'comment') continue;
        const thread = mark.attrs.thread as number;
        if (!anchors.open.has(thread)) continue;
        open = true;
        if (thread === anchors.active) active = true;
      }
      if (open) decorations.push(Decoration.inline(pos, pos + node.nodeSize, { class: active ? 'comment-anchor comment-anchor-active' : 'comment-anchor' }));
      return false;
    });
  }
  if (pending && pending.to <= doc.content.size) decorations.push(Decoration.inline(pending.from, pending.to, { class: 'comment-pending' }));
  return DecorationSet.create(doc, decorations);
}

/** The threads whose anchors cover a position. */
function threadsAt(doc: PmNode, pos: number): number[] {
  const $pos = doc.resolve(pos);
  const marks = [...($pos.nodeAfter?.marks ?? []), ...($pos.nodeBefore?.marks ?? [])];
  return [...new Set(marks.filter((m) => m.type.name === 'comment').map((m) => m.attrs.thread as number))];
}

/** Takes a deleted thread's anchor out of the text. */
function unmark(editor: Editor, thread: number): void {
  if (editor.isDestroyed || !editor.isEditable) return;
  const type = editor.schema.marks.comment;
  const tr = editor.state.tr;
  editor.state.doc.descendants((node, pos) => {
    if (!node.isText) return true;
    const mark = node.marks.find((m) => m.type === type && m.attrs.thread === thread);
    if (mark) tr.removeMark(pos, pos + node.nodeSize, mark);
    return false;
  });
  if (tr.docChanged) editor.view.dispatch(tr);
}
