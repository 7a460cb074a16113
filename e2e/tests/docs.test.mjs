// Docs as people live them, in Chromium: Camille (an administrator) makes a
// team space with Léa as a writer and Tom as a reader; Camille and Léa type
// in the same paragraph at once and see each other's carets; Tom watches
// live but cannot type; pages nest, move (menu and drag and drop), archive
// and come back; the slash menu makes a heading and a to-do list; Zoé sees
// it all in French, on a desktop and on a phone. Then the page's life
// around its content: Camille names a version and brings it back while Léa
// watches it return; comments on words, with a mention that reaches Léa,
// a reply and a resolved thread; a public link a stranger opens signed
// out, until it is turned off; pages made from templates, in French for
// Zoé. No CSP violation anywhere.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
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
let onboarding;
let camille;
let lea;
let tom;
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];

before(async () => {
  server = await startServer({ name: 'docs' });
  browser = await launch();
  admin = await setupAdmin(server, CAMILLE);
  const leaApi = await invitePerson(admin, LEA);
  const tomApi = await invitePerson(admin, TOM);
  await invitePerson(admin, ZOE);
  const leaId = (await leaApi.get('/me')).user.id;
  const tomId = (await tomApi.get('/me')).user.id;
  space = await admin.post('/spaces', { name: 'Handbook', icon: '📚' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: leaId, role: 'write' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: tomId, role: 'read' });
  onboarding = await admin.post('/pages', { space_id: space.id, title: 'Onboarding', icon: '👋' });
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

async function waitForText(page, pattern) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(page);
    if (pattern.test(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`the editor never showed ${pattern}; it shows “${last}”`);
}

const row = (page, id) => page.locator(`li[data-page="${id}"] > .tree-row`).first();

async function pageMenu(page, id, action) {
  const item = row(page, id);
  await item.hover();
  await item.locator('.pop-menu > button').click();
  await page.getByRole('menuitem', { name: action }).click();
}

async function tree() {
  return admin.get(`/spaces/${space.id}/pages`);
}

/** Waits until the editor no longer shows `pattern`. */
async function waitForNoText(page, pattern) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(page);
    if (!pattern.test(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`the editor still shows ${pattern}: “${last}”`);
}

/** Waits until the server's Markdown of a page matches (it is saved). */
async function waitForMarkdown(id, pattern) {
  const deadline = Date.now() + 10_000;
  let md = '';
  while (Date.now() < deadline) {
    md = await markdown(id);
    if (pattern.test(md)) return md;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`the server never stored ${pattern}; it has “${md}”`);
}

/** Chooses an action of the open page's "More actions" menu. */
async function more(page, action) {
  await page.locator('.doc-bar').getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: action }).click();
}

/** Selects words in the editor, as a drag of the mouse over them would. */
async function selectWords(page, words) {
  await editor(page).evaluate((root, wanted) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(wanted);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    throw new Error(`no “${wanted}” in the editor`);
  }, words);
}

