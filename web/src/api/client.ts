// The typed JSON API client. Request and response types come from the OpenAPI
// document the server publishes (src/api/openapi.json, produced by
// `bureau openapi`), turned into TypeScript by openapi-typescript at build.

import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type User = Schemas['UserView'];
export type Me = Schemas['MeView'];
export type Session = Schemas['SessionView'];
export type Token = Schemas['TokenView'];
export type Invitation = Schemas['InvitationView'];
export type Group = Schemas['GroupView'];
export type AuditEntry = Schemas['AuditView'];
export type Role = Schemas['RoleDto'];
export type Locale = Schemas['LocaleDto'];

export const API = '/api/v1';

/** An API call that failed: its HTTP status (0 when the server was not
 * reached), the server's stable `code`, and the field at fault. The server's
 * English sentence is kept as detail; people see our own translated message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly field?: string,
    readonly requestId?: string,
    readonly retryAfterSecs?: number,
  ) {
    super(`${status} ${code}: ${serverMessage}`);
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : void;
type Success<O> = O extends { responses: infer R }
  ? R extends { 200: infer X }
    ? JsonOf<X>
    : R extends { 201: infer X }
      ? JsonOf<X>
      : void
  : never;
type RequestBody<O> = O extends { requestBody: { content: { 'application/json': infer J } } } ? J : never;
type PathParams<O> = O extends { parameters: { path: infer X } } ? X : never;
type QueryParams<O> = O extends { parameters: { query?: infer X } } ? Exclude<X, undefined> : never;
type Part<Name extends string, X> = [X] extends [never] ? { [K in Name]?: undefined } : { [K in Name]: X };
type Options<O> = Part<'path', PathParams<O>> & Part<'query', QueryParams<O>> & Part<'body', RequestBody<O>>;
type Args<O> = {} extends Options<O> ? [options?: Options<O>] : [options: Options<O>];

/** Methods that `path` supports. */
type MethodsOf<P extends keyof paths> = {
  [M in Method]: paths[P][M] extends undefined | never ? never : M;
}[Method];

let csrfToken: string | null = null;

/** Remembers the session's CSRF token (from login, setup, invitation or /me). */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** The CSRF token that writes carry (the tus uploads send it themselves). */
export function currentCsrfToken(): string | null {
  if (csrfToken) return csrfToken;
  const match = /(?:^|;\s*)bureau_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Called when an authenticated call finds the session gone (401). */
let onUnauthenticated: (error: ApiError) => void = () => {};
export function whenUnauthenticated(handler: (error: ApiError) => void): void {
  onUnauthenticated = handler;
}

/** Calls `method path` with typed path parameters, query and body. */
export async function api<P extends keyof paths, M extends MethodsOf<P>>(
  method: M,
  path: P,
  ...[options]: Args<Operation<P, M>>
): Promise<Success<Operation<P, M>>> {
  const opts = (options ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  let url = API + String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(opts.path?.[name])));
  if (opts.query) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(opts.query)) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    const text = query.toString();
    if (text) url += `?${text}`;
  }
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const response = await send(method.toUpperCase(), url, body, body === undefined ? undefined : 'application/json');
  return (await decode(response)) as Success<Operation<P, M>>;
}

/** Uploads raw bytes (the avatar endpoint takes the image itself). */
export async function putBytes(path: '/me/avatar', blob: Blob): Promise<User> {
  const response = await send('PUT', API + path, blob, blob.type || 'application/octet-stream');
  return (await decode(response)) as User;
}

/** Uploads a file for a chat message about to be posted. */
export async function uploadFile(channel: number, file: File): Promise<Schemas['AttachmentView']> {
  const url = `${API}/channels/${channel}/files?name=${encodeURIComponent(file.name)}`;
  const response = await send('POST', url, file, file.type || 'application/octet-stream');
  return (await decode(response)) as Schemas['AttachmentView'];
}

/** Adds a database's rows from a CSV file (its first line names the
 * columns): all of them, or none and the bad line named. */
export async function importRows(page: number, file: File): Promise<{ added: number }> {
  const response = await send('POST', `${API}/pages/${page}/rows/import`, file, 'text/csv; charset=utf-8');
  return (await decode(response)) as { added: number };
}

/** Makes a page of a space (under `parent`, else at its top) from a
 * Markdown file: the file's bytes are the body, its name the fallback title. */
export async function importMarkdown(space: number, parent: number | null, file: File): Promise<Schemas['PageJson']> {
  const query = new URLSearchParams({ name: file.name });
  if (parent !== null) query.set('parent_id', String(parent));
  const response = await send('POST', `${API}/spaces/${space}/import?${query}`, file, 'text/markdown; charset=utf-8');
  return (await decode(response)) as Schemas['PageJson'];
}

/** Adds an image or file to a page's content (an editor's right). */
export async function uploadPageAttachment(page: number, file: File): Promise<Schemas['AttachmentJson']> {
  const url = `${API}/pages/${page}/attachments?name=${encodeURIComponent(file.name)}`;
  const response = await send('POST', url, file, file.type || 'application/octet-stream');
  return (await decode(response)) as Schemas['AttachmentJson'];
}

/** Sends a request with the session's CSRF token (for writes), trying
 * once more with a fresh token if it was stale; the answer is left as it
 * came, for calls whose failures carry more than the error (a refused
 * import names its bad lines). */
export async function send(method: string, url: string, body: BodyInit | undefined, type: string | undefined, retried = false): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (type) headers['Content-Type'] = type;
  if (method !== 'GET') {
    const token = currentCsrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (cause) {
    throw new ApiError(0, 'network', String(cause));
  }
  if (response.status === 403 && !retried && method !== 'GET') {
    // A stale CSRF token (the session rotated in another tab): fetch the
    // current one once and try again.
    const error = await errorOf(response.clone());
    if (error.code === 'csrf') {
      const me = await fetch(`${API}/me`, { credentials: 'same-origin', cache: 'no-store' }).catch(() => null);
      if (me?.ok) {
        setCsrfToken(((await me.json()) as Me).csrf_token);
        return send(method, url, body, type, true);
      }
    }
  }
  return response;
}

/** The JSON of a successful answer, or the error of a failed one. */
export async function decode(response: Response): Promise<unknown> {
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.status === 401 && !response.url.endsWith('/auth/login')) onUnauthenticated(error);
    throw error;
  }
  if (response.status === 204) return undefined;
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

/** The error a failed answer carries (our JSON body, or its status). */
export async function errorOf(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get('Retry-After')) || undefined;
  try {
    const body = (await response.json()) as Schemas['ErrorBody'];
    const e = body.error;
    return new ApiError(response.status, e.code, e.message, e.field ?? undefined, e.request_id, retry);
  } catch {
    // Not our JSON: a proxy's page, a gateway timeout.
    return new ApiError(response.status, response.status >= 500 ? 'internal' : 'http', response.statusText, undefined, undefined, retry);
  }
}

export function avatarUrl(user: Pick<User, 'id' | 'has_avatar'>, version = 0): string | null {
  return user.has_avatar ? `${API}/users/${user.id}/avatar${version ? `?v=${version}` : ''}` : null;
}
