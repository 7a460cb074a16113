// A person's own office: their readiness checklist with what to do next,
// the equipment they hold (each can be reported broken), the tools they
// need, their requests for equipment, and their data this month against
// their plan.

import { useState } from 'preact/hooks';
import { me } from '../app/session';
import { useOfficeT } from '../i18n/office';
import { useStore } from '../lib/store';
import { Button } from '../ui/Button';
import { Icon } from '../ui/icons';
import { Loaded, PageHeader } from '../ui/Page';
import { DayChart, PlanBar } from './charts';
import { planSummary, StatusBadge } from './Equipment';
import { OfficeNav } from './Office';
import { VerdictBadge } from './Overview';
import { useEquipment, useReadiness, useUsage, word, type PersonReadiness, type Piece } from './reads';
import { MyRequests, ReportDialog } from './Requests';
import { MyTools } from './Tools';
import { utcDay } from './format';

export function MyOffice() {
  const t = useOfficeT();
  const self = useStore(me)!;
  const readiness = useReadiness();
  const equipment = useEquipment();
  const from = utcDay(29);
  const to = utcDay();
  const usage = useUsage(self.id, from, to);
  const [reporting, setReporting] = useState<Piece | null>(null);
  const m = t.office.mine;
  return (
    <div class="page">
      <PageHeader title={t.office.mineTitle} intro={t.office.mineIntro} />
      <OfficeNav />
      <div class="office-grid">
        <section class="card" aria-labelledby="readiness-heading">
          <h2 id="readiness-heading">{m.readiness}</h2>
          <Loaded resource={readiness}>
            {(data) => {
              const mine = data.people.find((p) => p.user_id === self.id);
              return mine ? <Checklist person={mine} /> : null;
            }}
          </Loaded>
        </section>
        <section class="card" aria-labelledby="equipment-heading">
          <h2 id="equipment-heading">{m.equipment}</h2>
          <Loaded resource={equipment}>
            {(list) => {
              const held = list.filter((p) => p.holder === self.id);
              if (held.length === 0) return <p class="muted">{m.noEquipment}</p>;
              return (
                <ul class="my-equipment">
                  {held.map((piece) => (
                    <li key={piece.id}>
                      <span class="my-piece">
                        <span class="person-name">{piece.label}</span>
                        <span class="person-sub">{[word(t.office.kinds, piece.kind), piece.model, planSummary(t, piece)].filter(Boolean).join(' · ')}</span>
                        {piece.status !== 'assigned' && <StatusBadge status={piece.status} />}
                      </span>
                      <Button size="small" kind="ghost" label={t.office.requests.reportOf(piece.label)} onClick={() => setReporting(piece)}>
                        {t.office.requests.reportBroken}
                      </Button>
                    </li>
                  ))}
                </ul>
              );
            }}
          </Loaded>
        </section>
      </div>
      <div class="office-grid office-section">
        <MyTools />
        <MyRequests />
      </div>
      <section class="card office-section" aria-labelledby="data-heading">
        <h2 id="data-heading">{m.data}</h2>
        <Loaded resource={usage}>
          {(report) => {
            const plan = report.plans.find((p) => p.user_id === self.id);
            return (
              <>
                {plan ? (
                  <PlanBar plan={plan} saverAt={report.saver_at_pct} audioAt={report.audio_only_at_pct} label={t.office.usage.planLabel(self.display_name)} />
                ) : (
                  <p class="muted">{m.noPlan}</p>
                )}
                <h3 class="office-subheading">{m.last30}</h3>
                <DayChart rows={report.rows} from={from} to={to} />
              </>
            );
          }}
        </Loaded>
      </section>
      {reporting && <ReportDialog piece={reporting} onClose={() => setReporting(null)} />}
    </div>
  );
}

/** What a person has and lacks, each missing item with what to do. */
function Checklist({ person }: { person: PersonReadiness }) {
  const t = useOfficeT();
  const m = t.office.mine;
  const missing = new Set(person.missing);
  const connection = ['connection_test', 'connection_slow', 'connection_poor'].find((c) => missing.has(c));
  const items: { key: string; done: boolean; text: string; test?: boolean }[] = [
    ...(['laptop', 'webcam', 'microphone'] as const).map((key) => ({ key, done: !missing.has(key), text: missing.has(key) ? word(m.todo, key) : m.have[key] })),
    { key: 'connection', done: !connection, text: connection ? word(m.todo, connection) : m.have.connection, test: true },
    ...person.missing.filter((key) => key === 'phone_line' || key === 'tools').map((key) => ({ key, done: false, text: word(m.todo, key) })),
  ];
  return (
    <>
      <p class="checklist-verdict">
        <VerdictBadge verdict={person.verdict} />
      </p>
      <ul class="checklist">
        {items.map((item) => (
          <li key={item.key} class={item.done ? 'check-done' : 'check-todo'}>
            <span class="check-mark" aria-hidden="true">
              <Icon name={item.done ? 'check' : 'alert'} />
            </span>
            <span>
              {item.text}
              {item.test && !item.done && (
                <>
                  {' '}
                  <a href="/office/test">{m.runTest}</a>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
