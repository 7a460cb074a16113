// Every screen, in English and French, in light and dark: an axe-core audit
// with no serious or critical violation, and a screenshot saved under
// e2e/artifacts/screens/ for a person to look at.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
import { capture, launch, person, PHONE } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let openInvitation;
let usedInvitation;
let withdrawnInvitation;
const PASSWORD = 'correct horse battery';

before(async () => {
  server = await startServer({ name: 'screens' });
  browser = await launch();
  const admin = await setupAdmin(server, { name: 'camille', display_name: 'Camille Martin', password: PASSWORD });
  const lea = await invitePerson(admin, { name: 'lea', display_name: 'Léa Dubois', password: PASSWORD, email: 'lea@example.com' });
  await invitePerson(admin, { name: 'tom', display_name: 'Tom Baker', password: PASSWORD });
  const ana = await invitePerson(admin, { name: 'ana', display_name: 'Ana Costa', password: PASSWORD }, 'guest');
  const anaId = (await ana.get('/me')).user.id;
  await admin.patch(`/users/${anaId}`, { active: false });
  const leaId = (await lea.get('/me')).user.id;
  const tomId = (await admin.get('/users')).find((u) => u.name === 'tom').id;
  const design = await admin.post('/groups', { name: 'Design' });
  await admin.put(`/groups/${design.id}/members/${leaId}`);
  await admin.put(`/groups/${design.id}/members/${tomId}`);
  await admin.post('/groups', { name: 'Support' });
  // The office's queue and tools have something to show.
  await lea.post('/office/requests', { what: 'new', kind: 'headset', reason: 'Calls all day; the laptop’s microphone echoes.' });
  await admin.post('/office/tools', { name: 'CRM', url: 'https://crm.example.com/', category: 'Sales', hosting: 'saas', access: 'direct', everyone: true });
  await admin.post('/office/tools', { name: 'Accounting', url: 'http://10.0.0.12/', category: 'Finance', hosting: 'self_hosted', access: 'vpn', groups: [design.id] });
  await admin.post('/me/tokens', { name: 'Backup script', expires_in_days: 90 });
  openInvitation = await admin.post('/invitations', { role: 'member', note: 'Jordan, new designer', expires_in_hours: 168 });
  const withdrawn = await admin.post('/invitations', { role: 'guest', note: 'Client review', expires_in_hours: 24 });
  await admin.delete(`/invitations/${withdrawn.invitation.id}`);
  withdrawnInvitation = withdrawn.url;
  const used = await admin.post('/invitations', { role: 'member', note: '', expires_in_hours: 24 });
  await new Client(server.url).post('/invitations/accept', {
    token: used.token,
    name: 'sam',
    display_name: 'Sam Lee',
    password: PASSWORD,
  });
  usedInvitation = used.url;
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

const LANGS = ['en', 'fr'];

const SCREENS = [
  ['home', '/'],
  ['chat', '/chat'],
  ['meetings', '/meetings'],
  ['docs', '/docs'],
  ['files', '/files'],
  ['office', '/office'],
  ['office-equipment', '/office/equipment'],
  ['office-usage', '/office/usage'],
  ['office-test', '/office/test'],
  ['office-settings', '/office/settings'],
  ['office-requests', '/office/requests'],
  ['office-tools', '/office/tools'],
  ['profile', '/settings/profile'],
  ['password', '/settings/password'],
  ['sessions', '/settings/sessions'],
  ['tokens', '/settings/tokens'],
  ['people', '/admin/people'],
  ['invitations', '/admin/invitations'],
  ['groups', '/admin/groups'],
  ['audit', '/admin/audit'],
  ['not-found', '/no/such/page'],
];

test('every signed-in screen passes axe in both languages and themes', { timeout: 240_000 }, async () => {
  const camille = await person(browser);
  const { page } = camille;
  await login(page, server.url, 'camille', PASSWORD);
  const failures = [];
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    for (const [name, path] of SCREENS) {
      await page.goto(`${server.url}${path}`);
      await page.locator('main h1').first().waitFor();
      failures.push(...(await capture(page, name, lang)));
    }
    // Popovers and dialogs.
    await page.goto(`${server.url}/`);
    await page.locator('#global-search').click();
    await page.keyboard.type('budget');
    failures.push(...(await capture(page, 'search', lang)));
    await page.keyboard.press('Escape');
    await page.locator('.notifications .icon-btn').click();
    failures.push(...(await capture(page, 'notifications', lang)));
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/admin/people`);
    await page.locator('tr', { hasText: 'Tom Baker' }).locator('.btn-danger').click();
    await page.locator('dialog[open]').waitFor();
    failures.push(...(await capture(page, 'deactivate-dialog', lang)));
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/settings/tokens`);
    await page.locator('main form input').first().fill(lang === 'en' ? 'Calendar sync' : 'Synchro agenda');
    await page.locator('main form button[type=submit]').click();
    await page.locator('dialog[open]').waitFor();
    failures.push(...(await capture(page, 'token-created', lang)));
    await page.keyboard.press('Escape');
  }
  camille.assertClean();
  await camille.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

test('pages before login pass axe in both languages and themes', { timeout: 120_000 }, async () => {
  const visitor = await person(browser);
  const { page } = visitor;
  const failures = [];
  const pages = [
    ['login', `${server.url}/login`],
    ['invite', openInvitation.url],
    ['invite-used', usedInvitation],
    ['invite-withdrawn', withdrawnInvitation],
    ['invite-invalid', `${server.url}/invite#inv_not_a_real_secret`],
    ['setup-done', `${server.url}/setup#setup_whatever`],
  ];
  for (const lang of LANGS) {
    for (const [name, url] of pages) {
      await page.goto(url);
      await page.locator('main h1').waitFor();
      await page.locator('.language-switch button[lang=' + lang + ']').click();
      await page.waitForFunction((code) => document.documentElement.lang === code, lang);
      failures.push(...(await capture(page, name, lang)));
    }
    await page.goto(`${server.url}/login`);
    await page.locator('input[name=username]').fill('camille');
    await page.locator('input[name=password]').fill('wrong password');
    await page.locator('form button[type=submit]').click();
    await page.locator('.alert-error').waitFor();
    failures.push(...(await capture(page, 'login-wrong-password', lang)));
  }
  visitor.assertClean();
  await visitor.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

test('a member sees no administration, and the app fits a phone', { timeout: 120_000 }, async () => {
  const failures = [];
  const lea = await person(browser, { viewport: PHONE });
  const { page } = lea;
  await login(page, server.url, 'lea', PASSWORD);
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.goto(`${server.url}/`);
    await page.locator('main h1').waitFor();
    failures.push(...(await capture(page, 'phone-home', lang)));
    await page.locator('.menu-btn').click();
    await page.locator('.sidebar.open').waitFor();
    assert.equal(await page.locator('.sidebar a[href="/admin/people"]').count(), 0, 'a member sees no administration');
    failures.push(...(await capture(page, 'phone-menu', lang)));
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/settings/sessions`);
    await page.locator('main h1').waitFor();
    failures.push(...(await capture(page, 'phone-sessions', lang)));
    await page.goto(`${server.url}/office`);
    await page.locator('main h1').waitFor();
    failures.push(...(await capture(page, 'phone-office-mine', lang)));
  }
  await lea.close();
  const camille = await person(browser, { viewport: PHONE });
  await login(camille.page, server.url, 'camille', PASSWORD);
  for (const lang of LANGS) {
    await setLanguage(camille.page, lang);
    await camille.page.goto(`${server.url}/admin/people`);
    await camille.page.locator('main h1').waitFor();
    failures.push(...(await capture(camille.page, 'phone-people', lang)));
    await camille.page.goto(`${server.url}/admin/invitations`);
    await camille.page.locator('main h1').waitFor();
    failures.push(...(await capture(camille.page, 'phone-invitations', lang)));
  }
  camille.assertClean();
  lea.assertClean();
  await camille.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});

test('the keyboard reaches everything, and focus is always visible', { timeout: 60_000 }, async () => {
  const camille = await person(browser);
  const { page } = camille;
  await login(page, server.url, 'camille', PASSWORD);
  await setLanguage(page, 'en');
  await page.goto(`${server.url}/`);
  await page.locator('main h1').waitFor();
  await page.locator('body').focus();
  await page.evaluate(() => document.activeElement?.blur());

  // The first Tab shows the skip link; Enter jumps to the content.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    return { text: el?.textContent, top: el?.getBoundingClientRect().top };
  });
  assert.equal(skip.text, 'Skip to content');
  assert.ok(skip.top >= 0, 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

  // Every focusable control draws a visible focus ring.
  const focusable = await page.evaluate(() => {
    const all = [...document.querySelectorAll('a[href], button, input, select')].filter((el) => el.offsetParent !== null);
    return all.length;
  });
  let unringed = [];
  for (let i = 0; i < Math.min(focusable, 30); i++) {
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { visible, what: `${el.tagName.toLowerCase()} ${el.textContent?.trim().slice(0, 30) ?? ''}` };
    });
    if (ring && !ring.visible) unringed.push(ring.what);
  }
  assert.deepEqual(unringed, [], `controls without a visible focus: ${unringed.join(', ')}`);

  // "/" goes to the search box; Enter opens the results.
  await page.locator('main h1').focus();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'global-search');
  await page.keyboard.type('budget');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Search' }).waitFor();
  await page.getByText('Results for “budget”').waitFor();

  // On a phone, the menu opens from the keyboard and closes with Escape.
  await page.setViewportSize(PHONE);
  await page.locator('.menu-btn').focus();
  await page.keyboard.press('Enter');
  await page.locator('.sidebar.open').waitFor();
  // The menu moves focus into itself once it has rendered open.
  const focusMoved = await page
    .waitForFunction(() => document.activeElement?.closest('.sidebar') !== null, null, { timeout: 3000 })
    .then(() => true, () => false);
  assert.ok(focusMoved, 'focus moves into the menu');
  await page.keyboard.press('Escape');
  await page.locator('.sidebar.open').waitFor({ state: 'detached' });
  camille.assertClean();
  await camille.close();
});
