use bureau_core::{Locale, Role};
use bureau_store::{LockRecord, NewNode, NewUser, Store};

use crate::each_backend;

/// A space's lock horizon (when its last lock can expire) rises with every
/// lock taken or refreshed, and never falls: a write may skip the lock
/// query only where no lock can be live.
#[tokio::test]
async fn the_lock_horizon_follows_every_lock() {
    each_backend("lock_horizon", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let who = tx
            .insert_user(NewUser {
                name: "lou",
                display_name: "Lou",
                email: None,
                locale: Locale::Fr,
                role: Role::Member,
                password_hash: None,
            })
            .await
            .unwrap()
            .id;
        let space = tx.ensure_person_space(who).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(space.locks_until, 0, "a new space never had a lock");

        let lock = |token: &str, expires_at: i64| LockRecord {
            token: token.into(),
            space_id: space.id,
            path: "report.odt".into(),
            user_id: who,
            owner_xml: None,
            timeout_secs: Some(60),
            expires_at: Some(expires_at),
            shared: true,
            deep: false,
        };
        let horizon = || async { store.space(space.id).await.unwrap().unwrap().locks_until };
        let mut tx = store.begin().await.unwrap();
        tx.insert_lock(&lock("a", 5_000)).await.unwrap();
        tx.insert_lock(&lock("b", 3_000)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(horizon().await, 5_000);

        let mut tx = store.begin().await.unwrap();
        assert!(tx.refresh_lock("b", Some(600), Some(9_000)).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(horizon().await, 9_000);

        // Unlocking leaves it: a horizon in the past only means a query.
        let mut tx = store.begin().await.unwrap();
        assert!(tx.delete_lock("b").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(horizon().await, 9_000);
        // The spaces a person reaches carry it too.
        let reached = store.spaces_reached(who, false).await.unwrap();
        assert_eq!(reached.spaces[0].0.locks_until, 9_000);
    })
    .await;
}

/// The spaces a person reaches say whether anything is shared with them,
/// exactly when `granted_to` finds something: so a person nothing is
/// shared with needs no second query, and nobody's shares are skipped.
#[tokio::test]
async fn the_spaces_reached_say_whether_anything_is_shared() {
    each_backend("anything_granted", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let person = |name: &'static str| NewUser {
            name,
            display_name: name,
            email: None,
            locale: Locale::En,
            role: Role::Member,
            password_hash: None,
        };
        let owner = tx.insert_user(person("ola")).await.unwrap().id;
        let reader = tx.insert_user(person("rik")).await.unwrap().id;
        let space = tx.ensure_person_space(owner).await.unwrap();
        tx.ensure_person_space(reader).await.unwrap();
        let root = tx.node_at(space.id, "").await.unwrap().unwrap();
        let folder = tx
            .insert_node(NewNode {
                space_id: space.id,
                parent_id: root.id,
                path: "plans",
                name: "plans",
                is_dir: true,
                size: 0,
                blob_id: None,
                mime: "",
                by: Some(owner),
            })
            .await
            .unwrap();
        let group = tx.insert_group("designers").await.unwrap().id;
        tx.commit().await.unwrap();
        let agree = || async {
            let reached = store.spaces_reached(reader, false).await.unwrap();
            let granted = store.granted_to(reader).await.unwrap();
            assert_eq!(reached.anything_granted, !granted.is_empty());
            reached.anything_granted
        };
        assert!(!agree().await, "nothing is shared yet");

        // Shared with a group they are not in, then with them in it.
        let mut tx = store.begin().await.unwrap();
        tx.set_grant(folder.id, Some(group.0), None, Some(false), owner)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(!agree().await, "shared with a group they are not in");
        let mut tx = store.begin().await.unwrap();
        tx.add_group_member(group, reader).await.unwrap();
        tx.commit().await.unwrap();
        assert!(agree().await, "shared with their group");

        // A trashed folder is shared no more; its grant to them alone
        // counts once it is back.
        let mut tx = store.begin().await.unwrap();
        tx.set_grant(folder.id, Some(group.0), None, None, owner)
            .await
            .unwrap();
        tx.set_grant(folder.id, None, Some(reader), Some(true), owner)
            .await
            .unwrap();
        tx.trash_node(&folder, owner).await.unwrap();
        tx.commit().await.unwrap();
        assert!(!agree().await, "the shared folder is in the trash");
        let mut tx = store.begin().await.unwrap();
        tx.restore_node(&folder, root.id, "plans", "plans")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(agree().await, "shared with them alone");
    })
    .await;
}
