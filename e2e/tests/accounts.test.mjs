// The accounts flows as people live them, in one office that the tests
// share in order: the first admin sets up the office, invites a colleague,
// who joins, switches to French, loses a session, gets deactivated...

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Client } from '../lib/api.mjs';
import { login, waitOnline } from '../lib/app.mjs';
import { capture, launch, person, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { name: 'camille', display: 'Camille Martin', password: 'correct horse battery' };
const LEA = { name: 'lea', display: 'Léa Dubois', password: 'léa loves long passwords' };

let server;
let browser;
/** The admin's tab and Léa's first tab stay open across tests. */
let camille;
let lea;
let invitationLink;

before(async () => {
  server = await startServer({ name: 'accounts' });
  browser = await launch();
});

after(async () => {
  for (const someone of [camille, lea]) someone?.assertClean();
  await browser?.close();
  await server?.dispose();
});

const alert = (page, text) => page.locator('.alert', { hasText: text });

test('the first admin sets up the office from the setup link', { timeout: 60_000 }, async () => {
  assert.ok(server.setupUrl, 'an empty office prints a setup link');
  camille = await person(browser);
  const { page } = camille;
  await page.goto(server.setupUrl);
  await page.getByRole('heading', { name: 'Set up your office' }).waitFor();
  // The setup page exists only on an empty office: audited here.
  const failures = await capture(page, 'setup', 'en');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { name: 'Configurez votre bureau' }).waitFor();
  failures.push(...(await capture(page, 'setup', 'fr')));
  await page.getByRole('button', { name: 'English' }).click();
  assert.deepEqual(failures, [], failures.join('\n\n'));
  await page.getByLabel('Your name').fill(ADMIN.display);
  // The login name is suggested from the name, accents and spaces removed.
  assert.equal(await page.getByLabel('Login name').inputValue(), 'camille.martin');
  await page.getByLabel('Login name').fill(ADMIN.name);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Repeat the password').fill('not the same');
  await page.getByRole('button', { name: 'Create the administrator account' }).click();
  await page.getByText('The two passwords are not the same.').waitFor();
  await page.getByLabel('Repeat the password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create the administrator account' }).click();
  await page.waitForURL(`${server.url}/`);
  await page.getByRole('heading', { name: /^Good (morning|afternoon|evening), Camille$/ }).waitFor();
  await page.getByText('Welcome to bureau, Camille Martin! Your office is ready.').waitFor();
  await waitOnline(page);
  assert.equal(await page.locator('.presence-state').textContent(), 'Online');

  // The link has done its job.
  const visitor = await person(browser);
  await visitor.page.goto(server.setupUrl);
  await alert(visitor.page, 'This office is set up already.').waitFor();
  await visitor.close();
});

test('a wrong password says so, in the language of the page', { timeout: 30_000 }, async () => {
  const visitor = await person(browser);
  const { page } = visitor;
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Login name').fill(ADMIN.name);
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await alert(page, 'Wrong login name or password.').waitFor();
  // Switching the page to French translates the message too.
  await page.getByRole('button', { name: 'Français' }).click();
  await alert(page, 'Identifiant ou mot de passe erroné.').waitFor();
  await page.getByRole('heading', { name: 'Connexion à bureau' }).waitFor();
  visitor.assertClean();
  await visitor.close();
});

