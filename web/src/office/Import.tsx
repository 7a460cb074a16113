// The inventory in from a CSV file (administrators): the file, what
// happens when a line is wrong (refuse the whole file, or keep the valid
// lines), then the report: how many pieces came in and each bad line with
// its column and what is wrong with it. An export is a valid import file.

import { useEffect, useRef, useState } from 'preact/hooks';
import { API, decode, send, type Schemas } from '../api/client';
import { formatNumber } from '../i18n';
import { officeMessages, useOfficeT } from '../i18n/office';
import { useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { ChoiceField, FileField } from './fields';
import { refreshOffice } from './reads';

type LineError = Schemas['LineErrorJson'];
type OnError = 'refuse_all' | 'keep_valid';

/** What an import did: the pieces added and the lines left out; `refused`
 * when a bad line stopped the whole file (nothing was added). */
interface Report {
  refused: boolean;
  imported: number;
  errors: readonly LineError[];
}

/** Sends the file. A refusal for bad lines is a report, not an error: the
 * 422 carries the lines beside the error. */
async function importEquipment(file: File, onError: OnError): Promise<Report> {
  const response = await send('POST', `${API}/office/equipment/import?on_error=${onError}`, file, 'text/csv; charset=utf-8');
  if (response.status === 422) {
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { error?: { code?: string }; lines?: LineError[] } | null;
    if (body?.error?.code === 'invalid_lines' && body.lines) return { refused: true, imported: 0, errors: body.lines };
  }
  const done = (await decode(response)) as Schemas['ImportJson'];
  return { refused: false, imported: done.imported.length, errors: done.errors };
}

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const t = useOfficeT();
  const m = t.office.import;
  const [file, setFile] = useState<File | null>(null);
  const [onError, setOnError] = useState<OnError>('refuse_all');
  const [report, setReport] = useState<Report | null>(null);
  const action = useAction({ fields: { csv: m.empty }, codes: { bad_request: m.notText, too_large: m.tooLarge } });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) {
      action.setProblem(() => ({ message: officeMessages().import.chooseFirst, field: 'file' }));
      return;
    }
    setReport(null);
    const done = await action.run(() => importEquipment(file, onError));
    if (!done) return;
    setReport(done);
    if (done.imported > 0) refreshOffice();
  };

  return (
    <Dialog open title={m.title} onClose={onClose} class="office-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <p class="hint">{m.intro}</p>
        <details class="import-columns">
          <summary>{m.columnsTitle}</summary>
          <dl>
            {Object.entries(m.columns).map(([column, meaning]) => (
              <div key={column}>
                <dt>
                  <code>{column}</code>
                </dt>
                <dd>{meaning}</dd>
              </div>
            ))}
          </dl>
        </details>
        <FileField
          label={m.file}
          accept=".csv,text/csv"
          file={file}
          onFile={setFile}
          choose={m.chooseFile}
          none={m.noFile}
          error={action.problem?.field === 'file' ? action.problem.message : null}
        />
        <ChoiceField<OnError>
          legend={m.onError}
          value={onError}
          onValue={setOnError}
          options={[
            { value: 'refuse_all', label: m.refuseAll, hint: m.refuseAllHint },
            { value: 'keep_valid', label: m.keepValid, hint: m.keepValidHint },
          ]}
        />
        <ProblemAlert problem={action.problem?.field === 'file' ? null : action.problem} />
        {report && <ImportReport report={report} />}
        <div class="dialog-actions">
          <Button onClick={onClose}>{report ? t.common.close : t.common.cancel}</Button>
          <Button type="submit" kind="primary" icon="upload" busy={action.busy}>
            {m.send}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportReport({ report }: { report: Report }) {
  const t = useOfficeT();
  const m = t.office.import;
  const bad = report.errors.length;
  // The report comes below the form: bring it into view.
  const section = useRef<HTMLElement>(null);
  useEffect(() => section.current?.scrollIntoView({ block: 'nearest' }), [report]);
  return (
    <section ref={section} class="import-report" aria-labelledby="import-report-heading">
      <h3 id="import-report-heading" class="visually-hidden">
        {m.report}
      </h3>
      {report.refused ? (
        <Alert kind="error">{m.refused(bad, formatNumber(bad))}</Alert>
      ) : (
        <Alert kind={bad ? 'warning' : 'success'}>
          {m.imported(report.imported, formatNumber(report.imported))}
          {bad > 0 && ` ${m.leftOut(bad, formatNumber(bad))}`}
        </Alert>
      )}
      {bad > 0 && (
        <div class="table-wrap card import-lines">
          <table class="table">
            <caption class="visually-hidden">{m.badLines}</caption>
            <thead>
              <tr>
                <th scope="col">{m.line}</th>
                <th scope="col">{m.column}</th>
                <th scope="col">{m.problem}</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((error) => {
                const column = COLUMN_OF[error.field] ?? error.field;
                // The server quotes the value at fault: `abc` is not a whole number.
                const value = /`([^`]*)`/.exec(error.message)?.[1];
                const problem = (m.problems as Record<string, string>)[column] ?? m.problems.other;
                return (
                  <tr key={`${error.line}-${error.field}`}>
                    <th scope="row" data-label={m.line}>
                      {formatNumber(error.line)}
                    </th>
                    <td data-label={m.column}>
                      <code>{column}</code>
                    </td>
                    <td data-label={m.problem}>
                      {problem}
                      {value !== undefined && value !== column && <span class="person-sub">{m.value(value)}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The form's names of a few fields, as the file's columns call them. */
const COLUMN_OF: Record<string, string> = { cost_cents: 'cost', monthly_cents: 'monthly_cost' };
