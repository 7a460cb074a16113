// The person's language: their profile setting once known, else the last
// one used on this device, else the browser's. Every string comes from the
// catalogues; dates and numbers are formatted by Intl for the locale.

import { Store, useStore } from '../lib/store';
import { en, type Messages } from './en';
import { fr } from './fr';

export type LocaleCode = 'en' | 'fr';
export type { Messages };

const catalogues: Record<LocaleCode, Messages> = { en, fr };

/** The languages, each named in itself. */
export const LANGUAGES: { value: LocaleCode; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'fr', label: 'Français' },
];
const STORAGE_KEY = 'bureau.locale';

function browserLocale(): LocaleCode {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const code = tag.slice(0, 2).toLowerCase();
    if (code === 'fr' || code === 'en') return code;
  }
  return 'en';
}

function savedLocale(): LocaleCode | null {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === 'fr' || saved === 'en' ? saved : null;
  } catch {
    return null;
  }
}

export const locale = new Store<LocaleCode>(savedLocale() ?? browserLocale());

export function setLocale(code: LocaleCode): void {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private browsing: the setting lasts for this page only.
  }
  locale.set(code);
}

locale.subscribe(applyLocale);
applyLocale(locale.get());
function applyLocale(code: LocaleCode) {
  document.documentElement.lang = code;
}

/** The messages in the current language; re-renders when it changes. */
export function useT(): Messages {
  return catalogues[useStore(locale)];
}

/** The messages in the current language, outside components. */
export function messages(): Messages {
  return catalogues[locale.get()];
}

/** A BCP 47 tag for Intl: the browser's own variant of the language when it
 * has one (en-GB dates for a British browser), else the bare language. */
function intlTag(code: LocaleCode): string {
  const own = (navigator.languages ?? []).find((tag) => tag.toLowerCase().startsWith(code));
  return own ?? code;
}

const cache = new Map<string, unknown>();
/** An Intl formatter for the current language, made once per language and
 * `key` (sections with formats of their own build theirs with it). */
export function formatter<T>(key: string, make: (tag: string) => T): T {
  const full = `${locale.get()}|${key}`;
  let found = cache.get(full) as T | undefined;
  if (!found) {
    found = make(intlTag(locale.get()));
    cache.set(full, found);
  }
  return found;
}

export function formatDate(iso: string): string {
  return formatter('date', (tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium' })).format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return formatter('datetime', (tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' })).format(
    new Date(iso),
  );
}

/** To the second: where two moments may fall in the same minute (versions). */
export function formatDateTimeExact(iso: string): string {
  return formatter('datetime-exact', (tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'medium' })).format(new Date(iso));
}

export function formatNumber(value: number): string {
  return formatter('number', (tag) => new Intl.NumberFormat(tag)).format(value);
}

/** "3 minutes ago", "in 2 days": the nearest sensible unit. */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const format = formatter('relative', (tag) => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }));
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/** A size in bytes as people read it: "830 KB", "1.5 GB" ("1,5 Go" in French).
 * Files count in powers of 1024; data plans in powers of 1000, as operators
 * sell them. */
export function formatBytes(bytes: number, step: 1024 | 1000 = 1024): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= step && unit < units.length - 1) {
    value /= step;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return formatter(`bytes-${unit}-${digits}`, (tag) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: units[unit], unitDisplay: unit === 0 ? 'long' : 'short', maximumFractionDigits: digits }),
  ).format(value);
}
