// One page: where it is (breadcrumbs), its icon and title, what can be
// done with it (favourite, share, comments, version history, lock, import
// and export, templates, archive), and its content in the block editor,
// which loads in its own file the first time a page opens (TipTap and Yjs
// weigh more than the rest of the app together).

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate, usePlace } from '../app/router';
import { me } from '../app/session';
import { formatRelative, useT } from '../i18n';
import { lazy } from '../lib/lazy';
import { invalidate, put } from '../lib/resource';
import { useStore } from '../lib/store';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { toast } from '../ui/Toast';
import { CommentsPanel } from './Comments';
import { ShareDialog } from './dialogs';
import type { EditorProps } from './editor/editor';
import { HistoryDialog } from './History';
import { seenMentions } from './notify';
import { anchorClicked, buildTree, createPage, editorHandle, failed, live, refreshDocs, selectionDraft, setFavourite, spaceLabel, threadAnchors, threadsOf, titleOf, useComments, useFavourites, usePage, useSpacePages, useSpaces, type Page } from './state';
import { SaveTemplateDialog } from './Templates';
import { importItem, pageExportItems } from './Transfer';
import { EmojiPicker, PageIcon, PopMenu, type MenuItem } from './widgets';

const LiveEditor = lazy<EditorProps>(() => import('./editor/editor').then((m) => m.LiveEditor));
const DatabaseTable = lazy<{ page: Page }>(() => import('./Table').then((m) => m.DatabaseTable));

export function PageView({ id, onToggleNav, navOpen }: { id: number; onToggleNav: () => void; navOpen: boolean }) {
  const page = usePage(id);
  return (
    <Loaded resource={page}>
      {(data) => <PageScreen key={data.id} page={data} onToggleNav={onToggleNav} navOpen={navOpen} reload={page.reload} />}
    </Loaded>
  );
}

