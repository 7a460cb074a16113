// The Files screen: the person's own files and their team folders, in a
// list or a grid, with uploads (files and whole folders, by button or by
// dropping them), previews, share links, versions and the trash. Loaded
// on first use. Addresses: /files, /files?path=/Sales/2026, /files?q=offer,
// /files/trash.

import './files.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { navigate, usePlace } from '../app/router';
import { me } from '../app/session';
import { useStore } from '../lib/store';
import { formatBytes, formatDateTime, formatRelative, useT } from '../i18n';
import { useResource, type Resource } from '../lib/resource';
import { Button } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { Icon } from '../ui/icons';
import { Loaded, PageHeader } from '../ui/Page';
import { TabNav } from '../ui/Tabs';
import { toast } from '../ui/Toast';
import { FolderPicker, NameDialog } from './dialogs';
import { contentUrl, folderHref, join, kindOf, nameOf, parentOf, searchHref, sorted, thumbnailUrl, zipUrl, type FileView, type SortKey } from './paths';
import { Preview } from './Preview';
import { ShareDialog } from './Share';
import { Trash } from './Trash';
import { UploadsPanel } from './UploadsPanel';
import { fromDrop, onUploaded, uploadPicked, type Picked } from './uploads';
import { VersionsDialog } from './Versions';
import { Crumbs, failed, FileIcon, FilePicker, isTop, Menu, refreshFiles, UsageBar, type MenuItem } from './widgets';

export function Files() {
  const { path, search } = usePlace();
  if (path === '/files/trash') return <Trash />;
  const params = new URLSearchParams(search);
  const folder = params.get('path') || '/';
  const query = params.get('q')?.trim() || null;
  return <Browser folder={folder} query={query} />;
}

export function FilesNav() {
  const t = useT();
  return (
    <TabNav
      label={t.nav.files}
      items={[
        { href: '/files', label: t.files.all, icon: 'files' },
        { href: '/files/trash', label: t.files.trash, icon: 'trash' },
      ]}
    />
  );
}

type View = 'list' | 'grid';
type Dialog =
  | { kind: 'rename'; entry: FileView }
  | { kind: 'folder' }
  | { kind: 'move' | 'copy'; entries: FileView[] }
  | { kind: 'versions'; entry: FileView }
  | { kind: 'share'; entry: FileView }
  | { kind: 'preview'; entry: FileView };

const VIEW_KEY = 'bureau.files.view';
const SORT_KEY = 'bureau.files.sort';

