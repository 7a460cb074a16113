// A tus 1.0 client for bureau's resumable uploads (/api/v1/uploads), small
// enough to own: chunks of 8 MiB read from the file as they are sent (never
// the whole file in memory), progress within a chunk, retries with backoff
// from the offset the server acknowledged, pause, cancel, and resumption
// after a reload: the upload's address is kept in localStorage under the
// file's folder, name, size and date, so choosing the same file again goes
// on where it stopped.

import { API, ApiError, currentCsrfToken, errorOf } from '../api/client';

const CHUNK_BYTES = 8 * 1024 * 1024;
const STORAGE_PREFIX = 'bureau.tus:';
const MAX_DELAY_MS = 30_000;
/** No byte sent for this long: the connection is taken for dead. */
const STALL_MS = 45_000;

export interface TusOptions {
  file: File;
  /** The folder it goes into (in the person's tree, or below a shared folder). */
  folder: string;
  /** A link's visitor uploads with the link's secret instead of a session. */
  share?: { token: string; pass: string | null };
  onProgress?: (sent: number, total: number) => void;
  /** The connection failed: the next try is at `retryAt` (null: trying now). */
  onWaiting?: (retryAt: number | null) => void;
  chunkBytes?: number;
}

/** Why `start` stopped without finishing: the person paused or cancelled. */
export class Stopped extends Error {
  constructor(readonly why: 'pause' | 'cancel') {
    super(why);
  }
}

/** An interrupted upload remembered on this device. */
export interface Remembered {
  key: string;
  name: string;
  folder: string;
  size: number;
  location: string;
}

export class TusUpload {
  /** The upload's address on the server, once created. */
  private location: string | null = null;
  private xhr: XMLHttpRequest | null = null;
  private stopped: 'pause' | 'cancel' | null = null;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Bytes the server has acknowledged. */
  offset = 0;
  /** True when it went on from an upload begun earlier (another page load). */
  resumed = false;
  /** The last chunk went out (its answer may have been lost). */
  private sentLast = false;
  private readonly began = Date.now();

  constructor(private readonly o: TusOptions) {}

  private get key(): string {
    const { file, folder, share } = this.o;
    return `${STORAGE_PREFIX}${share ? 'link' : 'me'}:${folder}:${file.name}:${file.size}:${file.lastModified}`;
  }

  /** Uploads until the last byte is in. Rejects with `Stopped` on pause or
   * cancel, with an `ApiError` when the server refuses (full, forbidden). */
  async start(): Promise<void> {
    // A pause that has not finished stopping yet: let it, then go on.
    if (this.running) await this.running.catch(() => {});
    this.stopped = null;
    this.running = this.send();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async send(): Promise<void> {
    let attempt = 0;
    const size = this.o.file.size;
    for (;;) {
      try {
        this.location ??= remembered(this.key);
        if (this.location) {
          const offset = await this.head();
          if (offset === null) {
            forget(this.key);
            this.location = null;
            // The answer to the last chunk was lost, but the file is there.
            if (this.sentLast && (await this.landed())) {
              this.offset = size;
              this.o.onProgress?.(size, size);
              return;
            }
            // Expired: start again.
            continue;
          }
          if (offset > 0 && attempt === 0 && this.offset === 0) this.resumed = true;
          this.offset = offset;
        } else {
          await this.create();
        }
        this.o.onWaiting?.(null);
        this.o.onProgress?.(this.offset, size);
        while (this.offset < size) {
          if (this.stopped) throw new Stopped(this.stopped);
          this.offset = await this.patch(this.offset);
          attempt = 0;
          this.o.onProgress?.(this.offset, size);
        }
        forget(this.key);
        return;
      } catch (error) {
        if (this.stopped) throw new Stopped(this.stopped);
        if (!(error instanceof ApiError)) throw error;
        // The offset moved meanwhile: ask where it stands and go on.
        if (error.status === 409 && this.location && attempt++ < 5) continue;
        if (error.status === 404 && this.location) {
          forget(this.key);
          this.location = null;
          this.offset = 0;
          continue;
        }
        const transient = error.status === 0 || error.status === 408 || error.status === 429 || (error.status >= 500 && error.status !== 507);
        if (!transient) throw error;
        const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(attempt++, 5)) * (0.5 + Math.random() / 2);
        this.o.onWaiting?.(Date.now() + delay);
        await this.sleep(delay);
        if (this.stopped) throw new Stopped(this.stopped);
      }
    }
  }

  /** Stops sending; `start` again goes on from what the server has. */
  pause(): void {
    this.stop('pause');
  }

  /** Stops and abandons the upload and what the server received. */
  async cancel(): Promise<void> {
    this.stop('cancel');
    forget(this.key);
    const location = this.location;
    this.location = null;
    if (location) await fetch(location, { method: 'DELETE', headers: this.headers(true), credentials: 'same-origin' }).catch(() => {});
  }

  private stop(why: 'pause' | 'cancel') {
    this.stopped = why;
    this.xhr?.abort();
    this.wake?.();
  }

