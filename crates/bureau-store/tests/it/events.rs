use bureau_core::{NewEvent, Scope, UserId};
use bureau_store::Store;

use crate::each_backend;

fn event(n: i64) -> NewEvent {
    NewEvent {
        kind: "test.happened",
        scope: Scope::User(UserId(n % 3)),
        data: serde_json::json!({ "n": n }),
    }
}

#[tokio::test]
async fn events_are_durable_ordered_and_transactional() {
    each_backend("events", |store: Store| async move {
        assert_eq!(store.last_seq().await.unwrap(), 0);
        let mut tx = store.begin().await.unwrap();
        let a = tx.append_event(event(1)).await.unwrap();
        let b = tx.append_event(event(2)).await.unwrap();
        let committed = tx.commit().await.unwrap();
        assert!(a.seq < b.seq);
        assert_eq!(committed, vec![a.clone(), b.clone()]);

        let mut tx = store.begin().await.unwrap();
        tx.append_event(event(3)).await.unwrap();
        drop(tx); // rolled back: never seen

        let stored = store.events_since(0, 100).await.unwrap();
        assert_eq!(stored, vec![a.clone(), b.clone()]);
        assert_eq!(
            store.events_since(a.seq, 100).await.unwrap(),
            vec![b.clone()]
        );
        assert_eq!(store.events_between(0, a.seq).await.unwrap(), vec![a]);
        assert_eq!(store.last_seq().await.unwrap(), b.seq);
    })
    .await;
}

/// Concurrent writers: every committed event is visible in sequence order,
/// and once a reader sees sequence N it has seen everything before N (the
/// guarantee the event WebSocket's replay relies on).
#[tokio::test]
async fn concurrent_writers_commit_in_sequence_order() {
    each_backend("events_concurrent", |store: Store| async move {
        let writers = (0..8).map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..15 {
                    let mut tx = store.begin().await.unwrap();
                    tx.append_event(event(w * 100 + i)).await.unwrap();
                    tokio::task::yield_now().await;
                    tx.commit().await.unwrap();
                }
            })
        });
        let reader = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut cursor = 0;
                let mut seen = Vec::new();
                while seen.len() < 120 {
                    for e in store.events_since(cursor, 1000).await.unwrap() {
                        seen.push(e.seq);
                        cursor = e.seq;
                    }
                    tokio::task::yield_now().await;
                }
                seen
            })
        };
        for writer in writers {
            writer.await.unwrap();
        }
        let seen = tokio::time::timeout(std::time::Duration::from_secs(30), reader)
            .await
            .expect("the reader sees all 120 events")
            .unwrap();
        // A reader following the log by cursor missed none of them.
        assert_eq!(seen.len(), 120);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        let all = store.events_since(0, 1000).await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), seen);
    })
    .await;
}
