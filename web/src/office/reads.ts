// The office's reads, each under an `office:` key. Nothing in the office
// sends events (the inventory changes rarely, the meter all the time), so
// a screen reads again each time it shows, and a write refreshes them all.

import { api, type Schemas } from '../api/client';
import { invalidate, useResource } from '../lib/resource';

export type Piece = Schemas['EquipmentJson'];
export type ConnectionTest = Schemas['ConnectionTestJson'];
export type UsageReport = Schemas['UsageJson'];
export type PersonReadiness = Schemas['PersonReadinessJson'];
export type CompanyReadiness = Schemas['CompanyReadinessJson'];
export type EquipmentRequest = Schemas['RequestJson'];
export type Tool = Schemas['ToolJson'];
export type Tools = Schemas['ToolsJson'];

const fresh = { revalidateOnMount: true };

export const useEquipment = () => useResource('office:equipment', () => api('get', '/office/equipment'), fresh);
export const usePiece = (id: number) => useResource(`office:equipment:${id}`, () => api('get', '/office/equipment/{id}', { path: { id } }), fresh);
export const useReadiness = () => useResource('office:readiness', () => api('get', '/office/readiness'), fresh);
export const useTests = () => useResource('office:tests', () => api('get', '/office/connection-tests', { query: {} }), fresh);
export const useSettings = () => useResource('office:settings', () => api('get', '/office/settings'), fresh);
/** The queue (admins) or the person's own requests. */
export const useRequests = () => useResource('office:requests', () => api('get', '/office/requests'), fresh);
/** The catalogue (admins) or the tools the person needs (their launcher). */
export const useTools = () => useResource('office:tools', () => api('get', '/office/tools'), fresh);

/** Usage from `from` to `to` (`YYYY-MM-DD`): one person's, or (admins,
 * `user` null) everyone's. */
export const useUsage = (user: number | null, from: string, to: string) =>
  useResource(`office:usage:${user ?? 'all'}:${from}:${to}`, () => api('get', '/office/usage', { query: { user_id: user ?? undefined, from, to } }), fresh);

/** After a write: readiness follows the inventory, so everything is read again. */
export function refreshOffice(): void {
  invalidate('office');
}

/** The catalogue's words for a value the server sends (a kind, a status),
 * or the value itself for one this version does not know. */
export function word(words: object, key: string): string {
  return (words as Record<string, string>)[key] ?? key;
}
