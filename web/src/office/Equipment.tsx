// The inventory (administrators): every piece with its holder, filtered by
// kind and status; adding or editing a piece, with the fields its kind
// has; a piece's details with who held it when, giving it to someone,
// taking it back, sending it to repair and retiring it; the inventory out
// and in as CSV (the import is in Import.tsx).

import { useState } from 'preact/hooks';
import { API, api, type User } from '../api/client';
import { useUsers } from '../api/reads';
import { formatNumber } from '../i18n';
import { officeMessages, useOfficeT, type OfficeT } from '../i18n/office';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { formatData, formatMoney, formatWhen, moneyInput, parseMoney, parseWhole } from './format';
import { ImportDialog } from './Import';
import { OfficeNav } from './Office';
import { refreshOffice, useEquipment, usePiece, word, type Piece } from './reads';

export const KINDS = ['laptop', 'desktop', 'webcam', 'headset', 'phone', '4g_key', 'sim', 'phone_line', 'other'] as const;
const STATUSES = ['in_stock', 'assigned', 'in_repair', 'retired'] as const;
/** The kinds that come with a data plan. */
const PLAN_KINDS: readonly string[] = ['sim', '4g_key'];
const GB = 1_000_000_000;

export function Equipment() {
  const t = useOfficeT();
  const equipment = useEquipment();
  const users = useUsers();
  const [kind, setKind] = useState('all');
  const [status, setStatus] = useState('all');
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const e = t.office.equipment;
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  return (
    <div class="page">
      <PageHeader
        title={t.office.tabs.equipment}
        intro={e.intro}
        actions={
          <div class="office-actions">
            <a class="btn btn-secondary" href={`${API}/office/equipment/export`} download>
              <Icon name="download" />
              <span>{e.exportCsv}</span>
            </a>
            <Button icon="upload" onClick={() => setImporting(true)}>
              {e.importCsv}
            </Button>
            <Button kind="primary" icon="plus" onClick={() => setAdding(true)}>
              {e.add}
            </Button>
          </div>
        }
      />
      <OfficeNav />
      <Loaded resource={equipment}>
        {(list) => {
          const shown = list.filter((p) => (kind === 'all' || p.kind === kind) && (status === 'all' || p.status === status));
          return (
            <>
              <div class="toolbar office-filters">
                <SelectField
                  label={e.kind}
                  value={kind}
                  onValue={setKind}
                  options={[{ value: 'all', label: e.allKinds }, ...KINDS.map((k) => ({ value: k, label: word(t.office.kinds, k) }))]}
                />
                <SelectField
                  label={e.status}
                  value={status}
                  onValue={setStatus}
                  options={[{ value: 'all', label: e.allStatuses }, ...STATUSES.map((s) => ({ value: s, label: word(t.office.statuses, s) }))]}
                />
                <p class="muted" aria-live="polite">
                  {e.count(shown.length, formatNumber(shown.length))}
                </p>
              </div>
              {list.length === 0 ? (
                <Empty>{e.none}</Empty>
              ) : shown.length === 0 ? (
                <Empty>{e.noMatch}</Empty>
              ) : (
                <div class="table-wrap card">
                  <table class="table equipment-table">
                    <caption class="visually-hidden">{t.office.tabs.equipment}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{e.piece}</th>
                        <th scope="col">{e.kind}</th>
                        <th scope="col">{e.status}</th>
                        <th scope="col">{e.holder}</th>
                        <th scope="col">{e.plan}</th>
                        <th scope="col">
                          <span class="visually-hidden">{t.common.actions}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((piece) => {
                        const holder = piece.holder == null ? undefined : byId.get(piece.holder);
                        return (
                          <tr key={piece.id} class={piece.status === 'retired' ? 'row-muted' : ''}>
                            <th scope="row">
                              <span class="person-name">{piece.label}</span>
                              {(piece.model || piece.serial) && <span class="person-sub">{[piece.model, piece.serial].filter(Boolean).join(' · ')}</span>}
                            </th>
                            <td data-label={e.kind}>{word(t.office.kinds, piece.kind)}</td>
                            <td data-label={e.status}>
                              <StatusBadge status={piece.status} />
                            </td>
                            <td data-label={e.holder}>
                              {piece.holder == null ? (
                                <span class="muted">{e.nobody}</span>
                              ) : (
                                <div class="person">
                                  {holder && <Avatar user={holder} size="small" />}
                                  <span class="nowrap">{holder?.display_name ?? `#${piece.holder}`}</span>
                                </div>
                              )}
                            </td>
                            <td data-label={e.plan}>{planSummary(t, piece) || <span class="muted">—</span>}</td>
                            <td class="cell-actions">
                              <Button size="small" kind="ghost" label={e.detailsOf(piece.label)} onClick={() => setOpen(piece.id)}>
                                {e.details}
                              </Button>
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
      <PieceForm open={adding} onClose={() => setAdding(false)} />
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
      {open !== null && <PieceDialog id={open} people={users.data ?? []} onClose={() => setOpen(null)} />}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const t = useOfficeT();
  const kind = { in_stock: 'badge-success', assigned: 'badge-accent', in_repair: 'badge-warning', retired: 'badge-muted' }[status] ?? '';
  return <span class={`badge ${kind}`}>{word(t.office.statuses, status)}</span>;
}

/** A data plan or a phone number in a few words: "20 GB a month · Orange,
 * renews on the 12th". Empty for other kinds. */
export function planSummary(t: OfficeT, piece: Piece): string {
  const e = t.office.equipment;
  if (piece.kind === 'phone_line') return piece.phone_number;
  if (!PLAN_KINDS.includes(piece.kind) || piece.cap_gb == null) return '';
  const cap = piece.cap_gb === 0 ? e.unlimited : e.capPerMonth(formatData(piece.cap_gb * GB));
  const more = [piece.operator, piece.renewal_day ? e.renews(piece.renewal_day) : ''].filter(Boolean).join(', ');
  return more ? `${cap} · ${more}` : cap;
}

/** The form's fields, named as the API names them so that the server's
 * `field` marks the right one. */
type Draft = Record<
  'kind' | 'label' | 'model' | 'serial' | 'purchase_date' | 'cost_cents' | 'notes' | 'operator' | 'cap_gb' | 'renewal_day' | 'monthly_cents' | 'phone_number',
  string
>;

const EMPTY: Draft = {
  kind: 'laptop',
  label: '',
  model: '',
  serial: '',
  purchase_date: '',
  cost_cents: '',
  notes: '',
  operator: '',
  cap_gb: '',
  renewal_day: '',
  monthly_cents: '',
  phone_number: '',
};

/** A piece as the form shows it. */
function draftOf(piece: Piece): Draft {
  const whole = (n: number | null | undefined) => (n == null ? '' : String(n));
  return {
    kind: piece.kind,
    label: piece.label,
    model: piece.model,
    serial: piece.serial,
    purchase_date: piece.purchase_date ?? '',
    cost_cents: moneyInput(piece.cost_cents),
    notes: piece.notes,
    operator: piece.operator,
    cap_gb: whole(piece.cap_gb),
    renewal_day: whole(piece.renewal_day),
    monthly_cents: moneyInput(piece.monthly_cents),
    phone_number: piece.phone_number,
  };
}

/** Adds a piece, or (given `piece`) changes it: the same fields either way. */
function PieceForm({ piece, open, onClose }: { piece?: Piece; open: boolean; onClose: () => void }) {
  const t = useOfficeT();
  const e = t.office.equipment;
  const [draft, setDraft] = useState<Draft>(() => (piece ? draftOf(piece) : EMPTY));
  const action = useAction({ fields: e.fields, notFound: e.gone });
  const set = (key: keyof Draft) => (value: string) => setDraft({ ...draft, [key]: value });
  const plan = PLAN_KINDS.includes(draft.kind);
  const line = draft.kind === 'phone_line';
  const error = (field: keyof Draft) => fieldError(action.problem, field);
  const shownFields: string[] = ['kind', 'label', 'model', 'serial', 'purchase_date', 'cost_cents', 'notes', ...(plan ? ['operator', 'cap_gb', 'renewal_day', 'monthly_cents'] : []), ...(line ? ['phone_number'] : [])];

  const close = () => {
    setDraft(EMPTY);
    action.setProblem(null);
    onClose();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const numbers = {
      cost_cents: parseMoney(draft.cost_cents),
      cap_gb: plan ? parseWhole(draft.cap_gb) : null,
      renewal_day: plan ? parseWhole(draft.renewal_day) : null,
      monthly_cents: plan ? parseMoney(draft.monthly_cents) : null,
    };
    const bad = (Object.keys(numbers) as (keyof typeof numbers)[]).find((key) => Number.isNaN(numbers[key]));
    if (bad) {
      const money = bad === 'cost_cents' || bad === 'monthly_cents';
      action.setProblem(() => ({ message: money ? officeMessages().equipment.notAnAmount : officeMessages().equipment.notANumber, field: bad }));
      return;
    }
    const body = {
      kind: draft.kind,
      label: draft.label.trim(),
      model: draft.model.trim(),
      serial: draft.serial.trim(),
      purchase_date: draft.purchase_date || null,
      notes: draft.notes.trim(),
      operator: plan ? draft.operator.trim() : '',
      phone_number: line ? draft.phone_number.trim() : '',
      ...numbers,
    };
    const saved = await action.run(() => (piece ? api('put', '/office/equipment/{id}', { path: { id: piece.id }, body }) : api('post', '/office/equipment', { body })));
    if (!saved) return;
    refreshOffice();
    toast(piece ? e.saved(saved.label) : e.added(saved.label));
    close();
  };

  return (
    <Dialog open={open} title={piece ? e.editTitle(piece.label) : e.add} onClose={close} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <ProblemAlert problem={action.problem && !shownFields.includes(action.problem.field ?? '') ? action.problem : null} />
        <div class="field-row">
          <SelectField label={e.kind} value={draft.kind} onValue={set('kind')} options={KINDS.map((k) => ({ value: k, label: word(t.office.kinds, k) }))} error={error('kind')} />
          <TextField label={e.label} hint={e.labelHint} value={draft.label} onValue={set('label')} required maxLength={200} error={error('label')} />
        </div>
        <div class="field-row">
          <TextField label={e.model} value={draft.model} onValue={set('model')} error={error('model')} />
          <TextField label={e.serial} value={draft.serial} onValue={set('serial')} spellcheck={false} error={error('serial')} />
        </div>
        <div class="field-row">
          <TextField label={e.purchaseDate} type="date" value={draft.purchase_date} onValue={set('purchase_date')} error={error('purchase_date')} />
          <TextField label={e.cost} value={draft.cost_cents} onValue={set('cost_cents')} inputMode="decimal" error={error('cost_cents')} />
        </div>
        {plan && (
          <fieldset class="office-fieldset">
            <legend>{e.planHeading}</legend>
            <div class="field-row">
              <TextField label={e.operator} value={draft.operator} onValue={set('operator')} error={error('operator')} />
              <TextField label={e.capGb} hint={e.capHint} value={draft.cap_gb} onValue={set('cap_gb')} inputMode="numeric" error={error('cap_gb')} />
            </div>
            <div class="field-row">
              <TextField label={e.renewalDay} hint={e.renewalHint} value={draft.renewal_day} onValue={set('renewal_day')} inputMode="numeric" error={error('renewal_day')} />
              <TextField label={e.monthly} value={draft.monthly_cents} onValue={set('monthly_cents')} inputMode="decimal" error={error('monthly_cents')} />
            </div>
          </fieldset>
        )}
        {line && (
          <TextField label={e.phoneNumber} hint={e.phoneHint} type="tel" value={draft.phone_number} onValue={set('phone_number')} autoComplete="off" error={error('phone_number')} />
        )}
        <TextField label={e.notes} value={draft.notes} onValue={set('notes')} maxLength={4000} error={error('notes')} />
        <div class="dialog-actions">
          <Button onClick={close}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {piece ? t.common.save : e.create}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function PieceDialog({ id, people, onClose }: { id: number; people: readonly User[]; onClose: () => void }) {
  const t = useOfficeT();
  const e = t.office.equipment;
  const detail = usePiece(id);
  const [chosen, setChosen] = useState('');
  const [editing, setEditing] = useState(false);
  const action = useAction({ notFound: e.gone, codes: { retired: e.retiredConflict } });
  const byId = new Map(people.map((u) => [u.id, u]));
  const name = (user: number) => byId.get(user)?.display_name ?? `#${user}`;
  const piece = detail.data?.equipment;

  const give = async () => {
    if (!piece || !chosen) return;
    const done = await action.run(() => api('post', '/office/equipment/{id}/assign', { path: { id }, body: { user_id: Number(chosen) } }));
    if (!done) return;
    setChosen('');
    refreshOffice();
    toast(e.given(done.label, name(Number(chosen))));
  };

  const setStatus = async (status: 'in_stock' | 'in_repair' | 'retired') => {
    if (!piece) return;
    if (status === 'retired') {
      const yes = await confirm({ title: e.retireTitle(piece.label), body: e.retireBody, confirm: e.retire, danger: true });
      if (!yes) return;
    }
    const done = await action.run(() => api('post', '/office/equipment/{id}/status', { path: { id }, body: { status } }));
    if (!done) return;
    refreshOffice();
    toast(e.statusSet(done.label, word(t.office.statuses, done.status)));
  };

  const candidates = people.filter((u) => u.active && u.id !== piece?.holder).sort((a, b) => a.display_name.localeCompare(b.display_name));
  return (
    <>
      <Dialog open title={piece?.label ?? e.details} onClose={onClose} class="office-dialog">
        <Loaded resource={detail}>
          {({ equipment: p, history }) => {
            const current = history.find((turn) => turn.until_at == null);
            const facts: [string, string][] = (
              [
                [e.kind, word(t.office.kinds, p.kind)],
                [e.model, p.model],
                [e.serial, p.serial],
                [e.purchaseDate, p.purchase_date ? formatWhen(Date.parse(`${p.purchase_date}T12:00:00Z`)) : ''],
                [e.costFact, p.cost_cents == null ? '' : formatMoney(p.cost_cents)],
                [p.kind === 'phone_line' ? e.phoneNumber : e.planHeading, planSummary(t, p)],
                [PLAN_KINDS.includes(p.kind) ? e.monthlyFact : '', p.monthly_cents == null ? '' : formatMoney(p.monthly_cents)],
                [e.notes, p.notes],
              ] as [string, string][]
            ).filter(([label, value]) => label && value);
            return (
              <>
                <p class="piece-status">
                  <StatusBadge status={p.status} />
                  {current && <span>{e.heldSince(name(current.user_id), formatWhen(current.from_at))}</span>}
                </p>
                <dl class="facts">
                  {facts.map(([label, value]) => (
                    <div key={label}>
                      <dt>{label}</dt>
                      <dd>{value}</dd>
                    </div>
                  ))}
                </dl>
                <ProblemAlert problem={action.problem} />
                {p.status === 'retired' ? (
                  <Alert kind="info">{e.retiredNote}</Alert>
                ) : (
                  <>
                    <div class="copy-row">
                      <SelectField
                        label={e.giveTo}
                        value={chosen}
                        onValue={setChosen}
                        options={[{ value: '', label: e.choose }, ...candidates.map((u) => ({ value: String(u.id), label: u.display_name }))]}
                      />
                      <Button kind="primary" disabled={!chosen} busy={action.busy} onClick={() => void give()}>
                        {e.give}
                      </Button>
                    </div>
                    <div class="piece-actions">
                      {p.status === 'assigned' && (
                        <Button size="small" icon="undo" onClick={() => void setStatus('in_stock')}>
                          {e.takeBack}
                        </Button>
                      )}
                      {p.status === 'in_repair' ? (
                        <Button size="small" icon="undo" onClick={() => void setStatus('in_stock')}>
                          {e.backInStock}
                        </Button>
                      ) : (
                        <Button size="small" icon="refresh" onClick={() => void setStatus('in_repair')}>
                          {e.toRepair}
                        </Button>
                      )}
                      <Button size="small" kind="danger" icon="trash" onClick={() => void setStatus('retired')}>
                        {e.retire}
                      </Button>
                    </div>
                  </>
                )}
                <section class="piece-history" aria-labelledby={`history-${id}`}>
                  <h3 id={`history-${id}`}>{e.history}</h3>
                  {history.length === 0 ? (
                    <p class="muted">{e.noHistory}</p>
                  ) : (
                    <ol class="history-list">
                      {history.map((turn) => {
                        const holder = byId.get(turn.user_id);
                        return (
                          <li key={`${turn.user_id}-${turn.from_at}`} class={turn.until_at == null ? 'history-current' : ''}>
                            {holder && <Avatar user={holder} size="small" />}
                            <span>
                              <strong>{name(turn.user_id)}</strong>
                              <span class="person-sub">
                                {e.turn(formatWhen(turn.from_at), turn.until_at == null ? null : formatWhen(turn.until_at))} · {e.handedBy(name(turn.by_user))}
                              </span>
                            </span>
                          </li>
                        );
                      })}
                    </ol>
                  )}
                </section>
              </>
            );
          }}
        </Loaded>
        <div class="dialog-actions">
          {piece && (
            <Button icon="edit" class="dialog-action-start" onClick={() => setEditing(true)}>
              {e.edit}
            </Button>
          )}
          <Button onClick={onClose}>{t.common.close}</Button>
        </div>
      </Dialog>
      {piece && editing && <PieceForm piece={piece} open onClose={() => setEditing(false)} />}
    </>
  );
}
