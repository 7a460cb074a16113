// The server goes away and comes back: open tabs say so in the person's
// language, a reload still shows bureau (from the service worker) saying it
// is offline, nothing is blank, and everything resumes by itself.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, waitOnline } from '../lib/app.mjs';
import { capture, launch, person } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;

before(async () => {
  server = await startServer({ name: 'resilience' });
  const admin = await setupAdmin(server, { name: 'camille', display_name: 'Camille Martin', password: PASSWORD });
  await admin.patch('/me', { locale: 'fr' });
  await invitePerson(admin, { name: 'lea', display_name: 'Léa Dubois', password: PASSWORD });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test('the server goes away and comes back', { timeout: 120_000 }, async () => {
  const camille = await person(browser);
  const lea = await person(browser);
  await login(camille.page, server.url, 'camille', PASSWORD);
  await camille.page.getByRole('link', { name: 'Accueil' }).waitFor();
  await login(lea.page, server.url, 'lea', PASSWORD);
  // Both tabs have their service worker, which keeps the shell.
  for (const { page } of [camille, lea]) {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  }
  await camille.page.getByRole('link', { name: 'Profil' }).first().click();
  await camille.page.getByRole('heading', { name: 'Profil', level: 1 }).waitFor();
  const sockets = [];
  camille.page.on('websocket', (socket) => sockets.push(socket.url()));

  await server.stop();

  // The open tabs say it, each in its person's language.
  await camille.page.locator('.banner[data-connection]').waitFor();
  assert.match(await camille.page.locator('.banner').textContent(), /Connexion perdue|Vous êtes hors ligne/);
  await lea.page.locator('.banner[data-connection]').waitFor();
  assert.match(await lea.page.locator('.banner').textContent(), /Connection lost|You are offline/);
  await lea.page.locator('.banner[data-connection=offline]').waitFor({ timeout: 20_000 });
  const failures = await capture(lea.page, 'offline-banner', 'en');

  // A write fails with a sentence, not silently.
  await camille.page.getByLabel('Votre nom').fill('Camille Martin-Roy');
  await camille.page.getByRole('button', { name: 'Enregistrer' }).click();
  await camille.page.locator('.alert-error', { hasText: 'bureau est injoignable' }).waitFor();
  failures.push(...(await capture(camille.page, 'offline-save', 'fr')));

  // A reload while the server is down shows bureau, offline, not a browser
  // error page.
  await lea.page.reload();
  await lea.page.getByRole('heading', { name: 'You are offline' }).waitFor();
  failures.push(...(await capture(lea.page, 'offline-page', 'en')));
  const fresh = await camille.newPage();
  await fresh.goto(`${server.url}/settings/sessions`);
  await fresh.getByRole('heading', { name: 'Vous êtes hors ligne' }).waitFor();
  failures.push(...(await capture(fresh, 'offline-page', 'fr')));
  assert.deepEqual(failures, [], failures.join('\n\n'));

  // The server comes back on the same address and data.
  server = await startServer({ name: 'resilience', dataDir: server.dataDir, port: server.port });

  // The reloaded tabs find it by themselves…
  await lea.page.getByRole('heading', { name: /, Léa$/ }).waitFor({ timeout: 30_000 });
  await fresh.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor({ timeout: 30_000 });
  // …and the open one reconnects: by itself (its next try is at most 30 s
  // away), or at once when the person presses "Réessayer".
  const retry = camille.page.getByRole('button', { name: 'Réessayer' });
  if (await retry.isVisible()) await retry.click({ timeout: 2000 }).catch(() => {});
  await waitOnline(camille.page);
  await camille.page.locator('.banner[data-connection]').waitFor({ state: 'detached' });
  assert.ok(
    sockets.some((url) => /[?&]since=\d+/.test(url)),
    `the socket resumed from its last sequence number: ${sockets.join(', ')}`,
  );
  await camille.page.getByRole('button', { name: 'Enregistrer' }).click();
  await camille.page.getByText('Profil enregistré.').waitFor();
  await camille.page.locator('.presence-name', { hasText: 'Camille Martin-Roy' }).waitFor();

  camille.assertClean();
  lea.assertClean();
  await camille.close();
  await lea.close();
});
