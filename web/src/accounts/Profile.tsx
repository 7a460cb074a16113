import { useEffect, useState } from 'preact/hooks';
import { api, putBytes, type Locale } from '../api/client';
import { describe } from '../api/errors';
import { bumpAvatar, me, updateMe } from '../app/session';
import { formatDate, LANGUAGES, useT } from '../i18n';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { SettingsNav } from './SettingsNav';

const PICTURE_SIZE = 256;

export function Profile() {
  const t = useT();
  const user = useStore(me);
  if (!user) return null;
  return (
    <div class="page">
      <PageHeader title={t.profile.title} intro={t.profile.intro} />
      <SettingsNav />
      <div class="stack">
        <PictureCard />
        <DetailsCard key={user.id} />
        <LanguageCard />
      </div>
    </div>
  );
}

function PictureCard() {
  const t = useT();
  const user = useStore(me)!;
  const action = useAction({ fields: { avatar: t.profile.pictureInvalid } });
  const upload = async (file: File) => {
    const updated = await action.run(async () => putBytes('/me/avatar', await shrink(file)));
    if (!updated) return;
    updateMe(updated);
    bumpAvatar(updated.id);
    toast(t.profile.pictureSaved);
  };
  return (
    <section class="card" aria-labelledby="picture-heading">
      <h2 id="picture-heading">{t.profile.picture}</h2>
      <div class="picture-row">
        <Avatar user={user} size="large" />
        <div>
          <p class="muted">{t.profile.pictureHint}</p>
          <input
            id="picture-input"
            class="visually-hidden file-input"
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={action.busy}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void upload(file);
            }}
          />
          {/* The label is the visible button; the input keeps the focus. */}
          <label for="picture-input" class="btn btn-secondary" aria-busy={action.busy ? 'true' : undefined}>
            {action.busy ? <span class="spinner" aria-hidden="true" /> : <Icon name="camera" />}
            <span>{user.has_avatar ? t.profile.changePicture : t.profile.addPicture}</span>
          </label>
          <ProblemAlert problem={action.problem} />
        </div>
      </div>
    </section>
  );
}

/** Crops the picture to a square and scales it to 256 pixels before it is
 * sent: a phone photo of several megabytes becomes a few kilobytes. */
async function shrink(file: File): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file; // Not decodable here: the server says what is wrong with it.
  }
  const side = Math.min(bitmap.width, bitmap.height);
  const size = Math.min(PICTURE_SIZE, side);
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context) return file;
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/webp', 0.85));
  return blob && blob.size < file.size ? blob : file;
}

function DetailsCard() {
  const t = useT();
  const user = useStore(me)!;
  const [displayName, setDisplayName] = useState(user.display_name);
  const [email, setEmail] = useState(user.email ?? '');
  const [dirty, setDirty] = useState(false);
  const action = useAction();
  // Follow changes made elsewhere (another tab) while not editing here.
  useEffect(() => {
    if (dirty) return;
    setDisplayName(user.display_name);
    setEmail(user.email ?? '');
  }, [user.display_name, user.email]);
  const save = async (e: Event) => {
    e.preventDefault();
    const updated = await action.run(() =>
      api('patch', '/me', { body: { display_name: displayName.trim(), email: email.trim() ? email.trim() : null } }),
    );
    if (!updated) return;
    setDirty(false);
    updateMe(updated);
    toast(t.profile.saved);
  };
  const edit = (set: (v: string) => void) => (value: string) => {
    set(value);
    setDirty(true);
  };
  return (
    <section class="card" aria-labelledby="details-heading">
      <h2 id="details-heading">{t.profile.details}</h2>
      <dl class="facts">
        <div>
          <dt>{t.profile.loginName}</dt>
          <dd>@{user.name}</dd>
        </div>
        <div>
          <dt>{t.profile.role}</dt>
          <dd>{t.roles[user.role]}</dd>
        </div>
        <div>
          <dt>{t.profile.memberSince}</dt>
          <dd>{formatDate(user.created_at)}</dd>
        </div>
      </dl>
      <form class="form" onSubmit={save}>
        <ProblemAlert problem={action.problem && !action.problem.field ? action.problem : null} />
        <TextField
          label={t.accountForm.displayName}
          value={displayName}
          onValue={edit(setDisplayName)}
          autoComplete="name"
          required
          maxLength={80}
          error={fieldError(action.problem, 'display_name')}
        />
        <TextField
          label={t.accountForm.email}
          hint={t.profile.emailHint}
          type="email"
          value={email}
          onValue={edit(setEmail)}
          autoComplete="email"
          error={fieldError(action.problem, 'email')}
        />
        <div class="form-actions">
          <Button type="submit" kind="primary" busy={action.busy} disabled={!dirty}>
            {t.common.save}
          </Button>
        </div>
      </form>
    </section>
  );
}

/** The language applies at once: the interface switches as soon as it is
 * chosen, and the server keeps it for the next login and for emails. */
function LanguageCard() {
  const t = useT();
  const user = useStore(me)!;
  const [error, setError] = useState<unknown>(null);
  const change = async (value: Locale) => {
    setError(null);
    updateMe({ ...user, locale: value });
    try {
      updateMe(await api('patch', '/me', { body: { locale: value } }));
    } catch (caught) {
      updateMe(user);
      setError(caught);
    }
  };
  return (
    <section class="card" aria-labelledby="language-heading">
      <h2 id="language-heading">
        <Icon name="globe" /> {t.profile.language}
      </h2>
      <SelectField
        label={t.profile.languageLabel}
        hint={t.profile.languageHint}
        value={user.locale}
        onValue={change}
        options={LANGUAGES}
      />
      {error !== null && <ProblemAlert problem={describe(t, error)} />}
    </section>
  );
}
