// Requests for equipment: a person asks for a piece or reports one they
// hold as broken, and follows what becomes of it in their office (and may
// withdraw it while it is open); administrators work through the queue,
// open ones first, answering each (ordered, done, refused, or open again)
// with a note to the person.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, type User } from '../api/client';
import { useUsers } from '../api/reads';
import { me } from '../app/session';
import { formatNumber } from '../i18n';
import { useOfficeT, type OfficeT } from '../i18n/office';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { SelectField } from '../ui/Field';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { KINDS } from './Equipment';
import { AreaField, ChoiceField } from './fields';
import { formatWhen } from './format';
import { OfficeNav } from './Office';
import { refreshOffice, useEquipment, useRequests, word, type EquipmentRequest, type Piece } from './reads';

/** The states an administrator moves a request to. */
type Answer = 'open' | 'ordered' | 'done' | 'refused';
const ANSWERS: readonly Answer[] = ['ordered', 'done', 'refused', 'open'];

/** Requests that need nothing more from anyone. */
const CLOSED: readonly string[] = ['done', 'refused', 'withdrawn'];

/** Open requests first, then ordered ones, then the rest; newest first. */
function queueOrder(a: EquipmentRequest, b: EquipmentRequest): number {
  const rank = (state: string) => (state === 'open' ? 0 : state === 'ordered' ? 1 : 2);
  return rank(a.state) - rank(b.state) || b.created_at - a.created_at;
}

