// Docs search, Markdown import and export as people use them, in Chromium:
// Camille types in a page of the Handbook space and finds it from the
// search at the top of the pages' column, by a whole word, the start of a
// word and French forms, with the words marked, and opens results with
// the keyboard; Tom, a reader, never finds the page restricted to Camille.
// Léa imports Markdown files through the picker (headings, lists, to-dos
// arrive as blocks), into the space and under a page, and a file that is
// not text is named in an error; Tom has no import entry. Camille
// downloads the space as a ZIP and a page as Markdown or with its
// sub-pages. Zoé searches in French on a phone. No CSP violation anywhere.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login } from '../lib/app.mjs';
import { capture, launch, person, PHONE, screenshot } from '../lib/browser.mjs';
import { artifacts } from '../lib/paths.mjs';
import { startServer } from '../lib/server.mjs';

const CAMILLE = { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' };
const LEA = { name: 'lea', display_name: 'Léa Dubois', password: 'léa loves long passwords' };
const TOM = { name: 'tom', display_name: 'Tom Baker', password: 'tom reads but never writes' };
const ZOE = { name: 'zoe', display_name: 'Zoé Lefèvre', password: 'zoé écrit en français', locale: 'fr' };

let server;
let browser;
let admin;
let tomApi;
let space;
let welcome;
let salaries;
let camille;
let lea;
let tom;
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];
const downloads = mkdtempSync(join(tmpdir(), 'bureau-downloads-'));

