// Starts a real `bureau serve` on 127.0.0.1 with a temporary data folder,
// reading the address and the setup link from what it prints.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { artifacts } from './paths.mjs';

const targetDir = process.env.CARGO_TARGET_DIR ?? new URL('../../target', import.meta.url).pathname;
export const BUREAU_BIN = process.env.BUREAU_BIN ?? join(targetDir, 'release', 'bureau');

/**
 * @param {{ name: string, dataDir?: string, port?: number }} options
 * `dataDir` and `port` restart a server that was stopped, on the same data.
 */
export async function startServer({ name, dataDir, port }) {
  // A port chosen here rather than port 0, so that the links bureau prints
  // (setup, invitations) name the real address, and so that a restarted
  // server comes back where the tabs expect it.
  port ??= await freePort();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'bureau-e2e-'));
  mkdirSync(artifacts, { recursive: true });
  const log = createWriteStream(join(artifacts, `server-${name}.log`), { flags: 'a' });
  const child = spawn(BUREAU_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--media-udp', '127.0.0.1:0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BUREAU_LOG: process.env.BUREAU_LOG ?? 'warn' },
  });
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    const found = { url: null, port: null, setupUrl: null };
    let settle;
    const timeout = setTimeout(() => reject(new Error(`${BUREAU_BIN} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`bureau exited early (code ${code}); see ${name}'s log`)));
    lines.on('line', (line) => {
      log.write(`[stdout] ${line}\n`);
      const serving = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
      if (serving) {
        found.port = Number(serving[1]);
        found.url = `http://127.0.0.1:${found.port}`;
        // The setup link, when there is one, follows at once.
        settle = setTimeout(() => {
          clearTimeout(timeout);
          resolve(found);
        }, 400);
      }
      const setup = /(http:\/\/\S+\/setup#\S+)/.exec(line);
      if (setup) {
        found.setupUrl = setup[1];
        if (found.url) {
          clearTimeout(settle);
          clearTimeout(timeout);
          resolve(found);
        }
      }
    });
  });
  return {
    ...info,
    dataDir: dir,
    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    /** Kills the server at once (SIGKILL): nothing is flushed or closed. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    /** Stops the server and removes its data. */
    async dispose() {
      await this.stop();
      log.end();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
