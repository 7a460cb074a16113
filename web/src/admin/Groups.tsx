import { useState } from 'preact/hooks';
import { api, type Group, type User } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { formatNumber, useT } from '../i18n';
import { invalidate } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AdminNav } from './AdminNav';

export function Groups() {
  const t = useT();
  const groups = useGroups();
  const users = useUsers();
  const [name, setName] = useState('');
  const create = useAction({ fields: { name: t.errors.fields.label } });
  const change = useAction({ notFound: t.groups.gone });

  const submit = async (e: Event) => {
    e.preventDefault();
    const group = await create.run(() => api('post', '/groups', { body: { name: name.trim() } }));
    if (!group) return;
    setName('');
    invalidate('groups');
    toast(t.groups.created(group.name));
  };

  const remove = async (group: Group) => {
    const yes = await confirm({ title: t.groups.delete, body: t.groups.deleteConfirm(group.name), confirm: t.groups.delete, danger: true });
    if (!yes) return;
    const done = await change.run(async () => {
      await api('delete', '/groups/{id}', { path: { id: group.id } });
      return true;
    });
    invalidate('groups');
    if (done) toast(t.groups.deleted(group.name));
  };

  const setMember = async (group: Group, user: User, member: boolean) => {
    const path = { id: group.id, user_id: user.id };
    const done = await change.run(async () => {
      if (member) await api('put', '/groups/{id}/members/{user_id}', { path });
      else await api('delete', '/groups/{id}/members/{user_id}', { path });
      return true;
    });
    invalidate('groups');
    if (done) toast(member ? t.groups.added(user.display_name, group.name) : t.groups.removed(user.display_name, group.name));
  };

  return (
    <div class="page">
      <PageHeader title={t.groups.title} intro={t.groups.intro} />
      <AdminNav />
      <section class="card" aria-labelledby="new-group">
        <h2 id="new-group">{t.groups.new}</h2>
        <form class="form form-inline" onSubmit={submit}>
          <TextField
            label={t.groups.name}
            hint={t.groups.nameHint}
            value={name}
            onValue={setName}
            required
            maxLength={80}
            error={fieldError(create.problem, 'name')}
          />
          <div class="form-actions">
            <Button type="submit" kind="primary" icon="plus" busy={create.busy}>
              {t.groups.create}
            </Button>
          </div>
        </form>
        <ProblemAlert problem={create.problem && create.problem.field !== 'name' ? create.problem : null} />
      </section>
      <ProblemAlert problem={change.problem} />
      <Loaded resource={groups}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t.groups.empty}</Empty>
          ) : (
            <div class="group-grid">
              {list.map((group) => (
                <GroupCard
                  key={group.id}
                  group={group}
                  people={(users.data ?? []).filter((u) => u.active)}
                  onDelete={() => void remove(group)}
                  onMember={(user, member) => void setMember(group, user, member)}
                />
              ))}
            </div>
          )
        }
      </Loaded>
    </div>
  );
}

function GroupCard(props: { group: Group; people: User[]; onDelete: () => void; onMember: (user: User, member: boolean) => void }) {
  const t = useT();
  const { group, people } = props;
  const members = people.filter((u) => group.members.includes(u.id));
  const others = people.filter((u) => !group.members.includes(u.id));
  const [adding, setAdding] = useState('');
  const selectId = `add-${group.id}`;
  return (
    <section class="card group-card" aria-labelledby={`group-${group.id}`}>
      <header class="group-head">
        <div class="item-icon">
          <Icon name="groups" />
        </div>
        <div>
          <h2 id={`group-${group.id}`}>{group.name}</h2>
          <p class="muted">{t.groups.memberCount(group.members.length, formatNumber(group.members.length))}</p>
        </div>
        <Button size="small" kind="ghost" icon="trash" onClick={props.onDelete} label={t.groups.deleteNamed(group.name)}>
          {t.groups.delete}
        </Button>
      </header>
      {members.length === 0 ? (
        <p class="muted">{t.groups.noMembers}</p>
      ) : (
        <ul class="chips">
          {members.map((user) => (
            <li key={user.id} class="chip">
              <Avatar user={user} size="small" />
              <span>{user.display_name}</span>
              <button type="button" class="chip-remove" aria-label={t.groups.remove(user.display_name, group.name)} title={t.groups.remove(user.display_name, group.name)} onClick={() => props.onMember(user, false)}>
                <Icon name="close" />
              </button>
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 ? (
        <form
          class="add-member"
          onSubmit={(e) => {
            e.preventDefault();
            const user = others.find((u) => String(u.id) === adding);
            if (user) props.onMember(user, true);
            setAdding('');
          }}
        >
          <label for={selectId} class="visually-hidden">
            {t.groups.addTo(group.name)}
          </label>
          <select id={selectId} value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
            <option value="">{t.groups.choose}</option>
            {others.map((user) => (
              <option key={user.id} value={String(user.id)}>
                {user.display_name} (@{user.name})
              </option>
            ))}
          </select>
          <Button type="submit" size="small" icon="plus" disabled={!adding}>
            {t.groups.add}
          </Button>
        </form>
      ) : (
        <p class="muted">{t.groups.everyone}</p>
      )}
    </section>
  );
}
