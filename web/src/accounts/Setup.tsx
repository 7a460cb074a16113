import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate, usePlace } from '../app/router';
import { signedIn } from '../app/session';
import { useT } from '../i18n';
import { useAction } from '../ui/action';
import { Alert } from '../ui/Alert';
import { Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AccountForm, type NewAccount } from './AccountForm';
import { AuthLayout } from './AuthLayout';

/** The first admin's page, opened from the link `bureau serve` prints. */
export function Setup() {
  const t = useT();
  const secret = usePlace().hash.slice(1);
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [unreachable, setUnreachable] = useState(false);
  const action = useAction({ forbidden: t.setup.invalidLink });
  useEffect(() => {
    api('get', '/setup').then(
      (status) => setNeeded(status.needed),
      () => setUnreachable(true),
    );
  }, []);
  const create = async (account: NewAccount) => {
    const current = await action.run(() => api('post', '/setup', { body: { ...account, token: secret } }));
    if (!current) return;
    signedIn(current);
    navigate('/', { replace: true });
    toast(t.setup.done(current.user.display_name));
  };
  let body;
  if (unreachable) body = <Alert kind="error">{t.errors.network}</Alert>;
  else if (needed === null) body = <Loading />;
  else if (!needed) {
    body = (
      <>
        <Alert kind="info">{t.setup.alreadyDone}</Alert>
        <p>
          <a href="/login" class="btn btn-primary btn-block">
            {t.setup.goToLogin}
          </a>
        </p>
      </>
    );
  } else if (!secret) {
    body = <Alert kind="warning">{t.setup.missingSecret}</Alert>;
  } else {
    body = (
      <>
        <p class="auth-intro">{t.setup.intro}</p>
        <AccountForm
          submitLabel={t.setup.submit}
          busy={action.busy}
          problem={action.problem}
          onSubmit={create}
          onMismatch={() => action.setProblem((t) => ({ message: t.accountForm.mismatch, field: 'confirm' }))}
        />
      </>
    );
  }
  return (
    <AuthLayout title={t.setup.title} wide>
      {body}
    </AuthLayout>
  );
}
