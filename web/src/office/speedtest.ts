// The connection test, measured against bureau itself: round trips to
// /healthz for the delay, its jitter and lost probes, then downloads and
// uploads that grow until one lasts a few seconds. Transfers are capped so
// that a person on a metered plan knows what a test costs.

import { currentCsrfToken } from '../api/client';

export type Phase = 'latency' | 'download' | 'upload';

export interface Progress {
  phase: Phase;
  /** From 0 to 1, over the whole test. */
  done: number;
  /** The speed of the transfer under way, in kbit/s. */
  kbps?: number;
}

export interface Measured {
  down_kbps: number;
  up_kbps: number;
  rtt_ms: number;
  jitter_ms: number;
  loss_pct: number;
  /** Bytes the test moved both ways (what it cost on a metered plan). */
  bytes: number;
}

const PROBES = 20;
/** A probe slower than this counts as lost. */
const PROBE_TIMEOUT_MS = 2000;
const FIRST_TRANSFER = 1_000_000;
/** Most bytes a test moves in each direction. */
export const TRANSFER_BUDGET = 25_000_000;
/** A transfer this long gives a steady figure. */
const LONG_ENOUGH_MS = 3000;
/** A transfer is cut after this long (a slow link moves little). */
const MAX_TRANSFER_MS = 8000;
/** The size of the next transfer aims at this duration. */
const TARGET_MS = 4000;
/** Headers of a probe or a transfer, both ways, roughly. */
const OVERHEAD = 600;

const SPEEDTEST = '/api/v1/office/speedtest';

/** Runs the whole test; `signal` stops it (the person left the page). */
export async function measure(onProgress: (p: Progress) => void, signal: AbortSignal): Promise<Measured> {
  let shown = 0;
  // The bar only moves forward, whatever each step's own estimate.
  const report = (phase: Phase, done: number, kbps?: number) => {
    shown = Math.max(shown, done);
    onProgress({ phase, done: shown, kbps });
  };
  const latency = await probe((part) => report('latency', 0.1 * part), signal);
  const down = await grow((bytes, progress) => download(bytes, signal, progress), (part, kbps) => report('download', 0.1 + 0.45 * part, kbps));
  const up = await grow((bytes, progress) => upload(bytes, signal, progress), (part, kbps) => report('upload', 0.55 + 0.45 * part, kbps));
  return {
    down_kbps: down.kbps,
    up_kbps: up.kbps,
    ...latency,
    bytes: (PROBES + 1) * OVERHEAD + down.bytes + up.bytes,
  };
}

/** Round trip time (the median), jitter (the mean difference between
 * consecutive round trips) and the share of probes lost. */
async function probe(onProgress: (done: number) => void, signal: AbortSignal) {
  // The first request may open a connection: it is not counted.
  await timed(signal).catch(() => null);
  const times: number[] = [];
  let lost = 0;
  for (let i = 0; i < PROBES; i++) {
    const ms = await timed(signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return null;
    });
    if (ms === null || ms > PROBE_TIMEOUT_MS) lost++;
    else times.push(ms);
    onProgress((i + 1) / PROBES);
  }
  if (times.length === 0) throw new Error('no probe came back');
  let jitter = 0;
  for (let i = 1; i < times.length; i++) jitter += Math.abs(times[i] - times[i - 1]);
  jitter = times.length > 1 ? jitter / (times.length - 1) : 0;
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const rtt = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { rtt_ms: Math.round(rtt), jitter_ms: Math.round(jitter), loss_pct: Math.round((lost / PROBES) * 1000) / 10 };
}

async function timed(signal: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop);
  const timer = setTimeout(stop, PROBE_TIMEOUT_MS);
  const start = performance.now();
  try {
    const response = await fetch('/healthz', { cache: 'no-store', signal: controller.signal });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`healthz: ${response.status}`);
    return performance.now() - start;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/** Moves `bytes` (or what it could in MAX_TRANSFER_MS), telling how many
 * have gone so far. */
type Transfer = (bytes: number, progress: (moved: number) => void) => Promise<{ bytes: number; ms: number }>;

