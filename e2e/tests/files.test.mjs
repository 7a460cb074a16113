// Files as people live them, in Chromium: Alice uploads (a button, a drop,
// a whole folder), downloads, previews; an upload cut mid-way goes on where
// it stopped, even after a reload; share links for visitors without an
// account (a password, a revoked link, a drop box); the trash and its undo;
// versions; Bob sees none of it; French; a full quota said plainly; axe on
// every Files screen in both languages, both themes, desktop and phone.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
import { capture, launch, person, PHONE } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' };
const ALICE = { name: 'alice', display_name: 'Alice Moreau', password: 'alice has a long password' };
const BOB = { name: 'bob', display_name: 'Bob Durand', password: 'bob has a long password too' };

let server;
let browser;
let admin;
let aliceApi;
let aliceId;
let alice;
let bob;
let scratch;
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];

before(async () => {
  server = await startServer({ name: 'files' });
  browser = await launch();
  admin = await setupAdmin(server, ADMIN);
  aliceApi = await invitePerson(admin, ALICE);
  await invitePerson(admin, BOB);
  aliceId = (await aliceApi.get('/me')).user.id;
  alice = await person(browser);
  bob = await person(browser);
  await login(alice.page, server.url, ALICE.name, ALICE.password);
  await login(bob.page, server.url, BOB.name, BOB.password);
  scratch = mkdtempSync(join(tmpdir(), 'bureau-files-e2e-'));
});

after(async () => {
  for (const someone of [alice, bob]) someone?.assertClean();
  await browser?.close();
  await server?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---- helpers -------------------------------------------------------------------

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The bytes of a file in Alice's tree, read through the API. */
async function stored(path) {
  const cookie = [...aliceApi.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const response = await fetch(`${server.url}/api/v1/files/content?path=${encodeURIComponent(path)}&download=true`, { headers: { Cookie: cookie } });
  assert.equal(response.status, 200, `GET content of ${path}`);
  return Buffer.from(await response.arrayBuffer());
}

async function openFiles(page, folder = '/') {
  await page.goto(`${server.url}/files${folder === '/' ? '' : `?path=${encodeURIComponent(folder)}`}`);
  await page.locator('main h1').waitFor();
  await page.locator('.files-page .loading').waitFor({ state: 'detached' });
}

const row = (page, name) => page.locator('main table tbody tr', { has: page.locator('.entry-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

async function upload(page, files) {
  await page.locator('main [data-testid=upload-input]').setInputFiles(files);
}

async function uploaded(page, name) {
  await page.locator('.upload', { hasText: name }).and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
  await row(page, name).waitFor();
}

async function menu(page, name, action) {
  await row(page, name).getByRole('button', { name: new RegExp(`^(Actions for|Actions pour) `) }).click();
  await row(page, name).locator('.menu-popover').getByText(action, { exact: true }).click();
}

/** The confirmation asked on top of everything else. */
const question = (page, title) => page.locator('dialog[open]').filter({ has: page.getByRole('heading', { name: title }) });

async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync(await file.path());
}

/** A small PNG of a blue-to-pink gradient, for previews and thumbnails. */
function png(width = 96, height = 64) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (width * 3 + 1) + 1 + x * 3;
      raw[at] = 80 + Math.round((170 * x) / width);
      raw[at + 1] = 70 + Math.round((60 * y) / height);
      raw[at + 2] = 230 - Math.round((90 * x) / width);
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Bytes that are not all alike, so a chunk sent twice or in the wrong place shows. */
function noise(size, seed = 1) {
  const bytes = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes.writeUInt32LE(x, Math.min(i, size - 4));
  }
  return bytes;
}

/** A visitor: a fresh context without cookies (nobody logged in). */
async function visitor(locale = 'en-US') {
  return person(browser, { locale });
}

// ---- the tests ------------------------------------------------------------------

test('Alice uploads by button, by drop and a whole folder; sees and downloads them', { timeout: 90_000 }, async () => {
  const { page } = alice;
  await page.getByRole('link', { name: 'Files' }).first().click();
  await page.getByText('This folder is empty').waitFor();
  failures.push(...(await capture(page, 'files-empty', 'en')));

  const report = Buffer.from('Quarterly report\nRevenue: up 12 %\n');
  await upload(page, { name: 'report.txt', mimeType: 'text/plain', buffer: report });
  await uploaded(page, 'report.txt');
  assert.deepEqual(await download(page, () => menu(page, 'report.txt', 'Download')), report);

  // A drop of files onto the page (a DataTransfer as the browser makes it).
  const dropped = 'Minutes of Monday’s meeting';
  const transfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'minutes.txt', { type: 'text/plain' }));
    return dt;
  }, dropped);
  await page.dispatchEvent('.files-page', 'dragenter', { dataTransfer: transfer });
  await page.locator('.drop-overlay').waitFor();
  await page.dispatchEvent('.files-page', 'drop', { dataTransfer: transfer });
  await uploaded(page, 'minutes.txt');
  assert.equal((await stored('/minutes.txt')).toString(), dropped);

  // A whole folder, with a folder inside: the tree is made again.
  const dir = join(scratch, 'Holiday photos');
  mkdirSync(join(dir, 'Day 1'), { recursive: true });
  writeFileSync(join(dir, 'list.txt'), 'sunscreen, hats');
  writeFileSync(join(dir, 'Day 1', 'beach.png'), png());
  await page.locator('input[type=file][webkitdirectory]').setInputFiles(dir);
  await page.locator('.upload[data-state=done]', { hasText: 'list.txt' }).waitFor();
  await page.locator('.upload[data-state=done]', { hasText: 'beach.png' }).waitFor();
  await row(page, 'Holiday photos').locator('.entry-name').click();
  await page.getByRole('heading', { name: 'Holiday photos' }).waitFor();
  await row(page, 'Day 1').waitFor();
  await row(page, 'list.txt').waitFor();
  assert.deepEqual(await stored('/Holiday photos/Day 1/beach.png'), png());
  // A folder downloads as one ZIP archive holding its tree.
  const zip = await download(page, () => menu(page, 'Day 1', 'Download as ZIP'));
  assert.equal(zip.subarray(0, 2).toString(), 'PK');
  assert.ok(zip.includes(Buffer.from('Day 1/beach.png')), 'the archive names the file in its folder');
  assert.ok(zip.includes(png()), 'the archive holds the file as it is (stored)');
  // Breadcrumbs lead back up.
  await page.locator('.files-crumbs').getByRole('link', { name: 'Files' }).click();
  await row(page, 'report.txt').waitFor();

  // A folder and a file dropped from the desktop, as the system hands them
  // over (DevTools' drag events carry real paths: the folder is read through
  // webkitGetAsEntry, the tree made again).
  const trip = join(scratch, 'drop', 'Road trip');
  mkdirSync(join(trip, 'Maps'), { recursive: true });
  writeFileSync(join(trip, 'route.txt'), 'Lyon, Annecy, Chamonix');
  writeFileSync(join(trip, 'Maps', 'alps.txt'), 'Mont Blanc massif');
  writeFileSync(join(scratch, 'drop', 'tickets.txt'), 'Train tickets');
  const cdp = await page.context().newCDPSession(page);
  const box = await page.locator('.files-table').boundingBox();
  const data = { items: [], files: [trip, join(scratch, 'drop', 'tickets.txt')], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x: box.x + box.width / 2, y: box.y + box.height / 2, data });
  }
  await cdp.detach();
  await page.locator('.upload[data-state=done]', { hasText: 'alps.txt' }).waitFor();
  await uploaded(page, 'tickets.txt');
  await row(page, 'Road trip').waitFor();
  assert.equal((await stored('/Road trip/Maps/alps.txt')).toString(), 'Mont Blanc massif');
  assert.equal((await stored('/Road trip/route.txt')).toString(), 'Lyon, Annecy, Chamonix');
});

