// Cached API reads shared by the screens, kept fresh by the event stream:
// an event invalidates the reads it changes, and a reconnection or a resync
// refetches what is on screen.

import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

interface Entry<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** False once an event or a reconnection says the data may be old. */
  fresh: boolean;
  fetcher: () => Promise<T>;
  subscribers: Set<() => void>;
  generation: number;
}

const entries = new Map<string, Entry<unknown>>();

/** Reads wait for this first: the session makes it wait for the event
 * stream, so that no change falls between a read and the stream's start. */
let gate: () => Promise<void> = () => Promise.resolve();
export function gateReadsOn(wait: () => Promise<void>): void {
  gate = wait;
}

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

export interface ResourceOptions {
  /** Data that changes without events (the audit log, session activity):
   * fetched again each time a screen shows it. */
  revalidateOnMount?: boolean;
}

/** The cached result of `fetcher`, fetched when missing or stale. */
export function useResource<T>(key: string, fetcher: () => Promise<T>, options: ResourceOptions = {}): Resource<T> {
  const [, setTick] = useState(0);
  let entry = entries.get(key) as Entry<T> | undefined;
  if (!entry) {
    entry = { loading: false, fresh: false, fetcher, subscribers: new Set(), generation: 0 };
    entries.set(key, entry as Entry<unknown>);
  }
  entry.fetcher = fetcher;
  useEffect(() => {
    const current = entries.get(key) as Entry<T>;
    const rerender = () => setTick((n) => n + 1);
    current.subscribers.add(rerender);
    if (!current.fresh || options.revalidateOnMount) load(key);
    return () => {
      current.subscribers.delete(rerender);
    };
  }, [key]);
  return { data: entry.data, error: entry.error, loading: entry.loading, reload: () => load(key) };
}

function notify(entry: Entry<unknown>) {
  for (const subscriber of [...entry.subscribers]) subscriber();
}

function load(key: string): void {
  const entry = entries.get(key);
  if (!entry) return;
  const generation = ++entry.generation;
  entry.loading = true;
  entry.fresh = true;
  notify(entry);
  const settle = (change: () => void) => {
    if (generation !== entry.generation) return;
    change();
    entry.loading = false;
    notify(entry);
  };
  gate()
    .then(() => entry.fetcher())
    .then(
      (data) =>
        settle(() => {
          entry.data = data;
          entry.error = undefined;
        }),
      (error: unknown) =>
        settle(() => {
          entry.error = error instanceof ApiError ? error : new ApiError(0, 'client', String(error));
          entry.fresh = false;
        }),
    );
}

/** Marks reads as stale; those on screen are fetched again at once. */
export function invalidate(match: string | ((key: string) => boolean)): void {
  for (const [key, entry] of entries) {
    const hit = typeof match === 'string' ? key === match || key.startsWith(`${match}:`) : match(key);
    if (!hit) continue;
    entry.fresh = false;
    if (entry.subscribers.size > 0) load(key);
  }
}

/** Everything may be old (after a reconnection or a resync). */
export function invalidateAll(): void {
  invalidate(() => true);
}

/** Changes cached data in place (an event that carries the new record). */
export function patch<T>(key: string, change: (data: T) => T): boolean {
  const entry = entries.get(key) as Entry<T> | undefined;
  if (!entry || entry.data === undefined) return false;
  entry.data = change(entry.data);
  notify(entry as Entry<unknown>);
  return true;
}

/** Sets cached data after a write that returned the new state. */
export function put<T>(key: string, data: T): void {
  const entry = entries.get(key) as Entry<T> | undefined;
  if (!entry) return;
  entry.data = data;
  entry.fresh = true;
  notify(entry as Entry<unknown>);
}

/** Forgets everything (logging out). */
export function clearResources(): void {
  for (const entry of entries.values()) entry.generation++;
  entries.clear();
}