function PageScreen({ page, onToggleNav, navOpen, reload }: { page: Page; onToggleNav: () => void; navOpen: boolean; reload: () => void }) {
  const t = useT();
  const user = useStore(me)!;
  const { search } = usePlace();
  const spaces = useSpaces();
  const space = spaces.data?.find((s) => s.id === page.space_id);
  const favourites = useFavourites();
  const favourite = favourites.data?.some((p) => p.id === page.id) ?? false;
  const [sharing, setSharing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [history, setHistory] = useState(false);
  const [savingTemplate, setSavingTemplate] = useState(false);
  const params = new URLSearchParams(search);
  const askedThread = Number(params.get('thread')) || null;
  const [commenting, setCommenting] = useState(() => askedThread !== null);
  const comments = useComments(page.id);
  const threads = comments.data ? threadsOf(comments.data) : [];
  const openThreads = threads.filter((th) => !th.first.resolved_at);
  const writable = page.access === 'write';
  const title = titleOf(page, t);

  useEffect(() => {
    document.title = `${title} · ${t.app.name}`;
  }, [title, t]);

  // The editor highlights the open threads' anchors.
  const openKey = openThreads.map((th) => th.first.id).join(',');
  useEffect(() => {
    const current = threadAnchors.get();
    threadAnchors.set({ page: page.id, open: new Set(openThreads.map((th) => th.first.id)), active: current.page === page.id ? current.active : null });
  }, [page.id, openKey]);
  useEffect(
    () => () => {
      threadAnchors.set({ page: null, open: new Set(), active: null });
      selectionDraft.get()?.cancel();
    },
    [page.id],
  );
  // A link to a thread (a mention), words chosen to comment on, or a click
  // on an anchor in the text: the panel opens on it.
  useEffect(() => {
    seenMentions(page.id);
    if (askedThread === null) return;
    setCommenting(true);
    threadAnchors.set({ ...threadAnchors.get(), page: page.id, active: askedThread });
  }, [page.id, askedThread]);
  useEffect(
    () =>
      selectionDraft.subscribe((draft) => {
        if (draft?.page === page.id) setCommenting(true);
      }),
    [page.id],
  );
  useEffect(
    () =>
      anchorClicked.subscribe((click) => {
        if (click?.page !== page.id) return;
        setCommenting(true);
        threadAnchors.set({ ...threadAnchors.get(), active: click.thread });
      }),
    [page.id],
  );
  const closeComments = () => {
    setCommenting(false);
    selectionDraft.get()?.cancel();
    threadAnchors.set({ ...threadAnchors.get(), active: null });
  };

  /** Saves a change of the page's settings and shows it everywhere. */
  const change = async (body: { title?: string; icon?: string; restricted?: boolean; locked?: boolean }) => {
    try {
      const saved = await api('patch', '/pages/{id}', { path: { id: page.id }, body });
      put(`docs:page:${page.id}`, saved);
      invalidate(`docs:pages:${page.space_id}`);
      invalidate('docs:favourites');
      invalidate('docs:recent');
      return saved;
    } catch (error) {
      failed(t, error);
      return null;
    }
  };
  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      refreshDocs();
      if (done) toast(done);
    } catch (error) {
      failed(t, error);
    }
  };

  const more: (MenuItem | false)[] = [
    { label: t.docs.history.open, icon: 'history', onSelect: () => setHistory(true) },
    writable && !page.archived && (page.locked ? { label: t.docs.unlock, icon: 'lock', onSelect: () => void change({ locked: false }) } : { label: t.docs.lock, icon: 'lock', onSelect: () => void change({ locked: true }) }),
    page.can_edit && !page.template && importItem(t, { space: page.space_id, parent: page.id }),
    ...pageExportItems(t, page.id),
    space?.access === 'write' && !page.archived && !page.template && { label: t.docs.templates.saveAs, icon: 'sparkle', onSelect: () => setSavingTemplate(true) },
    space?.access === 'write' &&
      !page.archived &&
      !page.template && {
        label: t.docs.duplicate,
        icon: 'copy',
        onSelect: () =>
          void act(async () => {
            const copy = await api('post', '/pages/{id}/duplicate', { path: { id: page.id } });
            navigate(`/docs/${copy.id}`);
          }, t.docs.duplicated(title)),
      },
    writable && !page.archived && { label: t.docs.archive, icon: 'trash', danger: true, onSelect: () => void act(() => api('post', '/pages/{id}/archive', { path: { id: page.id } }), t.docs.archived(title)) },
  ];
  const restore = () => void act(() => api('post', '/pages/{id}/restore', { path: { id: page.id } }), t.docs.restored(title));
  const startFromTemplate = () =>
    void act(async () => {
      const made = await createPage(page.space_id, null, { template_id: page.id, title: page.title, icon: page.icon });
      navigate(`/docs/${made.id}?new`);
    });

  return (
    <div class="doc-screen">
      <header class="doc-bar">
        <IconButton icon="sidebar" class="docs-nav-toggle" label={navOpen ? t.docs.hidePages : t.docs.showPages} expanded={navOpen} onClick={onToggleNav} />
        <nav class="doc-crumbs" aria-label={t.docs.breadcrumbs}>
          <ol>
            {space && (
              <li>
                <span class="crumb-space">{space.kind === 'personal' && space.access === 'write' ? t.docs.personal : space.name}</span>
              </li>
            )}
            {page.breadcrumbs.map((crumb) => (
              <li key={crumb.id}>
                <a href={`/docs/${crumb.id}`}>
                  {crumb.icon && <span aria-hidden="true">{crumb.icon} </span>}
                  {titleOf(crumb, t)}
                </a>
              </li>
            ))}
            <li>
              <span aria-current="page">
                {page.icon && <span aria-hidden="true">{page.icon} </span>}
                {title}
              </span>
            </li>
          </ol>
        </nav>
        <div class="doc-tools">
          <LiveStatus page={page.id} />
          {page.locked && (
            <span class="badge badge-warning doc-badge" title={t.docs.lockedNote}>
              <Icon name="lock" />
              {t.docs.locked}
            </span>
          )}
          {!page.can_edit && !page.locked && (
            <span class="badge badge-muted doc-badge" data-testid="read-only">
              {t.docs.readOnly}
            </span>
          )}
          {page.restricted && <span class="badge badge-accent doc-badge">{t.docs.restricted}</span>}
          <button
            type="button"
            class={`icon-btn doc-star ${favourite ? 'on' : ''}`}
            aria-pressed={favourite ? 'true' : 'false'}
            aria-label={favourite ? t.docs.unfavourite : t.docs.favourite}
            title={favourite ? t.docs.unfavourite : t.docs.favourite}
            onClick={() => void act(() => setFavourite(page.id, !favourite))}
          >
            <Icon name="star" />
          </button>
          <button
            type="button"
            class={`btn btn-ghost btn-small doc-comments-toggle ${commenting ? 'on' : ''}`}
            aria-expanded={commenting ? 'true' : 'false'}
            aria-controls={commenting ? 'doc-comments' : undefined}
            aria-label={t.docs.comments.toggle(openThreads.length)}
            title={t.docs.comments.toggle(openThreads.length)}
            onClick={() => (commenting ? closeComments() : setCommenting(true))}
          >
            <Icon name="chat" />
            {openThreads.length > 0 && <span class="doc-comments-count">{openThreads.length}</span>}
          </button>
          {user.role !== 'guest' && writable && (
            <Button size="small" kind="ghost" icon="people" label={t.docs.share} onClick={() => setSharing(true)}>
              {t.docs.share}
            </Button>
          )}
          <PopMenu label={t.docs.more} items={more} />
        </div>
      </header>
      {page.template && (
        <div class="doc-banner doc-banner-template" role="status">
          <Icon name="sparkle" />
          <p>
            <strong>{t.docs.templates.banner(space ? spaceLabel(space, t) : '')}</strong> {t.docs.templates.bannerHint}
          </p>
          {space?.access === 'write' && !page.archived && (
            <Button size="small" kind="primary" icon="plus" onClick={startFromTemplate}>
              {t.docs.templates.useThis}
            </Button>
          )}
        </div>
      )}
      {page.archived && (
        <div class="doc-banner doc-banner-archived" role="status">
          <Icon name="trash" />
          <p>{t.docs.archivedBanner}</p>
          {writable && (
            <Button size="small" kind="primary" onClick={restore}>
              {t.docs.restore}
            </Button>
          )}
        </div>
      )}
      {page.locked && !page.archived && (
        <div class="doc-banner doc-banner-locked" role="status">
          <Icon name="lock" />
          <p>{t.docs.lockedNote}</p>
          {writable && (
            <Button size="small" onClick={() => void change({ locked: false })}>
              {t.docs.unlock}
            </Button>
          )}
        </div>
      )}
      <div class={`doc-body ${commenting ? 'doc-body-comments' : ''}`}>
      <article class={`doc ${page.kind === 'database' ? 'doc-database' : ''}`}>
        <div class="doc-head">
          <div class="doc-icon-row">
            {page.icon ? (
              <button type="button" class="doc-icon" aria-label={t.docs.changeIcon} title={t.docs.changeIcon} disabled={!page.can_edit} onClick={() => setPicking(true)}>
                {page.icon}
              </button>
            ) : (
              page.can_edit && (
                <button type="button" class="link-btn doc-add-icon" onClick={() => setPicking(true)}>
                  <Icon name="smile" />
                  {t.docs.addIcon}
                </button>
              )
            )}
            {picking && (
              <EmojiPicker
                current={page.icon}
                onClose={() => setPicking(false)}
                onPick={(emoji) => {
                  setPicking(false);
                  void change({ icon: emoji });
                }}
              />
            )}
          </div>
          <TitleBox page={page} editable={page.can_edit} focus={new URLSearchParams(search).has('new')} onSave={(value) => change({ title: value })} />
          <p class="doc-meta">{t.docs.edited(formatRelative(page.updated_at))}</p>
        </div>
        <LiveEditor key={page.id} pageId={page.id} editable={page.can_edit} user={{ id: user.id, name: user.display_name, has_avatar: user.has_avatar }} onRightsChanged={reload} />
        {page.kind === 'database' ? <DatabaseTable page={page} /> : <SubPages page={page} />}
      </article>
      {commenting && <CommentsPanel page={page} onClose={closeComments} />}
      </div>
      {sharing && <ShareDialog page={page} onClose={() => setSharing(false)} onRestrict={(on) => change({ restricted: on })} />}
      {history && <HistoryDialog page={page} onClose={() => setHistory(false)} />}
      {savingTemplate && <SaveTemplateDialog page={page} space={space} onClose={() => setSavingTemplate(false)} />}
    </div>
  );
}

