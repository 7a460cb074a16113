// The company's other tools (a CRM, the accounting, a NAS): administrators
// keep the catalogue (where each tool lives, how people reach it from home,
// who needs it) and see how many are reachable from home, checked by the
// server once a day or on demand; everyone finds the tools they need in
// their office, one click from opening them.

import { useState } from 'preact/hooks';
import { api, type Group, type User } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { me } from '../app/session';
import { useOfficeT, type OfficeT } from '../i18n/office';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button, IconButton } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AreaField, ChoiceField } from './fields';
import { formatList, formatPercent, formatWhenTime } from './format';
import { OfficeNav } from './Office';
import { refreshOffice, useTools, word, type Tool, type Tools as Listing } from './reads';

const HOSTINGS = ['saas', 'self_hosted'] as const;
const ACCESSES = ['direct', 'vpn', 'none'] as const;

/** Whether `user` needs the tool: everyone does, or they are named, or
 * one of their groups is (as the server decides a member's launcher). */
function needs(tool: Tool, user: number, groups: readonly Group[]): boolean {
  return tool.everyone || tool.users.includes(user) || groups.some((g) => tool.groups.includes(g.id) && g.members.includes(user));
}

/** Whether people reach the tool from home, as readiness counts it: a way
 * in, and the last check (if any) reached it. */
function remote(tool: Tool): boolean {
  return tool.access !== 'none' && tool.last_status !== 'unreachable' && tool.last_status !== 'refused';
}

