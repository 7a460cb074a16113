// A database page's table, under its description: typed columns, one row
// per page below the database, cells edited where they are, and the saved
// view (sorts and filters everyone sees) as chips above. Readers see the
// same table without a control that would change it. The table is read
// again when the server marks a change in the page's Yjs document (anyone's,
// reported by the editor through `tableMark`), after the person's own
// changes and when the tab comes back; never on a timer.

import './table.css';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, API, importRows, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { navigate } from '../app/router';
import { useT, type Messages } from '../i18n';
import { patch, useResource } from '../lib/resource';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Icon, type IconName } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { toast } from '../ui/Toast';
import { failed, nameIn, refreshDocs, tableMark, titleOf, useDirectory, type Page } from './state';
import { RenameBox } from './Tree';
import { PageIcon, place, PopMenu, type MenuItem } from './widgets';

type Table = Schemas['TableJson'];
type Column = Schemas['ColumnJson'];
type Row = Schemas['RowJson'];
type Choice = Schemas['ChoiceJson'];
type Person = Schemas['UserView'];
/** A cell's value as the server gives it (absent when empty). */
type Value = string | number | boolean;
/** A column's id, or the rows' titles. */
type Field = number | 'title';
interface Sort {
  field: Field;
  descending: boolean;
}
interface Filter {
  field: Field;
  op: Op;
  value?: Value | null;
}
interface View {
  sorts: Sort[];
  filters: Filter[];
}

export const KINDS = ['text', 'number', 'date', 'select', 'person', 'checkbox', 'link'] as const;
type Kind = (typeof KINDS)[number];
const KIND_ICONS: Record<Kind, IconName> = { text: 'text', number: 'hash', date: 'calendar', select: 'choice', person: 'user', checkbox: 'check', link: 'link' };

type Op = keyof Messages['docs']['table']['ops'];
const TEXT_OPS: Op[] = ['contains', 'not_contains', 'is', 'is_not', 'is_empty', 'is_not_empty'];
/** The conditions a filter may put on each kind (the server's list). */
const OPS: Record<Kind, Op[]> = {
  text: TEXT_OPS,
  link: TEXT_OPS,
  number: ['is', 'is_not', 'below', 'above', 'is_empty', 'is_not_empty'],
  date: ['is', 'is_not', 'before', 'after', 'is_empty', 'is_not_empty'],
  select: ['is', 'is_not', 'is_empty', 'is_not_empty'],
  person: ['is', 'is_not', 'is_empty', 'is_not_empty'],
  checkbox: ['is'],
};
const VALUELESS: Op[] = ['is_empty', 'is_not_empty'];

/** The colours of a select's choices (each has a light and a dark look in docs.css). */
const COLORS = ['gray', 'blue', 'green', 'yellow', 'orange', 'red', 'purple', 'pink'] as const;
type Color = (typeof COLORS)[number];
const colorOf = (choice: Choice | undefined): Color => (COLORS as readonly string[]).includes(choice?.color ?? '') ? (choice!.color as Color) : 'gray';

/** Reads within this long of each other make one fetch (a change of one's
 * own and its mark, several marks in a row). */
const SETTLE_MS = 250;

