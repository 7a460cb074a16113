// The Docs block editor's richer blocks, in Chromium: Camille and Léa write
// the same page while Tom (a reader) watches. Images go in through the
// slash menu, a paste and a drop, and show for the co-editor and behind a
// public link; a file card downloads the very bytes sent; Tom cannot add
// any. "@" mentions a person and a page, whose chip opens it. A block
// dragged by its handle moves for both editors. An edit typed offline
// survives a reload and reaches the others once the connection is back,
// and outlives a session that ended meanwhile until the next login.
// Screens in light and dark, on a desktop and a phone; no CSP violation.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import * as Y from 'yjs';
import { Client, invitePerson, setupAdmin } from '../lib/api.mjs';
import { login } from '../lib/app.mjs';
import { capture, launch, person, PHONE, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const CAMILLE = { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' };
const LEA = { name: 'lea', display_name: 'Léa Dubois', password: 'léa loves long passwords' };
const TOM = { name: 'tom', display_name: 'Tom Baker', password: 'tom reads but never writes' };
const ZOE = { name: 'zoe', display_name: 'Zoé Lefèvre', password: 'zoé écrit en français', locale: 'fr' };

let server;
let browser;
let admin;
let space;
let camille;
let lea;
let tom;
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];

before(async () => {
  server = await startServer({ name: 'docs-editor' });
  browser = await launch();
  admin = await setupAdmin(server, CAMILLE);
  const leaApi = await invitePerson(admin, LEA);
  const tomApi = await invitePerson(admin, TOM);
  const zoeApi = await invitePerson(admin, ZOE);
  const leaId = (await leaApi.get('/me')).user.id;
  const tomId = (await tomApi.get('/me')).user.id;
  space = await admin.post('/spaces', { name: 'Travel', icon: '🧳' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: leaId, role: 'write' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: tomId, role: 'read' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: (await zoeApi.get('/me')).user.id, role: 'write' });
  camille = await person(browser);
  lea = await person(browser);
  tom = await person(browser);
  await login(camille.page, server.url, CAMILLE.name, CAMILLE.password);
  await login(lea.page, server.url, LEA.name, LEA.password);
  await login(tom.page, server.url, TOM.name, TOM.password);
});

after(async () => {
  for (const someone of [camille, lea, tom]) someone?.assertClean();
  await browser?.close();
  await server?.dispose();
});

// ---- helpers -------------------------------------------------------------------

const editor = (page) => page.locator('.doc-content');

async function newPage(title) {
  return admin.post('/pages', { space_id: space.id, title, icon: '' });
}

/** Opens a page and waits until its content is synced. */
async function open(page, id) {
  await page.goto(`${server.url}/docs/${id}`);
  await editor(page).waitFor();
  await page.locator('.doc-status[data-status="saved"]').waitFor();
}

/** The text of the editor, without other people's caret labels. */
function text(page) {
  return editor(page).evaluate((el) => {
    const copy = el.cloneNode(true);
    for (const caret of copy.querySelectorAll('.collab-caret')) caret.remove();
    return copy.textContent;
  });
}

async function waitFor(what, check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${what} never happened`);
}

async function waitForText(page, pattern) {
  let last = '';
  await waitFor(`the editor showing ${pattern}`, async () => {
    last = await text(page);
    return pattern.test(last);
  }).catch(() => {
    throw new Error(`the editor never showed ${pattern}; it shows “${last}”`);
  });
  return last;
}

/** The page as the server exports it. */
async function markdown(id) {
  const response = await fetch(`${server.url}/api/v1/pages/${id}/export?format=markdown`, {
    headers: { Cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  assert.equal(response.status, 200);
  return response.text();
}

async function waitForMarkdown(id, pattern) {
  let md = '';
  await waitFor(`the server storing ${pattern}`, async () => {
    md = await markdown(id);
    return pattern.test(md);
  }).catch(() => {
    throw new Error(`the server never stored ${pattern}; it has “${md}”`);
  });
  return md;
}

/** Types at the end of the page, in a new paragraph. */
/** Takes someone's browser offline, waits for the editor to say so, and
 * types at the end of the page (given time to reach IndexedDB). */
async function typeOffline(someone, keys) {
  await someone.context.setOffline(true);
  await someone.page.locator('.doc-status[data-status="offline"]').waitFor({ timeout: 20_000 });
  await typeAtEnd(someone.page, keys);
  await someone.page.waitForTimeout(1500);
}

async function typeAtEnd(page, keys) {
  await editor(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(keys);
}

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** A small PNG of one colour, made here so the test needs no file. */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([r, g, b], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Chooses a block of the slash menu, then files in the picker it opens. */
async function slashUpload(page, block, files) {
  await editor(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(`/${block}`);
  await page.locator('.slash-menu').getByRole('option', { name: new RegExp(block, 'i') }).first().waitFor();
  const chooser = page.waitForEvent('filechooser');
  // A round trip, so that the browser intercepts the picker before it opens.
  await page.evaluate(() => true);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(files);
}

/** Pastes or drops files into the editor, as the browser would hand them over. */
async function handOver(page, how, files) {
  await editor(page).evaluate(
    (root, { how, files }) => {
      const data = new DataTransfer();
      for (const file of files) data.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
      if (how === 'paste') {
        root.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        return;
      }
      const last = root.lastElementChild.getBoundingClientRect();
      const at = { clientX: last.left + 4, clientY: last.top + last.height / 2, bubbles: true, cancelable: true, dataTransfer: data };
      root.dispatchEvent(new DragEvent('dragover', at));
      root.dispatchEvent(new DragEvent('drop', at));
    },
    { how, files: files.map((f) => ({ name: f.name, type: f.mimeType, bytes: [...f.buffer] })) },
  );
}

/** Drags `from` onto the start or the end of block `to` with the mouse,
 * in steps, as a hand would: the browser starts a drag only then. */
async function drag(page, from, to, where) {
  const start = await from.boundingBox();
  const end = await to.boundingBox();
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  const [x, y] = where === 'start' ? [end.x + 4, end.y + 3] : [end.x + end.width - 4, end.y + end.height - 3];
  await page.mouse.move(x, y, { steps: 8 });
  await page.mouse.up();
}

/** True once every image in the editor is loaded and has a size. */
function imagesShown(page, count) {
  return editor(page).evaluate(
    (root, count) => {
      const images = [...root.querySelectorAll('img.doc-image')];
      return images.length === count && images.every((img) => img.complete && img.naturalWidth > 0);
    },
    count,
  );
}

// ---- tests -----------------------------------------------------------------------

let trip;
/** The trip's public link, for a stranger. */
let link;

test('images from the slash menu, a paste and a drop show for a co-editor and behind a public link', { timeout: 120_000 }, async () => {
  trip = await newPage('Trip to Lyon');
  await open(camille.page, trip.id);
  await open(lea.page, trip.id);
  await typeAtEnd(camille.page, 'The station, the hotel and the venue:');

  // The slash menu's "Image" opens the picker; the picture shows for both.
  const station = { name: 'station.png', mimeType: 'image/png', buffer: png(320, 180, [79, 70, 229]) };
  await slashUpload(camille.page, 'image', [station]);
  await waitFor('the picked image showing for Camille', () => imagesShown(camille.page, 1));
  await waitFor('the picked image showing for Léa', () => imagesShown(lea.page, 1));

  // A pasted picture goes where the cursor is; a dropped one where it falls.
  await editor(camille.page).click();
  await camille.page.keyboard.press('Control+End');
  const hotel = { name: 'hotel.png', mimeType: 'image/png', buffer: png(240, 160, [21, 128, 61]) };
  await handOver(camille.page, 'paste', [hotel]);
  await waitFor('the pasted image showing for Léa', () => imagesShown(lea.page, 2));
  const venue = { name: 'venue.png', mimeType: 'image/png', buffer: png(200, 200, [190, 18, 60]) };
  await handOver(lea.page, 'drop', [venue]);
  await waitFor('the dropped image showing for Camille', () => imagesShown(camille.page, 3));
  const alts = await editor(camille.page).locator('img.doc-image').evaluateAll((images) => images.map((img) => img.alt));
  assert.deepEqual(alts.sort(), ['hotel.png', 'station.png', 'venue.png']);

  // The server has them as images of the page.
  const md = await waitForMarkdown(trip.id, /!\[venue\.png\]/);
  assert.match(md, new RegExp(`!\\[station\\.png\\]\\(/api/v1/pages/${trip.id}/attachments/\\d+\\)`));
  assert.match(md, /!\[hotel\.png\]/);

  failures.push(...(await capture(lea.page, 'docs-editor-images', 'en')));

  // Behind a public link, a stranger signed out sees the same pictures.
  link = await admin.post(`/pages/${trip.id}/public-link`);
  const stranger = await person(browser);
  await stranger.page.goto(link.url);
  await stranger.page.getByRole('heading', { name: 'Trip to Lyon', level: 1 }).waitFor();
  await waitFor('the images showing through the public link', () => imagesShown(stranger.page, 3));
  const sources = await editor(stranger.page).locator('img.doc-image').evaluateAll((images) => images.map((img) => img.getAttribute('src')));
  for (const src of sources) assert.match(src, new RegExp(`^/api/v1/public/pages/bpl_[^/]+/attachments/\\d+\\?page=${trip.id}$`));
  failures.push(...(await capture(stranger.page, 'docs-editor-public-images', 'en')));
  stranger.assertClean();
  await stranger.close();
});

test('a file card shows its name and size and downloads the same bytes; too large a file is refused with a reason', { timeout: 120_000 }, async () => {
  const bytes = Buffer.alloc(150 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  const budget = { name: 'budget 2025.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes };
  await slashUpload(camille.page, 'file', [budget]);

  // Léa sees the card, with the file's name and size, and downloads it.
  const card = editor(lea.page).locator('.file-card', { hasText: 'budget 2025.xlsx' });
  await card.waitFor();
  assert.match(await card.textContent(), /budget 2025\.xlsx\s*150 kB/);
  const download = lea.page.waitForEvent('download');
  await card.locator('.file-card-name').click();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'budget 2025.xlsx');
  assert.equal(sha(await readFile(await file.path())), sha(bytes), 'the same bytes come back');
  await waitForMarkdown(trip.id, new RegExp(`\\[budget 2025\\.xlsx\\]\\(/api/v1/pages/${trip.id}/attachments/\\d+\\)`));

  // Behind the public link, the card leads to the same bytes, signed out.
  const stranger = await person(browser);
  await stranger.page.goto(link.url);
  const theirs = editor(stranger.page).locator('.file-card', { hasText: 'budget 2025.xlsx' });
  await theirs.waitFor();
  const href = await theirs.locator('.file-card-name').getAttribute('href');
  assert.match(href, new RegExp(`^/api/v1/public/pages/bpl_[^/]+/attachments/\\d+\\?page=${trip.id}$`));
  const signedOut = stranger.page.waitForEvent('download');
  await theirs.locator('.file-card-name').click();
  assert.equal(sha(await readFile(await (await signedOut).path())), sha(bytes));
  await screenshot(stranger.page, 'docs-editor-public-file-en-light');
  stranger.assertClean();
  await stranger.close();

  // More than 50 MiB: a toast says why, and nothing is added.
  const huge = join(tmpdir(), 'film.mov');
  await writeFile(huge, Buffer.alloc(50 * 1024 * 1024 + 1));
  await slashUpload(camille.page, 'file', [huge]);
  await rm(huge);
  await camille.page.locator('.toast', { hasText: '“film.mov” was not added. An image or file in a page is at most 50 MiB' }).waitFor();
  assert.equal(await editor(camille.page).locator('.file-card').count(), 1);
  assert.equal(await editor(camille.page).locator('.upload-placeholder').count(), 0);
  await screenshot(camille.page, 'docs-editor-file-card-en-light');
});

test('a reader cannot add an image or a file', { timeout: 60_000 }, async () => {
  await open(tom.page, trip.id);
  await waitFor('Tom seeing the images', () => imagesShown(tom.page, 3));
  // Through the API, as the editor would send it: refused.
  const status = await tom.page.evaluate(async (id) => {
    const csrf = /bureau_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
    const response = await fetch(`/api/v1/pages/${id}/attachments?name=mine.png`, { method: 'POST', headers: { 'Content-Type': 'image/png', 'X-CSRF-Token': csrf }, body: new Uint8Array([1, 2, 3]) });
    return response.status;
  }, trip.id);
  assert.equal(status, 403);
  // In his read-only editor, a paste of a picture does nothing.
  await handOver(tom.page, 'paste', [{ name: 'mine.png', mimeType: 'image/png', buffer: png(10, 10, [0, 0, 0]) }]);
  await tom.page.waitForTimeout(800);
  assert.equal(await editor(tom.page).locator('.upload-placeholder').count(), 0);
  assert.equal(await editor(tom.page).locator('img.doc-image').count(), 3);
  assert.doesNotMatch(await markdown(trip.id), /mine\.png/);
});

test('@ mentions a person and a page: chips for both editors, and the page chip opens the page', { timeout: 90_000 }, async () => {
  const budget = await newPage('Budget');
  const agenda = await newPage('Agenda');
  await open(camille.page, agenda.id);
  await open(lea.page, agenda.id);
  const page = camille.page;
  await typeAtEnd(page, 'Ask @Lé');
  const list = page.getByRole('listbox', { name: 'People and pages' });
  await list.getByRole('option', { name: /Léa Dubois/ }).waitFor();
  assert.equal(await editor(page).getAttribute('aria-controls'), await list.getAttribute('id'));
  assert.equal(await list.getByRole('option', { selected: true }).count(), 1);
  await screenshot(page, 'docs-editor-mention-list-en-light');
  await page.keyboard.press('Enter');
  await list.waitFor({ state: 'detached' });

  // Escape closes the list, and the "@" stays as typed.
  await page.keyboard.type('about @Bu');
  await list.getByRole('option', { name: /Budget/ }).waitFor();
  await page.keyboard.press('Escape');
  await list.waitFor({ state: 'detached' });
  await page.keyboard.type('d');
  assert.equal(await list.count(), 0, 'the list stays closed there');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type('@Bud');
  await list.getByRole('option', { name: /Budget/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');

  const person = editor(lea.page).locator('.mention-person', { hasText: '@Léa Dubois' });
  await person.waitFor();
  const chip = editor(lea.page).locator('a.mention-page', { hasText: 'Budget' });
  await chip.waitFor();
  assert.equal(await chip.getAttribute('href'), `/docs/${budget.id}`);
  await waitForText(lea.page, /Ask @Léa Dubois about .?Budget/);
  await waitForMarkdown(agenda.id, new RegExp(`Ask @Léa Dubois about \\[Budget\\]\\(/docs/${budget.id}\\)`));
  failures.push(...(await capture(lea.page, 'docs-editor-mentions', 'en')));

  // Léa follows the chip to the page.
  await chip.click();
  await lea.page.waitForURL(`${server.url}/docs/${budget.id}`);
  await lea.page.locator('.doc-title').filter({ hasText: 'Budget' }).or(lea.page.locator('textarea.doc-title, input.doc-title')).first().waitFor();
});

test('a block dragged by its handle moves, for both editors', { timeout: 90_000 }, async () => {
  const plan = await newPage('Plan');
  await open(camille.page, plan.id);
  await open(lea.page, plan.id);
  const page = camille.page;
  await editor(page).click();
  await page.keyboard.type('Alpha line');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Bravo line');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Charlie line');
  await waitForText(lea.page, /Alpha line.*Bravo line.*Charlie line/);

  const block = (p, words) => editor(p).locator(':scope > p', { hasText: words });
  const handle = page.locator('.drag-handle');
  await block(page, 'Charlie line').hover();
  await handle.waitFor();
  await screenshot(page, 'docs-editor-drag-handle-en-light');
  await drag(page, handle, block(page, 'Alpha line'), 'start');
  await waitForText(page, /^Charlie line.*Alpha line.*Bravo line/);
  await waitForText(lea.page, /^Charlie line.*Alpha line.*Bravo line/);

  // Léa drags it back below Bravo.
  const hers = lea.page.locator('.drag-handle');
  await block(lea.page, 'Charlie line').hover();
  await hers.waitFor();
  const bravo = block(lea.page, 'Bravo line');
  await drag(lea.page, hers, bravo, 'end');
  await waitForText(lea.page, /Alpha line.*Bravo line.*Charlie line/);
  await waitForText(page, /Alpha line.*Bravo line.*Charlie line/);
  await waitForMarkdown(plan.id, /Alpha line\n\nBravo line\n\nCharlie line/);
  assert.equal((await text(page)).match(/Charlie line/g).length, 1, 'moved, not copied');
});

test('an edit typed offline survives a reload and reaches the others when the connection is back', { timeout: 150_000 }, async () => {
  const notes = await newPage('Notes');
  await open(camille.page, notes.id);
  await open(lea.page, notes.id);
  await lea.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await typeAtEnd(lea.page, 'Written online.');
  await waitForText(camille.page, /Written online\./);

  await typeOffline(lea, 'Written on the train.');
  assert.doesNotMatch(await markdown(notes.id), /train/, 'nothing reached the server while offline');

  // A reload while still offline: the edit is kept on the device.
  await lea.page.reload();
  await lea.page.getByRole('heading', { name: 'You are offline' }).waitFor();
  const kept = await lea.page.evaluate(async (id) => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('bureau-doc-') && n.endsWith(`-${id}`));
    const found = [];
    for (const name of names) {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const updates = await new Promise((resolve) => {
        const all = db.transaction('updates').objectStore('updates').getAll();
        all.onsuccess = () => resolve(all.result);
      });
      db.close();
      found.push(...updates.map((update) => [...update]));
    }
    return found;
  }, notes.id);
  const doc = new Y.Doc();
  for (const update of kept) Y.applyUpdate(doc, new Uint8Array(update));
  assert.match(doc.getXmlFragment('default').toString(), /Written online\..*Written on the train\./);
  await screenshot(lea.page, 'docs-editor-offline-reload-en-light');

  // Back online: the app starts, the page opens with the edit, and Camille gets it.
  await lea.context.setOffline(false);
  await editor(lea.page).waitFor({ timeout: 30_000 });
  await waitForText(lea.page, /Written on the train\./);
  await waitForText(camille.page, /Written online\..*Written on the train\./);
  await waitForMarkdown(notes.id, /Written on the train\./);
});

test('an edit typed offline outlives a session that ended meanwhile and reaches the server at the next login', { timeout: 120_000 }, async () => {
  const expenses = await newPage('Expenses');
  await open(lea.page, expenses.id);
  await typeAtEnd(lea.page, 'Receipts kept.');
  await waitForMarkdown(expenses.id, /Receipts kept\./);
  await typeOffline(lea, 'Taxi to the airport.');

  // Her browser's session ends while she is away: she signs it out from
  // another device.
  const phone = new Client(server.url);
  await phone.post('/auth/login', { name: LEA.name, password: LEA.password });
  for (const session of await phone.get('/me/sessions')) {
    if (!session.current) await phone.delete(`/me/sessions/${session.id}`);
  }
  await lea.context.setOffline(false);
  await lea.page.waitForURL(`${server.url}/login`, { timeout: 30_000 });
  assert.doesNotMatch(await markdown(expenses.id), /Taxi/, 'nothing was sent without a session');
  const kept = await lea.page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name?.startsWith('bureau-doc-')).length);
  assert.ok(kept > 0, 'the pages with unsent edits are still on the device');

  // She signs in again: the page opens with her edit and the server gets it.
  await login(lea.page, server.url, LEA.name, LEA.password);
  await open(lea.page, expenses.id);
  await waitForText(lea.page, /Receipts kept\..*Taxi to the airport\./);
  await waitForMarkdown(expenses.id, /Receipts kept\.[\s\S]*Taxi to the airport\./);
});

test('logging out forgets the pages kept on the device', { timeout: 60_000 }, async () => {
  const kept = () => lea.page.evaluate(async () => (await indexedDB.databases()).filter((d) => d.name?.startsWith('bureau-doc-')).length);
  assert.ok((await kept()) > 0, 'pages were kept while signed in');
  await lea.page.goto(`${server.url}/`);
  await lea.page.getByRole('button', { name: 'Log out' }).click();
  await lea.page.waitForURL(`${server.url}/login`);
  await waitFor('the kept pages being deleted', async () => (await kept()) === 0);
  await login(lea.page, server.url, LEA.name, LEA.password);
});

test('the new blocks read well on a phone and in French', { timeout: 90_000 }, async () => {
  const phone = await person(browser, { viewport: PHONE, locale: 'fr-FR' });
  await login(phone.page, server.url, ZOE.name, ZOE.password, 'fr');
  await open(phone.page, trip.id);
  await waitFor('the images on the phone', () => imagesShown(phone.page, 3));
  const card = editor(phone.page).locator('.file-card', { hasText: 'budget 2025.xlsx' });
  await card.waitFor();
  failures.push(...(await capture(phone.page, 'docs-editor-phone', 'fr')));
  await card.scrollIntoViewIfNeeded();
  await phone.page.screenshot({ path: new URL('../artifacts/screens/docs-editor-phone-card-fr-light.png', import.meta.url).pathname });
  // The "@" list and the slash menu's new blocks, in French.
  await typeAtEnd(phone.page, '@Lé');
  await phone.page.getByRole('listbox', { name: 'Personnes et pages' }).getByRole('option', { name: /Léa Dubois/ }).waitFor();
  await screenshot(phone.page, 'docs-editor-phone-mention-fr-light');
  await phone.page.keyboard.press('Escape');
  await phone.page.keyboard.type(' /fich');
  await phone.page.locator('.slash-menu').getByRole('option', { name: /Fichier/ }).waitFor();
  await phone.page.keyboard.press('Escape');
  phone.assertClean();
  await phone.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
