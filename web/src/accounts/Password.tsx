import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';
import { PageHeader } from '../ui/Page';
import { SettingsNav } from './SettingsNav';

export function Password() {
  const t = useT();
  const user = useStore(me);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction({ fields: { password: t.errors.fields.password } });
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    if (next !== confirmation) {
      action.setProblem((t) => ({ message: t.accountForm.mismatch, field: 'confirm' }));
      return;
    }
    const changed = await action.run(async () => {
      await api('put', '/me/password', { body: { current_password: current, new_password: next } });
      return true;
    });
    if (!changed) return;
    setCurrent('');
    setNext('');
    setConfirmation('');
    setDone(true);
  };
  const problem = action.problem;
  return (
    <div class="page">
      <PageHeader title={t.password.title} intro={t.password.intro} />
      <SettingsNav />
      <section class="card narrow">
        {done && <Alert kind="success">{t.password.changed}</Alert>}
        <form class="form" onSubmit={submit}>
          <ProblemAlert problem={problem && !problem.field ? problem : null} />
          {user && <input type="text" name="username" autocomplete="username" value={user.name} readOnly hidden />}
          <TextField
            label={t.password.current}
            type="password"
            value={current}
            onValue={setCurrent}
            autoComplete="current-password"
            required
            error={fieldError(problem, 'current_password')}
          />
          <TextField
            label={t.password.new}
            hint={t.accountForm.passwordHint}
            type="password"
            value={next}
            onValue={setNext}
            autoComplete="new-password"
            required
            minLength={8}
            error={fieldError(problem, 'password') ?? fieldError(problem, 'new_password')}
          />
          <TextField
            label={t.password.confirm}
            type="password"
            value={confirmation}
            onValue={setConfirmation}
            autoComplete="new-password"
            required
            error={fieldError(problem, 'confirm')}
          />
          <div class="form-actions">
            <Button type="submit" kind="primary" busy={action.busy}>
              {t.password.submit}
            </Button>
          </div>
        </form>
      </section>
    </div>
  );
}
