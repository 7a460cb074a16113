// Chat as two people live it, each in their own Chromium: Camille makes a
// channel, Léa finds and joins it; they talk, reply in a thread, react,
// and see unread and mention counts move; markup stays text; French.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
import { capture, launch, person, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const CAMILLE = { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' };
const LEA = { name: 'lea', display_name: 'Léa Dubois', password: 'léa loves long passwords' };

let server;
let browser;
let camille;
let lea;
let leaApi;

before(async () => {
  server = await startServer({ name: 'chat' });
  browser = await launch();
  const admin = await setupAdmin(server, CAMILLE);
  leaApi = await invitePerson(admin, LEA);
  camille = await person(browser);
  lea = await person(browser);
  await login(camille.page, server.url, CAMILLE.name, CAMILLE.password);
  await login(lea.page, server.url, LEA.name, LEA.password);
});

after(async () => {
  for (const someone of [camille, lea]) someone?.assertClean();
  await browser?.close();
  await server?.dispose();
});

const message = (page, text) => page.locator('.history .message', { hasText: text });
const conversation = (page, name) => page.locator('.conversation', { hasText: name });

async function send(page, text) {
  const box = page.locator('.channel-body .composer textarea');
  await box.fill(text);
  await box.press('Enter');
  await message(page, text.split('\n')[0].replace(/[*`]/g, '')).first().waitFor();
}

test('a channel is created, found and joined', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await page.getByRole('link', { name: 'Chat' }).first().click();
  await page.getByText('You are in no conversation yet').waitFor();
  await page.getByRole('button', { name: 'Create a channel' }).first().click();
  await page.getByLabel('Name').fill('Équipe Lyon');
  await page.getByLabel('What is it for? (optional)').fill('Everything about the Lyon office');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('heading', { name: '#équipe-lyon' }).waitFor();
  await send(page, 'Welcome to **Lyon**! Minutes are at https://example.com/minutes');
  const bold = message(page, 'Welcome to').locator('.md strong');
  assert.equal(await bold.textContent(), 'Lyon');
  assert.equal(await message(page, 'Welcome to').locator('.md a').getAttribute('href'), 'https://example.com/minutes');

  const other = lea.page;
  await other.getByRole('link', { name: 'Chat' }).first().click();
  await other.getByRole('button', { name: 'Browse channels' }).first().click();
  const row = other.locator('.browse-list li', { hasText: '#équipe-lyon' });
  await row.getByText('Everything about the Lyon office').waitFor();
  await row.getByRole('button', { name: 'Join' }).click();
  await other.getByRole('heading', { name: '#équipe-lyon' }).waitFor();
  await message(other, 'Welcome to').waitFor();
});

test('messages, threads and reactions travel live between the two', { timeout: 60_000 }, async () => {
  await send(lea.page, 'Hello Camille, I have a question about PLT-3699');
  await message(camille.page, 'I have a question about PLT-3699').waitFor();

  // Camille answers in a thread; Léa sees the reply count, opens the thread.
  const question = message(camille.page, 'PLT-3699');
  await question.hover();
  await question.getByRole('button', { name: 'Reply in a thread' }).click();
  await camille.page.getByRole('complementary', { name: 'Thread' }).waitFor();
  const threadBox = camille.page.locator('.thread .composer textarea');
  await threadBox.fill('It ships on Friday');
  await threadBox.press('Enter');
  await camille.page.locator('.thread .message', { hasText: 'It ships on Friday' }).waitFor();
  const summary = message(lea.page, 'PLT-3699').getByRole('button', { name: '1 reply' });
  await summary.waitFor();
  await summary.click();
  await lea.page.locator('.thread .message', { hasText: 'It ships on Friday' }).waitFor();
  // The thread-only reply is not in the channel; one sent "also to the channel" is.
  assert.equal(await message(lea.page, 'It ships on Friday').count(), 0);
  await lea.page.locator('.thread').getByLabel('Also send to the channel').check();
  await lea.page.locator('.thread .composer textarea').fill('Great, thanks!');
  await lea.page.locator('.thread .composer textarea').press('Enter');
  await message(camille.page, 'Great, thanks!').waitFor();
  await lea.page.getByRole('button', { name: 'Close the thread' }).click();

  // A reaction shows on both sides, with who made it.
  const welcome = message(camille.page, 'Welcome to');
  await welcome.hover();
  await welcome.getByRole('button', { name: 'Add a reaction' }).click();
  await welcome.getByRole('button', { name: '🎉' }).click();
  const reaction = message(lea.page, 'Welcome to').locator('.reaction', { hasText: '🎉' });
  await reaction.waitFor();
  assert.equal(await reaction.getAttribute('title'), 'Camille Martin');
  await reaction.click();
  await message(camille.page, 'Welcome to').locator('.reaction', { hasText: '2' }).waitFor();
  // Any other emoji, or a :short_name:, can be typed.
  await welcome.hover();
  await welcome.getByRole('button', { name: 'Add a reaction' }).click();
  await welcome.getByLabel('Another emoji or :short_name:').fill(':ship-it:');
  await welcome.getByLabel('Another emoji or :short_name:').press('Enter');
  await message(lea.page, 'Welcome to').locator('.reaction', { hasText: ':ship-it:' }).waitFor();

  // Edits show as edited; a deletion leaves a trace, not the text.
  const mine = message(lea.page, 'Great, thanks!');
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit' }).click();
  await lea.page.locator('.edit-box textarea').fill('Great, thanks a lot!');
  await lea.page.locator('.edit-box textarea').press('Enter');
  await message(camille.page, 'Great, thanks a lot!').getByText('(edited)').waitFor();
  await screenshot(camille.page, 'chat-conversation-camille');
});

test('unread and mention counts follow what each person has read', { timeout: 60_000 }, async () => {
  // Léa is elsewhere (a DM with Camille) while Camille writes in the channel.
  await lea.page.getByRole('button', { name: 'New message' }).first().click();
  await lea.page.getByRole('checkbox', { name: /Camille Martin/ }).check();
  await lea.page.getByRole('button', { name: 'Start the conversation' }).click();
  await lea.page.getByRole('heading', { name: 'Camille Martin' }).waitFor();

  await send(camille.page, 'Lunch at noon?');
  await send(camille.page, '@lea can you book the room?');
  const channel = conversation(lea.page, 'équipe-lyon');
  await channel.locator('.badge-mention', { hasText: '1' }).waitFor();
  assert.match(await channel.getAttribute('class'), /unread/);
  assert.match(await lea.page.title(), /^\(1\) bureau$/);

  await channel.click();
  await lea.page.locator('.new-line', { hasText: 'New messages' }).waitFor();
  await message(lea.page, 'can you book the room?').locator('.mention-me').waitFor();
  await lea.page.waitForFunction(() => !document.querySelector('.conversation.unread'));
  assert.equal(await lea.page.title(), 'bureau');
  // Read on one device, read on all: the API says so too.
  const sidebar = await leaApi.get('/channels');
  const entry = sidebar.find((e) => e.channel.name === 'équipe-lyon');
  assert.deepEqual([entry.unread, entry.mentions], [0, 0]);

  // A direct message counts as unread for the other person.
  await conversation(lea.page, 'Camille Martin').click();
  await lea.page.getByRole('heading', { name: 'Camille Martin' }).waitFor();
  await send(lea.page, 'Booked: room 2');
  await camille.page.locator('.conversation.unread', { hasText: 'Léa Dubois' }).waitFor();
});

test('typing, presence and status show live, without polling', { timeout: 60_000 }, async () => {
  // Both are in their DM: Léa types, Camille sees it.
  await conversation(camille.page, 'Léa Dubois').click();
  await camille.page.getByRole('heading', { name: 'Léa Dubois' }).waitFor();
  await lea.page.locator('.channel-body .composer textarea').pressSequentially('Let me check', { delay: 20 });
  await camille.page.getByText('Léa Dubois is typing…').waitFor();
  await lea.page.locator('.channel-body .composer textarea').press('Enter');
  await message(camille.page, 'Let me check').waitFor();
  await camille.page.waitForFunction(() => !document.querySelector('.typing-line')?.textContent);

  // Léa is here: a green dot beside her name in Camille's list.
  const dm = conversation(camille.page, 'Léa Dubois');
  await dm.getByRole('img', { name: 'Active' }).waitFor();

  // Léa sets a status; Camille sees it beside her name.
  await lea.page.getByRole('button', { name: 'Set a status' }).click();
  await lea.page.getByRole('button', { name: '📅 In a meeting' }).click();
  await lea.page.getByRole('button', { name: 'Save' }).click();
  await lea.page.locator('.presence-state', { hasText: 'In a meeting' }).waitFor();
  await dm.locator('.conversation-status[title="In a meeting"]').waitFor();
});

test('a private channel gets its people from its details; the bell lists what waits', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await page.getByRole('button', { name: 'Create a channel' }).first().click();
  await page.getByLabel('Name').fill('direction');
  await page.getByLabel('Private').check();
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('heading', { name: '#direction' }).waitFor();
  await page.getByRole('button', { name: 'Channel details and people' }).click();
  await page.getByLabel('Topic').fill('Budget 2027');
  await page.getByLabel('Add people').fill('léa');
  await page.locator('.people-picker li', { hasText: 'Léa Dubois' }).getByRole('button', { name: 'Add' }).click();
  await page.locator('.people-picker li', { hasText: '@lea' }).getByRole('button', { name: 'Remove' }).waitFor();
  // A webhook for the CI, posting like Slack's.
  await page.getByLabel('Shown as').fill('CI');
  await page.getByRole('button', { name: 'Create a webhook' }).click();
  const hookUrl = await page.getByLabel('Webhook URL (shown once)').inputValue();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.channel-topic', { hasText: 'Budget 2027' }).waitFor();
  const posted = await fetch(hookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'nightly build passed' }) });
  assert.equal(await posted.text(), 'ok');
  await message(page, 'nightly build passed').getByText('CI').waitFor();

  // "@lé" offers Léa; Enter picks her.
  const box = page.locator('.channel-body .composer textarea');
  await box.pressSequentially('@lé');
  await page.getByRole('option', { name: /@lea/ }).waitFor();
  await box.press('Enter');
  assert.equal(await box.inputValue(), '@lea ');
  await box.pressSequentially('the numbers are in');
  await box.press('Enter');
  await message(page, 'the numbers are in').waitFor();

  // Léa, elsewhere, sees the new channel and what waits for her in the bell.
  await lea.page.getByRole('link', { name: 'Home' }).first().click();
  const bell = lea.page.getByRole('button', { name: /^Notifications: \d+ waiting$/ });
  await bell.click();
  const item = lea.page.locator('.notification-list a', { hasText: '1 mention in #direction' });
  await item.click();
  await lea.page.getByRole('heading', { name: '#direction' }).waitFor();
  await message(lea.page, 'the numbers are in').waitFor();
});

test('markup and scripts in messages stay text', { timeout: 30_000 }, async () => {
  const { page } = camille;
  await page.locator('.conversation', { hasText: 'équipe-lyon' }).click();
  await conversation(lea.page, 'équipe-lyon').click();
  await lea.page.getByRole('heading', { name: '#équipe-lyon' }).waitFor();
  const evil = '<img src=x onerror="window.__owned=1"> [click](javascript:window.__owned=2) <script>window.__owned=3</script>';
  await page.locator('.channel-body .composer textarea').fill(evil);
  await page.locator('.channel-body .composer textarea').press('Enter');
  const shown = message(lea.page, 'onerror');
  await shown.waitFor();
  assert.equal(await shown.locator('img, script').count(), 0);
  assert.equal(await shown.locator('a[href^="javascript"]').count(), 0);
  assert.equal(await lea.page.evaluate(() => window.__owned), undefined);
  assert.equal(await page.evaluate(() => window.__owned), undefined);
});

test('search finds word forms and opens the message where it was said', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await page.getByRole('searchbox', { name: 'Search' }).fill('questions plt-3699');
  await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
  await page.getByRole('heading', { name: 'Search' }).waitFor();
  const result = page.locator('.search-result', { hasText: 'I have a question about' });
  await result.waitFor();
  const marks = await result.locator('mark').allTextContents();
  assert.deepEqual(marks, ['question', 'PLT', '3699']);
  const failures = await capture(page, 'chat-search', 'en');
  assert.deepEqual(failures, [], failures.join('\n\n'));
  await result.click();
  await page.locator('.message.highlighted', { hasText: 'PLT-3699' }).waitFor();
  // Direct messages are searchable by the people in them; "booked" also
  // finds "book", its English stem.
  const booked = await leaApi.get(`/search?q=${encodeURIComponent('booked room')}`);
  assert.deepEqual(booked.map((hit) => hit.message.text).sort(), ['@lea can you book the room?', 'Booked: room 2']);
});

test('chat screens in English and French pass the accessibility audit', { timeout: 90_000 }, async () => {
  const { page } = lea;
  await page.locator('.conversation', { hasText: 'équipe-lyon' }).click();
  await message(page, 'Lunch at noon?').waitFor();
  const failures = await capture(page, 'chat-channel', 'en');
  await setLanguage(page, 'fr');
  await page.getByRole('heading', { name: 'Canaux' }).waitFor();
  await page.getByRole('heading', { name: 'Messages directs' }).waitFor();
  failures.push(...(await capture(page, 'chat-channel', 'fr')));
  await message(page, 'PLT-3699').getByRole('button', { name: '2 réponses' }).click();
  await page.getByRole('complementary', { name: 'Fil' }).waitFor();
  failures.push(...(await capture(page, 'chat-thread', 'fr')));
  await setLanguage(page, 'en');
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
