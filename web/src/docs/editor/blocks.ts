// What the block editor is made of: TipTap's starter kit and a few more
// blocks (to-dos, toggles, tables, callouts, images and files, mentions),
// shared live through Yjs, with each person's caret in their colour.
//
// The page's CSP forbids style="" attributes: nothing here renders one.
// Colours come from classes (collab-hue-N, the avatars' eight hues) and
// TipTap's own stylesheet is in editor.css rather than injected.

import { InputRule, Mark, Node, markPasteRule, mergeAttributes, type AnyExtension } from '@tiptap/core';
import Blockquote from '@tiptap/extension-blockquote';
import Bold from '@tiptap/extension-bold';
import Code from '@tiptap/extension-code';
import CodeBlock from '@tiptap/extension-code-block';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { Details, DetailsContent, DetailsSummary } from '@tiptap/extension-details';
import Document from '@tiptap/extension-document';
import HardBreak from '@tiptap/extension-hard-break';
import Heading from '@tiptap/extension-heading';
import HorizontalRule from '@tiptap/extension-horizontal-rule';
import Italic from '@tiptap/extension-italic';
import { BulletList, ListItem, ListKeymap, OrderedList, TaskItem, TaskList } from '@tiptap/extension-list';
import Paragraph from '@tiptap/extension-paragraph';
import Strike from '@tiptap/extension-strike';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';
import Text from '@tiptap/extension-text';
import { Dropcursor } from '@tiptap/extensions/drop-cursor';
import { Gapcursor } from '@tiptap/extensions/gap-cursor';
import { Placeholder } from '@tiptap/extensions/placeholder';
import { TrailingNode } from '@tiptap/extensions/trailing-node';
import { Plugin } from '@tiptap/pm/state';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { Messages } from '../../i18n';
import { CommentAnchors, CommentMark, startComment } from './comments';
import { DragHandle } from './drag';
import { FileAttachment, Image, Uploads, type Resolve } from './media';
import { Mention, MentionSuggestions, type PageHref } from './mention';
import { SlashCommand } from './slash';
import { FormatToolbar } from './toolbar';

/** The avatars' hues (app.css, .avatar-hue-N), as #rrggbb for awareness. */
export const HUES = ['#4f46e5', '#0e7490', '#15803d', '#b45309', '#be123c', '#7e22ce', '#1d4ed8', '#475569'];

/** What a person's tab tells the others through Yjs awareness. */
export interface AwareUser {
  name: string;
  color: string;
  id: number;
  hue: number;
  has_avatar: boolean;
}

export function awareUser(user: { id: number; name: string; has_avatar: boolean }): AwareUser {
  const hue = user.id % HUES.length;
  return { name: user.name, color: HUES[hue], id: user.id, hue, has_avatar: user.has_avatar };
}

function hueOf(user: Record<string, unknown>): number {
  const hue = user.hue;
  if (typeof hue === 'number' && Number.isInteger(hue) && hue >= 0 && hue < HUES.length) return hue;
  const at = HUES.indexOf(String(user.color));
  return at >= 0 ? at : HUES.length - 1;
}

/** Another person's caret: a coloured bar with their name above it. */
function caret(user: Record<string, unknown>): HTMLElement {
  const bar = document.createElement('span');
  bar.className = `collab-caret collab-hue-${hueOf(user)}`;
  const label = document.createElement('span');
  label.className = 'collab-caret-label';
  label.textContent = String(user.name ?? '');
  bar.append(label);
  return bar;
}

/** A block that stands out, with an emoji before it (`callout` with an
 * `icon` attribute, as the Markdown export reads it). */
const Callout = Node.create({
  name: 'callout',
  group: 'block',
  content: 'paragraph+',
  defining: true,
  addAttributes() {
    return {
      icon: {
        default: '💡',
        parseHTML: (element) => element.getAttribute('data-icon') || '💡',
        renderHTML: (attributes) => ({ 'data-icon': attributes.icon as string }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'div[data-type="callout"]' }];
  },
  renderHTML({ node, HTMLAttributes }) {
    return ['div', mergeAttributes(HTMLAttributes, { 'data-type': 'callout', class: 'callout' }), ['span', { class: 'callout-icon', contenteditable: 'false' }, node.attrs.icon as string], ['div', { class: 'callout-body' }, 0]];
  },
});

/** Tables without the widths TipTap writes as style="" (the editor's own
 * table view sets them through the CSSOM). */
const PlainTable = Table.extend({
  renderHTML({ HTMLAttributes }) {
    const { style: _style, ...rest } = HTMLAttributes as Record<string, unknown>;
    return ['table', mergeAttributes(this.options.HTMLAttributes, rest), ['tbody', 0]];
  },
});

/** Addresses a link may have: the web, mail, and this site's own. */
const SAFE_HREF = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;
/** A web address in text, without the punctuation that ends a sentence. */
const WEB_ADDRESS = /https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]/g;

/** Links (`link` with `href`, as the Markdown export reads them), made
 * from pasted or typed web addresses. Written here rather than taken from
 * TipTap, whose link brings a 10 KB address parser along. */
