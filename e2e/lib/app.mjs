// What a person does in bureau's web app, in either language.

export const TEXT = {
  en: {
    name: 'Login name',
    password: 'Password',
    login: 'Log in',
    online: 'Online',
    logout: 'Log out',
  },
  fr: {
    name: 'Identifiant',
    password: 'Mot de passe',
    login: 'Se connecter',
    online: 'En ligne',
    logout: 'Se déconnecter',
  },
};

/** Logs in through the login page and waits for the live connection. */
export async function login(page, base, name, password, lang = 'en') {
  const t = TEXT[lang];
  if (!page.url().startsWith(`${base}/login`)) await page.goto(`${base}/login`);
  await page.getByLabel(t.name, { exact: true }).fill(name);
  await page.getByLabel(t.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: t.login, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await waitOnline(page);
}

/** Waits until the tab's event stream is connected (the presence says so,
 * in whatever language the person chose). */
export async function waitOnline(page) {
  // The sidebar may be folded away on a phone: attached is enough.
  await page.locator('.presence .dot-online').waitFor({ state: 'attached' });
}

/** Sets the person's language through the API from inside the page; the
 * open page follows through its event stream, as another tab would. */
export async function setLanguage(page, lang) {
  await page.evaluate(async (locale) => {
    const csrf = /bureau_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
    const response = await fetch('/api/v1/me', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ locale }),
    });
    if (!response.ok) throw new Error(`PATCH /me: ${response.status}`);
  }, lang);
  await page.waitForFunction((code) => document.documentElement.lang === code, lang);
}