test('an admin invites a colleague, who joins; the admin sees it live', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await page.getByRole('link', { name: 'Invitations' }).first().click();
  await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
  await page.getByLabel('Role').selectOption('member');
  await page.getByLabel('Valid for').selectOption('168');
  await page.getByLabel('Note').fill('Léa, accounting');
  await page.getByRole('button', { name: 'Create the link' }).click();
  invitationLink = await page.getByLabel('Invitation link').inputValue();
  assert.match(invitationLink, new RegExp(`^${server.url}/invite#inv_`));
  // "Copy" puts the link on the clipboard.
  await camille.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), invitationLink);
  const row = page.locator('tbody tr', { hasText: 'Léa, accounting' });
  await row.getByText('Open', { exact: true }).waitFor();

  lea = await person(browser);
  await lea.page.goto(invitationLink);
  await lea.page.getByText('You are invited to join as member.').waitFor();
  await lea.page.getByLabel('Your name').fill(LEA.display);
  assert.equal(await lea.page.getByLabel('Login name').inputValue(), 'lea.dubois');
  await lea.page.getByLabel('Login name').fill(LEA.name);
  await lea.page.getByLabel('Email (optional)').fill('lea@example.com');
  await lea.page.getByLabel('Password', { exact: true }).fill(LEA.password);
  await lea.page.getByLabel('Repeat the password').fill(LEA.password);
  await lea.page.getByRole('button', { name: 'Create my account' }).click();
  await lea.page.getByRole('heading', { name: /, Léa$/ }).waitFor();
  await waitOnline(lea.page);
  // Members have no administration section.
  assert.equal(await lea.page.getByRole('link', { name: 'People' }).count(), 0);

  // The admin's open page follows without a reload.
  await row.getByText('Used', { exact: true }).waitFor();
  await row.getByText('Joined as Léa Dubois').waitFor();
  await page.getByRole('link', { name: 'People' }).first().click();
  await page.locator('tbody tr', { hasText: 'Léa Dubois' }).getByText('@lea').waitFor();
});

test('used, withdrawn and broken invitation links say why', { timeout: 60_000 }, async () => {
  const visitor = await person(browser);
  const { page } = visitor;
  await page.goto(invitationLink);
  await alert(page, 'This invitation link was used already').waitFor();
  await page.getByText('Ask the person who invited you for a new link.').waitFor();

  const admin = camille.page;
  await admin.getByRole('link', { name: 'Invitations' }).first().click();
  await admin.getByLabel('Note').fill('Someone who will not come');
  await admin.getByRole('button', { name: 'Create the link' }).click();
  const withdrawnLink = await admin.getByLabel('Invitation link').inputValue();
  const row = admin.locator('tbody tr', { hasText: 'Someone who will not come' });
  await row.getByRole('button', { name: 'Withdraw' }).click();
  await admin.locator('dialog[open]').getByRole('button', { name: 'Withdraw' }).click();
  await row.getByText('Withdrawn', { exact: true }).waitFor();

  await page.goto(withdrawnLink);
  await alert(page, 'This invitation was withdrawn by an administrator.').waitFor();
  await page.goto(`${server.url}/invite#inv_this_is_not_a_real_link`);
  await alert(page, 'This invitation link is not valid.').waitFor();
  // In French as well.
  await page.getByRole('button', { name: 'Français' }).click();
  await alert(page, 'Ce lien d’invitation n’est pas valable.').waitFor();
  visitor.assertClean();
  await visitor.close();
});

