import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Schemas } from '../api/client';
import { describe, invitationState } from '../api/errors';
import { navigate, usePlace } from '../app/router';
import { me, signedIn } from '../app/session';
import { formatDateTime, useT } from '../i18n';
import { useStore } from '../lib/store';
import { useAction } from '../ui/action';
import { Alert } from '../ui/Alert';
import { Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AccountForm, type NewAccount } from './AccountForm';
import { AuthLayout } from './AuthLayout';

type Lookup =
  | { kind: 'checking' }
  | { kind: 'offer'; offer: Schemas['InvitationOffer'] }
  | { kind: 'failed'; error: unknown };

/** The page an invitation link opens: what it offers, then the new account. */
export function Invite() {
  const t = useT();
  const secret = usePlace().hash.slice(1);
  const signedInAs = useStore(me);
  const [lookup, setLookup] = useState<Lookup>({ kind: 'checking' });
  const action = useAction({ notFound: t.invite.invalid });
  useEffect(() => {
    if (!secret) {
      setLookup({ kind: 'failed', error: new ApiError(404, 'not_found', 'no secret in the link') });
      return;
    }
    api('get', '/invitations/lookup', { query: { token: secret } }).then(
      (offer) => setLookup({ kind: 'offer', offer }),
      (error: unknown) => setLookup({ kind: 'failed', error }),
    );
  }, [secret]);
  const accept = async (account: NewAccount) => {
    const current = await action.run(() => api('post', '/invitations/accept', { body: { ...account, token: secret } }));
    if (!current) return;
    signedIn(current);
    navigate('/', { replace: true });
    toast(t.invite.welcome(current.user.display_name));
  };
  let body;
  if (lookup.kind === 'checking') {
    body = <Loading />;
  } else if (lookup.kind === 'failed') {
    body = <InvitationProblem error={lookup.error} />;
  } else {
    body = (
      <>
        <p class="auth-intro">{t.invite.offer(t.roles[lookup.offer.role], formatDateTime(lookup.offer.expires_at))}</p>
        {signedInAs && <Alert kind="info">{t.invite.signedInAs(signedInAs.display_name)}</Alert>}
        <AccountForm
          submitLabel={t.invite.submit}
          busy={action.busy}
          problem={action.problem}
          onSubmit={accept}
          onMismatch={() => action.setProblem((t) => ({ message: t.accountForm.mismatch, field: 'confirm' }))}
        />
      </>
    );
  }
  return (
    <AuthLayout title={t.invite.title} wide>
      {body}
    </AuthLayout>
  );
}

/** Why the link cannot be used, and what to do about it. */
function InvitationProblem({ error }: { error: unknown }) {
  const t = useT();
  let message: string;
  let detail: string | undefined;
  if (error instanceof ApiError && error.status === 404) message = t.invite.invalid;
  else if (error instanceof ApiError && invitationState(error)) message = t.invite.closed[invitationState(error)!];
  else ({ message, detail } = describe(t, error));
  return (
    <>
      <Alert kind="error" detail={detail}>
        {message}
      </Alert>
      <p class="auth-note">{t.invite.askAgain}</p>
      <p>
        <a href="/login" class="btn btn-secondary btn-block">
          {t.invite.goToLogin}
        </a>
      </p>
    </>
  );
}
