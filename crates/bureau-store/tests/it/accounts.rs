use bureau_core::{Locale, Role, UserId};
use bureau_store::{NewAudit, NewUser, Store, StoreError};

use crate::each_backend;

fn person(name: &str) -> NewUser<'_> {
    NewUser {
        name,
        display_name: name,
        email: None,
        locale: Locale::Fr,
        role: Role::Member,
        password_hash: Some("hash"),
    }
}

#[tokio::test]
async fn users_round_trip_and_names_are_unique() {
    each_backend("users", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let alice = tx.insert_user(person("alice")).await.unwrap();
        tx.commit().await.unwrap();
        let found = store.user_by_name("alice").await.unwrap().unwrap();
        assert_eq!(found.id, alice.id);
        assert_eq!(found.locale, Locale::Fr);
        assert!(found.active);

        let mut tx = store.begin().await.unwrap();
        let clash = tx.insert_user(person("alice")).await.unwrap_err();
        assert!(matches!(clash, StoreError::Conflict(_)), "{clash:?}");
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        let changed = tx
            .update_profile(alice.id, "Alice L.", Some("a@example.org"), Locale::En)
            .await
            .unwrap();
        tx.set_active(alice.id, false).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(changed.display_name, "Alice L.");
        let found = store.user_by_id(alice.id).await.unwrap().unwrap();
        assert_eq!(found.email.as_deref(), Some("a@example.org"));
        assert!(!found.active);
        assert!(store.user_by_id(UserId(9999)).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    each_backend("rollback", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        tx.insert_user(person("bob")).await.unwrap();
        drop(tx);
        assert_eq!(store.user_count().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn sessions_revoke_only_their_owners() {
    each_backend("sessions", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let alice = tx.insert_user(person("alice")).await.unwrap();
        let bob = tx.insert_user(person("bob")).await.unwrap();
        let far = i64::MAX / 2;
        let s1 = tx
            .insert_session(alice.id, "h1", "c1", "ua", "ip", far)
            .await
            .unwrap();
        let s2 = tx
            .insert_session(alice.id, "h2", "c2", "ua", "ip", far)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        assert!(
            !tx.revoke_session(bob.id, s1.id).await.unwrap(),
            "bob cannot end alice's session"
        );
        assert!(tx.revoke_session(alice.id, s1.id).await.unwrap());
        assert!(
            !tx.revoke_session(alice.id, s1.id).await.unwrap(),
            "already revoked"
        );
        tx.commit().await.unwrap();

        let live = store.live_sessions_of(alice.id, 0).await.unwrap();
        assert_eq!(live.iter().map(|s| s.id).collect::<Vec<_>>(), vec![s2.id]);
        let by_hash = store.session_by_hash("h1").await.unwrap().unwrap();
        assert!(by_hash.revoked_at.is_some());

        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.revoke_sessions_of(alice.id, Some(s2.id)).await.unwrap(),
            0
        );
        assert_eq!(tx.revoke_sessions_of(alice.id, None).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert!(store
            .live_sessions_of(alice.id, 0)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_invitation_is_used_once_even_when_raced() {
    each_backend("invitations", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let admin = tx.insert_user(person("admin")).await.unwrap();
        let a = tx.insert_user(person("a")).await.unwrap();
        let b = tx.insert_user(person("b")).await.unwrap();
        let open = tx
            .insert_invitation("inv", Role::Guest, "", admin.id, i64::MAX / 2)
            .await
            .unwrap();
        let expired = tx
            .insert_invitation("old", Role::Guest, "", admin.id, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let attempt = |user| {
            let store = store.clone();
            async move {
                let mut tx = store.begin().await.unwrap();
                let used = tx.use_invitation(open.id, user, 1000).await.unwrap();
                tx.commit().await.unwrap();
                used
            }
        };
        let (first, second) = tokio::join!(attempt(a.id), attempt(b.id));
        assert!(first ^ second, "exactly one of two racing uses wins");

        let mut tx = store.begin().await.unwrap();
        assert!(
            !tx.use_invitation(expired.id, a.id, 1000).await.unwrap(),
            "expired"
        );
        assert!(
            !tx.revoke_invitation(open.id).await.unwrap(),
            "used ones cannot be revoked"
        );
        tx.commit().await.unwrap();
        let stored = store.invitation_by_hash("inv").await.unwrap().unwrap();
        assert!(stored.used_by == Some(a.id) || stored.used_by == Some(b.id));
    })
    .await;
}

#[tokio::test]
async fn groups_and_members() {
    each_backend("groups", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        let alice = tx.insert_user(person("alice")).await.unwrap();
        let sales = tx.insert_group("Sales").await.unwrap();
        assert!(tx.add_group_member(sales.id, alice.id).await.unwrap());
        assert!(
            !tx.add_group_member(sales.id, alice.id).await.unwrap(),
            "already in"
        );
        assert!(matches!(
            tx.insert_group("Sales").await,
            Err(StoreError::Conflict(_))
        ));
        drop(tx);
        assert!(store.groups().await.unwrap().is_empty(), "rolled back");

        let mut tx = store.begin().await.unwrap();
        let alice = tx.insert_user(person("alice")).await.unwrap();
        let sales = tx.insert_group("Sales").await.unwrap();
        tx.add_group_member(sales.id, alice.id).await.unwrap();
        tx.commit().await.unwrap();
        let groups = store.groups().await.unwrap();
        assert_eq!(groups[0].members, vec![alice.id]);

        let mut tx = store.begin().await.unwrap();
        assert!(tx.delete_group(sales.id).await.unwrap());
        tx.commit().await.unwrap();
        assert!(store.groups().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn audit_pages_newest_first() {
    each_backend("audit", |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        for i in 0..5 {
            tx.audit(NewAudit {
                actor: None,
                action: "login.failed",
                target: None,
                detail: serde_json::json!({ "i": i }),
                ip: "127.0.0.1",
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let first = store.audit(None, 3).await.unwrap();
        let order: Vec<i64> = first
            .iter()
            .map(|e| e.detail["i"].as_i64().unwrap())
            .collect();
        assert_eq!(order, vec![4, 3, 2]);
        let next = store.audit(Some(first[2].id), 3).await.unwrap();
        let order: Vec<i64> = next
            .iter()
            .map(|e| e.detail["i"].as_i64().unwrap())
            .collect();
        assert_eq!(order, vec![1, 0]);
    })
    .await;
}
