// Images and files in a page. The bytes go to the page's attachments
// (POST /pages/{id}/attachments) and the content holds a block that names
// them by address: `image` (`src`, `alt`, `title`, as the Markdown import
// writes it) and `fileAttachment` (`href`, `name`, `size`, `mime`), a card
// with a download link. The Markdown export reads both.
//
// They come from the slash menu ("Image", "File": a file picker), or are
// pasted or dropped in. While a file goes up, a placeholder that only this
// tab sees (a decoration) holds its place, which follows the others' edits;
// a failure is a toast.

import { Extension, mergeAttributes, Node, type Editor } from '@tiptap/core';
import type { Node as PmNode } from '@tiptap/pm/model';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { render } from 'preact';
import { uploadPageAttachment, type Schemas } from '../../api/client';
import { describe } from '../../api/errors';
import { formatBytes, messages } from '../../i18n';
import { Icon } from '../../ui/icons';
import { toast } from '../../ui/Toast';

/** The server refuses larger files (crates/bureau-server, upload_attachment). */
const MAX_BYTES = 50 * 1024 * 1024;

/** Turns a stored address into one the reader can fetch (a public link's
 * own address for signed-out readers); the address itself by default. */
export type Resolve = (url: string) => string;
const same: Resolve = (url) => url;

/** This site's own addresses: an image from elsewhere is not fetched (the
 * CSP would refuse it) and a link elsewhere is not a file of the page. */
const OWN_ADDRESS = /^\/(?!\/)/;

export const Image = Node.create<{ resolve: Resolve }>({
  name: 'image',
  group: 'block',
  atom: true,
  draggable: true,
  addOptions() {
    return { resolve: same };
  },
  addAttributes() {
    return { src: { default: null }, alt: { default: '' }, title: { default: '' } };
  },
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (img) => (OWN_ADDRESS.test(img.getAttribute('src') ?? '') ? null : false) }];
  },
  renderHTML({ node }) {
    const { src, alt, title } = node.attrs as { src: string | null; alt: string; title: string };
    return ['img', mergeAttributes({ class: 'doc-image', src: src ? this.options.resolve(src) : '', alt, loading: 'lazy', decoding: 'async' }, title ? { title } : {})];
  },
});

export const FileAttachment = Node.create<{ resolve: Resolve }>({
  name: 'fileAttachment',
  group: 'block',
  atom: true,
  draggable: true,
  addOptions() {
    return { resolve: same };
  },
  addAttributes() {
    return {
      href: { default: null, parseHTML: (el) => el.querySelector('a')?.getAttribute('href') ?? null },
      name: { default: '', parseHTML: (el) => el.getAttribute('data-name') ?? '' },
      size: { default: 0, parseHTML: (el) => Number(el.getAttribute('data-size')) || 0 },
      mime: { default: '', parseHTML: (el) => el.getAttribute('data-mime') ?? '' },
    };
  },
  parseHTML() {
    return [{ tag: 'div[data-type="file-attachment"]', getAttrs: (el) => (OWN_ADDRESS.test(el.querySelector('a')?.getAttribute('href') ?? '') ? null : false) }];
  },
  renderHTML({ node }) {
    const { href, name, size, mime } = node.attrs as FileAttrs;
    return ['div', { 'data-type': 'file-attachment', 'data-name': name, 'data-size': String(size), 'data-mime': mime, class: 'file-card' }, ['a', { href: href ? this.options.resolve(href) : '', download: name }, name]];
  },
  addNodeView() {
    const resolve = this.options.resolve;
    return ({ node }) => {
      const dom = document.createElement('div');
      dom.className = 'file-card';
      dom.dataset.type = 'file-attachment';
      dom.contentEditable = 'false';
      const draw = (current: PmNode) => render(<FileCard {...(current.attrs as FileAttrs)} resolve={resolve} />, dom);
      draw(node);
      return {
        dom,
        update: (next) => {
          if (next.type.name !== 'fileAttachment') return false;
          draw(next);
          return true;
        },
        // The link is the browser's: a click downloads rather than selects.
        stopEvent: (event) => event.target instanceof Element && !!event.target.closest('a') && event.type !== 'dragstart',
        ignoreMutation: () => true,
        destroy: () => render(null, dom),
      };
    };
  },
});

interface FileAttrs {
  href: string | null;
  name: string;
  size: number;
  mime: string;
}

function FileCard({ href, name, size, resolve }: FileAttrs & { resolve: Resolve }) {
  const t = messages();
  const url = href ? resolve(href) : undefined;
  const sized = formatBytes(Number(size) || 0);
  return (
    <>
      <Icon name="file" class="file-card-icon" />
      <span class="file-card-text">
        <a class="file-card-name" href={url} download={name}>
          {name}
        </a>
        <span class="file-card-size">{sized}</span>
      </span>
      <a class="file-card-download" href={url} download={name} aria-label={t.docs.media.download(name)} title={t.docs.media.download(name)} tabIndex={-1}>
        <Icon name="download" />
      </a>
    </>
  );
}