/** Transfers of growing size, from 1 MB, until one lasts long enough or
 * the budget is spent; the speed is the last (largest) one's. */
async function grow(transfer: Transfer, onProgress: (part: number, kbps: number) => void): Promise<{ kbps: number; bytes: number }> {
  const started = performance.now();
  let size = FIRST_TRANSFER;
  let spent = 0;
  let kbps = 0;
  for (;;) {
    const begun = performance.now();
    const { bytes, ms } = await transfer(size, (moved) => {
      const now = performance.now();
      const part = Math.min(1, Math.max((spent + moved) / TRANSFER_BUDGET, (now - started) / (2 * TARGET_MS)));
      onProgress(part, Math.round((moved * 8) / Math.max(now - begun, 1)));
    });
    spent += bytes + OVERHEAD;
    kbps = Math.round((bytes * 8) / Math.max(ms, 1));
    const left = TRANSFER_BUDGET - spent;
    if (ms >= LONG_ENOUGH_MS || left < FIRST_TRANSFER) break;
    // Bytes per millisecond times the target, at least twice the last size.
    size = Math.min(left, Math.max(size * 2, Math.round((bytes / Math.max(ms, 1)) * TARGET_MS)));
  }
  onProgress(1, kbps);
  return { kbps, bytes: spent };
}

/** Reads up to `bytes` random bytes. */
async function download(bytes: number, signal: AbortSignal, progress: (moved: number) => void) {
  const start = performance.now();
  const response = await fetch(`${SPEEDTEST}/down?bytes=${bytes}`, { cache: 'no-store', credentials: 'same-origin', signal });
  if (!response.ok || !response.body) throw new Error(`download: ${response.status}`);
  const reader = response.body.getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    progress(received);
    if (performance.now() - start > MAX_TRANSFER_MS) {
      // A slow link: what came is enough to judge it.
      await reader.cancel();
      break;
    }
  }
  return { bytes: received, ms: performance.now() - start };
}

/** Sends up to `bytes` random bytes (XMLHttpRequest: fetch cannot tell how
 * much of a body has gone). */
function upload(bytes: number, signal: AbortSignal, progress: (moved: number) => void) {
  const body = randomBody(bytes);
  return new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${SPEEDTEST}/up`);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    const token = currentCsrfToken();
    if (token) request.setRequestHeader('X-CSRF-Token', token);
    const start = performance.now();
    let sent = 0;
    let cut = false;
    // A slow link: what has gone is enough to judge it.
    const timer = setTimeout(() => {
      cut = true;
      request.abort();
    }, MAX_TRANSFER_MS);
    const stop = () => request.abort();
    signal.addEventListener('abort', stop, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    };
    request.upload.onprogress = (e) => {
      sent = e.loaded;
      progress(sent);
    };
    request.onload = () => {
      settle();
      if (request.status >= 200 && request.status < 300) resolve({ bytes, ms: performance.now() - start });
      else reject(new Error(`upload: ${request.status}`));
    };
    request.onerror = () => {
      settle();
      reject(new Error('upload: network'));
    };
    request.onabort = () => {
      settle();
      if (cut && sent > 0) resolve({ bytes: sent, ms: performance.now() - start });
      else reject(new DOMException('aborted', 'AbortError'));
    };
    request.send(body);
  });
}

let block: Uint8Array<ArrayBuffer> | null = null;

/** `bytes` bytes of one random megabyte, repeated: nothing on the way
 * can compress them, and only a megabyte is drawn at random. */
function randomBody(bytes: number): Blob {
  if (!block) {
    block = new Uint8Array(FIRST_TRANSFER);
    // getRandomValues fills at most 64 KiB at a time.
    for (let at = 0; at < block.length; at += 65_536) crypto.getRandomValues(block.subarray(at, at + 65_536));
  }
  const parts: BlobPart[] = [];
  for (let left = bytes; left > 0; left -= block.length) parts.push(left >= block.length ? block : block.subarray(0, left));
  return new Blob(parts);
}
