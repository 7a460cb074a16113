//! WebDAV locks (RFC 4918 §6, §9.10): who may lock, who may write under a
//! lock. Locks are rows in the Store (`dav_locks`), so every process and
//! every person sees the same ones; the decisions below are pure functions
//! over the locks of one space, taken inside the transaction that writes.

use bureau_core::UserId;
use bureau_store::LockRecord;

/// True when the lock at `lock_path` reaches `path`: the same resource, or
/// an ancestor with a deep (`Depth: infinity`) lock.
pub fn covers(lock: &LockRecord, path: &str) -> bool {
    lock.path == path || (lock.deep && is_below(path, &lock.path))
}

/// True when `path` is strictly inside the folder `folder` (`''` is the
/// space's root).
pub fn is_below(path: &str, folder: &str) -> bool {
    if folder.is_empty() {
        return !path.is_empty();
    }
    path.len() > folder.len() && path.starts_with(folder) && path.as_bytes()[folder.len()] == b'/'
}

/// Whether a new lock on `path` may be taken: every existing lock that
/// covers it (or, for a deep request, lies below it) must be shared, and
/// the request shared too. Returns the first lock in the way.
pub fn conflict<'a>(
    locks: &'a [LockRecord],
    path: &str,
    shared: bool,
    deep: bool,
) -> Option<&'a LockRecord> {
    locks.iter().find(|lock| {
        let overlaps = covers(lock, path) || (deep && is_below(&lock.path, path));
        overlaps && !(shared && lock.shared)
    })
}

/// Whether `who`, submitting `tokens`, may change `path` (and, for `deep`,
/// everything below it). An exclusive lock must be submitted by its owner
/// (or by anyone when `ignore_owner`, as for UNLOCK by an admin); among
/// shared locks, holding one is enough. Returns the lock in the way.
pub fn check<'a>(
    locks: &'a [LockRecord],
    path: &str,
    who: UserId,
    ignore_owner: bool,
    deep: bool,
    tokens: &[String],
) -> Result<(), &'a LockRecord> {
    let holds = |lock: &LockRecord| {
        tokens.iter().any(|t| t == &lock.token) && (ignore_owner || lock.user_id == who)
    };
    let mut holds_shared = false;
    let mut first_shared = None;
    for lock in locks.iter().filter(|lock| covers(lock, path)) {
        if holds(lock) {
            holds_shared = true;
        } else if !lock.shared {
            return Err(lock);
        } else {
            first_shared.get_or_insert(lock);
        }
    }
    if let (false, Some(lock)) = (holds_shared, first_shared) {
        return Err(lock);
    }
    if deep {
        if let Some(lock) = locks
            .iter()
            .find(|lock| is_below(&lock.path, path) && !holds(lock))
        {
            return Err(lock);
        }
    }
    Ok(())
}

/// The locks that reach `path` (for `lockdiscovery`).
pub fn discover(locks: &[LockRecord], path: &str) -> Vec<LockRecord> {
    locks
        .iter()
        .filter(|lock| covers(lock, path))
        .cloned()
        .collect()
}

/// The lock named `token` if it is on `path` or on a folder above it (a
/// client may UNLOCK through any resource the lock covers).
pub fn find<'a>(locks: &'a [LockRecord], path: &str, token: &str) -> Option<&'a LockRecord> {
    locks
        .iter()
        .find(|lock| lock.token == token && (lock.path == path || is_below(path, &lock.path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(path: &str, user: i64, shared: bool, deep: bool) -> LockRecord {
        LockRecord {
            token: format!("t-{path}-{user}"),
            space_id: 1,
            path: path.into(),
            user_id: UserId(user),
            owner_xml: None,
            timeout_secs: None,
            expires_at: None,
            shared,
            deep,
        }
    }

    #[test]
    fn below_is_by_whole_names() {
        assert!(is_below("a/b", "a"));
        assert!(is_below("a", ""));
        assert!(!is_below("ab", "a"));
        assert!(!is_below("a", "a"));
        assert!(!is_below("", ""));
    }

    #[test]
    fn exclusive_locks_conflict_shared_ones_share() {
        let locks = [lock("d", 1, false, true)];
        assert!(conflict(&locks, "d/f", false, false).is_some());
        assert!(conflict(&locks, "d/f", true, false).is_some());
        assert!(conflict(&locks, "other", false, false).is_none());
        let shared = [lock("f", 1, true, false)];
        assert!(conflict(&shared, "f", true, false).is_none());
        assert!(conflict(&shared, "f", false, false).is_some());
        // A shallow lock on a folder does not reach inside it...
        let shallow = [lock("d", 1, false, false)];
        assert!(conflict(&shallow, "d/f", false, false).is_none());
        // ...but a deep request on the folder's parent meets it.
        assert!(conflict(&shallow, "", false, true).is_some());
    }

    #[test]
    fn writing_needs_the_token_and_the_owner() {
        let locks = [lock("f", 1, false, false)];
        let token = vec![locks[0].token.clone()];
        assert!(check(&locks, "f", UserId(1), false, false, &token).is_ok());
        assert!(check(&locks, "f", UserId(1), false, false, &[]).is_err());
        assert!(check(&locks, "f", UserId(2), false, false, &token).is_err());
        assert!(check(&locks, "f", UserId(2), true, false, &token).is_ok());
        assert!(check(&locks, "g", UserId(2), false, false, &[]).is_ok());
        // Deleting the folder above needs the token of the lock below.
        assert!(check(&locks, "", UserId(1), false, true, &[]).is_err());
        assert!(check(&locks, "", UserId(1), false, true, &token).is_ok());
    }

    #[test]
    fn one_shared_lock_is_enough() {
        let locks = [lock("f", 1, true, false), lock("f", 2, true, false)];
        let mine = vec![locks[1].token.clone()];
        assert!(check(&locks, "f", UserId(2), false, false, &mine).is_ok());
        assert!(check(&locks, "f", UserId(3), false, false, &[]).is_err());
    }
}