async function markdown(id) {
  const response = await fetch(`${server.url}/api/v1/pages/${id}/export?format=markdown`, {
    headers: { Cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  assert.equal(response.status, 200);
  return response.text();
}

// ---- tests -----------------------------------------------------------------------

test('two people type in the same paragraph and see each other', { timeout: 90_000 }, async () => {
  await open(camille.page, onboarding.id);
  await open(lea.page, onboarding.id);
  assert.equal(await editor(camille.page).getAttribute('contenteditable'), 'true');

  await editor(camille.page).click();
  await camille.page.keyboard.type('Welcome aboard.');
  await waitForText(lea.page, /Welcome aboard\./);

  // Both in the same paragraph at once: Camille at its end, Léa at its start.
  await editor(lea.page).locator('p').first().click({ position: { x: 1, y: 8 } });
  await camille.page.keyboard.press('End');
  await Promise.all([camille.page.keyboard.type(' Camille-was-here', { delay: 40 }), lea.page.keyboard.type('Léa-too ', { delay: 40 })]);

  const deadline = Date.now() + 10_000;
  let mine = '';
  let hers = '';
  while (Date.now() < deadline) {
    [mine, hers] = await Promise.all([text(camille.page), text(lea.page)]);
    if (mine === hers && mine.includes('Camille-was-here') && mine.includes('Léa-too')) break;
    await camille.page.waitForTimeout(100);
  }
  assert.equal(mine, hers, 'both editors show the same text');
  assert.match(mine, /Camille-was-here/);
  assert.match(mine, /Léa-too/);
  assert.equal(await editor(camille.page).locator('p').count(), 1, 'one paragraph, shared');
  assert.match(mine, /^Léa-too Welcome aboard\. Camille-was-here$/, 'each where they typed');

  // Each sees the other's caret, named, and who is on the page.
  await camille.page.locator('.collab-caret-label', { hasText: 'Léa Dubois' }).waitFor();
  await lea.page.locator('.collab-caret-label', { hasText: 'Camille Martin' }).waitFor();
  await camille.page.locator('.doc-peers').getByText('LD').waitFor();
  await screenshot(camille.page, 'docs-together-camille');
  await screenshot(lea.page, 'docs-together-lea');

  // The server saved it where its Markdown export reads it.
  const md = await markdown(onboarding.id);
  assert.match(md, /Camille-was-here/);
  assert.match(md, /Léa-too/);
});

test('a reader sees the content live but cannot type', { timeout: 60_000 }, async () => {
  const { page } = tom;
  await open(page, onboarding.id);
  await page.getByText('Read only', { exact: true }).waitFor();
  await page.locator('.doc-crumbs', { hasText: 'Handbook' }).waitFor({ timeout: 3000 }).catch(async (e) => {
    console.log('CRUMBS', await page.locator('.doc-crumbs').evaluate((el) => el.outerHTML + ' ' + JSON.stringify(el.getBoundingClientRect())));
    throw e;
  });
  assert.equal(await editor(page).getAttribute('contenteditable'), 'false');
  assert.equal(await page.getByRole('textbox', { name: 'Title' }).getAttribute('readonly'), '');

  await editor(camille.page).click();
  await camille.page.keyboard.press('End');
  await camille.page.keyboard.type(' Readers follow along.');
  await waitForText(page, /Readers follow along\./);

  await editor(page).click();
  await page.keyboard.type('tom-typed');
  await page.waitForTimeout(500);
  assert.doesNotMatch(await text(page), /tom-typed/);
  assert.doesNotMatch(await text(camille.page), /tom-typed/);
  await screenshot(page, 'docs-reader');
});

test('the page tree: sub-pages, moves, drag and drop, archive and restore', { timeout: 90_000 }, async () => {
  const { page } = camille;
  await page.goto(`${server.url}/docs`);
  await row(page, onboarding.id).waitFor();

  // A sub-page, named from its title.
  await row(page, onboarding.id).hover();
  await page.getByRole('button', { name: 'Add a page inside Onboarding' }).click();
  await page.waitForURL(/\/docs\/\d+\?new$/);
  const title = page.getByRole('textbox', { name: 'Title' });
  await title.fill('First week');
  await title.press('Enter');
  const firstWeek = Number(new URL(page.url()).pathname.split('/').pop());
  await page.locator(`li[data-page="${onboarding.id}"] li[data-page="${firstWeek}"]`).getByText('First week').waitFor();

  // Another page at the top, then dragged onto Onboarding: it goes inside.
  const tools = await admin.post('/pages', { space_id: space.id, title: 'Tools', icon: '🛠️' });
  await page.goto(`${server.url}/docs/${onboarding.id}`);
  await row(page, tools.id).waitFor();
  await row(page, tools.id).dragTo(row(page, onboarding.id));
  await page.locator(`li[data-page="${onboarding.id}"] li[data-page="${tools.id}"]`).waitFor();
  assert.equal((await tree()).find((p) => p.id === tools.id).parent_id, onboarding.id);

  // Dragged to the upper edge of Onboarding: it goes before it, at the top.
  await row(page, tools.id).dragTo(row(page, onboarding.id), { targetPosition: { x: 60, y: 3 } });
  await page.waitForFunction(
    ([top, id]) => document.querySelector(`.docs-space .tree > li:first-child`)?.getAttribute('data-page') === String(id),
    [onboarding.id, tools.id],
  );
  let pages = await tree();
  assert.equal(pages.find((p) => p.id === tools.id).parent_id, null);
  assert.deepEqual(
    pages.filter((p) => p.parent_id === null).map((p) => p.title),
    ['Tools', 'Onboarding'],
  );

  // By the menu: First week to the top level.
  await pageMenu(page, firstWeek, 'Move to the top level');
  await page.locator(`.docs-space .tree > li[data-page="${firstWeek}"]`).waitFor();
  pages = await tree();
  assert.equal(pages.find((p) => p.id === firstWeek).parent_id, null);
  await screenshot(page, 'docs-tree');

  // Archived, it leaves the tree; restored from the archive, it is back.
  await pageMenu(page, tools.id, 'Archive');
  await row(page, tools.id).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'Archive' }).click();
  const archived = page.locator('.archive-list li', { hasText: 'Tools' });
  await archived.waitFor();
  await screenshot(page, 'docs-archive');
  await archived.getByRole('button', { name: 'Restore' }).click();
  await archived.waitFor({ state: 'detached' });
  await row(page, tools.id).waitFor();

  // An archived page says so, and is restored from its banner too.
  await admin.post(`/pages/${firstWeek}/archive`);
  await page.goto(`${server.url}/docs/${firstWeek}`);
  await page.getByText('This page is archived').waitFor();
  assert.equal(await editor(page).getAttribute('contenteditable'), 'false');
  await page.locator('.doc-banner').getByRole('button', { name: 'Restore' }).click();
  await page.locator('.doc-banner-archived').waitFor({ state: 'detached' });
  await row(page, firstWeek).waitFor();

  // An icon from the picker shows in the tree.
  await page.getByRole('button', { name: 'Add an icon' }).click();
  await page.getByRole('dialog', { name: 'Icon of the page' }).getByRole('button', { name: '🚀' }).click();
  await row(page, firstWeek).getByText('🚀').waitFor();
  assert.equal((await tree()).find((p) => p.id === firstWeek).icon, '🚀');
});

test('pages Camille adds, renames and archives show in Léa’s tree at once', { timeout: 60_000 }, async () => {
  await lea.page.goto(`${server.url}/docs`);
  await row(lea.page, onboarding.id).waitFor();
  // A mark on this document: a reload would wipe it.
  await lea.page.evaluate(() => { window.stillTheSameDocument = true; });
  const policy = await admin.post('/pages', { space_id: space.id, title: 'Expense policy', icon: '' });
  await row(lea.page, policy.id).getByText('Expense policy').waitFor();
  await admin.patch(`/pages/${policy.id}`, { title: 'Travel and expenses' });
  await row(lea.page, policy.id).getByText('Travel and expenses').waitFor();
  await screenshot(lea.page, 'docs-tree-live');
  await admin.post(`/pages/${policy.id}/archive`, {});
  await row(lea.page, policy.id).waitFor({ state: 'detached' });
  // All of it without a reload: still the document Léa opened.
  assert.equal(await lea.page.evaluate(() => window.stillTheSameDocument), true);
});

test('the slash menu makes a heading and a to-do list', { timeout: 60_000 }, async () => {
  const { page } = lea;
  const created = await admin.post('/pages', { space_id: space.id, title: 'Checklist' });
  await open(page, created.id);
  await editor(page).click();
  await page.keyboard.type('/head');
  const menu = page.locator('.slash-menu');
  await menu.getByRole('option', { name: /Heading 1/ }).waitFor();
  await screenshot(page, 'docs-slash');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Before the first day');
  await editor(page).locator('h1', { hasText: 'Before the first day' }).waitFor();
  await page.keyboard.press('Enter');
  await page.keyboard.type('/to-do');
  await menu.getByRole('option', { name: /To-do list/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Order a laptop');
  await editor(page).locator('ul[data-type="taskList"] li', { hasText: 'Order a laptop' }).waitFor();
  // Markdown shortcuts too.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('## Tools');
  await editor(page).locator('h2', { hasText: 'Tools' }).waitFor();

  // A callout, a typed link, a table that grows by the slash menu.
  await page.keyboard.press('Enter');
  await page.keyboard.type('/callout');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Ask Camille for the keys.');
  await editor(page).locator('.callout', { hasText: 'Ask Camille for the keys.' }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.type('See https://example.com/wiki for more.');
  await editor(page).locator('a[href="https://example.com/wiki"]').waitFor();
  await page.keyboard.press('Enter');
  await page.keyboard.type('/table');
  await page.keyboard.press('Enter');
  await editor(page).locator('table tr').nth(2).waitFor();
  await page.keyboard.type('Tool');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Owner');
  await page.keyboard.press('Tab');
  await page.keyboard.type('/add a row');
  await page.locator('.slash-menu').getByRole('option', { name: /Add a row/ }).waitFor();
  await page.keyboard.press('Enter');
  await editor(page).locator('table tr').nth(3).waitFor();

  // Selected words get the formatting bar.
  await editor(page).getByText('Order a laptop', { exact: true }).dblclick({ position: { x: 80, y: 8 } });
  const bar = page.getByRole('toolbar', { name: 'Formatting' });
  await bar.waitFor();
  await screenshot(page, 'docs-format');
  await bar.getByRole('button', { name: 'Bold' }).click();
  await editor(page).locator('strong', { hasText: 'laptop' }).waitFor();
  await screenshot(page, 'docs-blocks');
  failures.push(...(await capture(page, 'docs-page', 'en')));

  const deadline = Date.now() + 10_000;
  let md = '';
  while (Date.now() < deadline && !/\*\*laptop\*\*/.test(md)) {
    md = await markdown(created.id);
    await page.waitForTimeout(200);
  }
  assert.match(md, /^# Before the first day$/m);
  assert.match(md, /- \[ \] Order a \*\*laptop\*\*/);
  assert.match(md, /^## Tools$/m);
  assert.match(md, /Ask Camille for the keys\./);
  assert.match(md, /\[https:\/\/example\.com\/wiki\]\(https:\/\/example\.com\/wiki\)|<https:\/\/example\.com\/wiki>/);
  assert.match(md, /Tool.*Owner/);
});

test('Docs in French, on a desktop and on a phone', { timeout: 90_000 }, async () => {
  const zoe = await person(browser, { locale: 'fr-FR' });
  const { page } = zoe;
  await login(page, server.url, ZOE.name, ZOE.password, 'fr');
  await page.goto(`${server.url}/docs`);
  await page.getByRole('heading', { name: 'Documents' }).first().waitFor();
  await page.getByText('Privé', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Nouvelle page' }).first().click();
  await page.waitForURL(/\/docs\/\d+\?new$/);
  const title = page.getByRole('textbox', { name: 'Titre' });
  await title.fill('Procédure d’accueil');
  await title.press('Enter');
  await page.locator('.doc-content .is-empty[data-placeholder="Tapez / pour les commandes"]').waitFor();
  await page.locator('.doc-status', { hasText: 'Enregistré' }).waitFor();
  await page.keyboard.type('/tit');
  await page.locator('.slash-menu').getByRole('option', { name: /Titre 1/ }).waitFor();
  await screenshot(page, 'docs-fr-slash');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Partager' }).click();
  await page.getByRole('dialog', { name: /Partager/ }).getByText('Réserver à ces personnes').waitFor();
  failures.push(...(await capture(page, 'docs-share', 'fr')));
  await page.keyboard.press('Escape');
  await screenshot(page, 'docs-fr-page');

  // On a phone: the list of pages, then a page, then the list again.
  const phone = await person(browser, { locale: 'fr-FR', viewport: PHONE });
  await login(phone.page, server.url, ZOE.name, ZOE.password, 'fr');
  await phone.page.goto(`${server.url}/docs`);
  const link = phone.page.locator('.docs-nav .tree-link', { hasText: 'Procédure d’accueil' });
  await link.waitFor();
  failures.push(...(await capture(phone.page, 'docs-phone-list', 'fr')));
  await link.click();
  await editor(phone.page).waitFor();
  assert.equal(await phone.page.locator('.docs-nav').isVisible(), false, 'the page takes the whole screen');
  failures.push(...(await capture(phone.page, 'docs-phone-page', 'fr')));
  await phone.page.getByRole('button', { name: 'Afficher les pages' }).click();
  await phone.page.locator('.docs-nav').waitFor();
  zoe.assertClean();
  phone.assertClean();
  await zoe.close();
  await phone.close();
});

test('members, sharing, restricting and locking', { timeout: 90_000 }, async () => {
  const { page } = camille;
  await page.goto(`${server.url}/docs`);
  const spaceRow = page.locator(`.docs-space[data-space="${space.id}"] .space-row`);
  await spaceRow.hover();
  await spaceRow.getByRole('button', { name: 'Actions on the space Handbook' }).click();
  await page.getByRole('menuitem', { name: 'Members' }).click();
  const members = page.getByRole('dialog', { name: 'Members of Handbook' });
  await members.locator('.grant-list li', { hasText: 'Léa Dubois' }).waitFor();
  await members.locator('.grant-list li', { hasText: 'Tom Baker' }).waitFor();
  await screenshot(page, 'docs-members');
  await members.getByRole('button', { name: 'Close' }).click();

  // A new team space, named and with an emoji.
  await page.getByRole('button', { name: 'New team space' }).click();
  const create = page.getByRole('dialog', { name: 'New team space' });
  await create.getByLabel('Name of the space').fill('Sales');
  await create.locator('label', { hasText: '🎯' }).click();
  await screenshot(page, 'docs-new-space');
  await create.getByRole('button', { name: 'Create the space' }).click();
  await page.locator('.docs-space', { hasText: 'Sales' }).getByText('🎯').waitFor();
  const sales = (await admin.get('/spaces')).find((s) => s.name === 'Sales');
  assert.equal(sales.icon, '🎯');
  assert.equal(sales.kind, 'team');

  // Shared with Zoé, who is no member, then restricted to the people it is shared with.
  await open(page, onboarding.id);
  await page.locator('.doc-bar').getByRole('button', { name: 'Share' }).click();
  const share = page.getByRole('dialog', { name: /Share “Onboarding”/ });
  await share.getByLabel('Group or person to share Onboarding with').selectOption({ label: 'Zoé Lefèvre (@zoe)' });
  await share.getByRole('button', { name: 'Give access' }).click();
  await share.locator('.grant-list li', { hasText: 'Zoé Lefèvre' }).waitFor();
  await share.getByLabel('Restrict to these people').check();
  await page.locator('.doc-bar .badge', { hasText: 'Restricted' }).waitFor();
  await screenshot(page, 'docs-share');
  const zoeId = (await admin.get('/users')).find((u) => u.name === 'zoe').id;
  assert.ok((await admin.get(`/pages/${onboarding.id}/access`)).some((g) => g.user_id === zoeId));
  await share.getByLabel('Restrict to these people').uncheck();
  await page.locator('.doc-bar .badge', { hasText: 'Restricted' }).waitFor({ state: 'detached' });
  await share.getByRole('button', { name: 'Close' }).click();

  // Locked, the page turns read-only for Léa as she looks at it.
  await open(lea.page, onboarding.id);
  assert.equal(await editor(lea.page).getAttribute('contenteditable'), 'true');
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Lock the page' }).click();
  await lea.page.locator('.doc-bar .badge', { hasText: 'Locked' }).waitFor();
  await lea.page.waitForFunction(() => document.querySelector('.doc-content')?.getAttribute('contenteditable') === 'false');
  await screenshot(lea.page, 'docs-locked');
  await page.locator('.doc-banner').getByRole('button', { name: 'Unlock the page' }).click();
  await lea.page.waitForFunction(() => document.querySelector('.doc-content')?.getAttribute('contenteditable') === 'true');
});

test('the editor is fetched when a page opens, not before', { timeout: 60_000 }, async () => {
  const visitor = await person(browser);
  const { page } = visitor;
  const scripts = [];
  page.on('request', (request) => scripts.push(new URL(request.url()).pathname));
  await login(page, server.url, CAMILLE.name, CAMILLE.password);
  await page.goto(`${server.url}/docs`);
  await row(page, onboarding.id).waitFor();
  assert.deepEqual(scripts.filter((path) => /\/assets\/editor-/.test(path)), [], 'no editor before a page opens');
  await row(page, onboarding.id).locator('.tree-link').click();
  await editor(page).waitFor();
  assert.ok(scripts.some((path) => /\/assets\/editor-.*\.js$/.test(path)), 'the editor came with the page');
  visitor.assertClean();
  await visitor.close();
});

test('versions: Camille names one, Léa writes more, Camille brings it back for both', { timeout: 120_000 }, async () => {
  const created = await admin.post('/pages', { space_id: space.id, title: 'Release plan', icon: '🗓️' });
  const { page } = camille;
  await open(page, created.id);
  await editor(page).click();
  await page.keyboard.type('Plan A ships in May.');
  await waitForMarkdown(created.id, /Plan A ships in May\./);

  // Named from the page's menu.
  await more(page, 'Version history');
  const history = page.getByRole('dialog', { name: 'Version history of “Release plan”' });
  await history.getByText(/No versions yet/).waitFor();
  await history.getByRole('button', { name: 'Name current version' }).click();
  await history.getByLabel('Name of the version').fill('Before the review');
  await history.getByRole('button', { name: 'Save', exact: true }).click();
  const named = history.locator('.history-version', { hasText: 'Before the review' });
  await named.waitFor();
  await history.locator('.history-sheet .doc-content', { hasText: 'Plan A ships in May.' }).waitFor();
  await history.getByRole('button', { name: 'Close' }).click();

  // Léa changes the page; Camille sees it.
  await open(lea.page, created.id);
  await editor(lea.page).click();
  await lea.page.keyboard.press('Control+End');
  await lea.page.keyboard.type(' Plan B replaces it.');
  await waitForText(page, /Plan B replaces it\./);
  await waitForMarkdown(created.id, /Plan B replaces it\./);

  // The version, read-only as it was, then restored: live for both.
  await more(page, 'Version history');
  await named.click();
  const preview = history.locator('.history-sheet .doc-content');
  await preview.filter({ hasText: 'Plan A ships in May.' }).waitFor();
  assert.doesNotMatch(await preview.textContent(), /Plan B/, 'the version is the page as it was');
  assert.equal(await preview.getAttribute('contenteditable'), 'false');
  await screenshot(page, 'docs-history');
  failures.push(...(await capture(page, 'docs-history', 'en')));
  await history.getByRole('button', { name: 'Restore this version' }).click();
  const sure = page.getByRole('dialog', { name: 'Restore this version?' });
  await sure.getByRole('button', { name: 'Restore this version' }).click();
  await page.getByText('The page is back to “Before the review”.').waitFor();
  await waitForNoText(page, /Plan B/);
  await waitForNoText(lea.page, /Plan B/);
  assert.equal(await text(page), 'Plan A ships in May.');
  assert.equal(await text(lea.page), 'Plan A ships in May.');
  assert.doesNotMatch(await waitForMarkdown(created.id, /Plan A/), /Plan B/, 'the server has the restored content');

  // What the restore replaced was kept, automatically.
  const versions = await admin.get(`/pages/${created.id}/versions`);
  assert.equal(versions.length, 2);
  assert.equal(versions[0].automatic, true);
  assert.equal(versions[1].name, 'Before the review');

  // Léa keeps writing on the restored page, and Camille sees it.
  await editor(lea.page).click();
  await lea.page.keyboard.press('Control+End');
  await lea.page.keyboard.type(' Agreed.');
  await waitForText(page, /Plan A ships in May\. ?Agreed\./);

  // Tom reads the history but cannot restore or name a version.
  await open(tom.page, created.id);
  await more(tom.page, 'Version history');
  const his = tom.page.getByRole('dialog', { name: /Version history/ });
  await his.locator('.history-version', { hasText: 'Before the review' }).click();
  await his.locator('.history-sheet .doc-content', { hasText: 'Plan A ships in May.' }).waitFor();
  await his.locator('.history-version', { hasText: /^Automatic ·/ }).waitFor();
  assert.equal(await his.getByRole('button', { name: 'Restore this version' }).count(), 0);
  assert.equal(await his.getByRole('button', { name: 'Name current version' }).count(), 0);
  await his.getByRole('button', { name: 'Close' }).click();

  // On a phone, the list above the version.
  const phone = await person(browser, { viewport: PHONE });
  await login(phone.page, server.url, CAMILLE.name, CAMILLE.password);
  await open(phone.page, created.id);
  await more(phone.page, 'Version history');
  await phone.page.locator('.history-sheet .doc-content').waitFor();
  await screenshot(phone.page, 'docs-history-phone');
  failures.push(...(await capture(phone.page, 'docs-history-phone', 'en')));
  phone.assertClean();
  await phone.close();
});

test('comments: a thread on words, a mention Léa hears of, a reply, resolved', { timeout: 120_000 }, async () => {
  const created = await admin.post('/pages', { space_id: space.id, title: 'Travel policy', icon: '🚆' });
  const { page } = camille;
  await open(page, created.id);
  await editor(page).click();
  await page.keyboard.type('Trains are booked two weeks ahead. Hotels stay under budget.');
  await waitForMarkdown(created.id, /under budget/);
  // Léa is elsewhere in the app.
  await lea.page.goto(`${server.url}/docs`);
  await row(lea.page, onboarding.id).waitFor();

  // Words chosen, "Comment" in the formatting bar: the panel asks for the first comment.
  await selectWords(page, 'two weeks ahead');
  const bar = page.getByRole('toolbar', { name: 'Formatting' });
  await bar.getByRole('button', { name: 'Comment' }).click();
  const panel = page.getByRole('complementary', { name: /Comments/ });
  assert.equal(await panel.locator('.thread-quote-new').textContent(), 'On the text: two weeks ahead');
  await editor(page).locator('.comment-pending', { hasText: 'two weeks ahead' }).waitFor();
  const box = panel.getByRole('textbox', { name: 'New comment on the selected text' });
  await box.waitFor();
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'the composer has the focus');
  await page.keyboard.type('Is this still right? @Lé');
  await panel.getByRole('option', { name: /Léa Dubois/ }).waitFor();
  await screenshot(page, 'docs-comment-mention');
  await page.keyboard.press('Enter');
  await page.keyboard.type('please check.');
  await page.keyboard.press('Enter');
  const thread = panel.locator('.threads .thread').first();
  await thread.getByText('Is this still right? @Léa Dubois please check.').waitFor();
  await thread.locator('.mention', { hasText: '@Léa Dubois' }).waitFor();
  const threadId = Number(await thread.getAttribute('data-thread'));
  assert.ok(threadId > 0);

  // The words carry the thread's mark, in the shared document.
  const anchor = editor(page).locator(`.comment-mark[data-thread="${threadId}"]`);
  await anchor.waitFor();
  assert.equal(await anchor.textContent(), 'two weeks ahead');
  await editor(page).locator('.comment-anchor', { hasText: 'two weeks ahead' }).first().waitFor();
  assert.equal(await editor(page).locator('.comment-pending').count(), 0);
  const comments = await admin.get(`/pages/${created.id}/comments`);
  assert.equal(comments.length, 1);
  assert.equal(comments[0].quote, 'two weeks ahead');

  // Léa is told, at once, wherever she is: a toast and the bell.
  const toast = lea.page.locator('.toast', { hasText: 'Camille Martin mentioned you in “Travel policy”' });
  await toast.waitFor();
  await lea.page.getByRole('button', { name: 'Notifications: 1 waiting' }).waitFor();
  await screenshot(lea.page, 'docs-mention-toast');
  await toast.getByRole('button', { name: 'Open' }).click();
  await lea.page.waitForURL(new RegExp(`/docs/${created.id}\\?thread=${threadId}$`));
  const herPanel = lea.page.getByRole('complementary', { name: /Comments/ });
  await herPanel.locator(`.thread-active[data-thread="${threadId}"]`).waitFor();
  await editor(lea.page).locator(`.comment-mark[data-thread="${threadId}"]`).waitFor();
  await lea.page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  await herPanel.getByRole('textbox', { name: 'Reply to Camille Martin' }).fill('Yes, still two weeks.');
  await herPanel.getByRole('textbox', { name: 'Reply to Camille Martin' }).press('Enter');
  await herPanel.getByText('Yes, still two weeks.').waitFor();

  // Camille's open panel shows Léa's reply live, without a reload; after
  // closing it, a click on the words opens the thread again.
  await panel.getByText('Yes, still two weeks.').waitFor();
  await page.locator('.doc-bar').getByRole('button', { name: /Comments: 1 open thread/ }).click();
  await panel.waitFor({ state: 'detached' });
  await editor(page).locator('.comment-anchor', { hasText: 'two weeks ahead' }).first().click();
  await panel.locator(`.thread-active[data-thread="${threadId}"]`).getByText('Yes, still two weeks.').waitFor();
  await screenshot(page, 'docs-comments');
  failures.push(...(await capture(page, 'docs-comments', 'en')));

  // Someone who cannot open the page cannot be mentioned: the reason is shown.
  const general = panel.getByRole('textbox', { name: 'New comment on the page' });
  await general.click();
  await page.keyboard.type('Ask @Zo');
  await panel.getByRole('option', { name: /Zoé Lefèvre/ }).click();
  await page.keyboard.type('about it.');
  await page.keyboard.press('Enter');
  await panel.getByRole('alert').getByText(/Someone you mentioned cannot open this page/).waitFor();
  await general.fill('');

  // Resolved, the thread folds away and its words are no longer highlighted.
  await panel.locator(`[data-thread="${threadId}"]`).getByRole('button', { name: 'Resolve the thread' }).click();
  await panel.getByText('Resolved (1)').waitFor();
  await editor(page).locator('.comment-anchor').waitFor({ state: 'detached' });
  assert.equal(await editor(page).locator(`.comment-mark[data-thread="${threadId}"]`).count(), 1, 'the anchor stays in the text');
  await panel.getByText('Resolved (1)').click();
  await panel.locator(`.thread-resolved[data-thread="${threadId}"]`).getByText(/Resolved by Camille Martin/).waitFor();
  assert.ok((await admin.get(`/pages/${created.id}/comments`))[0].resolved_at);

  // A reader comments too: Tom, on words (the bar has only the comment
  // button for him, and his thread has no mark, which he cannot write)
  // and on the whole page.
  await open(tom.page, created.id);
  await editor(tom.page).getByText(/Hotels stay/).click();
  await selectWords(tom.page, 'under budget');
  const tomBar = tom.page.getByRole('toolbar', { name: 'Selected text' });
  assert.equal(await tomBar.getByRole('button').count(), 1);
  await tomBar.getByRole('button', { name: 'Comment' }).click();
  const tomPanel = tom.page.getByRole('complementary', { name: /Comments/ });
  await tomPanel.getByRole('textbox', { name: 'New comment on the selected text' }).fill('Which budget?');
  await tomPanel.getByRole('button', { name: 'Comment', exact: true }).click();
  await tomPanel.locator('.thread', { hasText: 'Which budget?' }).locator('.thread-quote', { hasText: 'under budget' }).waitFor();
  assert.equal(await editor(tom.page).locator('.comment-mark', { hasText: 'under budget' }).count(), 0);
  await tomPanel.getByRole('textbox', { name: 'New comment on the page' }).fill('Can interns book first class?');
  await tomPanel.getByRole('textbox', { name: 'New comment on the page' }).press('Enter');
  await tomPanel.locator('.thread', { hasText: 'Can interns book first class?' }).getByText('On the page').waitFor();
  assert.equal(await tomPanel.locator('.comment', { hasText: 'Yes, still two weeks.' }).getByRole('button', { name: /Actions on the comment/ }).count(), 0, 'nothing to do with others’ comments');

  // On a phone, in French, the panel covers the page.
  const phone = await person(browser, { locale: 'fr-FR', viewport: PHONE });
  await login(phone.page, server.url, LEA.name, LEA.password, 'fr');
  await setLanguage(phone.page, 'fr');
  await open(phone.page, created.id);
  await phone.page.locator('.doc-bar').getByRole('button', { name: /Commentaires/ }).click();
  await phone.page.getByRole('complementary', { name: /Commentaires/ }).getByText('Can interns book first class?').waitFor();
  await screenshot(phone.page, 'docs-comments-phone-fr');
  failures.push(...(await capture(phone.page, 'docs-comments-phone', 'fr')));
  await setLanguage(phone.page, 'en');
  phone.assertClean();
  await phone.close();
});

test('a public link: a stranger reads the page signed out, until it is turned off', { timeout: 120_000 }, async () => {
  const guide = await admin.post('/pages', { space_id: space.id, title: 'Visitor guide', icon: '🧭' });
  const parking = await admin.post('/pages', { space_id: space.id, title: 'Parking', parent_id: guide.id, icon: '🅿️' });
  const { page } = camille;
  await open(page, parking.id);
  await editor(page).click();
  await page.keyboard.type('Park on level -2.');
  await waitForMarkdown(parking.id, /level -2/);
  await open(page, guide.id);
  await editor(page).click();
  await page.keyboard.type('## Getting here');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Take the tram to Bellecour.');
  await waitForMarkdown(guide.id, /Bellecour/);

  await page.locator('.doc-bar').getByRole('button', { name: 'Share' }).click();
  const share = page.getByRole('dialog', { name: 'Share “Visitor guide”' });
  await share.getByRole('button', { name: 'Create a public link' }).click();
  await share.getByText('Copy the link now').waitFor();
  const url = await share.getByLabel('Public link to the page').inputValue();
  assert.match(url, /\/p#bpl_.+/);
  failures.push(...(await capture(page, 'docs-public-link', 'en')));
  await share.getByRole('button', { name: 'Close' }).last().click();

  // A stranger, signed out: the page, its content, its sub-page.
  const stranger = await person(browser);
  await stranger.page.goto(url);
  await stranger.page.getByRole('heading', { name: 'Visitor guide', level: 1 }).waitFor();
  const content = stranger.page.locator('.doc-content');
  await content.locator('h2', { hasText: 'Getting here' }).waitFor();
  await content.getByText('Take the tram to Bellecour.').waitFor();
  assert.equal(await content.getAttribute('contenteditable'), 'false');
  assert.equal(await stranger.page.locator('.sidebar').count(), 0, 'no app around it');
  await screenshot(stranger.page, 'docs-public');
  failures.push(...(await capture(stranger.page, 'docs-public', 'en')));
  await stranger.page.getByRole('link', { name: 'Parking' }).click();
  await stranger.page.getByRole('heading', { name: 'Parking', level: 1 }).waitFor();
  await stranger.page.locator('.doc-content').getByText('Park on level -2.').waitFor();
  assert.match(stranger.page.url(), new RegExp(`/p\\?page=${parking.id}#bpl_`));
  await stranger.page.getByRole('navigation', { name: 'Where this page is' }).getByRole('link', { name: 'Visitor guide' }).waitFor();
  await stranger.page.getByRole('button', { name: 'Français' }).click();
  await stranger.page.getByText('Lecture seule').waitFor();
  failures.push(...(await capture(stranger.page, 'docs-public-child', 'fr')));
  await stranger.page.getByRole('button', { name: 'English' }).click();

  // On a phone.
  const phone = await person(browser, { viewport: PHONE });
  await phone.page.goto(url);
  await phone.page.locator('.doc-content').getByText('Take the tram to Bellecour.').waitFor();
  await screenshot(phone.page, 'docs-public-phone');
  failures.push(...(await capture(phone.page, 'docs-public-phone', 'en')));

  // Camille sees it is on, then turns it off: the stranger is told.
  await page.locator('.doc-bar').getByRole('button', { name: 'Share' }).click();
  await share.getByText(/A public link is on \(made .* by Camille Martin\)\./).waitFor();
  await screenshot(page, 'docs-public-link-on');
  await share.getByRole('button', { name: 'Turn off' }).click();
  await page.getByRole('dialog', { name: 'Turn the public link off?' }).getByRole('button', { name: 'Turn off' }).click();
  await share.getByRole('button', { name: 'Create a public link' }).waitFor();
  await share.getByRole('button', { name: 'Close' }).last().click();
  await stranger.page.goto(url);
  await stranger.page.getByText('This link does not exist or was turned off.').waitFor();
  await screenshot(stranger.page, 'docs-public-gone');
  failures.push(...(await capture(stranger.page, 'docs-public-gone', 'en')));
  stranger.assertClean();
  phone.assertClean();
  await stranger.close();
  await phone.close();
});

test('templates: Meeting notes in French for Zoé, and a space template of Camille’s', { timeout: 120_000 }, async () => {
  const zoe = await person(browser, { locale: 'fr-FR' });
  const { page } = zoe;
  await login(page, server.url, ZOE.name, ZOE.password, 'fr');
  await page.goto(`${server.url}/docs`);
  await page.getByRole('button', { name: 'Depuis un modèle' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nouvelle page' });
  await dialog.getByRole('button', { name: /Arrivée d’un nouveau collègue/ }).waitFor();
  await screenshot(page, 'docs-templates-fr');
  failures.push(...(await capture(page, 'docs-templates', 'fr')));
  await dialog.getByRole('button', { name: /Compte rendu de réunion/ }).click();
  await page.waitForURL(/\/docs\/\d+\?new$/);
  const made = Number(new URL(page.url()).pathname.split('/').pop());
  for (const heading of ['Ordre du jour', 'Notes', 'Décisions', 'Actions']) {
    await editor(page).locator('h2', { hasText: heading }).waitFor();
  }
  await editor(page).locator('ul[data-type="taskList"] li', { hasText: 'Qui fait quoi, pour quand' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Titre' }).inputValue(), 'Compte rendu de réunion');
  await screenshot(page, 'docs-meeting-notes-fr');
  assert.ok(made > 0);
  zoe.assertClean();
  await zoe.close();

  // Camille keeps a page as a template of Handbook.
  const procedure = await admin.post('/pages', { space_id: space.id, title: 'Expense report', icon: '🧾' });
  const cp = camille.page;
  await open(cp, procedure.id);
  await editor(cp).click();
  await cp.keyboard.type('## Receipts');
  await cp.keyboard.press('Enter');
  await cp.keyboard.type('Scan every receipt.');
  await waitForMarkdown(procedure.id, /Scan every receipt/);
  await more(cp, 'Save as template');
  const save = cp.getByRole('dialog', { name: 'Save as template' });
  await save.getByLabel('Name of the template').fill('Expense report template');
  await save.getByRole('button', { name: 'Save the template' }).click();
  await cp.getByText('“Expense report template” is now a template of Handbook.').waitFor();
  const templates = await admin.get(`/spaces/${space.id}/templates`);
  assert.deepEqual(templates.pages.map((p) => p.title), ['Expense report template']);
  assert.equal((await tree()).some((p) => p.title === 'Expense report template'), false, 'templates stay out of the tree');

  // From the space's menu: a new page from it; the template opens to be changed.
  const spaceRow = cp.locator(`.docs-space[data-space="${space.id}"] .space-row`);
  await spaceRow.hover();
  await spaceRow.getByRole('button', { name: 'Actions on the space Handbook' }).click();
  await cp.getByRole('menuitem', { name: 'New page from a template' }).click();
  const pick = cp.getByRole('dialog', { name: 'New page' });
  await pick.getByRole('heading', { name: 'Templates of Handbook' }).waitFor();
  await pick.getByRole('button', { name: /Expense report template/ }).waitFor();
  await screenshot(cp, 'docs-templates');
  failures.push(...(await capture(cp, 'docs-templates', 'en')));
  await pick.getByRole('button', { name: /Expense report template/ }).click();
  await cp.waitForURL(/\/docs\/\d+\?new$/);
  await editor(cp).locator('h2', { hasText: 'Receipts' }).waitFor();
  await editor(cp).getByText('Scan every receipt.').waitFor();

  await spaceRow.hover();
  await spaceRow.getByRole('button', { name: 'Actions on the space Handbook' }).click();
  await cp.getByRole('menuitem', { name: 'New page from a template' }).click();
  await pick.getByRole('link', { name: 'Edit the template Expense report template' }).click();
  await cp.getByText('This is a template of Handbook.').waitFor();
  await editor(cp).getByText('Scan every receipt.').waitFor();
  await screenshot(cp, 'docs-template-banner');
  failures.push(...(await capture(cp, 'docs-template-page', 'en')));
});

test('no serious or critical accessibility problem on the Docs screens', () => {
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
