// How the office writes its figures, in the person's language: money in
// euros, data in the decimal units operators sell plans in (1 GB = 10⁹
// bytes, as the server's caps), speeds, delays, shares and UTC days.

import { formatBytes, formatDate, formatDateTime, formatter, locale } from '../i18n';

export function formatMoney(cents: number): string {
  return formatter('money-eur', (tag) => new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' })).format(cents / 100);
}

/** "830 kB", "4.2 GB" ("4,2 Go" in French), in powers of 1000. */
export function formatData(bytes: number): string {
  return formatBytes(bytes, 1000);
}

/** A speed given in kbit/s: "850 kbit/s", "12.4 Mbit/s". */
export function formatRate(kbps: number): string {
  const mega = kbps >= 1000;
  const value = mega ? kbps / 1000 : kbps;
  const digits = mega && value < 100 ? 1 : 0;
  return formatter(`rate-${mega}-${digits}`, (tag) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit: mega ? 'megabit-per-second' : 'kilobit-per-second', maximumFractionDigits: digits }),
  ).format(value);
}

export function formatMs(ms: number): string {
  return formatter('ms', (tag) => new Intl.NumberFormat(tag, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 })).format(ms);
}

/** `pct` from 0 to 100. */
export function formatPercent(pct: number, digits = 0): string {
  return formatter(`percent-${digits}`, (tag) => new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: digits })).format(pct / 100);
}

/** A day of the usage report (`YYYY-MM-DD`, a UTC day): "12 Mar". */
export function formatDay(day: string): string {
  return formatter('day-short', (tag) => new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' })).format(new Date(`${day}T00:00:00Z`));
}

/** A moment the server gives in milliseconds, as a date. */
export function formatWhen(ms: number): string {
  return formatDate(new Date(ms).toISOString());
}

export function formatWhenTime(ms: number): string {
  return formatDateTime(new Date(ms).toISOString());
}

/** "a laptop, a webcam and a phone line". */
export function formatList(items: string[]): string {
  return formatter('list', (tag) => new Intl.ListFormat(tag, { style: 'long', type: 'conjunction' })).format(items);
}

/** Today as a UTC day, `YYYY-MM-DD`, and days before it. */
export function utcDay(daysAgo = 0): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

/** Every day from `from` to `to` (`YYYY-MM-DD`), in order. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= end && days.length < 400; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** An amount typed in euros ("12,50", "12.5", "") as cents; `null` when
 * empty, `NaN` when it is not a number. */
export function parseMoney(text: string): number | null {
  const clean = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!clean) return null;
  return /^-?\d+(\.\d{1,2})?$/.test(clean) ? Math.round(Number(clean) * 100) : NaN;
}

/** A whole number typed in a field; `null` when empty, `NaN` otherwise. */
export function parseWhole(text: string): number | null {
  const clean = text.trim();
  if (!clean) return null;
  return /^-?\d+$/.test(clean) ? Number(clean) : NaN;
}

/** Cents back to what a person types: 1250 → "12.50" ("12,50" in French). */
export function moneyInput(cents: number | null | undefined): string {
  if (cents == null) return '';
  const text = (cents / 100).toFixed(cents % 100 === 0 ? 0 : 2);
  return locale.get() === 'fr' ? text.replace('.', ',') : text;
}
