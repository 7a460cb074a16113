// Pages kept on this device: the editor stores each open page's Yjs
// document in IndexedDB (y-indexeddb, one database per person and page),
// so edits made offline survive a reload and merge when the connection
// returns. They belong to the person signed in: the session forgets them
// on logout and when the account is deactivated (not when a session
// merely expires: unsent edits wait for the next login), and anyone
// else's at a login, so the next person at a shared computer never gets
// them. Kept apart from the editor's chunk, which
// only the pages load.

const PREFIX = 'bureau-doc-';

/** The database that holds `page` for `user`. */
export function offlineDocName(user: number, page: number): string {
  return `${PREFIX}${user}-${page}`;
}

/** Deletes every page kept on this device. */
export function forgetOfflineDocs(): Promise<void> {
  return forget(() => true);
}

/** Deletes the pages kept for anyone but `user`. */
export function forgetOthersOfflineDocs(user: number): Promise<void> {
  return forget((name) => !name.startsWith(`${PREFIX}${user}-`));
}

async function forget(unwanted: (name: string) => boolean): Promise<void> {
  try {
    const databases = (await indexedDB?.databases?.()) ?? [];
    for (const { name } of databases) {
      // A page still open closes its database as the editor goes; the
      // deletion waits for that.
      if (name?.startsWith(PREFIX) && unwanted(name)) indexedDB.deleteDatabase(name);
    }
  } catch {
    // No IndexedDB (a private window may refuse it): nothing was kept.
  }
}
