// A small client of bureau's JSON API for preparing what a test needs
// (people, invitations, groups) without clicking through it.

export class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('bureau_csrf');
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value] = pair.split('=');
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return json;
  }

  get(path) {
    return this.call('GET', path);
  }
  post(path, body) {
    return this.call('POST', path, body);
  }
  patch(path, body) {
    return this.call('PATCH', path, body);
  }
  put(path, body) {
    return this.call('PUT', path, body);
  }
  delete(path) {
    return this.call('DELETE', path);
  }
}

/** Creates the first admin from the setup link, logged in. */
export async function setupAdmin(server, account) {
  const client = new Client(server.url);
  const token = new URL(server.setupUrl).hash.slice(1);
  await client.post('/setup', { token, locale: 'en', email: null, ...account });
  return client;
}

/** Invites someone and accepts for them; returns their logged-in client. */
export async function invitePerson(admin, account, role = 'member') {
  const invitation = await admin.post('/invitations', { role, note: '', expires_in_hours: 72 });
  const client = new Client(admin.base);
  await client.post('/invitations/accept', { token: invitation.token, locale: 'en', email: null, ...account });
  return client;
}
