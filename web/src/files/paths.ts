// Paths in a person's tree (`/`, `/Sales/offer.pdf`), the screen's
// addresses, and the URLs of a file's content.

import { API, type Schemas } from '../api/client';

export type FileView = Schemas['FileView'];
export type Listing = Schemas['ListingView'];

export function join(folder: string, name: string): string {
  const base = folder.replace(/\/+$/, '');
  const rest = name.replace(/^\/+/, '');
  return rest ? `${base}/${rest}` : base || '/';
}

export function parentOf(path: string): string {
  const cut = path.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function nameOf(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** The folders from the top down to `path`: [['/', ''], ['/Sales', 'Sales'], ...]. */
export function crumbs(path: string): { path: string; name: string }[] {
  const parts = path.split('/').filter(Boolean);
  return [{ path: '/', name: '' }, ...parts.map((name, i) => ({ path: `/${parts.slice(0, i + 1).join('/')}`, name }))];
}

/** A query value that keeps its slashes readable. */
export function q(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, '/');
}

/** The screen's address for a folder, or a search. */
export function folderHref(path: string): string {
  return path === '/' ? '/files' : `/files?path=${q(path)}`;
}

export function searchHref(query: string): string {
  return `/files?q=${encodeURIComponent(query)}`;
}

export function contentUrl(path: string, download = false): string {
  return `${API}/files/content?path=${q(path)}${download ? '&download=true' : ''}`;
}

/** A small JPEG of an image for the grid, changing with the file's version. */
export function thumbnailUrl(entry: Pick<FileView, 'path' | 'version'>): string {
  return `${API}/files/thumbnail?path=${q(entry.path)}&size=256&v=${entry.version}`;
}

/** A folder and all it holds, as a ZIP archive made on the fly. */
export function zipUrl(path: string): string {
  return `${API}/files/zip?path=${q(path)}`;
}

export function versionUrl(id: number, path: string): string {
  return `${API}/files/versions/${id}/content?path=${q(path)}`;
}

export type Kind = 'folder' | 'image' | 'video' | 'audio' | 'pdf' | 'text' | 'other';

/** How a file can be shown: what the server serves inline (not SVG, which could run). */
export function kindOf(entry: Pick<FileView, 'is_dir' | 'mime'>): Kind {
  if (entry.is_dir) return 'folder';
  const mime = entry.mime;
  if (mime.startsWith('image/') && mime !== 'image/svg+xml') return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'application/pdf') return 'pdf';
  if (mime === 'text/plain') return 'text';
  return 'other';
}

export type SortKey = 'name' | 'size' | 'date';

/** Folders first, then by the key; names compared as people read them. */
export function sorted(entries: readonly FileView[], key: SortKey, descending: boolean): FileView[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const by = (a: FileView, b: FileView) => {
    if (key === 'size') return a.size - b.size;
    if (key === 'date') return a.modified_at.localeCompare(b.modified_at);
    return collator.compare(a.name, b.name);
  };
  return [...entries].sort((a, b) => {
    if (a.is_dir !== b.is_dir) return a.is_dir ? -1 : 1;
    // Equal sizes or dates stay in name order, whichever way the key goes.
    return (descending ? by(b, a) : by(a, b)) || collator.compare(a.name, b.name);
  });
}
