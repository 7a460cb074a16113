// The uploads under way in this tab: a queue of tus uploads (two at a time)
// that the uploads panel shows and steers, and what a drop or a folder
// picker hands over, turned into folders to make and files to send.

import { api, ApiError } from '../api/client';
import { Store } from '../lib/store';
import { Stopped, TusUpload } from './tus';
import { join } from './paths';

export type UploadState = 'queued' | 'uploading' | 'waiting' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface UploadItem {
  id: number;
  name: string;
  folder: string;
  size: number;
  sent: number;
  state: UploadState;
  error?: unknown;
  resumed: boolean;
  retryAt?: number | null;
}

interface Task {
  tus: TusUpload;
  /** Counts the runs: only the latest may say how the upload stands. */
  runs: number;
}

const PARALLEL = 2;
let nextId = 1;
const tasks = new Map<number, Task>();

export const uploads = new Store<UploadItem[]>([]);

const finishedListeners = new Set<(item: UploadItem) => void>();
/** Called for each upload that completes (to show the new file). */
export function onUploaded(listener: (item: UploadItem) => void): () => void {
  finishedListeners.add(listener);
  return () => finishedListeners.delete(listener);
}

function change(id: number, update: Partial<UploadItem>) {
  uploads.update((list) => list.map((item) => (item.id === id ? { ...item, ...update } : item)));
}

/** Queues files for upload into `folder`; `share` for a link's visitor. */
export function enqueue(files: { file: File; folder: string }[], share?: { token: string; pass: string | null }): void {
  const added: UploadItem[] = files.map(({ file, folder }) => {
    const id = nextId++;
    const tus = new TusUpload({
      file,
      folder,
      share,
      onProgress: (sent) => change(id, { sent }),
      onWaiting: (retryAt) => change(id, retryAt ? { state: 'waiting', retryAt } : { state: 'uploading', retryAt: null }),
    });
    tasks.set(id, { tus, runs: 0 });
    return { id, name: file.name, folder, size: file.size, sent: 0, state: 'queued', resumed: false };
  });
  uploads.update((list) => [...list, ...added]);
  pump();
}

function pump() {
  const list = uploads.get();
  let running = list.filter((i) => i.state === 'uploading' || i.state === 'waiting').length;
  for (const item of list) {
    if (running >= PARALLEL) break;
    if (item.state !== 'queued') continue;
    running++;
    void run(item.id);
  }
}

async function run(id: number) {
  const task = tasks.get(id);
  if (!task) return;
  const mine = ++task.runs;
  change(id, { state: 'uploading', error: undefined });
  try {
    await task.tus.start();
    if (task.runs !== mine) return;
    change(id, { state: 'done', sent: task.tus.offset, resumed: task.tus.resumed });
    const item = uploads.get().find((i) => i.id === id);
    tasks.delete(id);
    if (item) for (const listener of finishedListeners) listener(item);
  } catch (error) {
    if (task.runs !== mine) return;
    if (error instanceof Stopped) {
      if (error.why === 'pause') change(id, { state: 'paused', retryAt: null });
    } else {
      change(id, { state: 'failed', error, retryAt: null });
    }
  }
  pump();
}

export function pauseUpload(id: number): void {
  // One still waiting its turn just keeps waiting, until resumed.
  if (uploads.get().find((i) => i.id === id)?.state === 'queued') change(id, { state: 'paused' });
  else tasks.get(id)?.tus.pause();
}

/** Resumes a paused upload, or tries a failed one again. */
export function resumeUpload(id: number): void {
  if (!tasks.has(id)) return;
  change(id, { state: 'queued', error: undefined });
  pump();
}

export function cancelUpload(id: number): void {
  const task = tasks.get(id);
  tasks.delete(id);
  change(id, { state: 'cancelled', retryAt: null });
  void task?.tus.cancel();
  pump();
}

/** Removes finished, cancelled and failed uploads from the panel. */
export function clearFinished(): void {
  const keep = (i: UploadItem) => isActive(i) || i.state === 'paused';
  for (const item of uploads.get()) if (!keep(item)) tasks.delete(item.id);
  uploads.update((list) => list.filter(keep));
}

export function isActive(item: UploadItem): boolean {
  return item.state === 'queued' || item.state === 'uploading' || item.state === 'waiting';
}

// ---- what was dropped or picked ---------------------------------------------------

/** Files with the folder (relative to where they go) each belongs in, and the
 * folders to make first, parents before children. */
export interface Picked {
  dirs: string[];
  files: { file: File; dir: string }[];
}

/** Files from a file input; with `webkitdirectory`, their folders too. */
export function fromInput(list: FileList): Picked {
  const dirs = new Set<string>();
  const files = [...list].map((file) => {
    const parts = (file.webkitRelativePath || file.name).split('/');
    parts.pop();
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    return { file, dir: parts.join('/') };
  });
  return { dirs: [...dirs], files };
}

interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (file: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: Entry[]) => void, fail: (e: unknown) => void) => void };
}

/** What a drop holds, whole folders included. The entries are taken at once
 * (a DataTransfer empties when its event ends), then read. */
export async function fromDrop(transfer: DataTransfer): Promise<Picked> {
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  const entries = items.map((item) => (item.webkitGetAsEntry?.() as Entry | null) ?? null);
  const plain = items.map((item) => item.getAsFile());
  const fallback = [...transfer.files];
  const picked: Picked = { dirs: [], files: [] };
  if (entries.length === 0) {
    picked.files = fallback.map((file) => ({ file, dir: '' }));
    return picked;
  }
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry) await walk(entry, '', picked);
    else if (plain[i]) picked.files.push({ file: plain[i]!, dir: '' });
  }
  return picked;
}

async function walk(entry: Entry, dir: string, picked: Picked): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, fail) => entry.file!(ok, fail));
    picked.files.push({ file, dir });
  } else if (entry.isDirectory && entry.createReader) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    picked.dirs.push(path);
    const reader = entry.createReader();
    for (;;) {
      // readEntries gives at most 100 at a time: ask until it gives none.
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, path, picked);
    }
  }
}

/** Makes the picked folders inside `base` (those that exist are fine), then
 * queues the files. Rejects with the first folder that cannot be made. */
export async function uploadPicked(base: string, picked: Picked): Promise<void> {
  const dirs = [...picked.dirs].sort((a, b) => a.split('/').length - b.split('/').length);
  for (const dir of dirs) {
    try {
      await api('post', '/files/folders', { body: { path: join(base, dir) } });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'exists')) throw error;
    }
  }
  enqueue(picked.files.map(({ file, dir }) => ({ file, folder: dir ? join(base, dir) : base })));
}
