// The block editor of a page, in its own file (the `editor-*` chunk, which
// the service worker does not fetch ahead: most visits never need it).
// The content is a Yjs document synced over the page's y-websocket
// endpoint; its XmlFragment `default` is what the server exports. The
// document is also kept in IndexedDB (../offline.ts), so that edits made
// offline survive a reload and reach the server when the connection
// returns (the provider resyncs on reconnect: both sides merge).
// The same file shows a document read-only (a version, a public page):
// everything that needs TipTap or Yjs is loaded from here, and only here,
// so that it stays one file fetched on demand.

import './editor.css';
import { Editor } from '@tiptap/core';
import { useEffect, useRef } from 'preact/hooks';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { messages, useT } from '../../i18n';
import { invalidate } from '../../lib/resource';
import { editorHandle, live, tableMark, type LiveStatus, type Peer } from '../state';
import { offlineDocName } from '../offline';
import { awareUser, extensions, viewExtensions, type Addresses } from './blocks';

export interface EditorProps {
  pageId: number;
  editable: boolean;
  user: { id: number; name: string; has_avatar: boolean };
  /** The server closed the socket because the person's rights changed. */
  onRightsChanged: () => void;
}

/** Close codes of the sync endpoint (crates/bureau-docs/src/sync.rs). */
const CLOSE_RIGHTS_CHANGED = 4001;
/** The provider drops a socket that heard nothing for 30 s: ask the
 * server for news a little more often than that when alone on a page. */
const RESYNC_MS = 25_000;

export function LiveEditor(props: EditorProps) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | null>(null);
  const rightsChanged = useRef(props.onRightsChanged);
  rightsChanged.current = props.onRightsChanged;

  useEffect(() => {
    const doc = new Y.Doc();
    const kept = new IndexeddbPersistence(offlineDocName(props.user.id, props.pageId), doc);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const provider = new WebsocketProvider(`${scheme}://${location.host}/api/v1/docs`, `${props.pageId}/sync`, doc, {
      // y-websocket reconnects after 4001 (rights changed) and stops after
      // 4400 (malformed), as the protocol's close codes mean.
      resyncInterval: RESYNC_MS,
    });
    let status: LiveStatus = 'connecting';
    let peers: Peer[] = [];
    const publish = () => live.set({ page: props.pageId, status, peers });
    publish();
    // After a rights-changed close the page's rights are read again, and
    // once more when the socket is back: a change made while it was away
    // closed no socket of this tab.
    let rightsStale = false;
    provider.on('status', ({ status: now }) => {
      if (now === 'connected' && rightsStale) {
        rightsStale = false;
        rightsChanged.current();
      }
      if (now === 'disconnected') status = navigator.onLine ? 'connecting' : 'offline';
      if (now === 'connecting' && status !== 'offline') status = 'connecting';
      publish();
    });
    provider.on('sync', (synced: boolean) => {
      status = synced ? 'saved' : status;
      publish();
    });
    provider.on('connection-close', (event) => {
      if (event?.code === CLOSE_RIGHTS_CHANGED) {
        rightsStale = true;
        rightsChanged.current();
      }
      // A second failed attempt in a row: say so plainly.
      if (provider.wsUnsuccessfulReconnects > 1) {
        status = 'offline';
        publish();
      }
    });
    const offline = () => {
      status = 'offline';
      publish();
    };
    addEventListener('offline', offline);
    const awareness = provider.awareness;
    const seePeers = () => {
      const seen = new Map<number, Peer>();
      for (const [client, state] of awareness.getStates()) {
        if (client === doc.clientID) continue;
        const user = (state as { user?: Partial<Peer> & { hue?: number } }).user;
        if (!user || typeof user.id !== 'number' || user.id === props.user.id || seen.has(user.id)) continue;
        seen.set(user.id, { client, id: user.id, name: String(user.name ?? ''), hue: typeof user.hue === 'number' ? user.hue : user.id % 8, has_avatar: !!user.has_avatar });
      }
      peers = [...seen.values()];
      publish();
    };
    awareness.on('change', seePeers);
    // The server's marks: a database's table or the page's comments
    // changed (anyone's change, through any process); they are read again.
    const marks = doc.getMap('bureau');
    const marked = (event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has('rows')) tableMark.set({ page: props.pageId, at: marks.get('rows') });
      if (event.keysChanged.has('comments')) invalidate(`docs:comments:${props.pageId}`);
    };
    marks.observe(marked);

    const made = new Editor({
      element: host.current!,
      // TipTap's stylesheet is in editor.css: the CSP refuses injected <style>.
      injectCSS: false,
      editable: props.editable,
      extensions: extensions({ page: props.pageId, doc, provider, user: awareUser(props.user), t: messages() }),
      editorProps: {
        attributes: { class: 'doc-content', 'aria-label': t.docs.content, 'aria-multiline': 'true', role: 'textbox' },
      },
    });
    editor.current = made;
    editorHandle.focus = () => void made.commands.focus('start');
    if (editorHandle.wanted) made.commands.focus('start');
    return () => {
      editorHandle.wanted = false;
      editorHandle.focus = () => {
        editorHandle.wanted = true;
      };
      removeEventListener('offline', offline);
      awareness.off('change', seePeers);
      marks.unobserve(marked);
      made.destroy();
      provider.destroy();
      void kept.destroy();
      doc.destroy();
      editor.current = null;
      live.set({ page: null, status: 'connecting', peers: [] });
    };
  }, [props.pageId]);

  useEffect(() => {
    editor.current?.setEditable(props.editable);
  }, [props.editable]);

  return <div class={`doc-editor ${props.editable ? '' : 'doc-editor-readonly'}`} ref={host} data-testid="doc-editor" />;
}

export interface ReadOnlyProps {
  /** One Yjs update holding the whole document (what the server sends for
   * a version or a public page). */
  update: Uint8Array;
  /** What the content is, for screen readers ("Version of 3 May"). */
  label: string;
  /** Where images, files and page mentions lead, when not the app's own
   * addresses (a public link's reader). */
  addresses?: Addresses;
}

/** A document shown as it is, for reading: built from its Yjs state in a
 * document of its own, which nothing sends anywhere. */
export function ReadOnlyContent({ update, label, addresses }: ReadOnlyProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    const made = new Editor({
      element: host.current!,
      injectCSS: false,
      editable: false,
      extensions: viewExtensions(doc, messages(), addresses),
      editorProps: { attributes: { class: 'doc-content', role: 'document', 'aria-label': label } },
    });
    return () => {
      made.destroy();
      doc.destroy();
    };
  }, [update, label, addresses]);
  return <div class="doc-editor doc-editor-readonly doc-view" ref={host} data-testid="doc-view" />;
}
