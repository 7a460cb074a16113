// What a failed call means to the person, in their language. The server's
// `code`, `field` and status choose the message; its English sentence is
// only ever shown as a detail.

import type { Messages } from '../i18n';
import { ApiError } from './client';

export interface Problem {
  message: string;
  /** The server's own sentence and request id, for a curious reader. */
  detail?: string;
  /** The form field at fault, to mark it. */
  field?: string;
}

/** Per-screen wording: a screen knows what a 404 or a 409 means there. */
export interface Context {
  notFound?: string;
  conflict?: string;
  forbidden?: string;
  unauthenticated?: string;
  /** Messages for fields whose meaning depends on the screen. */
  fields?: Record<string, string>;
  /** Messages for server codes whose meaning depends on the screen
   * (`name_taken` is a login name on one screen, a team's on another). */
  codes?: Record<string, string>;
}

export function describe(t: Messages, error: unknown, context: Context = {}): Problem {
  if (!(error instanceof ApiError)) {
    return { message: t.errors.unexpected, detail: String(error) };
  }
  const detail = error.serverMessage ? t.errors.detail(error.serverMessage, error.requestId) : undefined;
  if (error.status === 0) return { message: t.errors.network };
  const own = context.codes?.[error.code];
  if (own) return { message: own, detail };
  if (error.code === 'invalid' && error.field) {
    const known = t.errors.fields as Record<string, string>;
    const message = context.fields?.[error.field] ?? known[error.field] ?? t.errors.invalid;
    return { message, detail, field: error.field };
  }
  switch (error.code) {
    case 'rate_limited':
      return { message: t.errors.rateLimited(error.retryAfterSecs ?? 60), detail };
    case 'csrf':
      return { message: t.errors.csrf, detail };
    case 'unauthenticated':
      return { message: context.unauthenticated ?? t.errors.unauthenticated, detail };
    case 'forbidden':
      return { message: context.forbidden ?? t.errors.forbidden, detail };
    case 'not_found':
      return { message: context.notFound ?? t.errors.notFound, detail };
    case 'too_large':
      return { message: t.errors.tooLarge, detail };
    case 'quota_exceeded':
      return { message: t.errors.quotaExceeded, detail };
  }
  if (error.status === 409) return conflict(t, error, context, detail);
  if (error.status >= 500) return { message: t.errors.internal(error.requestId ?? '—') };
  if (error.status === 422 || error.status === 400) return { message: t.errors.invalid, detail };
  return { message: t.errors.unexpected, detail };
}

/** Which clash a 409 is, from the server's code (`name_taken`,
 * `last_admin`, `group_exists`, `invitation_used`, `invitation_revoked`,
 * `invitation_expired`); null for a plain `conflict`. */
function conflictKind(error: ApiError): string | null {
  return error.code === 'conflict' ? null : error.code;
}

function conflict(t: Messages, error: ApiError, context: Context, detail?: string): Problem {
  const invitation = invitationState(error);
  if (invitation) return { message: t.invite.closed[invitation], detail };
  switch (conflictKind(error)) {
    case 'name_taken':
      return { message: t.errors.nameTaken, detail, field: 'name' };
    case 'last_admin':
      return { message: t.errors.lastAdmin, detail };
    case 'group_exists':
      return { message: t.errors.groupExists, detail, field: 'name' };
    case 'exists':
      return { message: t.errors.exists, detail, field: 'name' };
    case 'is_folder':
      return { message: t.errors.isFolder, detail, field: 'name' };
    case 'no_parent':
      return { message: t.errors.noParent, detail };
  }
  return { message: context.conflict ?? t.errors.conflict, detail };
}

/** Why an invitation link cannot be used, when the server said so. */
export function invitationState(error: ApiError): 'used' | 'revoked' | 'expired' | null {
  if (error.status !== 409) return null;
  const kind = conflictKind(error);
  if (kind === 'invitation_used') return 'used';
  if (kind === 'invitation_revoked') return 'revoked';
  if (kind === 'invitation_expired') return 'expired';
  return null;
}
