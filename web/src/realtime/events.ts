// The tab's one event WebSocket (/api/v1/events). It resumes from the last
// sequence number after a drop, waits with exponential backoff and jitter
// between attempts, and tells the interface whether it is online.

import { Store } from '../lib/store';

export interface ServerEvent {
  /** Absent on signals (presence, typing), which are not stored. */
  seq?: number;
  at: string;
  kind: string;
  data: Record<string, unknown>;
}

export type ConnectionState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface Connection {
  state: ConnectionState;
  /** When the next attempt starts (ms since epoch), while waiting. */
  retryAt?: number;
}

export const connection = new Store<Connection>({ state: 'idle' });

export interface Hooks {
  /** The stream is live; `first` on the tab's first connection, `reload`
   * when what was missed cannot be replayed or the socket was down. */
  ready(info: { first: boolean; reload: boolean }): void;
  event(event: ServerEvent): void;
  /** The server ended the stream because access ended (code 4000), or the
   * server is up but refuses the socket: the session must be checked. */
  accessEnded(lastAccessEvent: ServerEvent | null): void;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** Failed attempts after which "reconnecting" becomes "offline". */
const OFFLINE_AFTER = 3;

let hooks: Hooks | null = null;
let socket: WebSocket | null = null;
let lastSeq: number | null = null;
let attempts = 0;
let everReady = false;
let missedReplay = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastAccessEvent: ServerEvent | null = null;

/** Opens the stream (after login or at start with a session). */
export function connect(handlers: Hooks): void {
  hooks = handlers;
  lastSeq = null;
  attempts = 0;
  everReady = false;
  missedReplay = false;
  lastAccessEvent = null;
  open();
}

/** Closes the stream for good (logout, session ended). */
export function disconnect(): void {
  hooks = null;
  clearTimeout(timer);
  const closing = socket;
  socket = null;
  closing?.close(1000);
  connection.set({ state: 'idle' });
}

/** Tells the server something small (typing, presence) when connected;
 * dropped otherwise, as it would be stale by the time of a reconnection. */
export function sendSignal(signal: Record<string, unknown>): void {
  if (socket?.readyState === WebSocket.OPEN && connection.get().state === 'online') socket.send(JSON.stringify(signal));
}

/** Skips the wait: the person asked, or the browser says it is online. */
export function retryNow(): void {
  if (!hooks || socket) return;
  clearTimeout(timer);
  attempt();
}

function open(): void {
  if (!hooks) return;
  const url = new URL('/api/v1/events', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (lastSeq !== null) url.searchParams.set('since', String(lastSeq));
  const before = connection.get().state;
  const state = !everReady && attempts === 0 ? 'connecting' : before === 'offline' ? 'offline' : 'reconnecting';
  connection.set({ state });
  const ws = new WebSocket(url);
  socket = ws;
  let readyHere = false;
  ws.onmessage = (message) => {
    if (socket !== ws || typeof message.data !== 'string') return;
    let frame: ServerEvent;
    try {
      frame = JSON.parse(message.data) as ServerEvent;
    } catch {
      return;
    }
    if (frame.kind === 'resync') {
      lastSeq = frame.seq ?? lastSeq;
      missedReplay = true;
      return;
    }
    if (frame.kind === 'ready') {
      lastSeq = frame.seq ?? lastSeq;
      readyHere = true;
      const first = !everReady;
      const reload = missedReplay || !first;
      everReady = true;
      missedReplay = false;
      attempts = 0;
      connection.set({ state: 'online' });
      hooks?.ready({ first, reload });
      return;
    }
    if (typeof frame.seq !== 'number') {
      // A signal (presence, typing): not an event, not replayed.
      hooks?.event(frame);
      return;
    }
    lastSeq = frame.seq;
    if (frame.kind === 'user.deactivated' || frame.kind === 'session.revoked') lastAccessEvent = frame;
    hooks?.event(frame);
  };
  ws.onclose = (close) => {
    if (socket !== ws) return;
    socket = null;
    if (!hooks) return;
    if (close.code === 4000) {
      hooks.accessEnded(lastAccessEvent);
      schedule();
      return;
    }
    if (!readyHere) attempts++;
    schedule();
  };
}

/** Waits before the next attempt: 0.5 s, 1 s, 2 s … up to 30 s, each
 * drawn between half and all of that, so tabs do not return in a herd. */
function schedule(): void {
  clearTimeout(timer);
  if (!hooks) return;
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  const offline = !navigator.onLine || attempts >= OFFLINE_AFTER;
  connection.set({ state: offline ? 'offline' : 'reconnecting', retryAt: Date.now() + delay });
  timer = setTimeout(attempt, delay);
}

/** Checks that the server answers before opening a socket: a socket that
 * fails says nothing about why, the health check does. */
async function attempt(): Promise<void> {
  if (!hooks) return;
  let up = false;
  try {
    up = (await fetch('/healthz', { cache: 'no-store' })).ok;
  } catch {
    up = false;
  }
  if (!hooks || socket) return;
  if (!up) {
    attempts++;
    schedule();
    return;
  }
  if (attempts >= 2) {
    // The server is up yet sockets keep failing: perhaps the session ended
    // while we were away. The session check logs out if so.
    hooks.accessEnded(lastAccessEvent);
    if (!hooks) return;
  }
  open();
}

addEventListener('online', () => retryNow());
addEventListener('offline', () => {
  if (hooks && connection.get().state !== 'online') connection.set({ ...connection.get(), state: 'offline' });
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && hooks && !socket) retryNow();
});
