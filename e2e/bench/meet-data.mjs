// Data a meeting costs one participant, per data mode: three people in
// Debian's Chromium (each its own browser, camera a test pattern, microphone
// a speech file in which they talk one after the other), two minutes in the
// call, the WebRTC transport's bytes sent plus received from getStats(),
// as megabytes per hour. Run by `cargo xtask bench meet`.
//
// The peer figure is Zoom's published ~540 MB/h at 480p (support article
// "Video conferencing bandwidth"): a published number, not measured here.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login } from '../lib/app.mjs';
import { launchWithDevices, person } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

// MEET_DATA_SECONDS and MEET_DATA_MODES (comma-separated) shorten a run.
const SECONDS = Number(process.env.MEET_DATA_SECONDS ?? 120);
const PASSWORD = 'correct horse battery';
const TARGETS = { 'audio-only': 25, 'data-saver': 150, normal: null };
const ZOOM_480P_MB_PER_HOUR = 540;
const LINES = [
  'Good morning everyone. Let us go through the week. The client meeting moved to Thursday, and the invoices for October are ready to send.',
  'Thanks. On my side the new laptops arrived, two of them are still in their boxes, and the fourth key for the sales team is on its way.',
  'Fine. I will update the procedure in the wiki tonight, and share the file with the accountant before Friday, so she can close the month.',
];

/** A speech file where person `index` of three talks during their third of each minute. */
function speechFile(dir, index) {
  const raw = join(dir, `raw-${index}.wav`);
  const out = join(dir, `speech-${index}.wav`);
  execFileSync('espeak-ng', ['-v', 'en', '-s', '140', '-w', raw, `${LINES[index]} ${LINES[index]}`]);
  const slot = 20;
  // Silence before their turn, their words (at most one turn long), silence after.
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', out, 'trim', '0', String(slot - 2), 'pad', String(index * slot), '0']);
  execFileSync('sox', [out, join(dir, `minute-${index}.wav`), 'pad', '0', String(60), 'trim', '0', '60']);
  return join(dir, `minute-${index}.wav`);
}

async function measure(server, meeting, mode, files) {
  const browsers = [];
  const pages = [];
  try {
    for (const [i, name] of ['ana', 'ben', 'cleo'].entries()) {
      const browser = await launchWithDevices([`--use-file-for-fake-audio-capture=${files[i]}`]);
      browsers.push(browser);
      const p = await person(browser);
      await login(p.page, server.url, name, PASSWORD);
      await p.page.goto(`${server.url}/meet/${meeting.id}`);
      await p.page.getByLabel('Data use').selectOption(mode);
      await p.page.getByRole('button', { name: 'Join', exact: true }).click();
      await p.page.locator('.meet-room').waitFor();
      pages.push(p.page);
    }
    const bytes = (page) =>
      page.evaluate(async () => {
        let total = 0;
        (await window.bureauCall.stats())?.forEach((s) => {
          if (s.type === 'transport') total += (s.bytesSent ?? 0) + (s.bytesReceived ?? 0);
        });
        return total;
      });
    // Settle: everyone connected and the layers chosen.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const start = await Promise.all(pages.map(bytes));
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const end = await Promise.all(pages.map(bytes));
    const seconds = (Date.now() - started) / 1000;
    return end.map((b, i) => ((b - start[i]) / seconds) * 3600 / 1e6);
  } finally {
    for (const page of pages) await page.evaluate(() => window.bureauCall?.leave()).catch(() => {});
    for (const browser of browsers) await browser.close().catch(() => {});
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'bureau-meet-data-'));
const files = [0, 1, 2].map((i) => speechFile(dir, i));
const server = await startServer({ name: 'bench-meet-data' });
try {
  const admin = await setupAdmin(server, { name: 'ana', display_name: 'Ana', password: PASSWORD });
  const ids = [];
  for (const name of ['ben', 'cleo']) {
    const client = await invitePerson(admin, { name, display_name: name, password: PASSWORD });
    ids.push((await client.get('/me')).user.id);
  }
  const meeting = await admin.post('/meetings', { title: 'Data use', invitees: ids });
  console.log(`Meeting data use: 3 people in Chromium, ${SECONDS} s in the call per mode, transport bytes sent + received per person.`);
  console.log('mode         MB/h per person (median of 3; each)        target   Zoom 480p (published)   ratio Zoom/bureau');
  const modes = (process.env.MEET_DATA_MODES ?? 'audio-only,data-saver,normal').split(',');
  for (const mode of modes) {
    const each = await measure(server, meeting, mode, files);
    const m = median(each);
    const target = TARGETS[mode];
    console.log(
      `${mode.padEnd(12)} ${m.toFixed(1).padStart(7)} (${each.map((v) => v.toFixed(1)).join(', ')})`.padEnd(56) +
        `${target === null ? '-' : `<= ${target}`}`.padEnd(9) +
        `${ZOOM_480P_MB_PER_HOUR}`.padEnd(24) +
        `${(ZOOM_480P_MB_PER_HOUR / m).toFixed(2)}x` +
        (target !== null ? (m <= target ? '  (target met)' : '  (TARGET MISSED)') : ''),
    );
  }
} finally {
  await server.dispose();
}