// ---- uploads -----------------------------------------------------------------

declare module '@tiptap/core' {
  interface Storage {
    uploads: { page: number };
  }
}

/** What a file becomes: an image when the server shows it as one, unless
 * the person asked for a file. */
type Wanted = 'image' | 'file' | 'either';

interface Placeholder {
  id: object;
  name: string;
}

type Change = { add: Placeholder & { at: number } } | { remove: object };

const key = new PluginKey<DecorationSet>('uploads');

/** Pasted and dropped files, and the places of those on their way up. */
export const Uploads = Extension.create<{ page: number }, { page: number }>({
  name: 'uploads',
  addOptions() {
    return { page: 0 };
  },
  addStorage() {
    return { page: this.options.page };
  },
  addProseMirrorPlugins() {
    const editor = this.editor;
    return [
      new Plugin<DecorationSet>({
        key,
        state: {
          init: () => DecorationSet.empty,
          apply(tr, set) {
            let next = set.map(tr.mapping, tr.doc);
            const change = tr.getMeta(key) as Change | undefined;
            if (change && 'add' in change) {
              const { id, name, at } = change.add;
              next = next.add(tr.doc, [Decoration.widget(at, () => placeholder(name), { id, side: -1 })]);
            } else if (change) {
              next = next.remove(next.find(undefined, undefined, (spec) => spec.id === change.remove));
            }
            return next;
          },
        },
        props: {
          decorations: (state) => key.getState(state),
          handlePaste: (view, event) => {
            const files = [...(event.clipboardData?.files ?? [])];
            if (files.length === 0) return false;
            if (!view.state.selection.empty) view.dispatch(view.state.tr.deleteSelection());
            void addFiles(editor, files, view.state.selection.from, 'either');
            return true;
          },
          handleDrop: (view, event, _slice, moved) => {
            const files = [...(event.dataTransfer?.files ?? [])];
            if (moved || files.length === 0) return false;
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
            void addFiles(editor, files, at ? at.pos : view.state.selection.from, 'either');
            return true;
          },
        },
      }),
    ];
  },
});

/** Opens the file picker; what is chosen goes where the cursor is. */
export function pickFiles(editor: Editor, wanted: 'image' | 'file'): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.hidden = true;
  if (wanted === 'image') input.accept = 'image/*';
  const done = () => input.remove();
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    done();
    if (files.length > 0) void addFiles(editor, files, editor.state.selection.from, wanted);
  });
  input.addEventListener('cancel', done);
  document.body.append(input);
  input.click();
}

/** Sends each file, one after the other, and puts its block where its
 * placeholder is then (if that place is still in the page). */
async function addFiles(editor: Editor, files: File[], at: number, wanted: Wanted): Promise<void> {
  const t = messages();
  const waiting = files.map((file) => ({ file, id: {} }));
  for (const { file, id } of waiting) editor.view.dispatch(editor.state.tr.setMeta(key, { add: { id, name: file.name, at } } satisfies Change));
  for (const { file, id } of waiting) {
    let made: Schemas['AttachmentJson'] | null = null;
    try {
      if (file.size > MAX_BYTES) throw new TooLarge();
      made = await uploadPageAttachment(editor.storage.uploads.page, file);
    } catch (error) {
      const why = error instanceof TooLarge ? t.docs.media.tooLarge : describe(t, error, { codes: { too_large: t.docs.media.tooLarge } }).message;
      toast(t.docs.media.failed(file.name, why), 'error');
    }
    if (editor.isDestroyed) return;
    const place = placeOf(editor.state, id);
    editor.view.dispatch(editor.state.tr.setMeta(key, { remove: id } satisfies Change));
    if (!made || place === null) continue;
    const image = made.mime.startsWith('image/') && wanted !== 'file';
    const block = image
      ? { type: 'image', attrs: { src: made.url, alt: made.name } }
      : { type: 'fileAttachment', attrs: { href: made.url, name: made.name, size: made.size, mime: made.mime } };
    editor.chain().insertContentAt(place, block).run();
  }
}

class TooLarge extends Error {}

function placeOf(state: EditorState, id: object): number | null {
  const found = key.getState(state)?.find(undefined, undefined, (spec) => spec.id === id) ?? [];
  return found.length > 0 ? found[0].from : null;
}

function placeholder(name: string): HTMLElement {
  const box = document.createElement('span');
  box.className = 'upload-placeholder';
  box.setAttribute('role', 'status');
  box.contentEditable = 'false';
  box.textContent = messages().docs.media.uploading(name);
  return box;
}
