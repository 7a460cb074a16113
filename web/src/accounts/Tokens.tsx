import { useState } from 'preact/hooks';
import { api, type Token } from '../api/client';
import { formatDate, formatRelative, useT } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CopyField } from '../ui/copy';
import { confirm, Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { SettingsNav } from './SettingsNav';

const EXPIRIES = ['30', '90', '365', 'never'] as const;
type Expiry = (typeof EXPIRIES)[number];

export function Tokens() {
  const t = useT();
  const tokens = useResource('tokens', () => api('get', '/me/tokens'));
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<Expiry>('90');
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const create = useAction({ fields: { name: t.errors.fields.label } });
  const revoke = useAction({ notFound: t.tokens.gone });
  const submit = async (e: Event) => {
    e.preventDefault();
    const created = await create.run(() =>
      api('post', '/me/tokens', {
        body: { name: name.trim(), expires_in_days: expiry === 'never' ? null : Number(expiry) },
      }),
    );
    if (!created) return;
    setName('');
    invalidate('tokens');
    setSecret({ name: created.token.name, secret: created.secret });
  };
  const remove = async (token: Token) => {
    const yes = await confirm({
      title: t.tokens.revoke,
      body: t.tokens.revokeConfirm(token.name),
      confirm: t.tokens.revoke,
      danger: true,
    });
    if (!yes) return;
    const done = await revoke.run(async () => {
      await api('delete', '/me/tokens/{id}', { path: { id: token.id } });
      return true;
    });
    invalidate('tokens');
    if (done) toast(t.tokens.revoked(token.name));
  };
  return (
    <div class="page">
      <PageHeader title={t.tokens.title} intro={t.tokens.intro} />
      <SettingsNav />
      <section class="card" aria-labelledby="new-token">
        <h2 id="new-token">{t.tokens.new}</h2>
        <form class="form form-inline" onSubmit={submit}>
          <TextField
            label={t.tokens.name}
            hint={t.tokens.nameHint}
            value={name}
            onValue={setName}
            required
            maxLength={80}
            error={fieldError(create.problem, 'name')}
          />
          <SelectField
            label={t.tokens.expiry}
            value={expiry}
            onValue={setExpiry}
            options={EXPIRIES.map((value) => ({
              value,
              label: value === 'never' ? t.tokens.never : t.tokens.days(Number(value)),
            }))}
            error={fieldError(create.problem, 'expires_in_days')}
          />
          <div class="form-actions">
            <Button type="submit" kind="primary" icon="plus" busy={create.busy}>
              {t.tokens.create}
            </Button>
          </div>
        </form>
        <ProblemAlert problem={create.problem && !create.problem.field ? create.problem : null} />
      </section>
      <ProblemAlert problem={revoke.problem} />
      <Loaded resource={tokens}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t.tokens.empty}</Empty>
          ) : (
            <div class="table-wrap card">
              <table class="table">
                <caption class="visually-hidden">{t.tokens.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.tokens.name}</th>
                    <th scope="col">{t.tokens.created}</th>
                    <th scope="col">{t.tokens.lastUsed}</th>
                    <th scope="col">{t.tokens.expires}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t.common.actions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((token) => (
                    <tr key={token.id}>
                      <th scope="row" data-label={t.tokens.name}>
                        {token.name}
                      </th>
                      <td data-label={t.tokens.created}>{formatDate(token.created_at)}</td>
                      <td data-label={t.tokens.lastUsed}>{token.last_used_at ? formatRelative(token.last_used_at) : t.tokens.neverUsed}</td>
                      <td data-label={t.tokens.expires}>{token.expires_at ? formatDate(token.expires_at) : t.tokens.never}</td>
                      <td class="cell-actions">
                        <Button size="small" kind="danger" onClick={() => remove(token)}>
                          {t.tokens.revoke}
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <Dialog open={secret !== null} title={t.tokens.createdTitle(secret?.name ?? '')} onClose={() => setSecret(null)}>
        <Alert kind="warning">{t.tokens.secretOnce}</Alert>
        {secret && <CopyField label={t.tokens.secret} value={secret.secret} />}
        <div class="dialog-actions">
          <Button kind="primary" onClick={() => setSecret(null)}>
            {t.common.done}
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
