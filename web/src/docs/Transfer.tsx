// Docs in and out as files: Markdown files chosen on the device become
// pages (one each, in the order chosen), CSV files databases, and a page, a page with what is
// below it, or a whole space downloads as Markdown or a ZIP. The server
// does the conversions; downloads are plain links that carry the session
// cookie.

import { API, importMarkdown } from '../api/client';
import { describe } from '../api/errors';
import { navigate } from '../app/router';
import type { Messages } from '../i18n';
import { toast } from '../ui/Toast';
import { refreshDocs, setExpanded } from './state';
import type { MenuItem } from './widgets';

/** What the file picker offers: Markdown, plain text written like it, and
 * CSV (each file becomes a database). */
const MARKDOWN_FILES = '.md,.markdown,.txt,.csv,text/markdown,text/plain,text/csv';

/** Where imported pages go: the top of a space, or under a page of it. */
export interface ImportTarget {
  space: number;
  parent: number | null;
}

/** The menu entry that asks for Markdown files and imports them to `target`. */
export function importItem(t: Messages, target: ImportTarget): MenuItem {
  return { label: t.docs.transfer.importMarkdown, icon: 'upload', onSelect: () => chooseMarkdown(t, target) };
}

/** The menu entries that download a page alone (Markdown) or with its sub-pages (ZIP). */
export function pageExportItems(t: Messages, page: number): MenuItem[] {
  return [
    { label: t.docs.exportMarkdown, icon: 'download', href: `${API}/pages/${page}/export?format=markdown`, download: true },
    { label: t.docs.transfer.exportZip, icon: 'download', href: `${API}/pages/${page}/export?format=zip`, download: true },
  ];
}

/** The menu entry that downloads every page of a space the person may read. */
export function spaceExportItem(t: Messages, space: number): MenuItem {
  return { label: t.docs.transfer.exportSpace, icon: 'download', href: `${API}/spaces/${space}/export`, download: true };
}

/** Opens the device's file picker; the files chosen are imported. */
function chooseMarkdown(t: Messages, target: ImportTarget): void {
  const input = document.createElement('input');
  input.type = 'file';
  input.multiple = true;
  input.accept = MARKDOWN_FILES;
  input.hidden = true;
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.remove();
    if (files.length > 0) void importFiles(t, target, files);
  });
  input.addEventListener('cancel', () => input.remove());
  document.body.append(input);
  input.click();
}

/** Imports the files one after the other (so the pages keep their order),
 * says how many pages were made and which files failed and why, then
 * opens the first new page. */
async function importFiles(t: Messages, target: ImportTarget, files: File[]): Promise<void> {
  const made: number[] = [];
  for (const file of files) {
    try {
      made.push((await importMarkdown(target.space, target.parent, file)).id);
    } catch (error) {
      const why = describe(t, error, { notFound: t.docs.gone, fields: { body: t.docs.transfer.notText }, codes: { too_large: t.docs.transfer.tooLarge } });
      toast(t.docs.transfer.importFailed(file.name, why.message), 'error');
    }
  }
  if (made.length === 0) return;
  if (target.parent !== null) setExpanded(target.parent, true);
  refreshDocs();
  toast(t.docs.transfer.imported(made.length));
  navigate(`/docs/${made[0]}`);
}