export function DatabaseTable({ page }: { page: Page }) {
  const key = `docs:table:${page.id}`;
  const table = useResource(key, () => api('get', '/pages/{id}/table', { path: { id: page.id } }));
  const timer = useRef<number | undefined>(undefined);
  const reload = useRef(table.reload);
  reload.current = table.reload;
  const soon = () => {
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => reload.current(), SETTLE_MS);
  };
  useEffect(() => {
    const off = tableMark.subscribe((mark) => {
      if (mark?.page === page.id) soon();
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [page.id]);
  return <Loaded resource={table}>{(data) => <TableView data={data} page={page} tableKey={key} refresh={soon} />}</Loaded>;
}

type Open = { kind: 'column'; column: Column | null } | { kind: 'filter'; field: Field | null };

function TableView({ data, page, tableKey, refresh }: { data: Table; page: Page; tableKey: string; refresh: () => void }) {
  const t = useT();
  const tt = t.docs.table;
  const directory = useDirectory();
  const writable = page.can_edit && !page.archived;
  const columns = data.columns;
  const view = viewOf(data);
  const [dialog, setDialog] = useState<Open | null>(null);
  const [renaming, setRenaming] = useState<number | null>(null);
  const title = titleOf(page, t);

  const run = async (work: () => Promise<unknown>, done?: string): Promise<boolean> => {
    try {
      await work();
      refresh();
      if (done) toast(done);
      return true;
    } catch (error) {
      failed(t, error);
      refresh();
      return false;
    }
  };
  const saveView = (next: View) => {
    patch<Table>(tableKey, (table) => ({ ...table, view: next as unknown as Table['view'] }));
    return run(() => api('put', '/pages/{id}/table/view', { path: { id: page.id }, body: next as unknown as Schemas['ViewJson'] }));
  };
  const fieldName = (field: Field) => (field === 'title' ? tt.title : (columns.find((c) => c.id === field)?.name ?? '?'));
  const sortBy = (field: Field, descending: boolean) => void saveView({ ...view, sorts: [{ field, descending }, ...view.sorts.filter((s) => s.field !== field)] });
  const saveCell = (row: Row, column: Column, value: Value | null) => {
    patch<Table>(tableKey, (table) => ({
      ...table,
      rows: table.rows.map((r) => {
        if (r.id !== row.id) return r;
        const cells: Record<string, unknown> = { ...r.cells };
        if (value === null) delete cells[column.id];
        else cells[column.id] = value;
        return { ...r, cells: cells as Row['cells'] };
      }),
    }));
    void run(() => api('patch', '/pages/{id}/rows/{row_id}', { path: { id: page.id, row_id: row.id }, body: { cells: { [column.id]: value } as unknown as Row['cells'] } }));
  };
  const renameRow = (row: Row, value: string) => {
    setRenaming(null);
    const next = value.replace(/\s+/g, ' ').trim();
    if (next === row.title) return;
    patch<Table>(tableKey, (table) => ({ ...table, rows: table.rows.map((r) => (r.id === row.id ? { ...r, title: next } : r)) }));
    void run(async () => {
      await api('patch', '/pages/{id}/rows/{row_id}', { path: { id: page.id, row_id: row.id }, body: { title: next } });
      refreshDocs();
    });
  };
  const addRow = () =>
    void run(async () => {
      const row = await api('post', '/pages/{id}/rows', { path: { id: page.id }, body: { title: '' } });
      patch<Table>(tableKey, (table) => ({ ...table, rows: [...table.rows, row] }));
      setRenaming(row.id);
    });
  const deleteRow = (row: Row) =>
    void run(async () => {
      await api('post', '/pages/{id}/archive', { path: { id: row.id } });
      patch<Table>(tableKey, (table) => ({ ...table, rows: table.rows.filter((r) => r.id !== row.id) }));
      refreshDocs();
    }, t.docs.archived(titleOf(row, t)));
  const addChoice = async (column: Column, name: string): Promise<boolean> => {
    const choices = [...column.choices, { name, color: COLORS[column.choices.length % COLORS.length] }];
    return run(() => api('patch', '/pages/{id}/columns/{column_id}', { path: { id: page.id, column_id: column.id }, body: { choices } }));
  };
  const columnItems = (column: Column, index: number): (MenuItem | false)[] => [
    { label: tt.editColumn, icon: 'edit', onSelect: () => setDialog({ kind: 'column', column }) },
    { label: tt.sortAscending, icon: 'arrowUp', onSelect: () => sortBy(column.id, false) },
    { label: tt.sortDescending, icon: 'arrowDown', onSelect: () => sortBy(column.id, true) },
    { label: tt.filterBy, icon: 'filter', onSelect: () => setDialog({ kind: 'filter', field: column.id }) },
    index > 0 && { label: tt.moveLeft, icon: 'chevronLeft', onSelect: () => void run(() => api('patch', '/pages/{id}/columns/{column_id}', { path: { id: page.id, column_id: column.id }, body: { index: index - 1 } })) },
    index < columns.length - 1 && { label: tt.moveRight, icon: 'chevronRight', onSelect: () => void run(() => api('patch', '/pages/{id}/columns/{column_id}', { path: { id: page.id, column_id: column.id }, body: { index: index + 1 } })) },
    {
      label: tt.deleteColumn,
      icon: 'trash',
      danger: true,
      onSelect: async () => {
        if (!(await confirm({ title: tt.deleteColumnTitle(column.name), body: tt.deleteColumnBody, confirm: tt.deleteColumn, danger: true }))) return;
        void run(() => api('delete', '/pages/{id}/columns/{column_id}', { path: { id: page.id, column_id: column.id } }), tt.columnDeleted(column.name));
      },
    },
  ];

  return (
    <section class="db" aria-label={tt.caption(title)} data-testid="db">
      <ViewBar
        view={view}
        columns={columns}
        page={page}
        writable={writable}
        directory={directory}
        fieldName={fieldName}
        onView={(next) => void saveView(next)}
        onFilter={() => setDialog({ kind: 'filter', field: null })}
        onImported={refresh}
      />
      <div class="db-scroll">
        <table class="db-table">
          <caption class="visually-hidden">{tt.caption(title)}</caption>
          <thead>
            <tr>
              <th scope="col" class="db-th db-th-title">
                <span class="db-th-inner">
                  <Icon name="text" />
                  <span class="db-th-name">{tt.title}</span>
                  <SortMark view={view} field="title" />
                </span>
              </th>
              {columns.map((column, index) => (
                <th key={column.id} scope="col" class="db-th" data-column={column.id}>
                  <span class="db-th-inner">
                    <Icon name={KIND_ICONS[kindOf(column)]} />
                    <span class="db-th-name" title={`${column.name} · ${tt.kinds[kindOf(column)]}`}>
                      {column.name}
                    </span>
                    <SortMark view={view} field={column.id} />
                    {writable && <PopMenu label={tt.columnActions(column.name)} items={columnItems(column, index)} class="db-th-menu" />}
                  </span>
                </th>
              ))}
              {writable && (
                <th scope="col" class="db-th db-th-add">
                  <button type="button" class="db-add-column" onClick={() => setDialog({ kind: 'column', column: null })}>
                    <Icon name="plus" />
                    {tt.newColumn}
                  </button>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row) => (
              <tr key={row.id} data-row={row.id}>
                <th scope="row" class="db-title-cell">
                  {renaming === row.id ? (
                    <RenameBox initial={row.title} label={t.docs.table.rowName} class="db-input" placeholder={t.docs.untitled} onDone={(value) => renameRow(row, value)} onCancel={() => setRenaming(null)} />
                  ) : (
                    <span class="db-title-inner">
                      <a href={`/docs/${row.id}`} class="db-row-link">
                        <PageIcon icon={row.icon} />
                        <span class={row.title.trim() ? '' : 'untitled'}>{titleOf(row, t)}</span>
                      </a>
                      {writable && (
                        <PopMenu
                          label={tt.rowActions(titleOf(row, t))}
                          class="db-row-menu"
                          items={[
                            { label: tt.openRow, icon: 'arrowRight', onSelect: () => navigate(`/docs/${row.id}`) },
                            { label: tt.renameRow, icon: 'edit', onSelect: () => setRenaming(row.id) },
                            { label: tt.deleteRow, icon: 'trash', danger: true, onSelect: () => deleteRow(row) },
                          ]}
                        />
                      )}
                    </span>
                  )}
                </th>
                {columns.map((column) => (
                  <td key={column.id} data-column={column.id} class={`db-td db-td-${kindOf(column)}`}>
                    <Cell row={row} column={column} writable={writable} directory={directory} onSave={(value) => saveCell(row, column, value)} onNewChoice={(name) => addChoice(column, name)} />
                  </td>
                ))}
                {writable && <td class="db-td db-td-add" />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.rows.length === 0 && <p class="db-empty">{view.filters.length > 0 ? tt.noMatch : tt.noRows}</p>}
      <div class="db-foot">
        {writable && (
          <button type="button" class="db-new-row" onClick={addRow}>
            <Icon name="plus" />
            {tt.newRow}
          </button>
        )}
        <span class="db-count">{tt.count(data.rows.length)}</span>
      </div>
      {dialog?.kind === 'column' && (
        <ColumnDialog
          column={dialog.column}
          onClose={() => setDialog(null)}
          onSave={async (body) => {
            const done = await run(() =>
              dialog.column
                ? api('patch', '/pages/{id}/columns/{column_id}', { path: { id: page.id, column_id: dialog.column.id }, body })
                : api('post', '/pages/{id}/columns', { path: { id: page.id }, body }),
            );
            if (done) setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'filter' && (
        <FilterDialog
          field={dialog.field}
          columns={columns}
          directory={directory}
          onClose={() => setDialog(null)}
          onAdd={async (filter) => {
            if (await saveView({ ...view, filters: [...view.filters, filter] })) setDialog(null);
          }}
        />
      )}
    </section>
  );
}

function viewOf(table: Table): View {
  return { sorts: (table.view.sorts ?? []) as unknown as Sort[], filters: (table.view.filters ?? []) as unknown as Filter[] };
}

function kindOf(column: Column): Kind {
  return (KINDS as readonly string[]).includes(column.kind) ? (column.kind as Kind) : 'text';
}

function valueOf(row: Row, column: Column): Value | null {
  const value = (row.cells as Record<string, unknown>)[String(column.id)];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

/** A column's place in the saved sorts, shown beside its name. */
function SortMark({ view, field }: { view: View; field: Field }) {
  const t = useT();
  const sort = view.sorts.find((s) => s.field === field);
  if (!sort) return null;
  const label = `${t.docs.table.sortBy}: ${sort.descending ? t.docs.table.descending : t.docs.table.ascending}`;
  return (
    <span class="db-sort-mark" title={label}>
      <Icon name={sort.descending ? 'arrowDown' : 'arrowUp'} />
      <span class="visually-hidden">{label}</span>
    </span>
  );
}

/** The saved sorts and filters as chips (writers change them), the
 * buttons that add one, and CSV out and in. */
function ViewBar(props: {
  view: View;
  columns: readonly Column[];
  page: Page;
  writable: boolean;
  directory: readonly Person[];
  fieldName: (field: Field) => string;
  onView: (view: View) => void;
  onFilter: () => void;
  onImported: () => void;
}) {
  const t = useT();
  const tt = t.docs.table;
  const { view, writable, fieldName } = props;
  const fields: Field[] = ['title', ...props.columns.map((c) => c.id)];
  const unsorted = fields.filter((f) => !view.sorts.some((s) => s.field === f));
  const filterText = (filter: Filter) => {
    const column = props.columns.find((c) => c.id === filter.field);
    const value = VALUELESS.includes(filter.op) ? '' : ` ${shownValue(t, column, filter.value ?? null, props.directory)}`;
    return `${fieldName(filter.field)} ${tt.ops[filter.op] ?? filter.op}${value}`;
  };
  const chooseCsv = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.csv,text/csv';
    input.hidden = true;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.remove();
      if (file) void importCsv(file);
    });
    input.addEventListener('cancel', () => input.remove());
    document.body.append(input);
    input.click();
  };
  const importCsv = async (file: File) => {
    try {
      const { added } = await importRows(props.page.id, file);
      toast(tt.imported(added));
      refreshDocs();
      props.onImported();
    } catch (error) {
      toast(tt.importFailed(describe(t, error, { notFound: t.docs.gone, codes: { too_large: tt.tooLarge } }).message), 'error');
    }
  };
  return (
    <div class="db-bar">
      {view.sorts.length > 0 && (
        <ul class="db-chips" aria-label={tt.sorts}>
          {view.sorts.map((sort, index) => (
            <li key={`s${index}`} class="db-view-chip">
              {writable ? (
                <button
                  type="button"
                  class="db-view-chip-main"
                  aria-label={tt.flipSort(fieldName(sort.field), sort.descending)}
                  title={tt.flipSort(fieldName(sort.field), sort.descending)}
                  onClick={() => props.onView({ ...view, sorts: view.sorts.map((s, i) => (i === index ? { ...s, descending: !s.descending } : s)) })}
                >
                  <Icon name={sort.descending ? 'arrowDown' : 'arrowUp'} />
                  {fieldName(sort.field)}
                </button>
              ) : (
                <span class="db-view-chip-main">
                  <Icon name={sort.descending ? 'arrowDown' : 'arrowUp'} />
                  {fieldName(sort.field)}
                  <span class="visually-hidden">, {sort.descending ? tt.descending : tt.ascending}</span>
                </span>
              )}
              {writable && (
                <button type="button" class="db-view-chip-x" aria-label={tt.removeSort(fieldName(sort.field))} title={tt.removeSort(fieldName(sort.field))} onClick={() => props.onView({ ...view, sorts: view.sorts.filter((_, i) => i !== index) })}>
                  <Icon name="close" />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {view.filters.length > 0 && (
        <ul class="db-chips" aria-label={tt.filters}>
          {view.filters.map((filter, index) => (
            <li key={`f${index}`} class="db-view-chip db-view-chip-filter">
              <span class="db-view-chip-main">
                <Icon name="filter" />
                {filterText(filter)}
              </span>
              {writable && (
                <button type="button" class="db-view-chip-x" aria-label={tt.removeFilter(filterText(filter))} title={tt.removeFilter(filterText(filter))} onClick={() => props.onView({ ...view, filters: view.filters.filter((_, i) => i !== index) })}>
                  <Icon name="close" />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {writable && unsorted.length > 0 && (
        <PopMenu label={tt.sortBy} icon="sort" text={tt.addSort} items={unsorted.map((field) => ({ label: fieldName(field), icon: 'arrowUp' as IconName, onSelect: () => props.onView({ ...view, sorts: [...view.sorts, { field, descending: false }] }) }))} />
      )}
      {writable && (
        <Button size="small" kind="ghost" icon="filter" onClick={props.onFilter}>
          {tt.addFilter}
        </Button>
      )}
      <span class="db-bar-end">
        <a class="btn btn-ghost btn-small" href={`${API}/pages/${props.page.id}/export?format=csv`} download>
          <Icon name="download" />
          {tt.exportCsv}
        </a>
        {writable && (
          <Button size="small" kind="ghost" icon="upload" onClick={chooseCsv}>
            {tt.importCsv}
          </Button>
        )}
      </span>
    </div>
  );
}

/** A value as words: a person's name, a checkbox's state, the rest as is. */
function shownValue(t: Messages, column: Column | undefined, value: Value | null, directory: readonly Person[]): string {
  if (value === null || value === '') return t.docs.table.empty;
  if (column?.kind === 'person') return value === 'me' ? t.docs.table.me : (nameIn(directory, Number(value)) ?? String(value));
  if (column?.kind === 'checkbox' || typeof value === 'boolean') return value === true ? t.docs.table.checked : t.docs.table.unchecked;
  return String(value);
}

/** One cell: its value shown (a button for writers: Enter or a click
 * edits it), or the field that edits it. A checkbox is always itself. */
function Cell(props: { row: Row; column: Column; writable: boolean; directory: readonly Person[]; onSave: (value: Value | null) => void; onNewChoice: (name: string) => Promise<boolean> }) {
  const t = useT();
  const { row, column, writable } = props;
  const kind = kindOf(column);
  const value = valueOf(row, column);
  const [editing, setEditing] = useState(false);
  const label = t.docs.table.cell(column.name, titleOf(row, t));
  if (kind === 'checkbox') {
    return <input type="checkbox" class="db-check" checked={value === true} disabled={!writable} aria-label={label} onChange={(e) => props.onSave(e.currentTarget.checked)} />;
  }
  const shown = <CellValue column={column} value={value} directory={props.directory} />;
  if (!writable) return <span class="db-cell">{shown}</span>;
  const done = (next: Value | null) => {
    setEditing(false);
    if (next !== value) props.onSave(next);
  };
  if (editing) {
    if (kind === 'select') return <ChoicePicker column={column} value={value} label={label} onDone={done} onCancel={() => setEditing(false)} onNewChoice={props.onNewChoice} />;
    if (kind === 'person') return <PersonPicker value={value} label={label} directory={props.directory} onDone={done} onCancel={() => setEditing(false)} />;
    return <CellInput kind={kind} value={value} label={label} onDone={done} onCancel={() => setEditing(false)} />;
  }
  const edit = (
    <button type="button" class="db-cell db-cell-button" onClick={() => setEditing(true)}>
      <span class="visually-hidden">{label}: </span>
      {shown}
    </button>
  );
  if (kind === 'link' && typeof value === 'string' && value) {
    return (
      <span class="db-cell-link">
        <a href={value} target="_blank" rel="noopener noreferrer">
          {value.replace(/^(https?:\/\/|mailto:)/, '')}
        </a>
        <button type="button" class="icon-btn db-cell-edit" aria-label={label} title={label} onClick={() => setEditing(true)}>
          <Icon name="edit" />
        </button>
      </span>
    );
  }
  return edit;
}

function CellValue({ column, value, directory }: { column: Column; value: Value | null; directory: readonly Person[] }) {
  const t = useT();
  if (value === null || value === '') return <span class="db-blank" aria-hidden="true" />;
  switch (kindOf(column)) {
    case 'select': {
      const choice = column.choices.find((c) => c.name === value);
      return <span class={`db-chip db-chip-${colorOf(choice)}`}>{String(value)}</span>;
    }
    case 'person': {
      const person = directory.find((p) => p.id === Number(value));
      const name = nameIn(directory, Number(value)) ?? t.docs.table.nobody;
      return (
        <span class="db-person">
          {person && <Avatar user={person} size="small" />}
          {name}
        </span>
      );
    }
    case 'date':
      return <span>{formatDay(String(value))}</span>;
    case 'number':
      return <span class="db-number">{typeof value === 'number' ? value.toLocaleString(document.documentElement.lang || undefined) : String(value)}</span>;
    default:
      return <span>{String(value)}</span>;
  }
}

/** "2026-12-24" in the person's language, without a time zone shift. */
function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(document.documentElement.lang || undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}

/** Text, number, date or link typed in place: Enter or leaving saves, Escape does not. */
function CellInput({ kind, value, label, onDone, onCancel }: { kind: Kind; value: Value | null; label: string; onDone: (value: Value | null) => void; onCancel: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const finished = useRef(false);
  useEffect(() => {
    input.current?.focus();
    if (kind !== 'date') input.current?.select();
  }, []);
  const finish = (text: string | null) => {
    if (finished.current) return;
    finished.current = true;
    if (text === null) return onCancel();
    const trimmed = text.trim();
    if (!trimmed) return onDone(null);
    if (kind === 'number') {
      const number = Number(trimmed.replace(',', '.'));
      return Number.isFinite(number) ? onDone(number) : onCancel();
    }
    onDone(trimmed);
  };
  return (
    <input
      ref={input}
      class={`db-input db-input-${kind}`}
      type={(kind === 'date' ? 'date' : 'text') as 'text'}
      inputMode={kind === 'number' ? 'decimal' : kind === 'link' ? 'url' : undefined}
      aria-label={label}
      defaultValue={value === null ? '' : String(value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(e.currentTarget.value);
        if (e.key === 'Escape') {
          e.stopPropagation();
          finish(null);
        }
      }}
      onBlur={(e) => finish(e.currentTarget.value)}
    />
  );
}

/** A person chosen from the directory. */
function PersonPicker({ value, label, directory, onDone, onCancel }: { value: Value | null; label: string; directory: readonly Person[]; onDone: (value: Value | null) => void; onCancel: () => void }) {
  const t = useT();
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => select.current?.focus(), []);
  return (
    <select
      ref={select}
      class="db-input"
      aria-label={label}
      value={value === null ? '' : String(value)}
      onChange={(e) => onDone(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
      onBlur={onCancel}
    >
      <option value="">{t.docs.table.nobody}</option>
      {directory
        .filter((p) => p.active || p.id === Number(value))
        .map((p) => (
          <option key={p.id} value={String(p.id)}>
            {p.display_name}
          </option>
        ))}
    </select>
  );
}

/** A select's choices as coloured chips over the table, and a field that
 * makes a new one. */
function ChoicePicker(props: { column: Column; value: Value | null; label: string; onDone: (value: Value | null) => void; onCancel: () => void; onNewChoice: (name: string) => Promise<boolean> }) {
  const t = useT();
  const tt = t.docs.table;
  const anchor = useRef<HTMLSpanElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [typed, setTyped] = useState('');
  const wanted = typed.trim();
  const shown = props.column.choices.filter((c) => c.name.toLowerCase().includes(wanted.toLowerCase()));
  const exact = props.column.choices.some((c) => c.name.toLowerCase() === wanted.toLowerCase());
  useLayoutEffect(() => {
    if (box.current && anchor.current) place(box.current, anchor.current, 'start');
  }, []);
  useEffect(() => {
    box.current?.querySelector('input')?.focus();
    const outside = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) props.onCancel();
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, []);
  const create = async () => {
    if (!wanted || exact) return;
    if (await props.onNewChoice(wanted)) props.onDone(wanted);
  };
  return (
    <span ref={anchor} class="db-cell">
      <CellValue column={props.column} value={props.value} directory={[]} />
      <div
        ref={box}
        class="popover db-choices"
        role="dialog"
        aria-label={props.label}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            props.onCancel();
          }
        }}
      >
        <input
          class="db-input"
          aria-label={tt.chooseChoice}
          placeholder={tt.chooseChoice}
          value={typed}
          maxLength={100}
          onInput={(e) => setTyped(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            const match = props.column.choices.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
            if (match) props.onDone(match.name);
            else void create();
          }}
        />
        <ul class="db-choice-list">
          {shown.map((choice) => (
            <li key={choice.name}>
              <button type="button" class="db-choice" aria-pressed={choice.name === props.value ? 'true' : 'false'} onClick={() => props.onDone(choice.name)}>
                <span class={`db-chip db-chip-${colorOf(choice)}`}>{choice.name}</span>
                {choice.name === props.value && <Icon name="check" />}
              </button>
            </li>
          ))}
          {wanted && !exact && (
            <li>
              <button type="button" class="db-choice db-choice-new" onClick={() => void create()}>
                <Icon name="plus" />
                {tt.newChoice(wanted)}
              </button>
            </li>
          )}
          {props.value !== null && (
            <li>
              <button type="button" class="db-choice db-choice-none" onClick={() => props.onDone(null)}>
                <Icon name="close" />
                {tt.none}
              </button>
            </li>
          )}
        </ul>
      </div>
    </span>
  );
}

/** A new column, or a column's name, kind and choices. */
function ColumnDialog({ column, onClose, onSave }: { column: Column | null; onClose: () => void; onSave: (body: { name: string; kind: string; choices: Choice[] }) => Promise<void> }) {
  const t = useT();
  const tt = t.docs.table;
  const [name, setName] = useState(column?.name ?? '');
  const [kind, setKind] = useState<Kind>(column ? kindOf(column) : 'text');
  const [choices, setChoices] = useState<Choice[]>(column?.choices.map((c) => ({ name: c.name, color: colorOf(c) })) ?? []);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const addTyped = () => {
    const wanted = typed.trim();
    if (!wanted || choices.some((c) => c.name === wanted)) return;
    setChoices([...choices, { name: wanted, color: COLORS[choices.length % COLORS.length] }]);
    setTyped('');
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    await onSave({ name: name.trim(), kind, choices: kind === 'select' ? choices : [] });
    setBusy(false);
  };
  return (
    <Dialog open title={column ? tt.editColumn : tt.newColumn} onClose={onClose} class="db-dialog">
      <form class="form" onSubmit={submit}>
        <TextField label={tt.columnName} value={name} onValue={setName} required maxLength={100} autoFocus />
        <SelectField<Kind> label={tt.columnKind} value={kind} onValue={setKind} options={KINDS.map((k) => ({ value: k, label: tt.kinds[k] }))} hint={column && kind !== kindOf(column) ? tt.kindChangeHint : undefined} />
        {kind === 'select' && (
          <fieldset class="db-choices-edit">
            <legend>{tt.choices}</legend>
            {choices.length === 0 && <p class="muted">{tt.noChoices}</p>}
            <ul>
              {choices.map((choice, index) => (
                <li key={choice.name}>
                  <span class={`db-chip db-chip-${colorOf(choice)}`}>{choice.name}</span>
                  <select
                    aria-label={tt.choiceColor(choice.name)}
                    value={colorOf(choice)}
                    onChange={(e) => setChoices(choices.map((c, i) => (i === index ? { ...c, color: e.currentTarget.value } : c)))}
                  >
                    {COLORS.map((color) => (
                      <option key={color} value={color}>
                        {tt.colors[color]}
                      </option>
                    ))}
                  </select>
                  <button type="button" class="icon-btn" aria-label={tt.removeChoice(choice.name)} title={tt.removeChoice(choice.name)} onClick={() => setChoices(choices.filter((_, i) => i !== index))}>
                    <Icon name="close" />
                  </button>
                </li>
              ))}
            </ul>
            <div class="db-choice-add">
              <input
                aria-label={tt.newChoiceLabel}
                placeholder={tt.newChoiceLabel}
                value={typed}
                maxLength={100}
                onInput={(e) => setTyped(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    addTyped();
                  }
                }}
              />
              <Button size="small" icon="plus" onClick={addTyped} disabled={!typed.trim()}>
                {tt.addChoice}
              </Button>
            </div>
          </fieldset>
        )}
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={busy}>
            {column ? t.common.save : tt.newColumn}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A filter: a column, a condition, and the value it compares with. */
function FilterDialog(props: { field: Field | null; columns: readonly Column[]; directory: readonly Person[]; onClose: () => void; onAdd: (filter: Filter) => Promise<void> }) {
  const t = useT();
  const tt = t.docs.table;
  const [field, setField] = useState<string>(String(props.field ?? 'title'));
  const column = props.columns.find((c) => String(c.id) === field);
  const kind: Kind = column ? kindOf(column) : 'text';
  const ops = OPS[kind];
  const [op, setOp] = useState<Op>(ops[0]);
  const [value, setValue] = useState('');
  const currentOp = ops.includes(op) ? op : ops[0];
  const needsValue = !VALUELESS.includes(currentOp);
  const submit = async (e: Event) => {
    e.preventDefault();
    let typed: Value | null = null;
    if (needsValue) {
      if (kind === 'checkbox') typed = value !== 'false';
      else if (kind === 'number') typed = Number(value.replace(',', '.'));
      else if (kind === 'person') typed = value === 'me' ? 'me' : Number(value);
      else typed = value.trim();
      if (typed === '' || (typeof typed === 'number' && !Number.isFinite(typed))) return;
    }
    await props.onAdd({ field: column ? column.id : 'title', op: currentOp, ...(needsValue ? { value: typed } : {}) });
  };
  const fieldOptions = [{ value: 'title', label: tt.title }, ...props.columns.map((c) => ({ value: String(c.id), label: c.name }))];
  return (
    <Dialog open title={tt.filterTitle} onClose={props.onClose} class="db-dialog">
      <form class="form" onSubmit={submit}>
        <SelectField
          label={tt.field}
          value={field}
          onValue={(next) => {
            setField(next);
            setValue('');
          }}
          options={fieldOptions}
        />
        <SelectField<Op> label={tt.op} value={currentOp} onValue={setOp} options={ops.map((o) => ({ value: o, label: tt.ops[o] }))} />
        {needsValue && kind === 'select' && <SelectField label={tt.value} value={value} onValue={setValue} options={[{ value: '', label: '—' }, ...(column?.choices ?? []).map((c) => ({ value: c.name, label: c.name }))]} />}
        {needsValue && kind === 'person' && (
          <SelectField label={tt.value} value={value} onValue={setValue} options={[{ value: '', label: '—' }, { value: 'me', label: tt.me }, ...props.directory.map((p) => ({ value: String(p.id), label: p.display_name }))]} />
        )}
        {needsValue && kind === 'checkbox' && <SelectField label={tt.value} value={value || 'true'} onValue={setValue} options={[{ value: 'true', label: tt.checked }, { value: 'false', label: tt.unchecked }]} />}
        {needsValue && (kind === 'date' || kind === 'number') && (
          <div class="field">
            <label for="db-filter-value">{tt.value}</label>
            <input id="db-filter-value" type={(kind === 'date' ? 'date' : 'text') as 'text'} inputMode={kind === 'number' ? 'decimal' : undefined} value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
          </div>
        )}
        {needsValue && (kind === 'text' || kind === 'link') && <TextField label={tt.value} value={value} onValue={setValue} required maxLength={200} />}
        <p class="hint">{tt.viewHint}</p>
        <div class="dialog-actions">
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary">
            {tt.applyFilter}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
