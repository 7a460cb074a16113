import { useState } from 'preact/hooks';
import { describe, type Context, type Problem } from '../api/errors';
import { useT, type Messages } from '../i18n';

/** The state of one write: whether it is under way and why it failed (in
 * the current language, even if it changes afterwards). */
export function useAction(context: Context = {}) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<((t: Messages) => Problem) | null>(null);
  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    setLocal(null);
    try {
      return await work();
    } catch (caught) {
      setError(caught ?? new Error('unknown'));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  const problem = local ? local(t) : error ? describe(t, error, context) : null;
  /** A problem found before calling the server (two passwords differ). */
  const setProblem = (found: ((t: Messages) => Problem) | null) => {
    setError(null);
    setLocal(() => found);
  };
  return { busy, problem, setProblem, run };
}

/** The message for `field` when the problem is about it. */
export function fieldError(problem: Problem | null, field: string): string | null {
  return problem?.field === field ? problem.message : null;
}
