import { useState } from 'preact/hooks';
import type { Locale, Schemas } from '../api/client';
import type { Problem } from '../api/errors';
import { LANGUAGES, locale, setLocale, useT } from '../i18n';
import { useStore } from '../lib/store';
import { fieldError } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';

export type NewAccount = Omit<Schemas['NewAccountRequest'], 'token'>;

/** "Marie-Hélène Dubois" → "marie-helene.dubois": a login name to start from. */
export function suggestName(displayName: string): string {
  return displayName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, '.')
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, 32);
}

/** The new account's details, for the first admin and for invited people. */
export function AccountForm(props: {
  submitLabel: string;
  busy: boolean;
  problem: Problem | null;
  onSubmit: (account: NewAccount) => void;
  onMismatch: () => void;
}) {
  const t = useT();
  const language = useStore(locale);
  const [displayName, setDisplayName] = useState('');
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const problem = props.problem;
  const submit = (e: Event) => {
    e.preventDefault();
    if (password !== confirmation) {
      props.onMismatch();
      return;
    }
    props.onSubmit({
      display_name: displayName.trim(),
      name: name.trim(),
      email: email.trim() || null,
      password,
      locale: language as Locale,
    });
  };
  return (
    <form class="form" onSubmit={submit}>
      <ProblemAlert problem={problem && !problem.field ? problem : null} />
      <TextField
        label={t.accountForm.displayName}
        hint={t.accountForm.displayNameHint}
        value={displayName}
        onValue={(value) => {
          setDisplayName(value);
          if (!nameEdited) setName(suggestName(value));
        }}
        autoComplete="name"
        required
        maxLength={80}
        autoFocus
        error={fieldError(problem, 'display_name')}
      />
      <TextField
        label={t.accountForm.name}
        hint={t.accountForm.nameHint}
        value={name}
        onValue={(value) => {
          setName(value);
          setNameEdited(true);
        }}
        autoComplete="username"
        required
        minLength={2}
        maxLength={32}
        spellcheck={false}
        error={fieldError(problem, 'name')}
      />
      <TextField
        label={t.accountForm.email}
        hint={t.accountForm.emailHint}
        type="email"
        value={email}
        onValue={setEmail}
        autoComplete="email"
        error={fieldError(problem, 'email')}
      />
      <div class="field-row">
        <TextField
          label={t.accountForm.password}
          hint={t.accountForm.passwordHint}
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="new-password"
          required
          minLength={8}
          error={fieldError(problem, 'password')}
        />
        <TextField
          label={t.accountForm.confirm}
          type="password"
          value={confirmation}
          onValue={setConfirmation}
          autoComplete="new-password"
          required
          error={fieldError(problem, 'confirm')}
        />
      </div>
      <SelectField
        label={t.profile.language}
        value={language}
        onValue={setLocale}
        options={LANGUAGES}
      />
      <Button type="submit" kind="primary" busy={props.busy} class="btn-block">
        {props.submitLabel}
      </Button>
    </form>
  );
}
