// The administrators' overview: the share of people ready to work from
// home, each person's verdict with what they lack, and what to buy.

import type { User } from '../api/client';
import { useUsers } from '../api/reads';
import { formatNumber } from '../i18n';
import { useOfficeT } from '../i18n/office';
import { Avatar } from '../ui/Avatar';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { formatList, formatMoney, formatPercent, formatWhen } from './format';
import { OfficeNav } from './Office';
import { useReadiness, word, type CompanyReadiness, type PersonReadiness } from './reads';

export function Overview() {
  const t = useOfficeT();
  const readiness = useReadiness();
  const users = useUsers();
  return (
    <div class="page">
      <PageHeader title={t.office.title} intro={t.office.intro} />
      <OfficeNav />
      <Loaded resource={readiness}>
        {(data) => (
          <>
            {data.company && (
              <div class="office-grid">
                <ReadyShare company={data.company} />
                <Shopping company={data.company} />
              </div>
            )}
            <section class="office-section" aria-labelledby="people-heading">
              <h2 id="people-heading">{t.office.overview.people}</h2>
              <PeopleTable people={data.people} users={users.data ?? []} />
            </section>
          </>
        )}
      </Loaded>
    </div>
  );
}

function ReadyShare({ company }: { company: CompanyReadiness }) {
  const t = useOfficeT();
  const parts = [
    ['ready', company.ready],
    ['partly', company.partly],
    ['not_ready', company.not_ready],
  ] as const;
  return (
    <section class="card ready-card" aria-labelledby="ready-heading">
      <h2 id="ready-heading">{t.office.overview.readyHeading}</h2>
      <p class="ready-figure">{formatPercent(company.ready_pct)}</p>
      <p class="muted">{t.office.overview.readyOf(company.ready, company.people)}</p>
      {company.people > 0 && (
        <>
          <div class="verdict-bar" role="img" aria-label={t.office.overview.chartLabel(company.ready, company.partly, company.not_ready)}>
            {parts.map(([verdict, count]) =>
              count ? <span key={verdict} class={`verdict-part verdict-${verdict}`} style={{ width: `${(count / company.people) * 100}%` }} /> : null,
            )}
          </div>
          <ul class="verdict-legend">
            {parts.map(([verdict, count]) => (
              <li key={verdict}>
                <span class={`chart-swatch verdict-${verdict}`} />
                {word(t.office.verdicts, verdict)} <strong>{formatNumber(count)}</strong>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Shopping({ company }: { company: CompanyReadiness }) {
  const t = useOfficeT();
  return (
    <section class="card" aria-labelledby="shopping-heading">
      <h2 id="shopping-heading">{t.office.overview.shopping}</h2>
      {company.shopping.length === 0 ? (
        <p class="muted">{t.office.overview.shoppingNone}</p>
      ) : (
        <>
          <p class="muted shopping-intro">{t.office.overview.shoppingIntro}</p>
          <ul class="shopping">
            {company.shopping.map((line) => (
              <li key={line.kind}>
                <span>
                  <strong>{t.office.kindCount(line.count, line.kind)}</strong>{' '}
                  <span class="muted nowrap">· {t.office.overview.each(formatMoney(line.unit_cents))}</span>
                </span>
                <span class="shopping-money">{formatMoney(line.total_cents)}</span>
              </li>
            ))}
            <li class="shopping-total">
              <span>{t.office.overview.total}</span>
              <span class="shopping-money">{formatMoney(company.shopping_total_cents)}</span>
            </li>
          </ul>
        </>
      )}
      <p class="shopping-link">
        <a href="/office/settings">{t.office.overview.prices}</a>
      </p>
    </section>
  );
}

export function VerdictBadge({ verdict }: { verdict: string }) {
  const t = useOfficeT();
  const kind = verdict === 'ready' ? 'badge-success' : verdict === 'partly' ? 'badge-warning' : 'badge-danger';
  return <span class={`badge ${kind}`}>{word(t.office.verdicts, verdict)}</span>;
}

/** What a person lacks, in words: "Missing: a webcam and a phone line." */
function useMissingText(): (missing: readonly string[]) => string {
  const t = useOfficeT();
  return (missing) => {
    if (missing.length === 0) return t.office.nothingMissing;
    // The two connection verdicts read the same; say it once.
    const words = [...new Set(missing.map((m) => word(t.office.missing, m)))];
    return t.office.missingList(formatList(words));
  };
}

function PeopleTable({ people, users }: { people: readonly PersonReadiness[]; users: readonly User[] }) {
  const t = useOfficeT();
  const missingText = useMissingText();
  const byId = new Map(users.map((u) => [u.id, u]));
  if (people.length === 0) return <Empty>{t.office.overview.noPeople}</Empty>;
  const name = (id: number) => byId.get(id)?.display_name ?? `#${id}`;
  const sorted = [...people].sort((a, b) => rank(a.verdict) - rank(b.verdict) || name(a.user_id).localeCompare(name(b.user_id)));
  return (
    <div class="table-wrap card">
      <table class="table">
        <caption class="visually-hidden">{t.office.overview.people}</caption>
        <thead>
          <tr>
            <th scope="col">{t.office.overview.person}</th>
            <th scope="col">{t.office.overview.verdict}</th>
            <th scope="col">{t.office.overview.what}</th>
            <th scope="col">{t.office.overview.lastTest}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((person) => {
            const user = byId.get(person.user_id);
            const test = person.latest_test;
            return (
              <tr key={person.user_id} data-person={user?.name}>
                <th scope="row">
                  <div class="person">
                    {user && <Avatar user={user} size="small" />}
                    <span class="person-name">{name(person.user_id)}</span>
                  </div>
                </th>
                <td data-label={t.office.overview.verdict}>
                  <VerdictBadge verdict={person.verdict} />
                </td>
                <td data-label={t.office.overview.what} class="missing-cell">
                  {missingText(person.missing)}
                </td>
                <td data-label={t.office.overview.lastTest}>
                  {test ? (
                    <span class="last-test">
                      {word(t.office.test.results, test.verdict)}
                      <span class="person-sub">{formatWhen(test.at)}</span>
                    </span>
                  ) : (
                    <span class="muted">{t.office.overview.never}</span>
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

/** Who needs attention first. */
function rank(verdict: string): number {
  return verdict === 'not_ready' ? 0 : verdict === 'partly' ? 1 : 2;
}
