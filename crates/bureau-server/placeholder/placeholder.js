// The placeholder until the web app is built: enough to create the first
// admin, accept an invitation, log in and out. French and English.
const fr = (navigator.language || "en").toLowerCase().startsWith("fr");
const t = (en, frText) => (fr ? frText : en);
document.documentElement.lang = fr ? "fr" : "en";

const form = document.getElementById("form");
const note = document.getElementById("note");
const message = document.getElementById("message");
let csrf = "";

async function call(method, path, body) {
  const response = await fetch("/api/v1" + path, {
    method,
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(data?.error?.message || response.statusText);
  return data;
}

function field(name, label, type = "text") {
  const id = "f-" + name;
  return `<label for="${id}">${label}</label><input id="${id}" name="${name}" type="${type}" required>`;
}

function showForm(html, onSubmit) {
  form.innerHTML = html;
  form.hidden = false;
  form.onsubmit = async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      await onSubmit(Object.fromEntries(new FormData(form)));
    } catch (error) {
      message.textContent = error.message;
    }
  };
}

function accountForm(path, token, title) {
  note.textContent = title;
  showForm(
    field("name", t("Login name", "Identifiant")) +
      field("display_name", t("Your name", "Votre nom")) +
      field("password", t("Password (8 characters or more)", "Mot de passe (8 caractères ou plus)"), "password") +
      `<button>${t("Create my account", "Créer mon compte")}</button>`,
    async (values) => {
      const me = await call("POST", path, { ...values, token, locale: fr ? "fr" : "en" });
      history.replaceState(null, "", "/");
      home(me);
    },
  );
}

function home(me) {
  csrf = me.csrf_token || "";
  note.textContent = t(
    `Welcome, ${me.user.display_name}. The web app is being built; the API is at /api/v1.`,
    `Bienvenue, ${me.user.display_name}. L'application web est en construction ; l'API est sous /api/v1.`,
  );
  showForm(`<button>${t("Log out", "Se déconnecter")}</button>`, async () => {
    await call("POST", "/auth/logout");
    login();
  });
}

function login() {
  note.textContent = t("Log in to your office.", "Connectez-vous à votre bureau.");
  showForm(
    field("name", t("Login name", "Identifiant")) +
      field("password", t("Password", "Mot de passe"), "password") +
      `<button>${t("Log in", "Se connecter")}</button>`,
    async (values) => home(await call("POST", "/auth/login", values)),
  );
}

const secret = location.hash.slice(1);
if (location.pathname === "/setup" && secret) {
  accountForm("/setup", secret, t("Create the first admin of this office.", "Créez le premier administrateur de ce bureau."));
} else if (location.pathname === "/invite" && secret) {
  accountForm("/invitations/accept", secret, t("You are invited: create your account.", "Vous êtes invité : créez votre compte."));
} else {
  call("GET", "/me").then(home, login);
}
