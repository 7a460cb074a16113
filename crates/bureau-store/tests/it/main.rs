//! Store conformance: every test runs against SQLite and, when
//! `BUREAU_TEST_POSTGRES` is set, PostgreSQL.

mod accounts;
mod blobs;
mod docs;
mod events;
mod files;

use bureau_store::{testing, Store};

/// Runs `test` once per backend on a fresh, migrated database.
async fn each_backend<F, Fut>(label: &str, test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for url in testing::database_urls(label).await {
        let store = Store::connect(&url).await.expect("the test database opens");
        eprintln!("backend {:?}", store.backend());
        test(store.clone()).await;
        store.close().await;
    }
}

#[tokio::test]
async fn migrations_apply_once() {
    for url in testing::database_urls("migrations").await {
        let first = Store::connect(&url).await.unwrap();
        first.close().await;
        // Reopening finds the schema in place and applies nothing twice.
        let again = Store::connect(&url).await.unwrap();
        assert_eq!(again.user_count().await.unwrap(), 0);
        again.close().await;
    }
}

#[tokio::test]
async fn unknown_backends_are_named() {
    let err = Store::connect("mysql://localhost/x").await.err().unwrap();
    assert!(
        err.to_string()
            .contains("neither `sqlite:PATH` nor `postgres://...`"),
        "{err}"
    );
}