before(async () => {
  server = await startServer({ name: 'docs-transfer' });
  browser = await launch();
  admin = await setupAdmin(server, CAMILLE);
  const leaApi = await invitePerson(admin, LEA);
  tomApi = await invitePerson(admin, TOM);
  await invitePerson(admin, ZOE);
  const leaId = (await leaApi.get('/me')).user.id;
  const tomId = (await tomApi.get('/me')).user.id;
  const zoeId = (await admin.get('/users')).find((u) => u.name === 'zoe').id;
  space = await admin.post('/spaces', { name: 'Handbook', icon: '📚' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: leaId, role: 'write' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: tomId, role: 'read' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: zoeId, role: 'read' });
  welcome = await admin.post('/pages', { space_id: space.id, title: 'Welcome', icon: '👋' });
  // A page only Camille may read, made from Markdown through the API.
  salaries = await importThroughApi(admin, space.id, 'salaries.md', '# Salaries\n\nThe onboarding bonus is paid with the first salary.\n');
  await admin.patch(`/pages/${salaries.id}`, { restricted: true });
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
const searchBox = (page, name = 'Search pages') => page.getByRole('combobox', { name });
const results = (page) => page.locator('.docs-search-results [role="option"]');

/** Posts a Markdown file to the import endpoint as the API client's person. */
async function importThroughApi(client, spaceId, name, text) {
  const response = await fetch(`${server.url}/api/v1/spaces/${spaceId}/import?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/markdown',
      Cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'X-CSRF-Token': client.cookies.get('bureau_csrf'),
    },
    body: text,
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** Waits until the server's index finds exactly `titles` for `query` as
 * this person (it follows the pages every two seconds). */
async function indexed(client, query, titles) {
  const deadline = Date.now() + 15_000;
  let found = [];
  while (Date.now() < deadline) {
    found = (await client.get(`/pages/search?q=${encodeURIComponent(query)}`)).map((hit) => hit.page.title).sort();
    if (JSON.stringify(found) === JSON.stringify([...titles].sort())) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`searching “${query}” found ${JSON.stringify(found)}, not ${JSON.stringify(titles)}`);
}

/** The page of the Handbook with this title, once it exists. */
async function pageTitled(title) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const found = (await admin.get(`/spaces/${space.id}/pages`)).find((p) => p.title === title);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`no page “${title}” in the Handbook`);
}

/** Types a search in the Docs column and waits for the list to settle on `count` results. */
async function search(page, words, count, name) {
  await searchBox(page, name).fill(words);
  await page.waitForFunction(
    ([n]) => {
      const status = document.querySelector('.docs-search-status')?.textContent ?? '';
      return document.querySelectorAll('.docs-search-results [role="option"]').length === n && status !== '' && !/…$/.test(status);
    },
    [count],
  );
}

/** The marked words of each result, by title. */
async function marks(page) {
  return results(page).evaluateAll((options) =>
    Object.fromEntries(options.map((o) => [o.querySelector('.docs-hit-title').textContent, [...o.querySelectorAll('mark')].map((m) => m.textContent)])),
  );
}

/** Opens a menu of the tree (a space's or a page's) and chooses an action. */
async function treeMenu(page, row, action) {
  await row.hover();
  await row.locator('.pop-menu > button').first().click();
  await page.getByRole('menuitem', { name: action }).click();
}

const spaceRow = (page) => page.locator(`section[data-space="${space.id}"] > .space-row`);
const pageRow = (page, id) => page.locator(`li[data-page="${id}"] > .tree-row`).first();

/** The names of the menu's actions, then closes it. */
async function menuItems(page, button) {
  await button.click();
  const names = await page.getByRole('menuitem').allTextContents();
  await page.keyboard.press('Escape');
  return names;
}

/** Clicks what starts a download and saves the file; returns its path and suggested name. */
async function download(page, start) {
  const [file] = await Promise.all([page.waitForEvent('download'), start()]);
  const path = join(downloads, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return { path, name: file.suggestedFilename() };
}

/** Photographs the window as it is, an open menu included (a full-page
 * screenshot resizes the window, which closes or moves floating menus). */
async function menuScreenshot(page, name) {
  await page.screenshot({ path: join(artifacts, 'screens', `${name}.png`), animations: 'disabled', caret: 'hide' });
}

function zipListing(path) {
  return execFileSync('unzip', ['-l', path], { encoding: 'utf8' });
}

async function openPage(page, id) {
  await page.goto(`${server.url}/docs/${id}`);
  await editor(page).waitFor();
  await page.locator('.doc-status[data-status="saved"]').waitFor();
}

// ---- tests -----------------------------------------------------------------------

test('a word typed in a page is found, marked, by its start and its French forms', { timeout: 90_000 }, async () => {
  const page = camille.page;
  await openPage(page, welcome.id);
  await editor(page).click();
  await page.keyboard.type('Our onboarding checklist starts here. Lancez le VPN puis ouvrez vos dossiers.');
  await indexed(admin, 'checklist', ['Welcome']);

  await search(page, 'checklist', 1);
  assert.deepEqual(await marks(page), { Welcome: ['checklist'] });
  const hit = results(page).first();
  assert.match(await hit.textContent(), /Handbook/, 'the result names its space');
  assert.equal(await hit.locator('.docs-hit-title').textContent(), 'Welcome');
  assert.equal(await hit.locator('.page-icon').textContent(), '👋');
  // The tree makes way for the results.
  assert.equal(await page.locator(`.docs-nav section[data-space="${space.id}"]`).count(), 0);

  // The start of a word; the restricted page is Camille's to find too.
  await indexed(admin, 'onboa', ['Salaries', 'Welcome']);
  await search(page, 'onboa', 2);
  const marked = await marks(page);
  assert.deepEqual(Object.keys(marked).sort(), ['Salaries', 'Welcome']);
  assert.deepEqual(marked.Welcome, ['onboarding']);
  assert.deepEqual(marked.Salaries, ['onboarding']);
  await screenshot(page, 'docs-search');
  failures.push(...(await capture(page, 'docs-search', 'en')));

  // French forms: "lancer dossier" finds "Lancez … dossiers".
  await indexed(admin, 'lancer dossier', ['Welcome']);
  await search(page, 'lancer dossier', 1);
  assert.deepEqual((await marks(page)).Welcome.sort(), ['Lancez', 'dossiers']);

  // Words of the title are marked in the title.
  await search(page, 'salaries', 1);
  assert.deepEqual(await marks(page), { Salaries: ['Salaries', 'salary'] });

  // Nothing found says so.
  await search(page, 'zzqqxx', 0);
  await page.locator('.docs-search-empty').getByText('No page matches “zzqqxx”.').waitFor();
  await screenshot(page, 'docs-search-empty');

  // Escape clears the search and the tree comes back.
  await searchBox(page).press('Escape');
  await page.locator(`.docs-nav section[data-space="${space.id}"]`).waitFor();
});

test('the arrows choose a result and Enter opens it; a click opens one too', { timeout: 60_000 }, async () => {
  const page = camille.page;
  await page.goto(`${server.url}/docs`);
  await search(page, 'onboarding', 2);
  const box = searchBox(page);
  const titles = await results(page).locator('.docs-hit-title').allTextContents();
  await box.press('ArrowDown');
  await box.press('ArrowDown');
  const second = results(page).nth(1);
  assert.equal(await second.getAttribute('aria-selected'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), await second.getAttribute('id'));
  await box.press('Enter');
  const id = titles[1] === 'Welcome' ? welcome.id : salaries.id;
  await page.waitForURL(`${server.url}/docs/${id}`);
  await page.waitForFunction((title) => document.querySelector('.doc-title')?.value === title, titles[1]);

  await results(page).filter({ hasText: titles[0] }).click();
  await page.waitForURL(`${server.url}/docs/${id === welcome.id ? salaries.id : welcome.id}`);

  // The space filter: Camille's private space has none of these pages.
  await page.getByRole('combobox', { name: 'Where to search' }).selectOption({ label: 'Private' });
  await page.locator('.docs-search-empty').getByText('No page matches “onboarding”.').waitFor();
  await page.getByRole('combobox', { name: 'Where to search' }).selectOption({ label: 'Handbook' });
  await page.waitForFunction(() => document.querySelectorAll('.docs-search-results [role="option"]').length === 2);
});

test('a reader never finds the page restricted to someone else', { timeout: 60_000 }, async () => {
  const page = tom.page;
  await indexed(admin, 'onboarding', ['Salaries', 'Welcome']);
  await indexed(tomApi, 'onboarding', ['Welcome']);
  await page.goto(`${server.url}/docs`);
  await search(page, 'onboarding', 1);
  assert.deepEqual(Object.keys(await marks(page)), ['Welcome']);
  await search(page, 'salary', 0);
  await page.locator('.docs-search-empty').getByText('No page matches “salary”.').waitFor();
});

test('Zoé searches in French on a phone and opens a result', { timeout: 60_000 }, async () => {
  const phone = await person(browser, { locale: 'fr-FR', viewport: PHONE });
  try {
    await login(phone.page, server.url, ZOE.name, ZOE.password, 'fr');
    const page = phone.page;
    await page.goto(`${server.url}/docs`);
    await search(page, 'dossier', 1, 'Rechercher dans les pages');
    assert.deepEqual(await marks(page), { Welcome: ['dossiers'] });
    failures.push(...(await capture(page, 'docs-search-phone', 'fr')));
    await search(page, 'zzqqxx', 0, 'Rechercher dans les pages');
    await page.locator('.docs-search-empty').getByText('Aucune page ne correspond à « zzqqxx ».').waitFor();
    await screenshot(page, 'docs-search-phone-empty-fr');
    await search(page, 'dossier', 1, 'Rechercher dans les pages');
    await results(page).first().click();
    await page.waitForURL(`${server.url}/docs/${welcome.id}`);
    await editor(page).waitFor();
    assert.equal(await page.locator('.docs-nav').isVisible(), false, 'on a phone the page takes the screen');
    phone.assertClean();
  } finally {
    await phone.close();
  }
});

const CHECKLIST = `# Arrival checklist

Everything a new colleague needs in the first week.

## Before day one

- [ ] Laptop ordered
- [x] Badge printed

1. Read the handbook
2. Meet the team
`;
const NOTES = `Notes from **Lyon**, kept short.

- apples
- pears
`;

test('Markdown files chosen in the picker become pages, in order, with their blocks', { timeout: 90_000 }, async () => {
  const page = lea.page;
  await page.goto(`${server.url}/docs`);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), treeMenu(page, spaceRow(page), 'Import Markdown or CSV…')]);
  assert.equal(chooser.isMultiple(), true);
  await chooser.setFiles([
    { name: 'checklist.md', mimeType: 'text/markdown', buffer: Buffer.from(CHECKLIST) },
    { name: 'lyon-notes.markdown', mimeType: 'text/markdown', buffer: Buffer.from(NOTES) },
    { name: 'suppliers.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Amount\nPaper,120\nCoffee,42\n') },
  ]);
  await page.getByText('3 pages imported.').waitFor();
  const pages = await admin.get(`/spaces/${space.id}/pages`);
  const checklist = pages.find((p) => p.title === 'Arrival checklist');
  const notes = pages.find((p) => p.title === 'lyon-notes');
  assert.ok(checklist && notes, `the tree has both pages: ${pages.map((p) => p.title)}`);
  assert.ok(checklist.id < notes.id, 'imported in the order chosen');
  // A CSV file becomes a database of its rows.
  const suppliers = pages.find((p) => p.title === 'suppliers');
  assert.equal(suppliers?.kind, 'database', `the CSV file made a database: ${pages.map((p) => p.title)}`);
  const table = await admin.get(`/pages/${suppliers.id}/table`);
  assert.deepEqual(table.rows.map((r) => [r.title, r.cells[table.columns[0].id]]), [['Paper', 120], ['Coffee', 42]]);

  // The first imported page opens, its Markdown as blocks; the tree shows both.
  await page.waitForURL(`${server.url}/docs/${checklist.id}`);
  await editor(page).locator('h2', { hasText: 'Before day one' }).waitFor();
  assert.equal(await page.locator('.doc-title').inputValue(), 'Arrival checklist');
  const tasks = editor(page).locator('ul[data-type="taskList"] > li');
  assert.equal(await tasks.count(), 2);
  assert.equal(await tasks.nth(1).getAttribute('data-checked'), 'true');
  assert.match(await tasks.nth(0).textContent(), /Laptop ordered/);
  assert.deepEqual(await editor(page).locator('ol > li').allTextContents(), ['Read the handbook', 'Meet the team']);
  await pageRow(page, notes.id).waitFor();
  await screenshot(page, 'docs-imported');

  await page.goto(`${server.url}/docs/${notes.id}`);
  await editor(page).locator('strong', { hasText: 'Lyon' }).waitFor();
  assert.deepEqual(await editor(page).locator('ul > li').allTextContents(), ['apples', 'pears']);
});

test('files imported under a page become its sub-pages; a file that is not text is named', { timeout: 60_000 }, async () => {
  const page = lea.page;
  await page.goto(`${server.url}/docs/${welcome.id}`);
  await editor(page).waitFor();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), treeMenu(page, pageRow(page, welcome.id), 'Import Markdown or CSV…')]);
  await chooser.setFiles([
    { name: 'broken.md', mimeType: 'text/markdown', buffer: Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]) },
    { name: 'faq.md', mimeType: 'text/markdown', buffer: Buffer.from('# FAQ\n\nAsk **anything**.\n') },
  ]);
  await page.getByText('“broken.md” was not imported. It is not UTF-8 text.').waitFor();
  await page.getByText('1 page imported.').waitFor();
  await screenshot(page, 'docs-import-error');
  const faq = (await admin.get(`/spaces/${space.id}/pages`)).find((p) => p.title === 'FAQ');
  assert.equal(faq.parent_id, welcome.id, 'under the page whose menu was used');
  await page.waitForURL(`${server.url}/docs/${faq.id}`);
  await editor(page).locator('strong', { hasText: 'anything' }).waitFor();
  // The tree opened the page to show its new sub-page.
  await pageRow(page, faq.id).waitFor();

  // The page's own menu imports under it as well.
  await page.locator('.doc-bar').getByRole('button', { name: 'More actions' }).click();
  const [again] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('menuitem', { name: 'Import Markdown or CSV…' }).click()]);
  await again.setFiles([{ name: 'answers.txt', mimeType: 'text/plain', buffer: Buffer.from('# Answers\n\nSoon.\n') }]);
  const answers = await pageTitled('Answers');
  assert.equal(answers.parent_id, faq.id);
  await page.waitForURL(`${server.url}/docs/${answers.id}`);
});

test('a reader has no import, but exports', { timeout: 60_000 }, async () => {
  const page = tom.page;
  await page.goto(`${server.url}/docs`);
  await spaceRow(page).hover();
  const spaceActions = await menuItems(page, spaceRow(page).locator('.pop-menu > button'));
  assert.ok(spaceActions.includes('Export the space (ZIP)'), spaceActions.join(', '));
  assert.ok(!spaceActions.includes('Import Markdown or CSV…'), spaceActions.join(', '));
  await pageRow(page, welcome.id).hover();
  const pageActions = await menuItems(page, pageRow(page, welcome.id).locator('.pop-menu > button'));
  assert.ok(!pageActions.includes('Import Markdown or CSV…'), pageActions.join(', '));
  await openPage(page, welcome.id);
  const more = await menuItems(page, page.locator('.doc-bar').getByRole('button', { name: 'More actions' }));
  assert.ok(!more.includes('Import Markdown or CSV…'), more.join(', '));
  assert.ok(more.includes('Export to Markdown') && more.includes('Export with sub-pages (ZIP)'), more.join(', '));

  // What Tom downloads holds what he may read, not the restricted page.
  await spaceRow(page).hover();
  await spaceRow(page).locator('.pop-menu > button').click();
  const zip = await download(page, () => page.getByRole('menuitem', { name: 'Export the space (ZIP)' }).click());
  const listing = zipListing(zip.path);
  assert.match(listing, /Welcome\.md/);
  assert.doesNotMatch(listing, /Salaries/);
});

test('a space downloads as a ZIP of its pages, a page as Markdown or with its sub-pages', { timeout: 60_000 }, async () => {
  const page = camille.page;
  await page.goto(`${server.url}/docs`);
  await spaceRow(page).hover();
  await spaceRow(page).locator('.pop-menu > button').click();
  await menuScreenshot(page, 'docs-space-menu');
  const zip = await download(page, () => page.getByRole('menuitem', { name: 'Export the space (ZIP)' }).click());
  assert.equal(zip.name, 'Handbook.zip');
  const listing = zipListing(zip.path);
  for (const name of ['Welcome.md', 'Salaries.md', 'Arrival checklist.md', 'lyon-notes.md', 'FAQ.md']) {
    assert.ok(listing.includes(name), `${name} in\n${listing}`);
  }
  const checklist = execFileSync('unzip', ['-p', zip.path, '*Arrival checklist.md'], { encoding: 'utf8' });
  assert.match(checklist, /- \[x\] Badge printed/);

  await openPage(page, welcome.id);
  await page.locator('.doc-bar').getByRole('button', { name: 'More actions' }).click();
  await menuScreenshot(page, 'docs-page-menu');
  const md = await download(page, () => page.getByRole('menuitem', { name: 'Export to Markdown' }).click());
  assert.match(md.name, /\.md$/);
  const text = readFileSync(md.path, 'utf8');
  assert.match(text, /Our onboarding checklist starts here\./);
  assert.match(text, /ouvrez vos dossiers/);

  await page.locator('.doc-bar').getByRole('button', { name: 'More actions' }).click();
  const branch = await download(page, () => page.getByRole('menuitem', { name: 'Export with sub-pages (ZIP)' }).click());
  assert.match(branch.name, /\.zip$/);
  const below = zipListing(branch.path);
  assert.match(below, /Welcome/);
  assert.match(below, /FAQ\.md/);
  assert.match(below, /Answers\.md/);
  assert.doesNotMatch(below, /Arrival checklist/, 'only the page and what is below it');
});

test('no serious accessibility problem on the screens above', () => {
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