function saved<T extends string>(key: string, allowed: T[], fallback: T): T {
  try {
    const value = localStorage.getItem(key) as T | null;
    return value && allowed.includes(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function save(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // The choice lasts for this page only.
  }
}

function Browser({ folder, query }: { folder: string; query: string | null }) {
  const t = useT();
  const listing = useResource(`files:list:${folder}`, () => api('get', '/files/list', { query: { path: folder } }));
  const found = useResource(`files:search:${query ?? ''}`, () => (query ? api('get', '/files/search', { query: { q: query } }) : Promise.resolve([])));
  const [view, setView] = useState<View>(() => saved(VIEW_KEY, ['list', 'grid'], 'list'));
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>(() => {
    const [key, dir] = saved(SORT_KEY, ['name:asc', 'name:desc', 'size:asc', 'size:desc', 'date:asc', 'date:desc'], 'name:asc').split(':');
    return { key: key as SortKey, desc: dir === 'desc' };
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [dragging, setDragging] = useState(false);
  const [searchText, setSearchText] = useState(query ?? '');
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const dragDepth = useRef(0);

  useEffect(() => {
    setSelected(new Set());
    setAnchor(null);
  }, [folder, query]);
  useEffect(() => setSearchText(query ?? ''), [query]);
  useEffect(() => onUploaded(() => refreshFiles()), []);
  useEffect(() => {
    // Files change without events (other people, WebDAV): look again when
    // the person comes back to the tab.
    const back = () => document.visibilityState === 'visible' && refreshFiles();
    document.addEventListener('visibilitychange', back);
    return () => document.removeEventListener('visibilitychange', back);
  }, []);

  const data = listing.data;
  // Guests cannot make share links.
  const guest = useStore(me)?.role === 'guest';
  const canWrite = !query && data?.access === 'write';
  const entries = useMemo(() => {
    const list = query ? found.data ?? [] : data?.entries ?? [];
    return sorted(list, sort.key, sort.desc);
  }, [query, found.data, data, sort]);
  const chosen = entries.filter((e) => selected.has(e.path));
  const previewable = entries.filter((e) => kindOf(e) !== 'folder' && kindOf(e) !== 'other');

  const changeView = (next: View) => {
    setView(next);
    save(VIEW_KEY, next);
  };
  const changeSort = (key: SortKey, desc?: boolean) => {
    const next = { key, desc: desc ?? (sort.key === key ? !sort.desc : false) };
    setSort(next);
    save(SORT_KEY, `${next.key}:${next.desc ? 'desc' : 'asc'}`);
  };

  const toggle = (entry: FileView, index: number, shift: boolean) => {
    const next = new Set(selected);
    const on = !selected.has(entry.path);
    if (shift && anchor !== null) {
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
      for (const e of entries.slice(from, to + 1)) {
        if (on) next.add(e.path);
        else next.delete(e.path);
      }
    } else if (on) next.add(entry.path);
    else next.delete(entry.path);
    setAnchor(index);
    setSelected(next);
  };
  const selectAll = (on: boolean) => setSelected(on ? new Set(entries.map((e) => e.path)) : new Set());

  const upload = async (picked: Picked) => {
    if (picked.files.length === 0 && picked.dirs.length === 0) return;
    try {
      await uploadPicked(folder, picked);
      if (picked.dirs.length) refreshFiles();
    } catch (error) {
      failed(t, error);
    }
  };

  const remove = async (list: FileView[]) => {
    if (list.length === 0) return;
    const gone: string[] = [];
    for (const entry of list) {
      try {
        await api('post', '/files/delete', { body: { path: entry.path } });
        gone.push(entry.path);
      } catch (error) {
        failed(t, error);
      }
    }
    setSelected(new Set());
    refreshFiles();
    if (gone.length === 0) return;
    const message = gone.length === 1 ? t.files.deletedOne(nameOf(gone[0])) : t.files.deletedMany(gone.length);
    toast(message, 'success', { label: t.files.undo, run: () => void undo(gone) });
  };

  const undo = async (paths: string[]) => {
    try {
      const trash = await api('get', '/files/trash');
      let restored = 0;
      for (const path of paths) {
        const newest = trash.filter((item) => item.path === path).sort((a, b) => b.deleted_at.localeCompare(a.deleted_at))[0];
        if (!newest) continue;
        await api('post', '/files/trash/{id}/restore', { path: { id: newest.id } });
        restored++;
      }
      refreshFiles();
      // Put back from the trash meanwhile (or purged): nothing to undo.
      toast(restored === 0 ? t.files.nothingToUndo : t.files.restoredMany(restored), restored === 0 ? 'info' : 'success');
    } catch (error) {
      failed(t, error);
    }
  };

  const transfer = async (kind: 'move' | 'copy', list: FileView[], destination: string) => {
    setDialog(null);
    let done = 0;
    for (const entry of list) {
      const body = { from: entry.path, to: join(destination, entry.name) };
      try {
        if (kind === 'move' && parentOf(entry.path) === destination) continue;
        try {
          await api('post', kind === 'move' ? '/files/move' : '/files/copy', { body });
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'exists') || entry.is_dir) throw error;
          const yes = await confirm({ title: t.files.replaceTitle(entry.name), body: t.files.replaceBody, confirm: t.files.replace });
          if (!yes) continue;
          await api('post', kind === 'move' ? '/files/move' : '/files/copy', { body: { ...body, replace: true } });
        }
        done++;
      } catch (error) {
        failed(t, error);
      }
    }
    setSelected(new Set());
    refreshFiles();
    if (done) toast(kind === 'move' ? t.files.moved(done, destination === '/' ? t.files.home : nameOf(destination)) : t.files.copied(done, destination === '/' ? t.files.home : nameOf(destination)));
  };

  const actionsFor = (entry: FileView): MenuItem[] => {
    const writable = query ? true : canWrite;
    const top = isTop(entry);
    const items: (MenuItem | false)[] = [
      entry.is_dir
        ? { label: t.files.open, icon: 'files', onSelect: () => navigate(folderHref(entry.path)) }
        : kindOf(entry) !== 'other' && { label: t.files.preview, icon: 'image', onSelect: () => setDialog({ kind: 'preview', entry }) },
      entry.is_dir
        ? { label: t.files.downloadZip, icon: 'download', href: zipUrl(entry.path), download: true }
        : { label: t.files.download, icon: 'download', href: contentUrl(entry.path, true), download: true },
      !!query && { label: t.files.showInFolder, icon: 'files', onSelect: () => navigate(folderHref(parentOf(entry.path))) },
      writable && !top && { label: t.files.rename, icon: 'edit', onSelect: () => setDialog({ kind: 'rename', entry }) },
      writable && !top && { label: t.files.move, icon: 'move', onSelect: () => setDialog({ kind: 'move', entries: [entry] }) },
      { label: t.files.copy, icon: 'copy', onSelect: () => setDialog({ kind: 'copy', entries: [entry] }) },
      !entry.is_dir && { label: t.files.versions, icon: 'history', onSelect: () => setDialog({ kind: 'versions', entry }) },
      !guest && { label: t.files.share, icon: 'link', onSelect: () => setDialog({ kind: 'share', entry }) },
      writable && !top && { label: t.files.delete, icon: 'trash', danger: true, onSelect: () => void remove([entry]) },
    ];
    return items.filter((item): item is MenuItem => !!item);
  };

  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (target.closest('dialog, .menu-popover')) return;
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) && (target as HTMLInputElement).type !== 'checkbox') return;
    if (e.key === 'Delete' && chosen.length && canWrite) {
      e.preventDefault();
      void remove(chosen.filter((c) => !isTop(c)));
    } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      selectAll(true);
    } else if (e.key === 'Escape' && selected.size) {
      setSelected(new Set());
    }
  };

  const dropHandlers = canWrite
    ? {
        onDragEnter: (e: DragEvent) => {
          if (!e.dataTransfer?.types.includes('Files')) return;
          e.preventDefault();
          dragDepth.current++;
          setDragging(true);
        },
        onDragOver: (e: DragEvent) => {
          if (!e.dataTransfer?.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        },
        onDragLeave: () => {
          dragDepth.current = Math.max(0, dragDepth.current - 1);
          if (dragDepth.current === 0) setDragging(false);
        },
        onDrop: (e: DragEvent) => {
          e.preventDefault();
          dragDepth.current = 0;
          setDragging(false);
          if (e.dataTransfer) void fromDrop(e.dataTransfer).then(upload, (error) => failed(t, error));
        },
      }
    : {
        // Where nothing may be added, a drop must not open the file in the tab.
        onDragOver: (e: DragEvent) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
        },
        onDrop: (e: DragEvent) => e.preventDefault(),
      };

  const title = query ? t.files.resultsFor(query) : folder === '/' ? t.nav.files : nameOf(folder);
  return (
    <div class={`page files-page ${dragging ? 'files-dragging' : ''}`} {...dropHandlers} onKeyDown={onKey}>
      <PageHeader
        title={title}
        actions={
          canWrite && (
            <>
              <Button kind="primary" icon="upload" onClick={() => fileInput.current?.click()}>
                {t.files.upload}
              </Button>
              <Button icon="upload" onClick={() => folderInput.current?.click()}>
                {t.files.uploadFolder}
              </Button>
              <Button icon="folderPlus" onClick={() => setDialog({ kind: 'folder' })}>
                {t.files.newFolder}
              </Button>
            </>
          )
        }
      />
      <FilePicker input={fileInput} onPick={(picked) => void upload(picked)} />
      <FilePicker input={folderInput} folders onPick={(picked) => void upload(picked)} />
      <FilesNav />
      <div class="files-toolbar">
        {query ? (
          <p class="files-crumbs">
            <a href={folderHref('/')}>{t.files.backToFiles}</a>
          </p>
        ) : folder === '/' ? (
          <div class="files-crumbs" />
        ) : (
          <Crumbs path={folder} top={t.files.home} hrefOf={folderHref} />
        )}
        <form
          class="files-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(searchText.trim() ? searchHref(searchText.trim()) : folderHref(folder));
          }}
        >
          <label for="files-search" class="visually-hidden">
            {t.files.searchLabel}
          </label>
          <Icon name="search" />
          <input id="files-search" type="search" value={searchText} placeholder={t.files.searchPlaceholder} autocomplete="off" onInput={(e) => setSearchText(e.currentTarget.value)} />
        </form>
        <div class="files-view-controls">
          <label for="files-sort" class="visually-hidden">
            {t.files.sortBy}
          </label>
          <select id="files-sort" class="select-compact" value={`${sort.key}:${sort.desc ? 'desc' : 'asc'}`} onChange={(e) => {
            const [key, dir] = e.currentTarget.value.split(':');
            changeSort(key as SortKey, dir === 'desc');
          }}>
            <option value="name:asc">{t.files.sortName}</option>
            <option value="name:desc">{t.files.sortNameDesc}</option>
            <option value="date:desc">{t.files.sortNewest}</option>
            <option value="date:asc">{t.files.sortOldest}</option>
            <option value="size:desc">{t.files.sortLargest}</option>
            <option value="size:asc">{t.files.sortSmallest}</option>
          </select>
          <div class="segmented" role="group" aria-label={t.files.viewAs}>
            <button type="button" aria-pressed={view === 'list' ? 'true' : 'false'} title={t.files.listView} aria-label={t.files.listView} onClick={() => changeView('list')}>
              <Icon name="list" />
            </button>
            <button type="button" aria-pressed={view === 'grid' ? 'true' : 'false'} title={t.files.gridView} aria-label={t.files.gridView} onClick={() => changeView('grid')}>
              <Icon name="grid" />
            </button>
          </div>
        </div>
      </div>
      {!query && data && (
        <div class="files-status">
          <UsageBar used={data.usage.used} quota={data.usage.quota} />
          {data.access === 'read' && <span class="badge badge-muted">{t.files.readOnly}</span>}
        </div>
      )}
      {chosen.length > 0 && (
        <div class="selection-bar" role="region" aria-label={t.files.selection}>
          <p>
            <strong>{t.files.selectedCount(chosen.length)}</strong>
          </p>
          <div class="selection-actions">
            {chosen.length === 1 && (
              <a class="btn btn-secondary btn-small" href={chosen[0].is_dir ? zipUrl(chosen[0].path) : contentUrl(chosen[0].path, true)} download>
                <Icon name="download" />
                <span>{chosen[0].is_dir ? t.files.downloadZip : t.files.download}</span>
              </a>
            )}
            {canWrite && chosen.length === 1 && !isTop(chosen[0]) && (
              <Button size="small" icon="edit" onClick={() => setDialog({ kind: 'rename', entry: chosen[0] })}>
                {t.files.rename}
              </Button>
            )}
            {canWrite && !chosen.some(isTop) && (
              <Button size="small" icon="move" onClick={() => setDialog({ kind: 'move', entries: chosen })}>
                {t.files.move}
              </Button>
            )}
            <Button size="small" icon="copy" onClick={() => setDialog({ kind: 'copy', entries: chosen })}>
              {t.files.copy}
            </Button>
            {chosen.length === 1 && !guest && (
              <Button size="small" icon="link" onClick={() => setDialog({ kind: 'share', entry: chosen[0] })}>
                {t.files.share}
              </Button>
            )}
            {canWrite && !chosen.some(isTop) && (
              <Button size="small" kind="danger" icon="trash" onClick={() => void remove(chosen)}>
                {t.files.delete}
              </Button>
            )}
            <Button size="small" kind="ghost" icon="close" onClick={() => setSelected(new Set())}>
              {t.files.clearSelection}
            </Button>
          </div>
        </div>
      )}
      <Loaded resource={(query ? found : listing) as Resource<unknown>}>
        {() =>
          entries.length === 0 ? (
            <EmptyFolder query={query} canWrite={canWrite} onUpload={() => fileInput.current?.click()} />
          ) : view === 'list' ? (
            <FileTable
              entries={entries}
              selected={selected}
              sort={sort}
              showFolder={!!query}
              onSort={changeSort}
              onToggle={toggle}
              onSelectAll={selectAll}
              onPreview={(entry) => setDialog({ kind: 'preview', entry })}
              actionsFor={actionsFor}
            />
          ) : (
            <FileGrid entries={entries} selected={selected} onToggle={toggle} onPreview={(entry) => setDialog({ kind: 'preview', entry })} actionsFor={actionsFor} />
          )
        }
      </Loaded>
      {canWrite && (
        <p class="drop-hint muted">
          <Icon name="upload" />
          {t.files.dropHint}
        </p>
      )}
      {dragging && (
        <div class="drop-overlay" aria-hidden="true">
          <Icon name="upload" />
          <p>{t.files.dropHere(folder === '/' ? t.files.home : nameOf(folder))}</p>
        </div>
      )}
      <UploadsPanel />
      {dialog?.kind === 'folder' && (
        <NameDialog
          title={t.files.newFolder}
          label={t.files.folderName}
          initial=""
          submit={t.files.create}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await api('post', '/files/folders', { body: { path: join(folder, name) } });
            refreshFiles();
            toast(t.files.folderCreated(name));
          }}
        />
      )}
      {dialog?.kind === 'rename' && (
        <NameDialog
          title={t.files.renameTitle(dialog.entry.name)}
          label={t.files.newName}
          initial={dialog.entry.name}
          submit={t.files.rename}
          selectStem={!dialog.entry.is_dir}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            if (name === dialog.entry.name) return;
            await api('post', '/files/move', { body: { from: dialog.entry.path, to: join(parentOf(dialog.entry.path), name) } });
            refreshFiles();
            toast(t.files.renamed(name));
          }}
        />
      )}
      {(dialog?.kind === 'move' || dialog?.kind === 'copy') && (
        <FolderPicker
          title={dialog.kind === 'move' ? t.files.moveTitle(dialog.entries.length, dialog.entries[0].name) : t.files.copyTitle(dialog.entries.length, dialog.entries[0].name)}
          confirmLabel={dialog.kind === 'move' ? t.files.moveHere : t.files.copyHere}
          start={query ? '/' : folder}
          exclude={dialog.entries.filter((e) => e.is_dir).map((e) => e.path)}
          onClose={() => setDialog(null)}
          onChoose={(destination) => void transfer(dialog.kind as 'move' | 'copy', dialog.entries, destination)}
        />
      )}
      {dialog?.kind === 'versions' && <VersionsDialog entry={dialog.entry} canWrite={query ? true : canWrite} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'share' && <ShareDialog entry={dialog.entry} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'preview' && (
        <Preview entries={previewable} start={dialog.entry} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}

function EmptyFolder({ query, canWrite, onUpload }: { query: string | null; canWrite: boolean; onUpload: () => void }) {
  const t = useT();
  if (query) return <p class="empty">{t.files.noResults}</p>;
  return (
    <div class="empty files-empty">
      <Icon name="files" />
      <p>
        <strong>{t.files.emptyTitle}</strong>
      </p>
      <p>{canWrite ? t.files.emptyBody : t.files.emptyReadOnly}</p>
      {canWrite && (
        <Button kind="primary" icon="upload" onClick={onUpload}>
          {t.files.upload}
        </Button>
      )}
    </div>
  );
}

interface ItemsProps {
  entries: FileView[];
  selected: Set<string>;
  onToggle: (entry: FileView, index: number, shift: boolean) => void;
  onPreview: (entry: FileView) => void;
  actionsFor: (entry: FileView) => MenuItem[];
}

/** The entry's name as the way to open it: a folder's link, a preview, or a download. */
function EntryName({ entry, onPreview }: { entry: FileView; onPreview: (entry: FileView) => void }) {
  if (entry.is_dir) {
    return (
      <a class="entry-name" href={folderHref(entry.path)}>
        {entry.name}
      </a>
    );
  }
  if (kindOf(entry) !== 'other') {
    return (
      <button type="button" class="entry-name" onClick={() => onPreview(entry)}>
        {entry.name}
      </button>
    );
  }
  return (
    <a class="entry-name" href={contentUrl(entry.path, true)} download>
      {entry.name}
    </a>
  );
}

function Check({ entry, index, selected, onToggle }: { entry: FileView; index: number; selected: boolean; onToggle: ItemsProps['onToggle'] }) {
  const t = useT();
  return (
    <input
      type="checkbox"
      class="entry-check"
      checked={selected}
      aria-label={t.files.select(entry.name)}
      onClick={(e) => onToggle(entry, index, e.shiftKey)}
    />
  );
}

function FileTable(props: ItemsProps & { sort: { key: SortKey; desc: boolean }; showFolder: boolean; onSort: (key: SortKey) => void; onSelectAll: (on: boolean) => void }) {
  const t = useT();
  const all = props.entries.length > 0 && props.entries.every((e) => props.selected.has(e.path));
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={props.sort.key === key ? (props.sort.desc ? 'descending' : 'ascending') : undefined} class={key === 'name' ? '' : `col-narrow col-${key}`}>
      <button type="button" class="sort-btn" onClick={() => props.onSort(key)}>
        {label}
        {props.sort.key === key && <span aria-hidden="true">{props.sort.desc ? ' ↓' : ' ↑'}</span>}
      </button>
    </th>
  );
  return (
    <div class="card table-wrap">
      <table class="table files-table">
        <thead>
          <tr>
            <th scope="col" class="col-check">
              <input type="checkbox" checked={all} aria-label={t.files.selectAll} onChange={(e) => props.onSelectAll(e.currentTarget.checked)} />
            </th>
            {header('name', t.files.name)}
            {props.showFolder && <th scope="col" class="col-folder">{t.files.folder}</th>}
            {header('size', t.files.size)}
            {header('date', t.files.modified)}
            <th scope="col" class="col-actions">
              <span class="visually-hidden">{t.common.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry, index) => {
            const on = props.selected.has(entry.path);
            return (
              <tr key={entry.path} class={on ? 'row-selected' : ''}>
                <td class="col-check">
                  <Check entry={entry} index={index} selected={on} onToggle={props.onToggle} />
                </td>
                <th scope="row">
                  <div class="entry-cell">
                    <FileIcon entry={entry} />
                    <EntryName entry={entry} onPreview={props.onPreview} />
                    {entry.team_folder && <span class="badge badge-accent">{t.files.team}</span>}
                    {entry.shared_with_me && <span class="badge badge-accent">{t.files.sharedWithYou}</span>}
                  </div>
                </th>
                {props.showFolder && (
                  <td class="col-folder">
                    <a href={folderHref(parentOf(entry.path))}>{parentOf(entry.path) === '/' ? t.files.home : parentOf(entry.path).slice(1)}</a>
                  </td>
                )}
                <td class="col-narrow col-size nowrap">{entry.is_dir ? '—' : formatBytes(entry.size)}</td>
                <td class="col-narrow col-date nowrap" title={formatDateTime(entry.modified_at)}>
                  {formatRelative(entry.modified_at)}
                </td>
                <td class="col-actions">
                  <Menu label={t.files.actionsFor(entry.name)} items={props.actionsFor(entry)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function FileGrid(props: ItemsProps) {
  const t = useT();
  return (
    <ul class="file-grid">
      {props.entries.map((entry, index) => {
        const on = props.selected.has(entry.path);
        const kind = kindOf(entry);
        return (
          <li key={entry.path} class={`file-card ${on ? 'file-card-selected' : ''}`}>
            <div class="file-thumb" onClick={() => (entry.is_dir ? navigate(folderHref(entry.path)) : kind === 'other' ? undefined : props.onPreview(entry))}>
              {kind === 'image' ? <Thumbnail entry={entry} /> : <FileIcon entry={entry} />}
            </div>
            <div class="file-card-body">
              <Check entry={entry} index={index} selected={on} onToggle={props.onToggle} />
              <div class="file-card-text">
                <EntryName entry={entry} onPreview={props.onPreview} />
                <span class="muted">{entry.team_folder ? t.files.team : entry.shared_with_me ? t.files.sharedWithYou : entry.is_dir ? t.files.folder : formatBytes(entry.size)}</span>
              </div>
              <Menu label={t.files.actionsFor(entry.name)} items={props.actionsFor(entry)} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** An image's thumbnail, or its icon when the server cannot make one. */
function Thumbnail({ entry }: { entry: FileView }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <FileIcon entry={entry} />;
  return <img src={thumbnailUrl(entry)} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />;
}