test('logging out and in again', { timeout: 30_000 }, async () => {
  const { page } = lea;
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${server.url}/login`);
  await alert(page, 'You are logged out.').waitFor();
  await login(page, server.url, LEA.name, LEA.password);
  await page.getByRole('heading', { name: /, Léa$/ }).waitFor();
});

test('switching to French turns the whole interface French at once', { timeout: 30_000 }, async () => {
  const { page } = lea;
  await page.getByRole('link', { name: 'Profile' }).first().click();
  await page.getByLabel('Language of bureau').selectOption('fr');
  await page.getByRole('heading', { name: 'Profil', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Accueil' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await page.locator('.presence-state').textContent(), 'En ligne');
  // The choice is the account's: it holds after a reload.
  await page.reload();
  await page.getByRole('heading', { name: 'Profil', level: 1 }).waitFor();
  await page.getByText('Membre depuis le').waitFor();
  await screenshot(page, 'flow-profile-french');
});

test('revoking a session sends that tab to the login page', { timeout: 60_000 }, async () => {
  const laptop = await person(browser);
  await login(laptop.page, server.url, LEA.name, LEA.password);
  // Léa's language follows her to the new device.
  await laptop.page.getByRole('link', { name: 'Accueil' }).waitFor();

  const { page } = lea;
  await page.getByRole('link', { name: 'Sessions' }).first().click();
  const other = page.locator('.item:not(.item-current)');
  await other.waitFor();
  assert.equal(await page.locator('.item').count(), 2);
  await other.getByRole('button', { name: 'Révoquer' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Révoquer' }).click();
  await page.getByText('Session révoquée.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.item').length === 1);

  await laptop.page.waitForURL(`${server.url}/login`);
  await alert(laptop.page, 'Votre session a pris fin').waitFor();
  await screenshot(laptop.page, 'flow-session-ended-french');
  laptop.assertClean();
  await laptop.close();
});

test('people and profiles update live in other tabs', { timeout: 30_000 }, async () => {
  const admin = camille.page;
  await admin.getByRole('link', { name: 'People' }).first().click();
  await admin.locator('tbody tr', { hasText: 'Léa Dubois' }).waitFor();

  const { page } = lea;
  await page.getByRole('link', { name: 'Profil' }).first().click();
  await page.getByLabel('Votre nom').fill('Léa Dubois-Roy');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Profil enregistré.').waitFor();
  await page.locator('.presence-name', { hasText: 'Léa Dubois-Roy' }).waitFor();

  await admin.locator('tbody tr', { hasText: 'Léa Dubois-Roy' }).waitFor();

  // A new role applies at once in the person's open tab.
  const row = admin.locator('tbody tr', { hasText: 'Léa Dubois-Roy' });
  await row.getByLabel('Role of Léa Dubois-Roy').selectOption('admin');
  await admin.getByText('Léa Dubois-Roy is now administrator.').waitFor();
  await page.getByRole('link', { name: 'Journal d’audit' }).waitFor();
  await row.getByLabel('Role of Léa Dubois-Roy').selectOption('member');
  await page.getByRole('link', { name: 'Journal d’audit' }).waitFor({ state: 'detached' });
});

test('a profile picture is made small and shown', { timeout: 30_000 }, async () => {
  const { page } = lea;
  const picture = readFileSync(new URL('../../web/public/icon-512.png', import.meta.url));
  await page.locator('#picture-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture });
  await page.getByText('Photo mise à jour.').waitFor();
  await page.locator('.presence img.avatar').waitFor();
  const size = await page.locator('.picture-row img.avatar').evaluate(async (img) => {
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  });
  assert.deepEqual(size, [256, 256]);
});

test('an admin deactivates a person: their open tab is logged out, with why', { timeout: 60_000 }, async () => {
  const { page } = lea;
  await page.getByRole('link', { name: 'Accueil' }).click();
  const admin = camille.page;
  const row = admin.locator('tbody tr', { hasText: 'Léa Dubois-Roy' });
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await admin.locator('dialog[open]').getByText('They are logged out everywhere at once').waitFor();
  await admin.locator('dialog[open]').getByRole('button', { name: 'Deactivate' }).click();
  await row.getByText('Deactivated', { exact: true }).waitFor();

  await page.waitForURL(`${server.url}/login`);
  await alert(page, 'Votre compte a été désactivé par un administrateur.').waitFor();
  await screenshot(page, 'flow-deactivated-french');
  // A deactivated account cannot log in.
  await page.getByLabel('Identifiant').fill(LEA.name);
  await page.getByLabel('Mot de passe').fill(LEA.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await alert(page, 'Identifiant ou mot de passe erroné.').waitFor();

  await row.getByRole('button', { name: 'Reactivate' }).click();
  await row.getByText('Active', { exact: true }).waitFor();
  await login(page, server.url, LEA.name, LEA.password, 'fr');
});

test('changing a password, and an admin resetting it', { timeout: 60_000 }, async () => {
  const { page } = lea;
  const newPassword = 'an even longer password';
  await page.getByRole('link', { name: 'Mot de passe' }).first().click();
  await page.getByLabel('Mot de passe actuel').fill('wrong current password');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(newPassword);
  await page.getByLabel('Répétez le nouveau mot de passe').fill(newPassword);
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await page.getByText('Le mot de passe actuel est erroné.').waitFor();
  await page.getByLabel('Mot de passe actuel').fill(LEA.password);
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await alert(page, 'Mot de passe changé.').waitFor();
  LEA.password = newPassword;

  // The admin resets it: Léa's open tab ends.
  const admin = camille.page;
  const row = admin.locator('tbody tr', { hasText: 'Léa Dubois-Roy' });
  await row.getByRole('button', { name: 'Password…' }).click();
  const dialog = admin.locator('dialog[open]');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const generated = await dialog.getByLabel('New password').inputValue();
  assert.equal(generated.length, 16);
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  await dialog.getByText('was logged out everywhere').waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await page.waitForURL(`${server.url}/login`);
  await alert(page, 'Votre session a pris fin').waitFor();
  LEA.password = generated;
  await login(page, server.url, LEA.name, LEA.password, 'fr');
});

test('an API token’s secret is shown once and works until revoked', { timeout: 60_000 }, async () => {
  const { page } = lea;
  await page.getByRole('link', { name: 'Jetons d’API' }).first().click();
  await page.getByLabel('Nom').fill('Script de sauvegarde');
  await page.getByLabel('Expiration').selectOption('30');
  await page.getByRole('button', { name: 'Créer le jeton' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByText('il ne s’affiche qu’une fois').waitFor();
  const secret = await dialog.getByLabel('Secret').inputValue();
  await dialog.getByRole('button', { name: 'Terminé' }).click();
  const me = () => fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal((await me()).status, 200);

  const row = page.locator('tbody tr', { hasText: 'Script de sauvegarde' });
  await row.getByText('Jamais utilisé').waitFor({ state: 'detached' }).catch(() => {});
  await row.getByRole('button', { name: 'Révoquer' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Révoquer' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await me()).status, 401);
});

test('groups: create, add and remove members, delete', { timeout: 60_000 }, async () => {
  const admin = camille.page;
  await admin.getByRole('link', { name: 'Groups' }).first().click();
  await admin.getByLabel('Name of the group').fill('Accounting');
  await admin.getByRole('button', { name: 'Create the group' }).click();
  const card = admin.locator('.group-card', { hasText: 'Accounting' });
  await card.getByText('No one in this group yet.').waitFor();
  await card.getByLabel('Person to add to Accounting').selectOption({ label: 'Léa Dubois-Roy (@lea)' });
  await card.getByRole('button', { name: 'Add' }).click();
  await card.locator('.chip', { hasText: 'Léa Dubois-Roy' }).waitFor();
  await card.getByText('1 member').waitFor();
  // The same name twice is refused, with a sentence.
  await admin.getByLabel('Name of the group').fill('Accounting');
  await admin.getByRole('button', { name: 'Create the group' }).click();
  await admin.getByText('A group with this name exists already.').waitFor();
  await card.getByRole('button', { name: 'Remove Léa Dubois-Roy from Accounting' }).click();
  await card.getByText('No one in this group yet.').waitFor();
  await card.getByRole('button', { name: 'Delete' }).click();
  await admin.locator('dialog[open]').getByRole('button', { name: 'Delete' }).click();
  await card.waitFor({ state: 'detached' });
});

test('the audit log shows what happened, newest first, a page at a time', { timeout: 60_000 }, async () => {
  // Enough entries for a second page: a script makes and drops tokens.
  const script = new Client(server.url);
  await script.post('/auth/login', { name: ADMIN.name, password: ADMIN.password });
  for (let i = 0; i < 28; i++) {
    const { token } = await script.post('/me/tokens', { name: `batch ${i}` });
    await script.delete(`/me/tokens/${token.id}`);
  }
  const admin = camille.page;
  await admin.getByRole('link', { name: 'Audit log' }).first().click();
  const table = admin.locator('table');
  for (const action of ['Created an API token', 'Revoked an API token']) {
    await table.getByText(action).first().waitFor();
  }
  assert.equal(await admin.locator('tbody tr').count(), 50);
  const first = await admin.locator('tbody tr').first().locator('td').nth(2).textContent();
  assert.match(first, /Revoked an API token/);
  await admin.getByRole('button', { name: 'Show older entries' }).click();
  await admin.getByText('That is all.').waitFor();
  assert.ok((await admin.locator('tbody tr').count()) > 50);
  await admin.locator('tbody tr').last().getByText('Set up the office').waitFor();
});
