// The connection test: measured in the browser against bureau itself
// (speedtest.ts), judged by the server, kept in the person's history.
// Meetings start in the mode its verdict advises.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { describe } from '../api/errors';
import { useOfficeT } from '../i18n/office';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { formatData, formatMs, formatPercent, formatRate, formatWhenTime } from './format';
import { OfficeNav } from './Office';
import { refreshOffice, useTests, word, type ConnectionTest as Test } from './reads';
import { measure, TRANSFER_BUDGET, type Progress } from './speedtest';

type State =
  | { kind: 'idle' }
  | { kind: 'running'; phase: Progress['phase'] | 'saving'; done: number; kbps?: number }
  | { kind: 'done'; test: Test; bytes: number }
  | { kind: 'failed'; error: unknown };

export function ConnectionTest() {
  const t = useOfficeT();
  const tests = useTests();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const running = useRef<AbortController | null>(null);
  // Leaving the page stops the test and its transfers.
  useEffect(() => () => running.current?.abort(), []);

  const start = async () => {
    const controller = new AbortController();
    running.current = controller;
    setState({ kind: 'running', phase: 'latency', done: 0 });
    try {
      const { bytes, ...figures } = await measure((p) => setState({ kind: 'running', ...p }), controller.signal);
      setState({ kind: 'running', phase: 'saving', done: 1 });
      const test = await api('post', '/office/connection-tests', { body: figures });
      refreshOffice();
      setState({ kind: 'done', test, bytes });
    } catch (error) {
      setState(controller.signal.aborted ? { kind: 'idle' } : { kind: 'failed', error });
    } finally {
      if (running.current === controller) running.current = null;
    }
  };
  const stop = () => running.current?.abort();

  const c = t.office.test;
  return (
    <div class="page">
      <PageHeader title={c.title} intro={c.intro} />
      <OfficeNav />
      <section class="card test-card" aria-labelledby="test-heading">
        <h2 id="test-heading" class="visually-hidden">
          {c.title}
        </h2>
        {state.kind === 'running' ? (
          <div class="test-running">
            <p role="status" class="test-phase">
              <span class="spinner" aria-hidden="true" />
              {c.phases[state.phase]}
            </p>
            <progress class="test-progress" max={1} value={state.done} aria-label={c.progress} />
            <p class="test-live" aria-hidden="true">
              {state.kbps !== undefined && (state.phase === 'download' || state.phase === 'upload') ? (
                <>
                  <Icon name={state.phase === 'download' ? 'arrowDown' : 'arrowUp'} /> {formatRate(state.kbps)}
                </>
              ) : (
                ' '
              )}
            </p>
            <Button onClick={stop}>{c.stop}</Button>
          </div>
        ) : (
          <>
            {state.kind === 'done' && <Result test={state.test} bytes={state.bytes} />}
            {state.kind === 'failed' &&
              (state.error instanceof ApiError ? <ProblemAlert problem={describe(t, state.error)} /> : <Alert kind="error">{c.failed}</Alert>)}
            {state.kind !== 'done' && <p class="muted">{c.cost(formatData(2 * TRANSFER_BUDGET))}</p>}
            <div class="test-actions">
              <Button kind="primary" icon="gauge" onClick={() => void start()}>
                {state.kind === 'idle' ? c.start : c.again}
              </Button>
            </div>
          </>
        )}
      </section>
      <section class="office-section" aria-labelledby="tests-heading">
        <h2 id="tests-heading">{c.history}</h2>
        <Loaded resource={tests}>{(list) => (list.length === 0 ? <Empty>{c.noTests}</Empty> : <History tests={list} />)}</Loaded>
      </section>
    </div>
  );
}

function ResultBadge({ verdict }: { verdict: string }) {
  const t = useOfficeT();
  const kind = verdict === 'video' ? 'badge-success' : verdict === 'data_saver' ? 'badge-warning' : 'badge-danger';
  return <span class={`badge ${kind}`}>{word(t.office.test.results, verdict)}</span>;
}

function Result({ test, bytes }: { test: Test; bytes: number }) {
  const t = useOfficeT();
  const c = t.office.test;
  return (
    <div class={`test-result test-${test.verdict}`} role="status">
      <p class="test-verdict">
        <Icon name={test.verdict === 'video' ? 'check' : 'alert'} />
        {word(c.results, test.verdict)}
      </p>
      <p>{word(c.meaning, test.verdict)}</p>
      <dl class="facts test-figures">
        <div>
          <dt>{c.down}</dt>
          <dd>{formatRate(test.down_kbps)}</dd>
        </div>
        <div>
          <dt>{c.up}</dt>
          <dd>{formatRate(test.up_kbps)}</dd>
        </div>
        <div>
          <dt>{c.rtt}</dt>
          <dd>{formatMs(test.rtt_ms)}</dd>
        </div>
        <div>
          <dt>{c.jitter}</dt>
          <dd>{formatMs(test.jitter_ms)}</dd>
        </div>
        <div>
          <dt>{c.loss}</dt>
          <dd>{formatPercent(test.loss_pct, 1)}</dd>
        </div>
      </dl>
      <p class="muted">{c.used(formatData(bytes))}</p>
    </div>
  );
}

function History({ tests }: { tests: readonly Test[] }) {
  const t = useOfficeT();
  const c = t.office.test;
  return (
    <div class="table-wrap card">
      <table class="table tests-table">
        <caption class="visually-hidden">{c.history}</caption>
        <thead>
          <tr>
            <th scope="col">{c.when}</th>
            <th scope="col">{c.result}</th>
            <th scope="col">{c.down}</th>
            <th scope="col">{c.up}</th>
            <th scope="col">{c.rtt}</th>
            <th scope="col">{c.jitter}</th>
            <th scope="col">{c.loss}</th>
          </tr>
        </thead>
        <tbody>
          {tests.map((test) => (
            <tr key={test.id}>
              <th scope="row" class="nowrap">
                {formatWhenTime(test.at)}
              </th>
              <td data-label={c.result}>
                <ResultBadge verdict={test.verdict} />
              </td>
              <td data-label={c.down} class="nowrap">
                {formatRate(test.down_kbps)}
              </td>
              <td data-label={c.up} class="nowrap">
                {formatRate(test.up_kbps)}
              </td>
              <td data-label={c.rtt} class="nowrap">
                {formatMs(test.rtt_ms)}
              </td>
              <td data-label={c.jitter} class="nowrap">
                {formatMs(test.jitter_ms)}
              </td>
              <td data-label={c.loss} class="nowrap">
                {formatPercent(test.loss_pct, 1)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
