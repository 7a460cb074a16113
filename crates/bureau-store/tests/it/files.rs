use bureau_core::{Locale, Role};
use bureau_store::{LockRecord, NewUser, Store};

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
        assert_eq!(reached[0].0.locks_until, 9_000);
    })
    .await;
}
