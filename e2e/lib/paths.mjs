import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
/** Screenshots, server logs and the measured budgets land here (gitignored). */
export const artifacts = join(root, 'artifacts');
