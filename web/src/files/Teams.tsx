// Team folders (administrators): shared spaces that appear at the top of the
// Files of the groups and people given access, each with its own quota;
// and how much a person may keep in their own files.

import './files.css';
import { useState } from 'preact/hooks';
import { api, type Group, type Schemas, type User } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { AdminNav } from '../admin/AdminNav';
import { useT } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AccessEditor, type Level, type Target } from './access';
import { UsageBar } from './widgets';

type Team = Schemas['TeamView'];
type Unit = 'MB' | 'GB';
const UNIT_BYTES: Record<Unit, number> = { MB: 1024 ** 2, GB: 1024 ** 3 };

/** A quota typed as a number and a unit; empty means no limit. */
function QuotaInput({ id, label, amount, unit, onAmount, onUnit }: { id: string; label: string; amount: string; unit: Unit; onAmount: (v: string) => void; onUnit: (u: Unit) => void }) {
  const t = useT();
  return (
    <div class="field quota-field">
      <label for={id}>{label}</label>
      <div class="quota-row">
        <input id={id} type="number" min={0} step="any" inputMode="numeric" value={amount} placeholder={t.teams.noLimit} onInput={(e) => onAmount(e.currentTarget.value)} aria-describedby={`${id}-hint`} />
        <select aria-label={t.teams.unit} value={unit} onChange={(e) => onUnit(e.currentTarget.value as Unit)}>
          <option value="MB">{t.teams.mb}</option>
          <option value="GB">{t.teams.gb}</option>
        </select>
      </div>
      <p class="hint" id={`${id}-hint`}>
        {t.teams.quotaHint}
      </p>
    </div>
  );
}

const toBytes = (amount: string, unit: Unit): number | null => (amount.trim() === '' ? null : Math.round(Number(amount) * UNIT_BYTES[unit]));

export function Teams() {
  const t = useT();
  const teams = useResource('files:teams', () => api('get', '/files/teams'));
  const groups = useGroups();
  const users = useUsers();
  const [name, setName] = useState('');
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState<Unit>('GB');
  const create = useAction({ codes: { name_taken: t.teams.nameTaken } });
  const change = useAction({ notFound: t.teams.gone });

  const submit = async (e: Event) => {
    e.preventDefault();
    const team = await create.run(() => api('post', '/files/teams', { body: { name: name.trim(), quota: toBytes(amount, unit) } }));
    if (!team) return;
    setName('');
    setAmount('');
    invalidate('files');
    toast(t.teams.created(team.name));
  };

  return (
    <div class="page">
      <PageHeader title={t.teams.title} intro={t.teams.intro} />
      <AdminNav />
      <section class="card" aria-labelledby="new-team">
        <h2 id="new-team">{t.teams.new}</h2>
        <form class="form form-inline" onSubmit={submit}>
          <TextField label={t.teams.name} hint={t.teams.nameHint} value={name} onValue={setName} required maxLength={80} />
          <QuotaInput id="new-team-quota" label={t.teams.quota} amount={amount} unit={unit} onAmount={setAmount} onUnit={setUnit} />
          <div class="form-actions">
            <Button type="submit" kind="primary" icon="plus" busy={create.busy}>
              {t.teams.create}
            </Button>
          </div>
        </form>
        <ProblemAlert problem={create.problem} />
      </section>
      <ProblemAlert problem={change.problem} />
      <Loaded resource={teams}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t.teams.empty}</Empty>
          ) : (
            <div class="group-grid">
              {list.map((team) => (
                <TeamCard key={team.id} team={team} groups={groups.data ?? []} people={(users.data ?? []).filter((u) => u.active)} run={change.run} />
              ))}
            </div>
          )
        }
      </Loaded>
      <PersonQuota people={(users.data ?? []).filter((u) => u.active)} />
    </div>
  );
}