const Link = Mark.create({
  name: 'link',
  priority: 1000,
  inclusive: false,
  keepOnSplit: false,
  addAttributes() {
    return { href: { default: null } };
  },
  parseHTML() {
    return [{ tag: 'a[href]', getAttrs: (element) => (SAFE_HREF.test(element.getAttribute('href') ?? '') ? { href: element.getAttribute('href') } : false) }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['a', mergeAttributes(HTMLAttributes, { rel: 'noopener noreferrer nofollow', target: '_blank' }), 0];
  },
  addProseMirrorPlugins() {
    const type = this.type;
    return [
      new Plugin({
        props: {
          // An address pasted over selected words links them.
          handlePaste: (view, event) => {
            const text = event.clipboardData?.getData('text/plain').trim() ?? '';
            const { from, to, empty } = view.state.selection;
            if (empty || !/^https?:\/\/\S+$/.test(text)) return false;
            view.dispatch(view.state.tr.addMark(from, to, type.create({ href: text })));
            return true;
          },
          // In the editor a click places the cursor; Ctrl or ⌘ and a click opens the link.
          handleClick: (_view, _pos, event) => {
            const link = (event.target as Element | null)?.closest?.('a[href]');
            if (!link || !(event.ctrlKey || event.metaKey)) return false;
            window.open(link.getAttribute('href')!, '_blank', 'noopener,noreferrer');
            return true;
          },
        },
      }),
    ];
  },
  addPasteRules() {
    return [markPasteRule({ find: WEB_ADDRESS, type: this.type, getAttributes: (match) => ({ href: match[0] }) })];
  },
  addInputRules() {
    const type = this.type;
    return [
      // An address followed by a space or a new line becomes a link.
      new InputRule({
        find: /(?:^|\s)(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])([\s])$/,
        handler: ({ state, range, match }) => {
          const start = range.from + match[0].indexOf(match[1]);
          const end = start + match[1].length;
          if (state.doc.rangeHasMark(start, end, type)) return null;
          state.tr.addMark(start, end, type.create({ href: match[1] })).insertText(match[2], range.to);
        },
      }),
    ];
  },
});

/** Where a read-only view's images, files and page mentions lead (a
 * public link's reader fetches them through the link). */
export interface Addresses {
  attachment?: Resolve;
  page?: PageHref;
}

/** What a page is made of: its blocks and marks, the same for the live
 * editor and for read-only views (a version, a public page). A mark or a
 * block missing here would be dropped from the shared document. */
function content(t: Messages, addresses: Addresses = {}): AnyExtension[] {
  const attachment = addresses.attachment ? { resolve: addresses.attachment } : {};
  return [
    Document,
    Paragraph,
    Text,
    HardBreak,
    Heading.configure({ levels: [1, 2, 3] }),
    Bold,
    Italic,
    Strike,
    Code,
    Link,
    CommentMark,
    Blockquote,
    BulletList,
    OrderedList,
    ListItem,
    ListKeymap,
    CodeBlock,
    HorizontalRule,
    Dropcursor,
    Gapcursor,
    TrailingNode,
    TaskList,
    TaskItem.configure({ nested: true, a11y: { checkboxLabel: (node) => `${t.docs.task}: ${node.textContent}` } }),
    Details.configure({
      HTMLAttributes: { class: 'toggle' },
      renderToggleButton: ({ element, isOpen }) => element.setAttribute('aria-label', isOpen ? t.docs.toggleClose : t.docs.toggleOpen),
    }),
    DetailsSummary,
    DetailsContent,
    PlainTable.configure({ resizable: false }),
    TableRow,
    TableHeader,
    TableCell,
    Callout,
    Image.configure(attachment),
    FileAttachment.configure(attachment),
    Mention.configure(addresses.page ? { pageHref: addresses.page } : {}),
  ];
}

/** The live editor: the content, shared through the page's provider, with
 * the slash menu, mentions, uploads, drag handles, the formatting bar,
 * comments and other people's carets. */
export function extensions(options: { page: number; doc: Y.Doc; provider: WebsocketProvider; user: AwareUser; t: Messages }): AnyExtension[] {
  const { t, page } = options;
  return [
    ...content(t),
    Placeholder.configure({
      placeholder: ({ node }) => (node.type.name === 'heading' ? t.docs.headingPlaceholder : node.type.name === 'detailsSummary' ? t.docs.summary : t.docs.placeholder),
      showOnlyCurrent: true,
    }),
    SlashCommand,
    MentionSuggestions,
    Uploads.configure({ page }),
    DragHandle,
    FormatToolbar.configure({ comment: (editor) => startComment(editor, page) }),
    CommentAnchors.configure({ page }),
    Collaboration.configure({ document: options.doc, field: 'default' }),
    CollaborationCaret.configure({
      provider: options.provider,
      user: options.user,
      render: caret,
      selectionRender: (user: Record<string, unknown>) => ({ class: `collab-selection collab-hue-${hueOf(user)}` }),
    }),
  ];
}

/** A read-only view of a document that nobody edits (a version, a page
 * behind a public link): the content alone. */
export function viewExtensions(doc: Y.Doc, t: Messages, addresses: Addresses = {}): AnyExtension[] {
  return [...content(t, addresses), Collaboration.configure({ document: doc, field: 'default' })];
}