test('list, grid and preview: images show, the arrows go to the next file', { timeout: 60_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  await upload(page, [
    { name: 'sunset.png', mimeType: 'image/png', buffer: png(120, 80) },
    { name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Pack\n2. Travel\n3. Rest\n') },
  ]);
  await uploaded(page, 'sunset.png');
  await uploaded(page, 'plan.txt');
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();
  failures.push(...(await capture(page, 'files-list', 'en')));

  // Sorting by size puts the largest first, folders still first.
  await page.getByLabel('Sort by').selectOption('size:desc');
  const names = await page.locator('.files-table tbody .entry-name').allTextContents();
  assert.deepEqual(names.slice(0, 3), ['Holiday photos', 'Road trip', 'sunset.png']);

  await page.getByRole('button', { name: 'Grid' }).click();
  const thumb = page.locator('.file-card', { hasText: 'sunset.png' }).locator('img');
  await thumb.waitFor();
  // The grid shows small thumbnails, not the images themselves.
  assert.match(await thumb.getAttribute('src'), /\/api\/v1\/files\/thumbnail\?path=\/sunset\.png&size=256/);
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
  failures.push(...(await capture(page, 'files-grid', 'en')));
  // The choice is remembered.
  await page.reload();
  await page.locator('.file-grid').waitFor();
  await page.getByRole('button', { name: 'List' }).click();
  await page.getByLabel('Sort by').selectOption('name:asc');

  await row(page, 'sunset.png').locator('.entry-name').click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByRole('heading', { name: 'sunset.png' }).waitFor();
  await page.waitForFunction(() => document.querySelector('dialog[open] .preview-stage img')?.naturalWidth === 120);
  failures.push(...(await capture(page, 'files-preview', 'en')));
  await page.keyboard.press('ArrowRight');
  await dialog.getByRole('heading', { name: 'tickets.txt' }).waitFor();
  await dialog.locator('iframe').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await page.locator('dialog[open]').count(), 0);
});

