import { useUsers } from '../api/reads';

/** The directory as a lookup from a person's id to their display name
 * (`#id` until the directory has loaded or for someone not in it). */
export function usePersonName(): (id: number | null | undefined) => string | null {
  const users = useUsers();
  const names = new Map((users.data ?? []).map((u) => [u.id, u.display_name]));
  return (id) => (id == null ? null : names.get(id) ?? `#${id}`);
}