/** The administrators' queue. */
export function Requests() {
  const t = useOfficeT();
  const r = t.office.requests;
  const requests = useRequests();
  const users = useUsers();
  const equipment = useEquipment();
  const [answering, setAnswering] = useState<EquipmentRequest | null>(null);
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const pieces = equipment.data ?? [];
  return (
    <div class="page">
      <PageHeader title={r.title} intro={r.intro} />
      <OfficeNav />
      <Loaded resource={requests}>
        {(list) => {
          if (list.length === 0) return <Empty>{r.none}</Empty>;
          const open = list.filter((q) => q.state === 'open').length;
          return (
            <>
              <p class="muted office-count" aria-live="polite">
                {r.openCount(open, formatNumber(open))}
              </p>
              <div class="table-wrap card">
                <table class="table requests-table">
                  <caption class="visually-hidden">{r.title}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{r.person}</th>
                      <th scope="col">{r.what}</th>
                      <th scope="col">{r.reason}</th>
                      <th scope="col">{r.state}</th>
                      <th scope="col">
                        <span class="visually-hidden">{t.common.actions}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...list].sort(queueOrder).map((request) => {
                      const asker = byId.get(request.user_id);
                      const name = asker?.display_name ?? `#${request.user_id}`;
                      return (
                        <tr key={request.id} class={CLOSED.includes(request.state) ? 'row-muted' : ''} data-person={asker?.name}>
                          <th scope="row">
                            <div class="person">
                              {asker && <Avatar user={asker} size="small" />}
                              <span class="person-name">{name}</span>
                            </div>
                          </th>
                          <td data-label={r.what}>
                            <RequestWhat request={request} pieces={pieces}>
                              <span class="person-sub">{r.askedOn(formatWhen(request.created_at))}</span>
                            </RequestWhat>
                          </td>
                          <td data-label={r.reason} class="request-reason">
                            {request.reason}
                            {request.admin_note && <span class="request-note">{r.noteShort(request.admin_note)}</span>}
                          </td>
                          <td data-label={r.state}>
                            <RequestBadge state={request.state} />
                          </td>
                          <td class="cell-actions">
                            {request.state !== 'withdrawn' && (
                              <Button size="small" kind={request.state === 'open' ? 'primary' : 'secondary'} label={r.answerOf(name)} onClick={() => setAnswering(request)}>
                                {r.answer}
                              </Button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Loaded>
      {answering && <AnswerDialog request={answering} asker={byId.get(answering.user_id)} pieces={pieces} onClose={() => setAnswering(null)} />}
    </div>
  );
}

export function RequestBadge({ state }: { state: string }) {
  const t = useOfficeT();
  const kind = { open: 'badge-accent', ordered: 'badge-warning', done: 'badge-success', refused: 'badge-danger', withdrawn: 'badge-muted' }[state] ?? '';
  return <span class={`badge ${kind}`}>{word(t.office.requests.states, state)}</span>;
}

/** The kind asked for, or the broken piece's name, and which it is;
 * `children` go below (the date, in the queue). */
function RequestWhat({ request, pieces, children }: { request: EquipmentRequest; pieces: readonly Piece[]; children?: ComponentChildren }) {
  const t = useOfficeT();
  return (
    <span class="request-what">
      <span class="request-title">{requestTitle(t, request, pieces)}</span>
      <span class="person-sub">{request.what === 'broken' ? t.office.requests.broken(word(t.office.kinds, request.kind)) : t.office.requests.asksNew}</span>
      {children}
    </span>
  );
}

function requestTitle(t: OfficeT, request: EquipmentRequest, pieces: readonly Piece[]): string {
  const piece = request.equipment_id == null ? undefined : pieces.find((p) => p.id === request.equipment_id);
  return piece?.label ?? word(t.office.kinds, request.kind);
}

/** Moves a request on, with a note the person reads in their office. An
 * open request is most likely being ordered; an answered one keeps its
 * state unless changed (to correct the note). */
function AnswerDialog({ request, asker, pieces, onClose }: { request: EquipmentRequest; asker?: User; pieces: readonly Piece[]; onClose: () => void }) {
  const t = useOfficeT();
  const r = t.office.requests;
  const [state, setState] = useState<Answer>(request.state === 'open' ? 'ordered' : (request.state as Answer));
  const [note, setNote] = useState(request.admin_note);
  const action = useAction({ fields: r.fields, notFound: r.gone });
  const name = asker?.display_name ?? `#${request.user_id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const done = await action.run(() => api('post', '/office/requests/{id}/state', { path: { id: request.id }, body: { state, note: note.trim() } }));
    if (!done) return;
    refreshOffice();
    toast(r.answered(name, word(r.states, done.state)));
    onClose();
  };

  return (
    <Dialog open title={r.answerTitle} onClose={onClose} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <div class="request-summary">
          <p>
            <strong>{r.summary(name, requestTitle(t, request, pieces), request.what)}</strong>
          </p>
          <blockquote>{request.reason}</blockquote>
        </div>
        <ProblemAlert problem={action.problem && action.problem.field !== 'note' ? action.problem : null} />
        <ChoiceField<Answer>
          legend={r.answerState}
          value={state}
          onValue={setState}
          options={ANSWERS.map((answer) => ({ value: answer, label: word(r.states, answer), hint: r.stateHints[answer] }))}
        />
        <AreaField label={r.noteTo(name)} hint={r.noteHint} value={note} onValue={setNote} maxLength={4000} error={fieldError(action.problem, 'note')} />
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {r.sendAnswer}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A person's own requests, in their office: asking for a piece, and
 * following each request's answer. */
export function MyRequests() {
  const t = useOfficeT();
  const r = t.office.requests;
  const self = useStore(me)!;
  const requests = useRequests();
  const equipment = useEquipment();
  const [asking, setAsking] = useState(false);
  const action = useAction({ notFound: r.gone, codes: { not_open: r.notOpen } });

  const withdraw = async (request: EquipmentRequest) => {
    const yes = await confirm({ title: r.withdrawTitle, body: r.withdrawBody, confirm: r.withdraw });
    if (!yes) return;
    const done = await action.run(() => api('post', '/office/requests/{id}/state', { path: { id: request.id }, body: { state: 'withdrawn' } }));
    if (!done) return;
    refreshOffice();
    toast(r.withdrawn);
  };

  return (
    <section class="card" aria-labelledby="requests-heading">
      <div class="card-heading">
        <h2 id="requests-heading">{r.mine}</h2>
        <Button size="small" icon="plus" onClick={() => setAsking(true)}>
          {r.ask}
        </Button>
      </div>
      <ProblemAlert problem={action.problem} />
      <Loaded resource={requests}>
        {(list) => {
          const mine = list.filter((q) => q.user_id === self.id).sort((a, b) => b.created_at - a.created_at);
          if (mine.length === 0) return <p class="muted">{r.noneMine}</p>;
          return (
            <ul class="my-requests">
              {mine.map((request) => (
                <li key={request.id}>
                  <div class="my-request-head">
                    <RequestWhat request={request} pieces={equipment.data ?? []} />
                    <RequestBadge state={request.state} />
                  </div>
                  <p class="my-request-reason">{request.reason}</p>
                  <p class="person-sub">{r.askedOn(formatWhen(request.created_at))}</p>
                  {request.admin_note && (
                    <p class="my-request-note">
                      <strong>{r.theAnswer}</strong> {request.admin_note}
                    </p>
                  )}
                  {request.state === 'open' && (
                    <Button size="small" kind="ghost" icon="undo" onClick={() => void withdraw(request)}>
                      {r.withdraw}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      {asking && <AskDialog onClose={() => setAsking(false)} />}
    </section>
  );
}

/** Asks for a new piece of a kind. */
function AskDialog({ onClose }: { onClose: () => void }) {
  const t = useOfficeT();
  const r = t.office.requests;
  const [kind, setKind] = useState('webcam');
  const [reason, setReason] = useState('');
  const action = useAction({ fields: r.fields });

  const submit = async (event: Event) => {
    event.preventDefault();
    const done = await action.run(() => api('post', '/office/requests', { body: { what: 'new', kind, reason: reason.trim() } }));
    if (!done) return;
    refreshOffice();
    toast(r.sent);
    onClose();
  };

  return (
    <Dialog open title={r.ask} onClose={onClose} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <ProblemAlert problem={action.problem && !['kind', 'reason'].includes(action.problem.field ?? '') ? action.problem : null} />
        <SelectField label={r.kind} value={kind} onValue={setKind} options={KINDS.map((k) => ({ value: k, label: word(t.office.kinds, k) }))} error={fieldError(action.problem, 'kind')} />
        <AreaField label={r.why} hint={r.whyHint} value={reason} onValue={setReason} required maxLength={4000} error={fieldError(action.problem, 'reason')} />
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {r.send}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Reports a piece the person holds as broken. */
export function ReportDialog({ piece, onClose }: { piece: Piece; onClose: () => void }) {
  const t = useOfficeT();
  const r = t.office.requests;
  const [reason, setReason] = useState('');
  const action = useAction({ fields: r.fields, notFound: r.notYours });

  const submit = async (event: Event) => {
    event.preventDefault();
    const done = await action.run(() => api('post', '/office/requests', { body: { what: 'broken', equipment_id: piece.id, kind: piece.kind, reason: reason.trim() } }));
    if (!done) return;
    refreshOffice();
    toast(r.reported(piece.label));
    onClose();
  };

  return (
    <Dialog open title={r.reportTitle(piece.label)} onClose={onClose} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <ProblemAlert problem={action.problem && action.problem.field !== 'reason' ? action.problem : null} />
        <AreaField label={r.whatWrong} hint={r.whatWrongHint} value={reason} onValue={setReason} required maxLength={4000} error={fieldError(action.problem, 'reason')} />
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {r.report}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
