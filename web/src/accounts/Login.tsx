import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { login, phase } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';
import { AuthLayout } from './AuthLayout';

export function Login() {
  const t = useT();
  const current = useStore(phase);
  const notice = current.kind === 'anonymous' ? current.notice : undefined;
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [setupNeeded, setSetupNeeded] = useState(false);
  const action = useAction({ unauthenticated: t.login.wrong });
  useEffect(() => {
    api('get', '/setup').then(
      (status) => setSetupNeeded(status.needed),
      () => {},
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const done = await action.run(() => login(name.trim(), password));
    if (done === undefined) setPassword('');
  };
  return (
    <AuthLayout title={t.login.title}>
      {notice && !action.problem && (
        <Alert kind={notice === 'signed_out' ? 'success' : 'warning'}>{t.login.notices[notice]}</Alert>
      )}
      {setupNeeded && <Alert kind="info">{t.login.setupNeeded}</Alert>}
      <ProblemAlert problem={action.problem} />
      <form class="form" onSubmit={submit} noValidate={false}>
        <TextField
          label={t.login.name}
          name="username"
          value={name}
          onValue={setName}
          autoComplete="username"
          required
          autoFocus
          spellcheck={false}
        />
        <TextField
          label={t.login.password}
          name="password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
        <Button type="submit" kind="primary" busy={action.busy} class="btn-block">
          {action.busy ? t.login.submitting : t.login.submit}
        </Button>
      </form>
      <p class="auth-note">{t.login.noAccount}</p>
    </AuthLayout>
  );
}