test('an upload cut mid-way goes on from where the server stopped, even after a reload', { timeout: 180_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  const big = noise(20 * 1024 * 1024 + 12345, 7);
  const path = join(scratch, 'video-rushes.bin');
  writeFileSync(path, big);
  utimesSync(path, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));

  // The second chunk's request is cut: the client asks where the server
  // stands and goes on from there, not from zero.
  const offsets = [];
  let patches = 0;
  await page.route('**/api/v1/uploads/*', async (route) => {
    const request = route.request();
    if (request.method() !== 'PATCH') return route.continue();
    patches++;
    offsets.push(Number(request.headers()['upload-offset']));
    if (patches === 2) return route.abort('connectionreset');
    return route.continue();
  });
  await upload(page, path);
  await uploaded(page, 'video-rushes.bin');
  await page.unroute('**/api/v1/uploads/*');
  assert.equal(offsets[0], 0);
  assert.equal(offsets[1], 8 * 1024 * 1024, 'the second chunk starts after the first');
  assert.equal(offsets[2], 8 * 1024 * 1024, 'after the cut, it starts again where the server was, not at 0');
  assert.ok(offsets.length <= 4, `no more chunks than needed: ${offsets}`);
  assert.equal(sha(await stored('/video-rushes.bin')), sha(big));

  // Now the tab goes away after the first chunk; choosing the same file
  // again after a reload goes on from the server's offset.
  const second = join(scratch, 'backup.bin');
  const bytes = noise(18 * 1024 * 1024, 11);
  writeFileSync(second, bytes);
  utimesSync(second, new Date('2026-02-03T04:05:06Z'), new Date('2026-02-03T04:05:06Z'));
  let sent = 0;
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && ++sent > 1) return route.abort('internetdisconnected');
    return route.continue();
  });
  await upload(page, second);
  await page.locator('.upload', { hasText: 'backup.bin' }).and(page.locator('[data-state=waiting]')).waitFor({ timeout: 30_000 });
  // The cutting route stays until the page has reloaded: a retry between
  // the unroute and the reload would otherwise send part of a chunk.
  await page.reload();
  await page.locator('main h1').waitFor();
  await page.getByText('Unfinished uploads from earlier').waitFor();
  await page.unroute('**/api/v1/uploads/*');
  const resumedFrom = [];
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') resumedFrom.push(Number(route.request().headers()['upload-offset']));
    if (route.request().method() === 'POST') resumedFrom.push('POST');
    return route.continue();
  });
  await upload(page, second);
  await page.locator('.upload[data-state=done]', { hasText: 'backup.bin' }).getByText('resumed where it stopped').waitFor({ timeout: 60_000 });
  await page.unroute('**/api/v1/uploads/*');
  assert.equal(resumedFrom[0], 8 * 1024 * 1024, `it went on from the server's offset: ${resumedFrom}`);
  assert.ok(!resumedFrom.includes('POST'), 'no new upload was created');
  assert.equal(sha(await stored('/backup.bin')), sha(bytes));
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();

  // The line goes away for a while (a tunnel): the upload says so, waits,
  // and goes on by itself when the browser is back online.
  const tunnel = noise(17 * 1024 * 1024, 13);
  let chunks = 0;
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && ++chunks === 2) {
      await page.context().setOffline(true);
      return route.abort('internetdisconnected');
    }
    return route.continue();
  });
  await upload(page, { name: 'tunnel.bin', mimeType: 'application/octet-stream', buffer: tunnel });
  const waiting = page.locator('.upload[data-state=waiting]', { hasText: 'tunnel.bin' });
  await waiting.getByText('Connection lost: trying again…').waitFor();
  await page.waitForTimeout(1500);
  await page.context().setOffline(false);
  await uploaded(page, 'tunnel.bin');
  await page.unroute('**/api/v1/uploads/*');
  assert.equal(sha(await stored('/tunnel.bin')), sha(tunnel));

  // The last chunk arrives but its answer is lost: the upload is gone from
  // the server, the file is there; nothing is sent again.
  const third = noise(9 * 1024 * 1024, 5);
  const posts = [];
  await page.route('**/api/v1/uploads**', async (route) => {
    const request = route.request();
    if (request.method() === 'POST') posts.push(request.url());
    if (request.method() === 'PATCH' && Number(request.headers()['upload-offset']) > 0) {
      const answer = await route.fetch();
      assert.equal(answer.status(), 204);
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await upload(page, { name: 'last-answer-lost.bin', mimeType: 'application/octet-stream', buffer: third });
  await uploaded(page, 'last-answer-lost.bin');
  await page.unroute('**/api/v1/uploads**');
  assert.equal(posts.length, 1, 'the upload was not started again');
  assert.equal(sha(await stored('/last-answer-lost.bin')), sha(third));
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();
});

test('an upload can be paused, resumed and cancelled', { timeout: 90_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  const deletes = [];
  // Each chunk waits a little, as on a slow line, so there is time to act.
  await page.route('**/api/v1/uploads/*', async (route) => {
    const request = route.request();
    if (request.method() === 'DELETE') deletes.push(request.url());
    if (request.method() === 'PATCH') await new Promise((r) => setTimeout(r, 1200));
    await route.continue().catch(() => {});
  });
  const bytes = noise(17 * 1024 * 1024, 21);
  await upload(page, { name: 'slow-line.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const line = page.locator('.upload', { hasText: 'slow-line.bin' });
  await line.and(page.locator('[data-state=uploading]')).waitFor();
  await line.getByRole('button', { name: 'Pause slow-line.bin' }).click();
  await line.and(page.locator('[data-state=paused]')).waitFor();
  await line.getByText('Paused').waitFor();
  await line.getByRole('button', { name: 'Resume slow-line.bin' }).click();
  await line.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
  assert.equal(sha(await stored('/slow-line.bin')), sha(bytes));

  await upload(page, { name: 'never-mind.bin', mimeType: 'application/octet-stream', buffer: noise(17 * 1024 * 1024, 22) });
  const other = page.locator('.upload', { hasText: 'never-mind.bin' });
  await other.and(page.locator('[data-state=uploading]')).waitFor();
  await other.getByRole('button', { name: 'Cancel never-mind.bin' }).click();
  await other.getByText('Cancelled').waitFor();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(deletes.length, 1, 'the server is told to forget it');
  await page.unroute('**/api/v1/uploads/*');
  assert.ok(!(await aliceApi.get('/files/list?path=/')).entries.some((e) => e.name === 'never-mind.bin'));
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();
});

test('the keyboard reaches the actions of a file', { timeout: 30_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  const button = row(page, 'report.txt').getByRole('button', { name: 'Actions for report.txt' });
  await button.focus();
  await page.keyboard.press('Enter');
  const menuList = row(page, 'report.txt').locator('.menu-popover');
  await menuList.waitFor();
  // Focus moves once the menu is drawn: wait for it to land (it fails
  // after the timeout if it never does).
  const focused = (text) => page.waitForFunction((want) => document.activeElement?.textContent === want, text, { timeout: 5000 });
  await focused('Preview');
  await page.keyboard.press('ArrowDown');
  await focused('Download');
  await page.keyboard.press('Escape');
  await menuList.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Actions for report.txt', null, { timeout: 5000 });
  // Space ticks a box; Escape clears the selection.
  await row(page, 'report.txt').getByRole('checkbox').focus();
  await page.keyboard.press('Space');
  await page.getByText('1 item selected').waitFor();
  await page.keyboard.press('Escape');
  await page.getByText('1 item selected').waitFor({ state: 'detached' });
});

test('every action of the last file is in sight, in a short window too', { timeout: 30_000 }, async () => {
  const { page } = alice;
  const size = page.viewportSize();
  try {
    await page.setViewportSize({ width: 1100, height: 520 });
    await openFiles(page);
    const last = page.locator('main table tbody tr').last();
    await last.scrollIntoViewIfNeeded();
    await last.getByRole('button', { name: /^Actions for / }).click();
    const items = last.locator('.menu-popover .menu-item');
    await items.first().waitFor();
    const count = await items.count();
    assert.ok(count >= 4, `only ${count} actions`);
    for (let n = 0; n < count; n++) {
      // What a click at the middle of the action would reach: the action
      // itself, not the table's edge that cut it off, nor the page below.
      const reached = await items.nth(n).evaluate((item) => {
        const box = item.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return { inside: !!hit && item.contains(hit), text: item.textContent, bottom: box.bottom, height: innerHeight };
      });
      assert.ok(reached.inside, `"${reached.text}" is hidden (bottom ${reached.bottom} of ${reached.height})`);
    }
    await page.keyboard.press('Escape');
    await last.locator('.menu-popover').waitFor({ state: 'detached' });
  } finally {
    await page.setViewportSize(size);
  }
});

test('share links: a visitor downloads; a password is asked; a revoked link says so; a drop box shows nothing', { timeout: 120_000 }, async () => {
  const { page } = alice;
  await openFiles(page);

  // A plain link to a file.
  await menu(page, 'report.txt', 'Share');
  const dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: 'Make the link' }).click();
  await dialog.getByText('Copy it now').waitFor();
  const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
  assert.match(link, /\/s#.+/);
  failures.push(...(await capture(page, 'files-share', 'en')));
  await dialog.getByRole('button', { name: 'Close' }).last().click();

  const stranger = await visitor();
  await stranger.page.goto(link);
  await stranger.page.getByRole('heading', { name: 'report.txt' }).waitFor();
  assert.equal(await stranger.page.locator('.sidebar').count(), 0, 'no app around it');
  failures.push(...(await capture(stranger.page, 'share-visitor-file', 'en')));
  const got = await download(stranger.page, () => stranger.page.getByRole('link', { name: 'Download' }).click());
  assert.deepEqual(got, await stored('/report.txt'));

  // A link with a password and a download limit, to a folder.
  await menu(page, 'Holiday photos', 'Share');
  await dialog.getByLabel('Password (optional)').fill('sea and sun');
  await dialog.getByLabel('Download limit (optional)').fill('5');
  await dialog.getByRole('button', { name: 'Make the link' }).click();
  const secretLink = await dialog.getByLabel('Link', { exact: true }).inputValue();
  await dialog.getByRole('button', { name: 'Make another link' }).click();
  await dialog.locator('.share-list li', { hasText: 'Password' }).getByText('0 of 5 downloads').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await stranger.page.goto('about:blank');
  await stranger.page.goto(secretLink);
  await stranger.page.getByRole('heading', { name: 'This link has a password' }).waitFor();
  failures.push(...(await capture(stranger.page, 'share-visitor-password', 'en')));
  await stranger.page.getByLabel('Password').fill('wrong guess');
  await stranger.page.getByRole('button', { name: 'Open' }).click();
  await stranger.page.getByText('This password is not the right one.').waitFor();
  await stranger.page.getByLabel('Password').fill('sea and sun');
  await stranger.page.getByRole('button', { name: 'Open' }).click();
  await stranger.page.getByRole('heading', { name: 'Holiday photos' }).waitFor();
  await stranger.page.getByRole('button', { name: 'Day 1' }).click();
  await stranger.page.getByRole('button', { name: 'beach.png' }).waitFor();
  failures.push(...(await capture(stranger.page, 'share-visitor-folder', 'en')));
  const beach = await download(stranger.page, () => stranger.page.getByRole('link', { name: 'Download beach.png' }).click());
  assert.deepEqual(beach, png());

  // Revoked: the link says it does not exist any more.
  await menu(page, 'report.txt', 'Share');
  await dialog.locator('.share-list li').first().getByRole('button', { name: 'Revoke' }).click();
  await question(page, 'Revoke this link?').getByRole('button', { name: 'Revoke', exact: true }).click();
  await dialog.getByText('No links yet.').waitFor();
  await page.keyboard.press('Escape');
  await stranger.page.goto('about:blank');
  await stranger.page.goto(link);
  await stranger.page.getByText('This link does not exist, has expired or was revoked.').waitFor();
  failures.push(...(await capture(stranger.page, 'share-visitor-gone', 'en')));

  // A drop box: the visitor adds a file and sees nothing of the folder.
  await page.getByRole('button', { name: 'New folder' }).click();
  await page.locator('dialog[open]').getByLabel('Name of the folder').fill('Inbox');
  await page.locator('dialog[open]').getByRole('button', { name: 'Create' }).click();
  await row(page, 'Inbox').waitFor();
  await aliceApi.post('/files/copy', { from: '/report.txt', to: '/Inbox/private-notes.txt' });
  await menu(page, 'Inbox', 'Share');
  await dialog.getByLabel('Only add files (drop box)').check();
  await dialog.getByRole('button', { name: 'Make the link' }).click();
  const dropLink = await dialog.getByLabel('Link', { exact: true }).inputValue();
  await page.keyboard.press('Escape');
  await stranger.page.goto('about:blank');
  await stranger.page.goto(dropLink);
  await stranger.page.getByRole('heading', { name: 'Send files to “Inbox”' }).waitFor();
  assert.equal(await stranger.page.getByText('private-notes.txt').count(), 0, 'a drop box shows nothing');
  await stranger.page.locator('.drop-zone input[type=file]').setInputFiles({ name: 'invoice-042.txt', mimeType: 'text/plain', buffer: Buffer.from('Invoice 042: 1,200 EUR') });
  await stranger.page.locator('.upload[data-state=done]', { hasText: 'invoice-042.txt' }).waitFor();
  assert.equal(await stranger.page.getByText('private-notes.txt').count(), 0);
  failures.push(...(await capture(stranger.page, 'share-visitor-drop', 'en')));
  assert.equal((await stored('/Inbox/invoice-042.txt')).toString(), 'Invoice 042: 1,200 EUR');

  // A link that lets visitors add files: they see the folder and what they add.
  const writable = await aliceApi.post('/files/shares', { path: '/Holiday photos', mode: 'write' });
  await stranger.page.goto('about:blank');
  await stranger.page.goto(writable.url);
  await stranger.page.getByText('and add your own files').waitFor();
  await stranger.page.getByRole('button', { name: 'list.txt' }).waitFor();
  await stranger.page.locator('.drop-zone input[type=file]').setInputFiles({ name: 'from-guest.txt', mimeType: 'text/plain', buffer: Buffer.from('Thanks for the photos!') });
  await stranger.page.locator('.upload[data-state=done]', { hasText: 'from-guest.txt' }).waitFor();
  await stranger.page.getByRole('button', { name: 'from-guest.txt' }).waitFor();
  failures.push(...(await capture(stranger.page, 'share-visitor-write', 'en')));
  assert.equal((await stored('/Holiday photos/from-guest.txt')).toString(), 'Thanks for the photos!');
  stranger.assertClean();
  await stranger.close();
});

test('delete goes to the trash: undo, and put back from the trash', { timeout: 60_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  await menu(page, 'plan.txt', 'Delete');
  await page.locator('.toast', { hasText: '“plan.txt” moved to the trash.' }).getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Put back.' }).waitFor();
  await row(page, 'plan.txt').waitFor();

  // Select two with a checkbox and shift-click, delete with the bar.
  await row(page, 'minutes.txt').getByRole('checkbox').click();
  await row(page, 'plan.txt').getByRole('checkbox').click({ modifiers: ['Shift'] });
  await page.getByText('2 items selected').waitFor();
  await page.locator('.selection-bar').getByRole('button', { name: 'Delete' }).click();
  await page.locator('.toast', { hasText: '2 items moved to the trash.' }).waitFor();
  await row(page, 'plan.txt').waitFor({ state: 'detached' });
  await row(page, 'minutes.txt').waitFor({ state: 'detached' });

  await page.getByRole('link', { name: 'Trash' }).click();
  await page.getByRole('heading', { name: 'Trash' }).waitFor();
  await row(page, 'plan.txt').waitFor();
  failures.push(...(await capture(page, 'files-trash', 'en')));
  await row(page, 'plan.txt').getByRole('button', { name: 'Put back plan.txt' }).click();
  await page.locator('.toast', { hasText: '“plan.txt” is back in Files.' }).waitFor();
  await row(page, 'plan.txt').waitFor({ state: 'detached' });
  await row(page, 'minutes.txt').getByRole('button', { name: 'Delete for good: minutes.txt' }).click();
  await question(page, 'Delete “minutes.txt” for good?').getByRole('button', { name: 'Delete for good', exact: true }).click();
  await page.getByText('The trash is empty.').first().waitFor();
  await page.getByRole('link', { name: 'All files' }).click();
  await row(page, 'plan.txt').waitFor();
  assert.equal(await row(page, 'minutes.txt').count(), 0);
});

test('uploading the same name again keeps the earlier content as a version, which can come back', { timeout: 60_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  await upload(page, { name: 'budget.txt', mimeType: 'text/plain', buffer: Buffer.from('Budget v1: 10,000') });
  await uploaded(page, 'budget.txt');
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();
  await upload(page, { name: 'budget.txt', mimeType: 'text/plain', buffer: Buffer.from('Budget v2: 12,500 (revised)') });
  await page.locator('.upload[data-state=done]', { hasText: 'budget.txt' }).waitFor();
  assert.equal((await stored('/budget.txt')).toString(), 'Budget v2: 12,500 (revised)');

  await menu(page, 'budget.txt', 'Versions');
  const dialog = page.locator('dialog[open]');
  await dialog.getByRole('heading', { name: 'Versions of “budget.txt”' }).waitFor();
  const earlier = dialog.locator('.version-list li:not(.version-current)');
  await earlier.first().waitFor();
  assert.equal(await earlier.count(), 1);
  failures.push(...(await capture(page, 'files-versions', 'en')));
  const old = await download(page, () => earlier.getByRole('link').click());
  assert.equal(old.toString(), 'Budget v1: 10,000');
  await earlier.getByRole('button', { name: /^Restore the version of/ }).click();
  await question(page, 'Restore this version?').getByRole('button', { name: 'Restore', exact: true }).click();
  await page.locator('.toast', { hasText: 'is the current one again' }).waitFor();
  assert.equal((await stored('/budget.txt')).toString(), 'Budget v1: 10,000');
  // What it held before the restore is kept in turn.
  const kept = await download(page, () => dialog.locator('.version-list li:not(.version-current)').first().getByRole('link').click());
  assert.equal(kept.toString(), 'Budget v2: 12,500 (revised)');
  await dialog.getByRole('button', { name: 'Close' }).last().click();
});

test('rename, move and copy through the folder picker; a name already taken is said so', { timeout: 60_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  await menu(page, 'plan.txt', 'Rename');
  let dialog = page.locator('dialog[open]');
  await dialog.getByLabel('New name').fill('travel-plan.txt');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await row(page, 'travel-plan.txt').waitFor();
  assert.equal(await row(page, 'plan.txt').count(), 0);

  await row(page, 'travel-plan.txt').getByRole('checkbox').click();
  await page.locator('.selection-bar').getByRole('button', { name: 'Move' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByRole('heading', { name: 'Move “travel-plan.txt” to…' }).waitFor();
  await dialog.getByRole('button', { name: 'Holiday photos' }).click();
  await dialog.getByRole('button', { name: 'Day 1' }).waitFor();
  failures.push(...(await capture(page, 'files-move', 'en')));
  await dialog.getByRole('button', { name: 'Move here' }).click();
  await page.locator('.toast', { hasText: 'Moved to Holiday photos.' }).waitFor();
  await row(page, 'travel-plan.txt').waitFor({ state: 'detached' });
  assert.ok((await aliceApi.get('/files/list?path=/Holiday%20photos')).entries.some((e) => e.name === 'travel-plan.txt'));

  await menu(page, 'report.txt', 'Copy');
  dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: 'Inbox' }).click();
  await dialog.getByRole('button', { name: 'Copy here' }).click();
  await page.locator('.toast', { hasText: 'Copied to Inbox.' }).waitFor();
  assert.deepEqual(await stored('/Inbox/report.txt'), await stored('/report.txt'));

  await page.getByRole('button', { name: 'New folder' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Name of the folder').fill('Inbox');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByText('Something with this name is there already.').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('Bob sees none of Alice’s files', { timeout: 60_000 }, async () => {
  const { page } = bob;
  await openFiles(page);
  await page.getByText('This folder is empty').waitFor();
  assert.equal(await page.locator('.entry-name', { hasText: 'report.txt' }).count(), 0);
  await page.getByLabel('Search files by name').fill('report');
  await page.getByLabel('Search files by name').press('Enter');
  await page.getByText('No file or folder has a name like this.').waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/v1/files/content?path=/report.txt')).status);
  assert.equal(status, 404);
  // Alice finds hers by name.
  await alice.page.getByLabel('Search files by name').fill('beach');
  await alice.page.getByLabel('Search files by name').press('Enter');
  await row(alice.page, 'beach.png').getByRole('link', { name: 'Holiday photos/Day 1' }).waitFor();
  failures.push(...(await capture(alice.page, 'files-search', 'en')));
});

test('sharing inside the company: Bob finds the folder at the top of his files', { timeout: 60_000 }, async () => {
  const { page } = alice;
  await openFiles(page);
  await menu(page, 'Road trip', 'Share');
  const dialog = page.locator('dialog[open]');
  await dialog.getByText('Shared with nobody in the company yet.').waitFor();
  await dialog.getByLabel('Group or person to share Road trip with').selectOption({ label: `${BOB.display_name} (@bob)` });
  await dialog.getByRole('button', { name: 'Give access' }).click();
  await dialog.locator('.grant-list', { hasText: BOB.display_name }).waitFor();
  failures.push(...(await capture(page, 'files-share-people', 'en')));
  await page.keyboard.press('Escape');

  await openFiles(bob.page);
  await row(bob.page, 'Road trip').getByText('Shared with you').waitFor();
  await row(bob.page, 'Road trip').getByRole('button', { name: 'Actions for Road trip' }).click();
  const items = await row(bob.page, 'Road trip').locator('.menu-item').allTextContents();
  assert.ok(!items.includes('Delete') && !items.includes('Rename') && !items.includes('Move'), `the top of a share stays put: ${items}`);
  await bob.page.keyboard.press('Escape');
  await row(bob.page, 'Road trip').locator('.entry-name').click();
  await row(bob.page, 'route.txt').waitFor();
  assert.equal(await bob.page.evaluate(async () => (await fetch('/api/v1/files/content?path=/Road%20trip/route.txt')).text()), 'Lyon, Annecy, Chamonix');
});

test('a full space says so when an upload does not fit', { timeout: 60_000 }, async () => {
  const { page } = alice;
  const used = (await aliceApi.get('/files/list?path=/')).usage.used;
  await admin.put(`/files/people/${aliceId}/quota`, { quota: used + 1000 });
  await openFiles(page);
  await page.locator('.usage progress').waitFor();
  await upload(page, { name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: noise(5000, 3) });
  const line = page.locator('.upload[data-state=failed]', { hasText: 'too-big.bin' });
  await line.getByText('This space is full').waitFor();
  failures.push(...(await capture(page, 'files-full', 'en')));
  await admin.put(`/files/people/${aliceId}/quota`, { quota: null });
  await line.getByRole('button', { name: 'Try too-big.bin again' }).click();
  await uploaded(page, 'too-big.bin');
  await page.getByRole('button', { name: 'Clear the finished uploads' }).click();
});

test('team folders: an admin makes one and grants it; it shows in Alice’s files', { timeout: 60_000 }, async () => {
  const staff = await person(browser);
  await login(staff.page, server.url, ADMIN.name, ADMIN.password);
  await staff.page.goto(`${server.url}/admin/teams`);
  await staff.page.getByRole('heading', { name: 'Team folders' }).first().waitFor();
  await staff.page.getByLabel('Name of the folder').fill('Sales');
  await staff.page.locator('#new-team-quota').fill('2');
  await staff.page.getByRole('button', { name: 'Create the folder' }).click();
  const card = staff.page.locator('.group-card', { hasText: 'Sales' });
  await card.waitFor();
  await card.getByLabel('Group or person to give access to Sales').selectOption({ label: `${ALICE.display_name} (@alice)` });
  await card.getByRole('button', { name: 'Give access' }).click();
  await card.locator('.grant-list', { hasText: ALICE.display_name }).waitFor();
  failures.push(...(await capture(staff.page, 'admin-teams', 'en')));
  await setLanguage(staff.page, 'fr');
  await staff.page.getByRole('heading', { name: 'Dossiers d’équipe' }).first().waitFor();
  failures.push(...(await capture(staff.page, 'admin-teams', 'fr')));
  await setLanguage(staff.page, 'en');

  const { page } = alice;
  await openFiles(page);
  await row(page, 'Sales').locator('.badge', { hasText: 'Team' }).waitFor();
  await row(page, 'Sales').locator('.entry-name').click();
  await page.getByText('0 bytes used of 2 GB').waitFor();
  await upload(page, { name: 'prices.txt', mimeType: 'text/plain', buffer: Buffer.from('Price list 2027') });
  await uploaded(page, 'prices.txt');

  // Bob may only read Sales: he sees it, and nothing that would change it.
  const team = (await admin.get('/files/teams')).find((x) => x.name === 'Sales');
  const bobId = (await admin.get('/users')).find((u) => u.name === 'bob').id;
  await admin.put(`/files/teams/${team.id}/access`, { user_id: bobId, access: 'read' });
  await openFiles(bob.page, '/Sales');
  await row(bob.page, 'prices.txt').waitFor();
  await bob.page.getByText('Read only').waitFor();
  assert.equal(await bob.page.getByRole('button', { name: 'Upload files' }).count(), 0);
  assert.equal(await bob.page.getByRole('button', { name: 'New folder' }).count(), 0);
  await row(bob.page, 'prices.txt').getByRole('button', { name: 'Actions for prices.txt' }).click();
  const items = await row(bob.page, 'prices.txt').locator('.menu-item').allTextContents();
  assert.ok(items.includes('Download') && !items.includes('Delete') && !items.includes('Rename') && !items.includes('Move'), `read-only actions: ${items}`);
  await bob.page.keyboard.press('Escape');
  failures.push(...(await capture(bob.page, 'files-read-only', 'en')));

  // The admin changes the quota and takes Bob's access away.
  await staff.page.reload();
  const sales = staff.page.locator('.group-card', { hasText: 'Sales' });
  await sales.getByLabel('Quota').fill('500');
  await sales.getByLabel('Unit').selectOption('MB');
  await sales.getByRole('button', { name: 'Save' }).click();
  await staff.page.locator('.toast', { hasText: 'Quota of “Sales” saved.' }).waitFor();
  await sales.getByText('15 bytes used of 500 MB').waitFor();
  await sales.getByRole('button', { name: `Take access away from ${BOB.display_name}` }).click();
  await sales.locator('.grant-list', { hasText: BOB.display_name }).waitFor({ state: 'detached' });
  await openFiles(bob.page);
  assert.equal(await row(bob.page, 'Sales').count(), 0, 'Bob no longer sees Sales');
  staff.assertClean();
  await staff.close();
});

test('the Files screens in French, and on a phone', { timeout: 120_000 }, async () => {
  const { page } = alice;
  await setLanguage(page, 'fr');
  await openFiles(page);
  await page.getByRole('heading', { name: 'Fichiers' }).waitFor();
  await page.getByRole('button', { name: 'Envoyer des fichiers' }).waitFor();
  await page.getByRole('link', { name: 'Tous les fichiers' }).waitFor();
  failures.push(...(await capture(page, 'files-list', 'fr')));
  await upload(page, { name: 'compte-rendu.txt', mimeType: 'text/plain', buffer: Buffer.from('Réunion du lundi') });
  await page.locator('.upload[data-state=done]', { hasText: 'compte-rendu.txt' }).getByText('Envoyé').waitFor();
  await menu(page, 'compte-rendu.txt', 'Partager');
  await page.locator('dialog[open]').getByRole('heading', { name: 'Partager « compte-rendu.txt »' }).waitFor();
  await page.locator('dialog[open]').getByRole('button', { name: 'Créer le lien' }).click();
  await page.locator('dialog[open]').getByText('Copiez-le maintenant').waitFor();
  const link = await page.locator('dialog[open]').getByLabel('Lien', { exact: true }).inputValue();
  failures.push(...(await capture(page, 'files-share', 'fr')));
  await page.keyboard.press('Escape');
  await menu(page, 'compte-rendu.txt', 'Supprimer');
  await page.locator('.toast', { hasText: '« compte-rendu.txt » mis à la corbeille.' }).getByRole('button', { name: 'Annuler' }).waitFor();
  await page.getByRole('link', { name: 'Corbeille' }).click();
  await row(page, 'compte-rendu.txt').getByRole('button', { name: 'Remettre en place compte-rendu.txt' }).waitFor();
  failures.push(...(await capture(page, 'files-trash', 'fr')));
  await page.getByRole('link', { name: 'Tous les fichiers' }).click();
  await page.getByRole('button', { name: 'Grille' }).click();
  await page.locator('.file-grid').waitFor();
  failures.push(...(await capture(page, 'files-grid', 'fr')));
  await page.getByRole('button', { name: 'Liste' }).click();

  // The visitor's page follows the visitor's browser language.
  const stranger = await visitor('fr-FR');
  await stranger.page.goto(link);
  await stranger.page.getByText('Ce lien n’existe pas, a expiré ou a été révoqué.').waitFor();
  failures.push(...(await capture(stranger.page, 'share-visitor-gone', 'fr')));
  await stranger.close();

  // A phone, in both languages.
  const phone = await person(browser, { viewport: PHONE });
  await login(phone.page, server.url, ALICE.name, ALICE.password);
  for (const lang of ['fr', 'en']) {
    await setLanguage(phone.page, lang);
    await openFiles(phone.page);
    await row(phone.page, 'report.txt').waitFor();
    failures.push(...(await capture(phone.page, 'phone-files', lang)));
    await row(phone.page, 'report.txt').getByRole('checkbox').click();
    failures.push(...(await capture(phone.page, 'phone-files-selected', lang)));
    await phone.page.keyboard.press('Escape');
  }
  phone.assertClean();
  await phone.close();
  await setLanguage(page, 'en');
});

test('no serious or critical axe violation on any Files screen', () => {
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

