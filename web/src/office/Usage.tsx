// Data use (administrators): each person's bytes this month against their
// plan, and bytes per day stacked by feature, for everyone or one person.

import { useState } from 'preact/hooks';
import type { User } from '../api/client';
import { useUsers } from '../api/reads';
import { useOfficeT } from '../i18n/office';
import { Avatar } from '../ui/Avatar';
import { SelectField } from '../ui/Field';
import { Loaded, PageHeader } from '../ui/Page';
import { DayChart, PlanBar } from './charts';
import { formatData, formatPercent, utcDay } from './format';
import { OfficeNav } from './Office';
import { useUsage, word, type UsageReport } from './reads';

type Period = 'month' | '30' | '90';

/** The period's first and last days, today, and the first of this month
 * (UTC days, as the meter counts them). This month runs to its last day,
 * so that its days keep their place in the chart. */
function period(chosen: Period): { from: string; to: string; today: string; month: string } {
  const today = utcDay();
  const month = `${today.slice(0, 8)}01`;
  if (chosen !== 'month') return { from: utcDay(Number(chosen) - 1), to: today, today, month };
  const now = new Date();
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
  return { from: month, to: last, today, month };
}

export function Usage() {
  const t = useOfficeT();
  const users = useUsers();
  const [person, setPerson] = useState('');
  const [chosen, setChosen] = useState<Period>('month');
  const { from, to, today, month } = period(chosen);
  // One read covers both the period and this month.
  const usage = useUsage(person ? Number(person) : null, from < month ? from : month, today);
  const u = t.office.usage;
  const people = (users.data ?? []).filter((p) => p.active).sort((a, b) => a.display_name.localeCompare(b.display_name));
  return (
    <div class="page">
      <PageHeader title={u.title} intro={u.intro} />
      <OfficeNav />
      <div class="toolbar office-filters">
        <SelectField label={u.whom} value={person} onValue={setPerson} options={[{ value: '', label: u.everyone }, ...people.map((p) => ({ value: String(p.id), label: p.display_name }))]} />
        <SelectField<Period> label={u.period} value={chosen} onValue={setChosen} options={(['month', '30', '90'] as Period[]).map((p) => ({ value: p, label: word(u.periods, p) }))} />
      </div>
      <Loaded resource={usage}>
        {(report) => (
          <>
            <section class="office-section" aria-labelledby="month-heading">
              <h2 id="month-heading">{u.month}</h2>
              <MonthTable report={report} month={month} people={person ? people.filter((p) => String(p.id) === person) : people} />
              <p class="muted office-note">{u.thresholds(formatPercent(report.saver_at_pct), formatPercent(report.audio_only_at_pct))}</p>
            </section>
            <section class="office-section card" aria-labelledby="days-heading">
              <h2 id="days-heading">{u.perDay}</h2>
              <DayChart rows={report.rows.filter((r) => r.day >= from)} from={from} to={to} />
            </section>
          </>
        )}
      </Loaded>
    </div>
  );
}

function MonthTable({ report, month, people }: { report: UsageReport; month: string; people: readonly User[] }) {
  const t = useOfficeT();
  const u = t.office.usage;
  const used = new Map<number, number>();
  for (const row of report.rows) {
    if (row.day >= month) used.set(row.user_id, (used.get(row.user_id) ?? 0) + row.bytes_in + row.bytes_out);
  }
  const plans = new Map(report.plans.map((p) => [p.user_id, p]));
  const sorted = [...people].sort((a, b) => (used.get(b.id) ?? 0) - (used.get(a.id) ?? 0));
  return (
    <div class="table-wrap card">
      <table class="table usage-table">
        <caption class="visually-hidden">{u.month}</caption>
        <thead>
          <tr>
            <th scope="col">{u.person}</th>
            <th scope="col">{u.used}</th>
            <th scope="col">{u.plan}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((person) => {
            const plan = plans.get(person.id);
            return (
              <tr key={person.id} data-person={person.name}>
                <th scope="row">
                  <div class="person">
                    <Avatar user={person} size="small" />
                    <span class="person-name">{person.display_name}</span>
                  </div>
                </th>
                <td data-label={u.used} class="nowrap">
                  {formatData(used.get(person.id) ?? 0)}
                </td>
                <td data-label={u.plan} class="plan-cell">
                  {plan ? (
                    <PlanBar plan={plan} saverAt={report.saver_at_pct} audioAt={report.audio_only_at_pct} label={u.planLabel(person.display_name)} />
                  ) : (
                    <span class="muted">{u.noPlan}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
