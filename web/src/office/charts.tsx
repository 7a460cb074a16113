// The office's two pictures, drawn by hand with a few elements (no chart
// library for a few bars): a data plan's bar, amber past the data-saver
// threshold and red past the audio-only one, and bytes per day stacked by
// feature.

import { useOfficeT } from '../i18n/office';
import { Empty } from '../ui/Page';
import { daysBetween, formatData, formatDay, formatPercent } from './format';
import { word, type UsageReport } from './reads';

type Plan = UsageReport['plans'][number];
type Row = UsageReport['rows'][number];

const FEATURES = ['web', 'events', 'files', 'docs', 'meetings'] as const;

export function PlanBar({ plan, saverAt, audioAt, label }: { plan: Plan; saverAt: number; audioAt: number; label: string }) {
  const t = useOfficeT();
  const pct = plan.cap_bytes > 0 ? (plan.used_bytes / plan.cap_bytes) * 100 : 0;
  const shown = Math.min(100, pct);
  const level = pct >= audioAt ? 'audio' : pct >= saverAt ? 'saver' : 'ok';
  const text = t.office.usage.planUse(formatData(plan.used_bytes), formatData(plan.cap_bytes));
  return (
    <div class={`plan plan-${level}`}>
      <div
        class="plan-bar"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(shown)}
        aria-valuetext={`${text} (${formatPercent(pct)})`}
      >
        <span class="plan-fill" style={{ width: `${shown}%` }} />
        <span class="plan-mark" style={{ left: `${saverAt}%` }} />
        <span class="plan-mark" style={{ left: `${audioAt}%` }} />
      </div>
      <p class="plan-text">
        <strong>{text}</strong> <span class="muted">({formatPercent(pct)}) · {t.office.usage.planSince(formatDay(plan.period_start))}</span>
        {plan.level !== 'free' && <span class={`badge ${plan.level === 'audio_only' ? 'badge-danger' : 'badge-warning'}`}>{word(t.office.usage.levels, plan.level)}</span>}
      </p>
    </div>
  );
}

/** Bytes both ways per day from `from` to `to`, stacked by feature, with
 * the total of each feature in the legend. */
export function DayChart({ rows, from, to }: { rows: readonly Row[]; from: string; to: string }) {
  const t = useOfficeT();
  const days = daysBetween(from, to);
  const byDay = new Map<string, Record<string, number>>();
  const byFeature: Record<string, number> = {};
  for (const row of rows) {
    const bytes = row.bytes_in + row.bytes_out;
    const day = byDay.get(row.day) ?? {};
    day[row.feature] = (day[row.feature] ?? 0) + bytes;
    byDay.set(row.day, day);
    byFeature[row.feature] = (byFeature[row.feature] ?? 0) + bytes;
  }
  const dayTotal = (day: string) => Object.values(byDay.get(day) ?? {}).reduce((a, b) => a + b, 0);
  const total = Object.values(byFeature).reduce((a, b) => a + b, 0);
  if (total === 0) return <Empty>{t.office.usage.none}</Empty>;
  const top = niceCeiling(Math.max(...days.map(dayTotal)));
  return (
    <figure class="day-chart">
      <div class="chart" role="img" aria-label={t.office.usage.chartLabel(formatDay(from), formatDay(to), formatData(total))}>
        <div class="chart-scale">
          <span>{formatData(top)}</span>
          <span>{formatData(top / 2)}</span>
          <span>0</span>
        </div>
        <div class="chart-plot">
          {days.map((day) => {
            const parts = byDay.get(day) ?? {};
            return (
              <div key={day} class="chart-day" title={t.office.usage.dayTotal(formatDay(day), formatData(dayTotal(day)))}>
                {FEATURES.map((feature) =>
                  parts[feature] ? <span key={feature} class={`chart-part feature-${feature}`} style={{ height: `${(parts[feature] / top) * 100}%` }} /> : null,
                )}
              </div>
            );
          })}
        </div>
        <div class="chart-axis">
          <span>{formatDay(from)}</span>
          <span>{formatDay(to)}</span>
        </div>
      </div>
      <figcaption>
        <ul class="chart-legend">
          {FEATURES.filter((feature) => byFeature[feature]).map((feature) => (
            <li key={feature}>
              <span class={`chart-swatch feature-${feature}`} />
              {word(t.office.usage.features, feature)} <span class="muted">{formatData(byFeature[feature])}</span>
            </li>
          ))}
          <li class="chart-total">
            {t.office.usage.total} <strong>{formatData(total)}</strong>
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}

/** The round figure above `value` the scale stops at: 1, 2 or 5 times a
 * power of ten. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}
