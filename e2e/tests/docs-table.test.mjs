// Docs databases as people use them, in Chromium: Camille (an
// administrator) makes a database from the tree's menu, gives it typed
// columns (number, select with new choices, date, person, checkbox) and
// fills rows by clicking and typing, while Léa (a writer, in a second
// browser) watches the row and its values arrive without reloading; a sort
// and a filter Camille saves show for Léa; a row opens as a page whose
// breadcrumb leads back; Tom (a reader) sees the table and no control that
// would change it; the table goes out as CSV and rows come in from a CSV
// file; the rows stay out of the side tree. Léa sees it in French on a
// phone. No CSP violation, no serious accessibility problem.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
import { capture, launch, person, PHONE, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const CAMILLE = { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' };
const LEA = { name: 'lea', display_name: 'Léa Dubois', password: 'léa loves long passwords' };
const TOM = { name: 'tom', display_name: 'Tom Baker', password: 'tom reads but never writes' };

let server;
let browser;
let admin;
let tomApi;
let space;
let camille;
let lea;
let tom;
/** The database Camille makes, and its columns by name. */
let db;
const columns = {};
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];

before(async () => {
  server = await startServer({ name: 'docs-table' });
  browser = await launch();
  admin = await setupAdmin(server, CAMILLE);
  const leaApi = await invitePerson(admin, LEA);
  tomApi = await invitePerson(admin, TOM);
  const leaId = (await leaApi.get('/me')).user.id;
  const tomId = (await tomApi.get('/me')).user.id;
  space = await admin.post('/spaces', { name: 'Handbook', icon: '📚' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: leaId, role: 'write' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: tomId, role: 'read' });
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

const table = (page) => page.locator('.db-table');
const rowOf = (page, title) => table(page).locator('tbody tr', { has: page.locator('.db-row-link', { hasText: title }) });
const cell = (page, title, column) => rowOf(page, title).locator(`td[data-column="${columns[column]}"]`);

/** Opens the database and waits for its table (and the live connection). */
async function openDb(page) {
  await page.goto(`${server.url}/docs/${db.id}`);
  await table(page).waitFor();
  await page.locator('.doc-status[data-status="saved"]').waitFor();
}

async function serverTable() {
  return admin.get(`/pages/${db.id}/table`);
}

/** Adds a column through the "New column" dialog. */
async function addColumn(page, name, kind, choices = []) {
  await page.getByRole('button', { name: 'New column' }).click();
  const dialog = page.getByRole('dialog', { name: 'New column' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Kind').selectOption({ label: kind });
  for (const choice of choices) {
    await dialog.getByLabel('A new choice').fill(choice);
    await dialog.getByLabel('A new choice').press('Enter');
  }
  await dialog.getByRole('button', { name: 'New column' }).click();
  await dialog.waitFor({ state: 'detached' });
  await table(page).locator('thead th', { hasText: name }).waitFor();
  const made = (await serverTable()).columns.find((c) => c.name === name);
  assert.ok(made, `the server has the column ${name}`);
  columns[name] = made.id;
}

async function columnMenu(page, name, action) {
  await page.getByRole('button', { name: `Actions on the column ${name}` }).click();
  await page.getByRole('menuitem', { name: action }).click();
}

// ---- tests ---------------------------------------------------------------------

test('Camille makes a database from the tree, with typed columns, and fills a row while Léa watches it arrive', async () => {
  const page = camille.page;
  await page.goto(`${server.url}/docs`);
  const spaceRow = page.locator(`section[data-space="${space.id}"] .space-row`);
  await spaceRow.hover();
  await spaceRow.getByRole('button', { name: 'Actions on the space Handbook' }).click();
  await page.getByRole('menuitem', { name: 'New database' }).click();
  await page.waitForURL(/\/docs\/\d+\?new$/);
  db = { id: Number(new URL(page.url()).pathname.split('/').pop()) };
  await page.getByLabel('Title', { exact: true }).fill('Projects');
  await page.getByLabel('Title', { exact: true }).press('Tab');
  await table(page).waitFor();
  assert.equal((await admin.get(`/pages/${db.id}`)).kind, 'database');

  await addColumn(page, 'Budget', 'Number');
  await addColumn(page, 'Status', 'Select', ['Planned', 'Done']);
  await addColumn(page, 'Due', 'Date');
  await addColumn(page, 'Owner', 'Person');
  await addColumn(page, 'Shipped', 'Checkbox');
  assert.deepEqual(
    (await serverTable()).columns.map((c) => [c.name, c.kind]),
    [['Budget', 'number'], ['Status', 'select'], ['Due', 'date'], ['Owner', 'person'], ['Shipped', 'checkbox']],
  );
  assert.deepEqual((await serverTable()).columns[1].choices.map((c) => c.name), ['Planned', 'Done']);

  // Léa opens the database before the row exists.
  await openDb(lea.page);
  await lea.page.getByText('No rows yet.').waitFor();

  await page.getByRole('button', { name: 'New row' }).click();
  const name = page.getByLabel('Name of the row');
  await name.fill('Website');
  await name.press('Enter');
  await rowOf(page, 'Website').waitFor();

  await cell(page, 'Website', 'Budget').getByRole('button').click();
  await cell(page, 'Website', 'Budget').getByRole('textbox').fill('1200');
  await cell(page, 'Website', 'Budget').getByRole('textbox').press('Enter');
  // Léa sees the row and its value arrive, without reloading.
  await cell(lea.page, 'Website', 'Budget').getByText('1,200').waitFor();

  // A new choice made from the cell.
  await cell(page, 'Website', 'Status').getByRole('button').click();
  await page.getByLabel('Choose or create').fill('Doing');
  await page.getByRole('button', { name: 'Create “Doing”' }).waitFor();
  await page.getByLabel('Choose or create').press('Enter');
  await cell(page, 'Website', 'Status').locator('.db-chip', { hasText: 'Doing' }).waitFor();

  await cell(page, 'Website', 'Due').getByRole('button').click();
  await cell(page, 'Website', 'Due').locator('input').fill('2026-12-24');
  await cell(page, 'Website', 'Due').locator('input').press('Enter');
  await cell(page, 'Website', 'Due').getByText('Dec 24, 2026').waitFor();

  await cell(page, 'Website', 'Owner').getByRole('button').click();
  await cell(page, 'Website', 'Owner').getByRole('combobox').selectOption({ label: LEA.display_name });
  await cell(page, 'Website', 'Owner').getByText(LEA.display_name).waitFor();

  await cell(page, 'Website', 'Shipped').getByRole('checkbox').check();

  await cell(lea.page, 'Website', 'Status').locator('.db-chip', { hasText: 'Doing' }).waitFor();
  await cell(lea.page, 'Website', 'Owner').getByText(LEA.display_name).waitFor();
  await assertEventually(async () => {
    const row = (await serverTable()).rows.find((r) => r.title === 'Website');
    assert.deepEqual(row?.cells, {
      [columns.Budget]: 1200,
      [columns.Status]: 'Doing',
      [columns.Due]: '2026-12-24',
      [columns.Owner]: (await admin.get('/users')).find((u) => u.name === 'lea').id,
      [columns.Shipped]: true,
    });
  });
  await lea.page.locator(`td[data-column="${columns.Shipped}"] input:checked`).waitFor();
  assert.ok((await serverTable()).columns[1].choices.some((c) => c.name === 'Doing'), 'the new choice is kept');
  await screenshot(page, 'docs-table-camille');
  await screenshot(lea.page, 'docs-table-lea-live');
  failures.push(...(await capture(page, 'docs-table', 'en')));
});

test('a sort and a filter Camille saves show for Léa', async () => {
  await admin.post(`/pages/${db.id}/rows`, { title: 'Intranet', cells: { [columns.Budget]: 300, [columns.Status]: 'Planned' } });
  const page = camille.page;
  await rowOf(lea.page, 'Intranet').waitFor();

  await columnMenu(page, 'Budget', 'Sort ascending');
  await assertEventually(async () => {
    const titles = await table(lea.page).locator('.db-row-link').allTextContents();
    assert.deepEqual(titles, ['Intranet', 'Website']);
  });
  await lea.page.getByRole('list', { name: 'Sorted by' }).getByText('Budget').waitFor();

  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Filter the rows' });
  await dialog.getByLabel('Column').selectOption({ label: 'Status' });
  await dialog.getByLabel('Condition').selectOption({ label: 'is' });
  await dialog.getByLabel('Value').selectOption({ label: 'Doing' });
  await dialog.getByRole('button', { name: 'Add the filter' }).click();
  await lea.page.getByRole('list', { name: 'Filtered by' }).getByText('Status is Doing').waitFor();
  await assertEventually(async () => assert.deepEqual(await table(lea.page).locator('.db-row-link').allTextContents(), ['Website']));
  assert.deepEqual((await serverTable()).view.filters, [{ field: columns.Status, op: 'is', value: 'Doing' }]);
  await screenshot(lea.page, 'docs-table-view');

  await page.getByRole('button', { name: 'Remove the filter Status is Doing' }).click();
  await assertEventually(async () => assert.deepEqual(await table(lea.page).locator('.db-row-link').allTextContents(), ['Intranet', 'Website']));
});

test('a row opens as a page whose breadcrumb leads back, and rows stay out of the side tree', async () => {
  const page = camille.page;
  const website = (await serverTable()).rows.find((r) => r.title === 'Website');
  const tree = page.locator(`section[data-space="${space.id}"]`);
  await tree.locator(`li[data-page="${db.id}"]`).waitFor();
  assert.equal(await tree.locator(`li[data-page="${website.id}"]`).count(), 0);
  assert.equal(await tree.locator(`li[data-page="${db.id}"] .tree-toggle[aria-expanded]`).count(), 0, 'a database has nothing to unfold');

  await rowOf(page, 'Website').locator('.db-row-link').click();
  await page.waitForURL(`${server.url}/docs/${website.id}`);
  await page.locator('.doc-content').waitFor();
  await page.getByRole('navigation', { name: 'Where this page is' }).getByRole('link', { name: 'Projects' }).click();
  await page.waitForURL(`${server.url}/docs/${db.id}`);
  await table(page).waitFor();
});

test('Tom, a reader, sees the table and cannot change it', async () => {
  const page = tom.page;
  await openDb(page);
  await rowOf(page, 'Website').waitFor();
  await cell(page, 'Website', 'Status').locator('.db-chip', { hasText: 'Doing' }).waitFor();
  for (const name of ['New row', 'New column', 'Filter', 'Import CSV…', 'Actions on the column Budget', 'Actions on the row Website']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `Tom has no “${name}” button`);
  }
  assert.equal(await table(page).locator('tbody button').count(), 0, 'no cell is a button for Tom');
  assert.ok(await cell(page, 'Website', 'Shipped').getByRole('checkbox').isDisabled());
  await cell(page, 'Website', 'Budget').click();
  await cell(page, 'Website', 'Shipped').getByRole('checkbox').click({ force: true });
  assert.equal(await table(page).locator('tbody input:not([type=checkbox]), tbody select').count(), 0);
  await page.getByRole('link', { name: 'Export CSV' }).waitFor();
  // What the app would send, sent by hand, is refused.
  await assert.rejects(tomApi.put(`/pages/${db.id}/table/view`, { sorts: [], filters: [] }));
  const row = (await serverTable()).rows.find((r) => r.title === 'Website');
  assert.equal(row.cells[columns.Shipped], true);
  assert.equal((await serverTable()).view.sorts.length, 1);
  failures.push(...(await capture(page, 'docs-table-reader', 'en')));
});

test('the table goes out as CSV and rows come in from a CSV file', async () => {
  const page = camille.page;
  await openDb(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.trim().split(/\r?\n/);
  assert.equal(lines[0], 'Name,Budget,Status,Due,Owner,Shipped');
  assert.deepEqual(lines.slice(1), ['Intranet,300,Planned,,,', `Website,1200,Doing,2026-12-24,${LEA.display_name},true`]);

  const csv = 'Name,Budget,Status\nCRM,50,Done\nWiki,75,Planned\n';
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import CSV…' }).click()]);
  await chooser.setFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByText('2 rows imported.').waitFor();
  await assertEventually(async () => assert.deepEqual(await table(page).locator('.db-row-link').allTextContents(), ['CRM', 'Wiki', 'Intranet', 'Website']));
  await rowOf(lea.page, 'CRM').waitFor();

  // A bad line: nothing is added, and the toast says which.
  const [again] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import CSV…' }).click()]);
  await again.setFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Budget\nOK,1\nBad,lots\n') });
  await page.getByText(/The CSV was not imported\./).waitFor();
  assert.equal((await serverTable()).rows.length, 4);
  await screenshot(page, 'docs-table-imported');
});

test('Léa sees the table in French on a phone', async () => {
  const phone = await person(browser, { locale: 'fr-FR', viewport: PHONE });
  try {
    await login(phone.page, server.url, LEA.name, LEA.password, 'fr');
    await setLanguage(phone.page, 'fr');
    await openDb(phone.page);
    await phone.page.getByRole('button', { name: 'Nouvelle ligne' }).waitFor();
    await phone.page.getByRole('list', { name: 'Trié par' }).waitFor();
    // The table scrolls inside its box; the page does not scroll sideways.
    const widths = await phone.page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth, box: document.querySelector('.db-scroll').scrollWidth }));
    assert.ok(widths.page <= widths.window, `the page is ${widths.page}px wide in a ${widths.window}px window`);
    assert.ok(widths.box > widths.window, 'the table is wider than the phone and scrolls');
    failures.push(...(await capture(phone.page, 'docs-table-phone', 'fr')));
    await phone.page.getByRole('button', { name: 'Actions sur la colonne Budget' }).click();
    await screenshot(phone.page, 'docs-table-phone-menu-fr');
    phone.assertClean();
  } finally {
    await setLanguage(lea.page, 'en').catch(() => {});
    await phone.close();
  }
});

test('no serious or critical accessibility problem on the table', () => {
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

async function assertEventually(check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}
