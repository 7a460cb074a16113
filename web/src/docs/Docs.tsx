// Docs, the company wiki: spaces of nested pages on the left, the open page
// on the right, written together live. Loaded on first use; the block
// editor is a further file, loaded when a page opens. Addresses: /docs,
// /docs/{page}, /docs/archive (?space={id}).

import './docs.css';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate, usePlace } from '../app/router';
import { formatRelative, useT } from '../i18n';
import { Button } from '../ui/Button';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { MembersDialog, SpaceDialog } from './dialogs';
import { PageView } from './PageView';
import { createDatabase, createPage, failed, refreshDocs, spaceLabel, titleOf, useArchive, useRecent, useSpaces, type Space } from './state';
import { TemplateDialog } from './Templates';
import { DocsNav, type SpaceDialog as Dialogs } from './Tree';
import { PageIcon } from './widgets';

/** Below this width the pages' column covers the page instead of sitting beside it. */
const NARROW = '(max-width: 900px)';

export function Docs() {
  const { path } = usePlace();
  const part = path.split('/')[2] ?? '';
  const pageId = Number(part) || null;
  const archive = part === 'archive';
  const narrow = () => matchMedia(NARROW).matches;
  const [navOpen, setNavOpen] = useState(() => !(pageId && narrow()));
  const [dialog, setDialog] = useState<Dialogs | null>(null);

  // On a phone, opening a page shows it; the list comes back by its button.
  useEffect(() => {
    if (narrow()) setNavOpen(!pageId && !archive);
  }, [pageId, archive]);
  useEffect(() => {
    // Other people change the tree without events: look again when the
    // person comes back to the tab.
    const back = () => document.visibilityState === 'visible' && refreshDocs();
    document.addEventListener('visibilitychange', back);
    return () => document.removeEventListener('visibilitychange', back);
  }, []);

  return (
    <div class={`docs ${navOpen ? 'docs-nav-open' : 'docs-nav-closed'} ${pageId || archive ? 'docs-has-page' : ''}`}>
      <DocsNav current={pageId} onDialog={setDialog} onPick={() => narrow() && setNavOpen(false)} />
      <section class="docs-main">
        {pageId ? (
          <PageView id={pageId} navOpen={navOpen} onToggleNav={() => setNavOpen(!navOpen)} />
        ) : archive ? (
          <ArchiveView />
        ) : (
          <DocsHome onTemplate={() => setDialog({ kind: 'template' })} />
        )}
      </section>
      {dialog?.kind === 'new-space' && <SpaceDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit-space' && <SpaceDialog space={dialog.space} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'members' && <MembersDialog space={dialog.space} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'template' && <TemplateDialog space={dialog.space} parent={dialog.parent} parentTitle={dialog.parentTitle} onClose={() => setDialog(null)} />}
    </div>
  );
}

/** /docs: recent pages and a way to start one, empty or from a template. */
function DocsHome({ onTemplate }: { onTemplate: () => void }) {
  const t = useT();
  const spaces = useSpaces();
  const recent = useRecent();
  const target = spaces.data?.find((s) => s.kind === 'personal' && s.access === 'write') ?? spaces.data?.find((s) => s.access === 'write');
  const start = async (make: typeof createPage | typeof createDatabase) => {
    if (!target) return;
    try {
      const page = await make(target.id, null);
      navigate(`/docs/${page.id}?new`);
    } catch (error) {
      failed(t, error);
    }
  };
  return (
    <div class="docs-home">
      <PageHeader
        title={t.nav.docs}
        intro={t.docs.homeIntro}
        actions={
          target && (
            <>
              <Button icon="sparkle" onClick={onTemplate}>
                {t.docs.templates.fromTemplate}
              </Button>
              <Button icon="table" onClick={() => void start(createDatabase)}>
                {t.docs.table.newDatabase}
              </Button>
              <Button kind="primary" icon="plus" onClick={() => void start(createPage)}>
                {t.docs.newPage}
              </Button>
            </>
          )
        }
      />
      <Loaded resource={recent}>
        {(pages) =>
          pages.length === 0 ? (
            <Empty>{t.docs.nothingYet}</Empty>
          ) : (
            <section aria-labelledby="docs-home-recent">
              <h2 id="docs-home-recent" class="docs-home-title">
                {t.docs.recent}
              </h2>
              <ul class="docs-cards">
                {pages.map((page) => (
                  <li key={page.id}>
                    <a href={`/docs/${page.id}`} class="card docs-card">
                      <PageIcon icon={page.icon} kind={page.kind} />
                      <span class="docs-card-title">{titleOf(page, t)}</span>
                      <span class="docs-card-meta">{t.docs.edited(formatRelative(page.updated_at))}</span>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          )
        }
      </Loaded>
    </div>
  );
}

/** /docs/archive: archived pages, space by space, to restore. */
function ArchiveView() {
  const t = useT();
  const { search } = usePlace();
  const spaces = useSpaces();
  const chosen = Number(new URLSearchParams(search).get('space')) || null;
  const list = (spaces.data ?? []).filter((s) => s.access === 'write' && (chosen === null || s.id === chosen));
  return (
    <div class="docs-home">
      <PageHeader title={t.docs.archiveView} intro={t.docs.archiveIntro} />
      {list.map((space) => (
        <section key={space.id} class="archive-space" aria-labelledby={`archive-${space.id}`}>
          <h2 id={`archive-${space.id}`} class="docs-home-title">
            <span aria-hidden="true">{space.icon || (space.kind === 'personal' ? '🔒' : '🏢')} </span>
            {spaceLabel(space, t)}
          </h2>
          <ArchivedPages space={space} />
        </section>
      ))}
    </div>
  );
}

function ArchivedPages({ space }: { space: Space }) {
  const t = useT();
  const archived = useArchive(space.id);
  const restore = async (id: number, title: string) => {
    try {
      await api('post', '/pages/{id}/restore', { path: { id } });
      refreshDocs();
      toast(t.docs.restored(title));
    } catch (error) {
      failed(t, error);
    }
  };
  return (
    <Loaded resource={archived}>
      {(pages) =>
        pages.length === 0 ? (
          <Empty>{t.docs.archiveEmpty}</Empty>
        ) : (
          <ul class="card archive-list">
            {pages.map((page) => (
              <li key={page.id}>
                <a href={`/docs/${page.id}`} class="archive-link">
                  <PageIcon icon={page.icon} />
                  <span>{titleOf(page, t)}</span>
                </a>
                <span class="muted archive-when">{formatRelative(page.updated_at)}</span>
                <Button size="small" icon="undo" onClick={() => void restore(page.id, titleOf(page, t))}>
                  {t.docs.restore}
                </Button>
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}
