// The left column of Docs: the search field, favourites, recent pages,
// then each space with its tree of pages (results replace them while the
// field holds words). A page is dragged onto another to go inside it, or
// between two to change the order; its menu does the same by keyboard.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate } from '../app/router';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { IconButton } from '../ui/Button';
import { Icon } from '../ui/icons';
import { Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import { buildTree, createDatabase, createPage, descendants, expanded, failed, movePage, refreshDocs, setExpanded, setFavourite, spaceLabel, titleOf, useFavourites, useRecent, useSpacePages, useSpaces, type PageSummary, type Space, type TreeNode } from './state';
import { DocsSearch } from './Search';
import { importItem, spaceExportItem } from './Transfer';
import { PageIcon, PopMenu, type MenuItem } from './widgets';

export type SpaceDialog =
  | { kind: 'new-space' }
  | { kind: 'edit-space'; space: Space }
  | { kind: 'members'; space: Space }
  /** A new page from a template, in a space (chosen in the dialog when absent), under a page or at the top. */
  | { kind: 'template'; space?: Space; parent?: number | null; parentTitle?: string };

/** `onPick`: a page was chosen (on a phone, the list then makes way for it). */
export function DocsNav({ current, onDialog, onPick }: { current: number | null; onDialog: (dialog: SpaceDialog) => void; onPick: () => void }) {
  const t = useT();
  const spaces = useSpaces();
  const favourites = useFavourites();
  const recent = useRecent();
  const list = (spaces.data ?? []).filter((s) => !s.archived);
  const mine = list.find((s) => s.kind === 'personal' && s.access === 'write');
  const canCreateSpace = list.some((s) => s.kind === 'personal' && s.access === 'write');
  const newPage = async () => {
    const space = mine ?? list.find((s) => s.access === 'write');
    if (!space) return;
    try {
      const page = await createPage(space.id, null);
      navigate(`/docs/${page.id}?new`);
    } catch (error) {
      failed(t, error);
    }
  };
  return (
    <nav class="docs-nav" aria-label={t.docs.pages} onClick={(e) => (e.target as Element).closest('a[href^="/docs/"]') && onPick()}>
      <div class="docs-nav-head">
        <h1>{t.nav.docs}</h1>
        {(mine || list.some((s) => s.access === 'write')) && <IconButton icon="plus" label={t.docs.newPage} onClick={() => void newPage()} />}
      </div>
      <DocsSearch spaces={list}>
        {favourites.data && favourites.data.length > 0 && (
          <section class="docs-section" aria-labelledby="docs-favourites">
            <h2 id="docs-favourites" class="docs-section-title">
              {t.docs.favourites}
            </h2>
            <ul class="docs-flat">
              {favourites.data.map((page) => (
                <li key={page.id}>
                  <a href={`/docs/${page.id}`} class="tree-row tree-link-row" aria-current={current === page.id ? 'page' : undefined}>
                    <PageIcon icon={page.icon} kind={page.kind} />
                    <span class="tree-title">{titleOf(page, t)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        )}
        {recent.data && recent.data.length > 0 && (
          <section class="docs-section" aria-labelledby="docs-recent">
            <h2 id="docs-recent" class="docs-section-title">
              {t.docs.recent}
            </h2>
            <ul class="docs-flat">
              {recent.data.slice(0, 5).map((page) => (
                <li key={page.id}>
                  <a href={`/docs/${page.id}`} class="tree-row tree-link-row" aria-current={current === page.id ? 'page' : undefined}>
                    <PageIcon icon={page.icon} kind={page.kind} />
                    <span class="tree-title">{titleOf(page, t)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        )}
        {spaces.data === undefined && !spaces.error ? <Loading /> : null}
        {list.map((space) => (
          <SpaceTree key={space.id} space={space} current={current} onDialog={onDialog} />
        ))}
        <div class="docs-nav-foot">
          {canCreateSpace && (
            <button type="button" class="tree-row tree-action" onClick={() => onDialog({ kind: 'new-space' })}>
              <Icon name="plus" />
              <span>{t.docs.newSpace}</span>
            </button>
          )}
          <a href="/docs/archive" class="tree-row tree-action">
            <Icon name="trash" />
            <span>{t.docs.archiveView}</span>
          </a>
        </div>
      </DocsSearch>
    </nav>
  );
}

type DropPlace = 'before' | 'inside' | 'after';
interface Dragged {
  id: number;
  space: number;
}
/** The page being dragged (dataTransfer cannot be read during dragover). */
let dragged: Dragged | null = null;

function SpaceTree({ space, current, onDialog }: { space: Space; current: number | null; onDialog: (dialog: SpaceDialog) => void }) {
  const t = useT();
  const pages = useSpacePages(space.id);
  const open = useStore(expanded);
  const spaceKey = -space.id; // Spaces share the expanded set, as negative numbers.
  const folded = open.has(spaceKey);
  const [dropTop, setDropTop] = useState(false);
  const label = spaceLabel(space, t);
  const writable = space.access === 'write';
  const tree = pages.data ? buildTree(pages.data) : [];
  const add = async (parent: number | null) => {
    try {
      const page = await createPage(space.id, parent);
      navigate(`/docs/${page.id}?new`);
    } catch (error) {
      failed(t, error);
    }
  };
  const addDatabase = async (parent: number | null) => {
    try {
      const page = await createDatabase(space.id, parent);
      navigate(`/docs/${page.id}?new`);
    } catch (error) {
      failed(t, error);
    }
  };
  const items: (MenuItem | false)[] = [
    writable && { label: t.docs.newPage, icon: 'plus', onSelect: () => void add(null) },
    writable && { label: t.docs.table.newDatabase, icon: 'table', onSelect: () => void addDatabase(null) },
    writable && { label: t.docs.templates.newFrom, icon: 'sparkle', onSelect: () => onDialog({ kind: 'template', space }) },
    writable && importItem(t, { space: space.id, parent: null }),
    spaceExportItem(t, space.id),
    space.kind === 'team' && writable && { label: t.docs.members, icon: 'people', onSelect: () => onDialog({ kind: 'members', space }) },
    space.kind === 'team' && writable && { label: t.docs.editSpace, icon: 'edit', onSelect: () => onDialog({ kind: 'edit-space', space }) },
    { label: t.docs.archiveView, icon: 'trash', onSelect: () => navigate(`/docs/archive?space=${space.id}`) },
  ];
  return (
    <section class="docs-space" aria-label={label} data-space={space.id}>
      <div
        class={`space-row ${dropTop ? 'drop-inside' : ''}`}
        onDragOver={(e) => {
          if (!dragged || !writable) return;
          e.preventDefault();
          setDropTop(true);
        }}
        onDragLeave={() => setDropTop(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDropTop(false);
          const moving = dragged;
          dragged = null;
          if (moving) void move(t, moving.id, { space_id: space.id, parent_id: null });
        }}
      >
        <button
          type="button"
          class="space-toggle"
          aria-expanded={folded ? 'false' : 'true'}
          aria-label={folded ? t.docs.expandSpace(label) : t.docs.collapseSpace(label)}
          onClick={() => setExpanded(spaceKey, !folded)}
        >
          <span class="space-icon" aria-hidden="true">
            {space.icon || (space.kind === 'personal' ? '🔒' : '🏢')}
          </span>
          <span class="space-name">{label}</span>
          <Icon name="chevronRight" class={`space-chevron ${folded ? '' : 'open'}`} />
        </button>
        <span class="tree-actions">
          <PopMenu label={t.docs.spaceActions(label)} items={items} />
          {writable && <IconButton icon="plus" label={t.docs.newPageIn(label)} onClick={() => void add(null)} />}
        </span>
      </div>
      {!folded && (
        <>
          {pages.data && tree.length === 0 && <p class="tree-empty">{t.docs.noPages}</p>}
          {pages.data && tree.length > 0 && (
            <ul class="tree">
              {tree.map((node, index) => (
                <TreeItem key={node.page.id} node={node} siblings={tree} index={index} current={current} open={open} all={pages.data!} space={space} onAdd={(parent) => void add(parent)} onAddDatabase={(parent) => void addDatabase(parent)} onDialog={onDialog} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

async function move(t: ReturnType<typeof useT>, id: number, to: { space_id?: number; parent_id: number | null; index?: number }) {
  try {
    await movePage(id, to);
    toast(t.docs.moved);
  } catch (error) {
    failed(t, error);
    refreshDocs();
  }
}

function TreeItem(props: {
  node: TreeNode;
  siblings: TreeNode[];
  index: number;
  current: number | null;
  open: Set<number>;
  all: readonly PageSummary[];
  space: Space;
  onAdd: (parent: number) => void;
  onAddDatabase: (parent: number) => void;
  onDialog: (dialog: SpaceDialog) => void;
}) {
  const t = useT();
  const { node, current, open, space } = props;
  const page = node.page;
  const title = titleOf(page, t);
  const isOpen = open.has(page.id);
  // A database's sub-pages are its rows: its table shows them, not the tree.
  const children = page.kind === 'database' ? [] : node.children;
  const hasChildren = children.length > 0;
  const writable = page.access === 'write';
  const [drop, setDrop] = useState<DropPlace | null>(null);
  const [renaming, setRenaming] = useState(false);
  const row = useRef<HTMLDivElement>(null);

  const canDropHere = () => {
    if (!dragged || space.access !== 'write') return false;
    if (dragged.id === page.id) return false;
    if (dragged.space === space.id && descendants(props.all, dragged.id).has(page.id)) return false;
    return true;
  };
  const placeOf = (e: DragEvent): DropPlace => {
    const box = row.current!.getBoundingClientRect();
    const y = (e.clientY - box.top) / box.height;
    return y < 0.28 ? 'before' : y > 0.72 ? 'after' : 'inside';
  };
  const dropped = (where: DropPlace) => {
    const moving = dragged!;
    dragged = null;
    if (where === 'inside') {
      void move(t, moving.id, { space_id: space.id, parent_id: page.id });
      return;
    }
    // The index among the siblings once the moved page has left them.
    const others = props.siblings.filter((s) => s.page.id !== moving.id);
    const at = others.findIndex((s) => s.page.id === page.id);
    void move(t, moving.id, { space_id: space.id, parent_id: page.parent_id ?? null, index: at + (where === 'after' ? 1 : 0) });
  };

  const rename = async (value: string) => {
    setRenaming(false);
    if (value.trim() === page.title) return;
    try {
      await api('patch', '/pages/{id}', { path: { id: page.id }, body: { title: value.trim() } });
      refreshDocs();
    } catch (error) {
      failed(t, error);
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
  const siblingsIds = props.siblings.map((s) => s.page.id);
  const favourite = useFavourites().data?.some((p) => p.id === page.id) ?? false;
  const items: (MenuItem | false)[] = [
    writable && { label: t.docs.rename, icon: 'edit', onSelect: () => setRenaming(true) },
    writable && page.kind !== 'database' && { label: t.docs.newSubPage, icon: 'plus', onSelect: () => props.onAdd(page.id) },
    writable && page.kind !== 'database' && { label: t.docs.table.newDatabaseInside, icon: 'table', onSelect: () => props.onAddDatabase(page.id) },
    writable && { label: t.docs.templates.newInside, icon: 'sparkle', onSelect: () => props.onDialog({ kind: 'template', space, parent: page.id, parentTitle: title }) },
    writable && importItem(t, { space: space.id, parent: page.id }),
    space.access === 'write' && {
      label: t.docs.duplicate,
      icon: 'copy',
      onSelect: () =>
        void act(async () => {
          const copy = await api('post', '/pages/{id}/duplicate', { path: { id: page.id } });
          navigate(`/docs/${copy.id}`);
        }, t.docs.duplicated(title)),
    },
    space.access === 'write' && page.parent_id != null && { label: t.docs.moveTop, icon: 'move', onSelect: () => void move(t, page.id, { parent_id: null }) },
    space.access === 'write' && props.index > 0 && { label: t.docs.moveUp, icon: 'arrowUp', onSelect: () => void move(t, page.id, { parent_id: page.parent_id ?? null, index: props.index - 1 }) },
    space.access === 'write' && props.index < siblingsIds.length - 1 && { label: t.docs.moveDown, icon: 'arrowDown', onSelect: () => void move(t, page.id, { parent_id: page.parent_id ?? null, index: props.index + 1 }) },
    favourite
      ? { label: t.docs.unfavourite, icon: 'star', onSelect: () => void act(() => setFavourite(page.id, false)) }
      : { label: t.docs.favourite, icon: 'star', onSelect: () => void act(() => setFavourite(page.id, true)) },
    writable && { label: t.docs.archive, icon: 'trash', danger: true, onSelect: () => void act(() => api('post', '/pages/{id}/archive', { path: { id: page.id } }), t.docs.archived(title)) },
  ];

  return (
    <li data-page={page.id}>
      <div
        ref={row}
        class={`tree-row ${current === page.id ? 'tree-current' : ''} ${drop ? `drop-${drop}` : ''}`}
        draggable={space.access === 'write' && !renaming}
        onDragStart={(e) => {
          dragged = { id: page.id, space: space.id };
          e.dataTransfer?.setData('text/plain', title);
          if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
        }}
        onDragEnd={() => {
          dragged = null;
        }}
        onDragOver={(e) => {
          if (!canDropHere()) return;
          e.preventDefault();
          e.stopPropagation();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
          setDrop(placeOf(e));
        }}
        onDragLeave={() => setDrop(null)}
        onDrop={(e) => {
          if (!canDropHere()) return;
          e.preventDefault();
          e.stopPropagation();
          const where = placeOf(e);
          setDrop(null);
          dropped(where);
        }}
      >
        {hasChildren ? (
          <button type="button" class="tree-toggle" aria-expanded={isOpen ? 'true' : 'false'} aria-label={isOpen ? t.docs.collapse(title) : t.docs.expand(title)} onClick={() => setExpanded(page.id, !isOpen)}>
            <Icon name="chevronRight" class={isOpen ? 'open' : ''} />
          </button>
        ) : (
          <span class="tree-toggle tree-leaf" aria-hidden="true" />
        )}
        {renaming ? (
          <RenameBox initial={page.title} onDone={(value) => void rename(value)} onCancel={() => setRenaming(false)} />
        ) : (
          <a href={`/docs/${page.id}`} class="tree-link" aria-current={current === page.id ? 'page' : undefined} draggable={false}>
            <PageIcon icon={page.icon} kind={page.kind} />
            <span class={`tree-title ${page.title.trim() ? '' : 'untitled'}`}>{title}</span>
            {page.restricted && <Icon name="lock" class="tree-flag" />}
          </a>
        )}
        <span class="tree-actions">
          <PopMenu label={t.docs.pageActions(title)} items={items} />
          {writable && page.kind !== 'database' && <IconButton icon="plus" label={t.docs.newSubPageOf(title)} onClick={() => props.onAdd(page.id)} />}
        </span>
      </div>
      {hasChildren && isOpen && (
        <ul>
          {children.map((child, index) => (
            <TreeItem key={child.page.id} {...props} node={child} siblings={children} index={index} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** A name being typed in place: Enter or leaving keeps it, Escape does not. */
export function RenameBox({ initial, label, class: className = 'tree-rename', placeholder, onDone, onCancel }: { initial: string; label?: string; class?: string; placeholder?: string; onDone: (value: string) => void; onCancel: () => void }) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const finished = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (value: string | null) => {
    if (finished.current) return;
    finished.current = true;
    if (value === null) onCancel();
    else onDone(value);
  };
  return (
    <input
      ref={input}
      class={className}
      aria-label={label ?? t.docs.renameLabel}
      defaultValue={initial}
      placeholder={placeholder}
      maxLength={200}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(e.currentTarget.value);
        if (e.key === 'Escape') finish(null);
      }}
      onBlur={(e) => finish(e.currentTarget.value)}
    />
  );
}
