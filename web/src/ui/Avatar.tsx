import { avatarUrl, type User } from '../api/client';
import { avatarVersions } from '../app/session';
import { useStore } from '../lib/store';

type Person = Pick<User, 'id' | 'has_avatar' | 'display_name'>;

/** Someone's picture, or their initials on a colour of their own. The name
 * is always written beside it, so the image itself is decorative. */
export function Avatar({ user, size = 'medium' }: { user: Person; size?: 'small' | 'medium' | 'large' }) {
  const versions = useStore(avatarVersions);
  const url = avatarUrl(user, versions[user.id] ?? 0);
  if (url) return <img class={`avatar avatar-${size}`} src={url} alt="" loading="lazy" decoding="async" />;
  return (
    <span class={`avatar avatar-${size} avatar-hue-${user.id % 8}`} aria-hidden="true">
      {initials(user.display_name)}
    </span>
  );
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => [...word][0]?.toUpperCase() ?? '').join('') || '?';
}