  /** Waits `ms`, or less when the browser says it is back online. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        removeEventListener('online', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      addEventListener('online', done);
      this.wake = done;
    });
  }

  private headers(write: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0' };
    const share = this.o.share;
    if (share) {
      headers['X-Share-Token'] = share.token;
      if (share.pass) headers['X-Share-Pass'] = share.pass;
    } else if (write) {
      const token = currentCsrfToken();
      if (token) headers['X-CSRF-Token'] = token;
    }
    return headers;
  }

  private async request(method: string, url: string, extra: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { method, headers: { ...this.headers(method !== 'HEAD'), ...extra }, credentials: 'same-origin', cache: 'no-store' });
    } catch (cause) {
      throw new ApiError(0, 'network', String(cause));
    }
  }

  private async create(): Promise<void> {
    const { file, folder } = this.o;
    const response = await this.request('POST', `${API}/uploads`, {
      'Upload-Length': String(file.size),
      'Upload-Metadata': `filename ${base64(file.name)},folder ${base64(folder)}`,
    });
    if (response.status !== 201) throw await errorOf(response);
    const location = response.headers.get('Location');
    if (!location) throw new ApiError(response.status, 'tus', 'no Location in the answer');
    this.location = new URL(location, window.location.href).pathname;
    this.offset = 0;
    remember(this.key, { name: file.name, folder, size: file.size, location: this.location });
  }

  /** Whether the file arrived whole though its last answer was lost: a file
   * of this name and size written since the upload began. */
  private async landed(): Promise<boolean> {
    if (this.o.share) return false;
    const { file, folder } = this.o;
    try {
      const response = await fetch(`${API}/files/list?path=${encodeURIComponent(folder)}`, { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) return false;
      const listing = (await response.json()) as { entries: { name: string; is_dir: boolean; size: number; modified_at: string }[] };
      return listing.entries.some((e) => e.name === file.name && !e.is_dir && e.size === file.size && Date.parse(e.modified_at) >= this.began - 60_000);
    } catch {
      return false;
    }
  }

  /** The server's offset, or null when the upload is gone. */
  private async head(): Promise<number | null> {
    const response = await this.request('HEAD', this.location!, {});
    if (response.status === 404 || response.status === 410) return null;
    if (!response.ok) throw await errorOf(response);
    return Number(response.headers.get('Upload-Offset') ?? 0);
  }

  /** Sends one chunk from `offset`; resolves with the new offset. XHR rather
   * than fetch: only XHR reports progress while a body is being sent. */
  private patch(offset: number): Promise<number> {
    const { file } = this.o;
    const end = Math.min(file.size, offset + (this.o.chunkBytes ?? CHUNK_BYTES));
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      // A connection that died without saying so (a 4G hand-over) leaves a
      // request hanging: nothing moving for a while counts as a cut.
      let moved = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - moved > STALL_MS) xhr.abort();
      }, 5000);
      xhr.open('PATCH', this.location!);
      for (const [name, value] of Object.entries(this.headers(true))) xhr.setRequestHeader(name, value);
      xhr.setRequestHeader('Upload-Offset', String(offset));
      xhr.setRequestHeader('Content-Type', 'application/offset+octet-stream');
      // Sent: the server may now take a while to keep it (a big last chunk).
      xhr.upload.onload = () => clearInterval(watchdog);
      xhr.upload.onprogress = (e) => {
        moved = Date.now();
        this.o.onProgress?.(Math.min(end, offset + e.loaded), file.size);
      };
      xhr.onload = () => {
        clearInterval(watchdog);
        this.xhr = null;
        if (xhr.status === 204) {
          resolve(Number(xhr.getResponseHeader('Upload-Offset') ?? end));
          return;
        }
        const body = xhr.status === 204 || xhr.status === 304 ? null : xhr.responseText;
        void errorOf(new Response(body, { status: xhr.status, statusText: xhr.statusText, headers: { 'Content-Type': 'application/json' } })).then(reject);
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = () => {
        clearInterval(watchdog);
        this.xhr = null;
        reject(new ApiError(0, 'network', 'the connection broke while sending'));
      };
      if (end === file.size) this.sentLast = true;
      xhr.send(file.slice(offset, end));
    });
  }
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function remembered(key: string): string | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Remembered).location : null;
  } catch {
    return null;
  }
}

function remember(key: string, value: Omit<Remembered, 'key'>): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private browsing or a full storage: the upload just cannot outlive the page.
  }
}

function forget(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // See remember().
  }
}

/** The person's uploads interrupted on this device (a reload, a closed tab). */
export function interrupted(): Remembered[] {
  const found: Remembered[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key?.startsWith(`${STORAGE_PREFIX}me:`)) continue;
      const value = JSON.parse(localStorage.getItem(key) ?? 'null') as Omit<Remembered, 'key'> | null;
      if (value) found.push({ key, ...value });
    }
  } catch {
    // Nothing readable: nothing to offer.
  }
  return found;
}

/** Gives up an interrupted upload (and frees what the server kept of it). */
export function discard(item: Remembered): void {
  forget(item.key);
  const token = currentCsrfToken();
  void fetch(item.location, {
    method: 'DELETE',
    headers: { 'Tus-Resumable': '1.0.0', ...(token ? { 'X-CSRF-Token': token } : {}) },
    credentials: 'same-origin',
  }).catch(() => {});
}

/** Forgets the interrupted uploads the server no longer has (they expire
 * after a week); returns how many. */
export async function prune(): Promise<number> {
  let gone = 0;
  for (const item of interrupted()) {
    const response = await fetch(item.location, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' }, credentials: 'same-origin', cache: 'no-store' }).catch(() => null);
    if (response?.status === 404 || response?.status === 410) {
      forget(item.key);
      gone++;
    }
  }
  return gone;
}