/** The big title: saved as the person pauses, and when they leave it. */
function TitleBox({ page, editable, focus, onSave }: { page: Page; editable: boolean; focus: boolean; onSave: (title: string) => Promise<unknown> }) {
  const t = useT();
  const [value, setValue] = useState(page.title);
  const box = useRef<HTMLTextAreaElement>(null);
  const saved = useRef(page.title);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (document.activeElement !== box.current) {
      setValue(page.title);
      saved.current = page.title;
    }
  }, [page.title]);
  useEffect(() => {
    if (focus && editable) box.current?.focus();
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  const save = (text: string) => {
    clearTimeout(timer.current);
    const next = text.replace(/\s+/g, ' ').trim();
    if (next === saved.current) return;
    saved.current = next;
    void onSave(next);
  };
  return (
    <textarea
      ref={box}
      class="doc-title"
      rows={1}
      value={value}
      placeholder={t.docs.untitled}
      aria-label={t.docs.titleLabel}
      readOnly={!editable}
      maxLength={200}
      spellcheck
      onInput={(e) => {
        const text = e.currentTarget.value.replace(/\n/g, '');
        setValue(text);
        clearTimeout(timer.current);
        timer.current = window.setTimeout(() => save(text), 800);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          save(e.currentTarget.value);
          editorHandle.focus();
        }
      }}
      onBlur={(e) => save(e.currentTarget.value)}
    />
  );
}