/** The catalogue (administrators). */
export function Tools() {
  const t = useOfficeT();
  const tl = t.office.tools;
  const tools = useTools();
  const users = useUsers();
  const groups = useGroups();
  const [editing, setEditing] = useState<Tool | 'new' | null>(null);
  const [checking, setChecking] = useState<readonly number[]>([]);
  const [checkingAll, setCheckingAll] = useState(false);
  const action = useAction({ notFound: tl.gone });
  const people = new Map((users.data ?? []).map((u) => [u.id, u]));
  const teams = new Map((groups.data ?? []).map((g) => [g.id, g]));

  const checkOne = async (tool: Tool) => {
    setChecking((ids) => [...ids, tool.id]);
    const done = await action.run(() => api('post', '/office/tools/{id}/check', { path: { id: tool.id } }));
    setChecking((ids) => ids.filter((id) => id !== tool.id));
    if (!done) return;
    refreshOffice();
    toast(tl.checked(done.name, word(tl.statuses, done.last_status ?? 'none')), done.last_status === 'reachable' ? 'success' : 'info');
  };

  const checkAll = async () => {
    setCheckingAll(true);
    const done = await action.run(() => api('post', '/office/tools/check'));
    setCheckingAll(false);
    if (!done) return;
    refreshOffice();
    toast(tl.checkedAll(done.reachable_remotely, done.total));
  };

  const remove = async (tool: Tool) => {
    const yes = await confirm({ title: tl.deleteTitle(tool.name), body: tl.deleteBody, confirm: tl.delete, danger: true });
    if (!yes) return;
    const done = await action.run(() => api('delete', '/office/tools/{id}', { path: { id: tool.id } }).then(() => true));
    if (!done) return;
    refreshOffice();
    toast(tl.deleted(tool.name));
  };

  const neededBy = (tool: Tool) => {
    if (tool.everyone) return tl.everyone;
    const names = [...tool.groups.map((id) => teams.get(id)?.name ?? `#${id}`), ...tool.users.map((id) => people.get(id)?.display_name ?? `#${id}`)];
    return names.length ? formatList(names) : '';
  };

  return (
    <div class="page">
      <PageHeader
        title={tl.title}
        intro={tl.intro}
        actions={
          <div class="office-actions">
            <Button icon="refresh" busy={checkingAll} disabled={(tools.data?.total ?? 0) === 0} onClick={() => void checkAll()}>
              {tl.checkAll}
            </Button>
            <Button kind="primary" icon="plus" onClick={() => setEditing('new')}>
              {tl.add}
            </Button>
          </div>
        }
      />
      <OfficeNav />
      <ProblemAlert problem={action.problem} />
      <Loaded resource={tools}>
        {(data) => (
          <>
            <div class="office-grid">
              <ReachCard listing={data} />
              <section class="card" aria-labelledby="check-heading">
                <h2 id="check-heading">{tl.howHeading}</h2>
                <p class="muted tools-how">{tl.how}</p>
                <p class="muted tools-how">
                  {tl.howPrivate} <a href="/office/settings">{tl.toSettings}</a>
                </p>
              </section>
            </div>
            <section class="office-section" aria-labelledby="catalogue-heading">
              <h2 id="catalogue-heading">{tl.catalogue}</h2>
              {data.tools.length === 0 ? (
                <Empty>{tl.none}</Empty>
              ) : (
                <div class="table-wrap card">
                  <table class="table tools-table">
                    <caption class="visually-hidden">{tl.catalogue}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{tl.tool}</th>
                        <th scope="col">{tl.access}</th>
                        <th scope="col">{tl.lastCheck}</th>
                        <th scope="col">{tl.neededBy}</th>
                        <th scope="col">
                          <span class="visually-hidden">{t.common.actions}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...data.tools]
                        .sort((a, b) => a.name.localeCompare(b.name))
                        .map((tool) => (
                          <tr key={tool.id}>
                            <th scope="row">
                              <ToolLink tool={tool} />
                              <span class="person-sub">{[tool.category, word(tl.hostings, tool.hosting)].filter(Boolean).join(' · ')}</span>
                            </th>
                            <td data-label={tl.access}>{word(tl.accesses, tool.access)}</td>
                            <td data-label={tl.lastCheck} class="tool-status-cell">
                              <ToolStatus tool={tool} checking={checkingAll || checking.includes(tool.id)} />
                            </td>
                            <td data-label={tl.neededBy} class="tool-needed">
                              {neededBy(tool) || <span class="muted">{tl.nobody}</span>}
                            </td>
                            <td class="cell-actions">
                              <Button size="small" icon="refresh" busy={checkingAll || checking.includes(tool.id)} label={tl.checkOf(tool.name)} onClick={() => void checkOne(tool)}>
                                {tl.check}
                              </Button>
                              <IconButton icon="edit" label={tl.editOf(tool.name)} onClick={() => setEditing(tool)} />
                              <IconButton icon="trash" label={tl.deleteOf(tool.name)} onClick={() => void remove(tool)} />
                            </td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </>
        )}
      </Loaded>
      {editing && <ToolDialog tool={editing === 'new' ? undefined : editing} people={users.data ?? []} groups={groups.data ?? []} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** "3 of 4 tools reachable from home", against the goal of all of them. */
function ReachCard({ listing }: { listing: Listing }) {
  const t = useOfficeT();
  const tl = t.office.tools;
  const pct = listing.total ? (listing.reachable_remotely / listing.total) * 100 : 0;
  return (
    <section class="card ready-card" aria-labelledby="reach-heading">
      <h2 id="reach-heading">{tl.reachHeading}</h2>
      <p class="ready-figure">{listing.total ? formatPercent(pct) : '—'}</p>
      <p class="muted">{tl.reachOf(listing.reachable_remotely, listing.total)}</p>
      <div class="verdict-bar" role="img" aria-label={tl.reachLabel(formatPercent(pct), formatPercent(100))}>
        {pct > 0 && <span class="verdict-part verdict-ready" style={{ width: `${pct}%` }} />}
      </div>
      <p class="muted tools-goal">{tl.goal(formatPercent(100))}</p>
    </section>
  );
}

/** The tool's name, opening it in a new tab. */
function ToolLink({ tool }: { tool: Tool }) {
  const t = useOfficeT();
  return (
    <a class="tool-link" href={tool.url} target="_blank" rel="noopener noreferrer">
      {tool.name}
      <span class="visually-hidden"> {t.office.tools.newTab}</span>
    </a>
  );
}

/** The last check: its verdict, what it saw and when; for an address the
 * check may not visit, why, and where to allow it. */
function ToolStatus({ tool, checking }: { tool: Tool; checking: boolean }) {
  const t = useOfficeT();
  const tl = t.office.tools;
  if (checking) {
    return (
      <span class="tool-checking" role="status">
        <span class="spinner" aria-hidden="true" />
        {tl.checking}
      </span>
    );
  }
  if (!tool.last_status) return <span class="badge badge-muted">{tl.statuses.none}</span>;
  const kind = { reachable: 'badge-success', unreachable: 'badge-danger', refused: 'badge-warning' }[tool.last_status] ?? '';
  const when = tool.last_check_at == null ? '' : tl.checkedAt(formatWhenTime(tool.last_check_at));
  return (
    <span class="tool-status">
      <span class={`badge ${kind}`}>{word(tl.statuses, tool.last_status)}</span>
      {tool.last_status === 'refused' ? (
        <span class="person-sub">
          {tl.refusedWhy} <a href="/office/settings">{tl.allowIt}</a>
        </span>
      ) : (
        tool.last_detail && <span class="person-sub">{seen(t, tool.last_detail)}</span>
      )}
      {when && <span class="person-sub">{when}</span>}
    </span>
  );
}

/** What the check saw, in the person's language when it is a sentence
 * we know ("no answer within 5 s"); an HTTP status reads the same in all. */
function seen(t: OfficeT, detail: string): string {
  const slow = /^no answer within ([\d.]+) s$/.exec(detail);
  return slow ? t.office.tools.noAnswer(Number(slow[1])) : detail;
}

type Draft = { name: string; url: string; category: string; hosting: string; access: string; notes: string; everyone: boolean; users: number[]; groups: number[] };

const NEW_TOOL: Draft = { name: '', url: '', category: '', hosting: 'saas', access: 'direct', notes: '', everyone: true, users: [], groups: [] };

/** Adds a tool, or (given `tool`) changes it. */
function ToolDialog({ tool, people, groups, onClose }: { tool?: Tool; people: readonly User[]; groups: readonly Group[]; onClose: () => void }) {
  const t = useOfficeT();
  const tl = t.office.tools;
  const [draft, setDraft] = useState<Draft>(() =>
    tool
      ? { name: tool.name, url: tool.url, category: tool.category, hosting: tool.hosting, access: tool.access, notes: tool.notes, everyone: tool.everyone, users: [...tool.users], groups: [...tool.groups] }
      : NEW_TOOL,
  );
  const action = useAction({ fields: tl.fields, notFound: tl.gone });
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const error = (field: string) => fieldError(action.problem, field);
  const shown = ['name', 'url', 'category', 'hosting', 'access', 'notes', 'users', 'groups'];

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = {
      ...draft,
      name: draft.name.trim(),
      url: draft.url.trim(),
      category: draft.category.trim(),
      notes: draft.notes.trim(),
      users: draft.everyone ? [] : draft.users,
      groups: draft.everyone ? [] : draft.groups,
    };
    const saved = await action.run(() => (tool ? api('put', '/office/tools/{id}', { path: { id: tool.id }, body }) : api('post', '/office/tools', { body })));
    if (!saved) return;
    refreshOffice();
    toast(tool ? tl.saved(saved.name) : tl.added(saved.name));
    onClose();
  };

  const toggle = (list: number[], id: number) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  return (
    <Dialog open title={tool ? tl.editTitle(tool.name) : tl.add} onClose={onClose} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <ProblemAlert problem={action.problem && !shown.includes(action.problem.field ?? '') ? action.problem : null} />
        <div class="field-row">
          <TextField label={tl.name} value={draft.name} onValue={set('name')} required maxLength={200} error={error('name')} />
          <TextField label={tl.category} hint={tl.categoryHint} value={draft.category} onValue={set('category')} maxLength={200} error={error('category')} />
        </div>
        <TextField label={tl.url} hint={tl.urlHint} type="url" value={draft.url} onValue={set('url')} spellcheck={false} required error={error('url')} />
        <div class="field-row">
          <SelectField label={tl.hosting} value={draft.hosting} onValue={set('hosting')} options={HOSTINGS.map((h) => ({ value: h, label: word(tl.hostings, h) }))} error={error('hosting')} />
          <SelectField label={tl.access} value={draft.access} onValue={set('access')} options={ACCESSES.map((a) => ({ value: a, label: word(tl.accesses, a) }))} error={error('access')} />
        </div>
        <AreaField label={tl.notes} hint={tl.notesHint} value={draft.notes} onValue={set('notes')} maxLength={4000} error={error('notes')} />
        <div class="tool-who">
          <ChoiceField<'everyone' | 'chosen'>
            legend={tl.whoNeeds}
            value={draft.everyone ? 'everyone' : 'chosen'}
            onValue={(v) => set('everyone')(v === 'everyone')}
            options={[
              { value: 'everyone', label: tl.everyone },
              { value: 'chosen', label: tl.chosen },
            ]}
          />
          {!draft.everyone && (
            <div class="tool-who-chosen">
              {groups.length > 0 && (
                <fieldset class="office-choices">
                  <legend>{tl.groups}</legend>
                  <ul class="check-list">
                    {groups.map((group) => (
                      <li key={group.id}>
                        <label>
                          <input type="checkbox" checked={draft.groups.includes(group.id)} onChange={() => set('groups')(toggle(draft.groups, group.id))} />
                          <span>{group.name}</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                  {error('groups') && <p class="field-error">{error('groups')}</p>}
                </fieldset>
              )}
              <PeopleChecklist people={people} chosen={draft.users} onToggle={(id) => set('users')(toggle(draft.users, id))} />
              {error('users') && <p class="field-error">{error('users')}</p>}
            </div>
          )}
        </div>
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {tool ? t.common.save : tl.create}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The active people, found by name, each with a check box. */
function PeopleChecklist({ people, chosen, onToggle }: { people: readonly User[]; chosen: readonly number[]; onToggle: (id: number) => void }) {
  const t = useOfficeT();
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = people
    .filter((p) => p.active && (p.display_name.toLowerCase().includes(needle) || p.name.includes(needle)))
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  return (
    <div class="office-people">
      <TextField label={t.office.tools.people} type="search" value={filter} onValue={setFilter} placeholder={t.office.tools.findPeople} />
      <ul class="people-picker">
        {shown.map((p) => (
          <li key={p.id}>
            <label>
              <input type="checkbox" checked={chosen.includes(p.id)} onChange={() => onToggle(p.id)} />
              <span>{p.display_name}</span> <small class="muted">@{p.name}</small>
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The tools a person needs, in their office: each opens in a new tab and
 * says how to reach it from home. */
export function MyTools() {
  const t = useOfficeT();
  const tools = useTools();
  const admin = useStore(me)?.role === 'admin';
  return (
    <section class="card" aria-labelledby="tools-heading">
      <h2 id="tools-heading">{t.office.tools.mine}</h2>
      <Loaded resource={tools}>{(data) => (admin ? <AdminLauncher tools={data.tools} /> : <Launcher tools={data.tools} />)}</Loaded>
    </section>
  );
}

/** An administrator's listing is the whole catalogue: keep what they need. */
function AdminLauncher({ tools }: { tools: readonly Tool[] }) {
  const self = useStore(me)!;
  const groups = useGroups();
  return <Launcher tools={tools.filter((tool) => needs(tool, self.id, groups.data ?? []))} />;
}

function Launcher({ tools }: { tools: readonly Tool[] }) {
  const t = useOfficeT();
  const tl = t.office.tools;
  if (tools.length === 0) return <p class="muted">{tl.noneMine}</p>;
  return (
    <ul class="tool-launcher">
      {[...tools]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((tool) => (
          <li key={tool.id} class={remote(tool) ? '' : 'tool-away'}>
            <ToolLink tool={tool} />
            {tool.category && <span class="person-sub">{tool.category}</span>}
            <span class="tool-way">
              <Icon name={remote(tool) ? 'check' : 'alert'} />
              {tool.access !== 'none' && !remote(tool) ? tl.notReachedNow : word(tl.ways, tool.access)}
            </span>
            {tool.notes && <p class="tool-notes">{tool.notes}</p>}
          </li>
        ))}
    </ul>
  );
}