function TeamCard({ team, groups, people, run }: { team: Team; groups: readonly Group[]; people: User[]; run: <T>(work: () => Promise<T>) => Promise<T | undefined> }) {
  const t = useT();
  const [amount, setAmount] = useState(team.quota == null ? '' : String(+(team.quota / UNIT_BYTES.GB).toFixed(3)));
  const [unit, setUnit] = useState<Unit>('GB');
  const refresh = () => invalidate('files');

  const saveQuota = async (e: Event) => {
    e.preventDefault();
    const quota = toBytes(amount, unit);
    const done = await run(() => api('patch', '/files/teams/{id}', { path: { id: team.id }, body: quota == null ? { unlimited: true } : { quota } }));
    if (!done) return;
    refresh();
    toast(t.teams.quotaSaved(team.name));
  };
  const setGrant = async (target: Target, access: Level | 'none') => {
    const done = await run(() => api('put', '/files/teams/{id}/access', { path: { id: team.id }, body: { ...target, access } }));
    if (done) refresh();
  };
  const remove = async () => {
    const yes = await confirm({ title: t.teams.delete, body: t.teams.deleteConfirm(team.name), confirm: t.teams.delete, danger: true });
    if (!yes) return;
    const done = await run(async () => {
      await api('delete', '/files/teams/{id}', { path: { id: team.id } });
      return true;
    });
    if (!done) return;
    refresh();
    toast(t.teams.deleted(team.name));
  };

  return (
    <section class="card group-card" aria-labelledby={`team-${team.id}`}>
      <header class="group-head">
        <div class="item-icon">
          <Icon name="groups" />
        </div>
        <div>
          <h2 id={`team-${team.id}`}>{team.name}</h2>
          <UsageBar used={team.used} quota={team.quota} label={t.teams.usageOf(team.name)} />
        </div>
        <Button size="small" kind="ghost" icon="trash" onClick={() => void remove()} label={t.teams.deleteNamed(team.name)}>
          {t.teams.delete}
        </Button>
      </header>
      <form class="form form-inline" onSubmit={saveQuota}>
        <QuotaInput id={`team-quota-${team.id}`} label={t.teams.quota} amount={amount} unit={unit} onAmount={setAmount} onUnit={setUnit} />
        <div class="form-actions">
          <Button type="submit" size="small">
            {t.common.save}
          </Button>
        </div>
      </form>
      <h3 class="team-sub">{t.teams.access}</h3>
      <AccessEditor grants={team.access} groups={groups} people={people} addLabel={t.teams.grantTo(team.name)} empty={t.teams.noAccess} onSet={(target, access) => void setGrant(target, access)} />
    </section>
  );
}

/** How much one person may keep in their own files. */
function PersonQuota({ people }: { people: User[] }) {
  const t = useT();
  const [who, setWho] = useState('');
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState<Unit>('GB');
  const [usage, setUsage] = useState<Schemas['UsageView'] | null>(null);
  const action = useAction({ notFound: t.people.gone });
  const submit = async (e: Event) => {
    e.preventDefault();
    const person = people.find((u) => String(u.id) === who);
    if (!person) return;
    const done = await action.run(() => api('put', '/files/people/{id}/quota', { path: { id: person.id }, body: { quota: toBytes(amount, unit) } }));
    if (!done) return;
    setUsage(done);
    toast(t.teams.personQuotaSaved(person.display_name));
  };
  return (
    <section class="card" aria-labelledby="person-quota">
      <h2 id="person-quota">{t.teams.personQuota}</h2>
      <p class="muted">{t.teams.personQuotaIntro}</p>
      <form class="form form-inline" onSubmit={submit}>
        <div class="field">
          <label for="quota-person">{t.teams.person}</label>
          <select id="quota-person" value={who} onChange={(e) => setWho(e.currentTarget.value)} required>
            <option value="">{t.groups.choose}</option>
            {people.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.display_name} (@{u.name})
              </option>
            ))}
          </select>
        </div>
        <QuotaInput id="person-quota-amount" label={t.teams.quota} amount={amount} unit={unit} onAmount={setAmount} onUnit={setUnit} />
        <div class="form-actions">
          <Button type="submit" kind="primary" busy={action.busy} disabled={!who}>
            {t.common.save}
          </Button>
        </div>
      </form>
      {usage && <UsageBar used={usage.used} quota={usage.quota} />}
      <ProblemAlert problem={action.problem} />
    </section>
  );
}