/** The connection of the page's content, and who else is on it. */
function LiveStatus({ page }: { page: number }) {
  const t = useT();
  const state = useStore(live);
  if (state.page !== page) return null;
  const label = t.docs.status[state.status];
  const peers = state.peers;
  return (
    <>
      {peers.length > 0 && (
        <ul class="doc-peers" aria-label={t.docs.here(peers.map((p) => p.name).join(', '))} title={t.docs.here(peers.map((p) => p.name).join(', '))}>
          {peers.slice(0, 5).map((peer) => (
            <li key={peer.client} class={`peer peer-hue-${peer.hue}`}>
              <Avatar user={{ id: peer.id, display_name: peer.name, has_avatar: peer.has_avatar }} size="small" />
            </li>
          ))}
        </ul>
      )}
      <span class={`doc-status doc-status-${state.status}`} role="status" data-status={state.status}>
        {state.status === 'offline' ? <Icon name="offline" /> : state.status === 'saved' ? <Icon name="check" /> : <span class="spinner" aria-hidden="true" />}
        <span class="doc-status-text">{label}</span>
      </span>
    </>
  );
}

/** The pages inside this one, as links under its content. */
function SubPages({ page }: { page: Page }) {
  const t = useT();
  const pages = useSpacePages(page.space_id);
  const node = pages.data ? findNode(buildTree(pages.data), page.id) : null;
  if (!node || node.children.length === 0) return null;
  return (
    <section class="doc-children" aria-labelledby="doc-children-title">
      <h2 id="doc-children-title">{t.docs.subPages}</h2>
      <ul>
        {node.children.map((child) => (
          <li key={child.page.id}>
            <a href={`/docs/${child.page.id}`}>
              <PageIcon icon={child.page.icon} />
              <span>{titleOf(child.page, t)}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function findNode(nodes: ReturnType<typeof buildTree>, id: number): ReturnType<typeof buildTree>[number] | null {
  for (const node of nodes) {
    if (node.page.id === id) return node;
    const found = findNode(node.children, id);
    if (found) return found;
  }
  return null;
}
