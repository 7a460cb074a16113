//! Helpers for tests that run against every backend: a fresh SQLite file
//! always, and a fresh PostgreSQL schema when `BUREAU_TEST_POSTGRES` names a
//! server (`cargo xtask test` and CI set it).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A new empty folder under the system's temporary folder.
pub fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "bureau-test-{label}-{}-{n}-{}",
        std::process::id(),
        bureau_core::time::now_ms()
    ));
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    dir
}

/// A database URL per backend under test, each naming an empty database.
pub async fn database_urls(label: &str) -> Vec<String> {
    let mut urls = vec![sqlite_url(label)];
    if let Some(url) = postgres_url(label).await {
        urls.push(url);
    }
    urls
}

/// A new, empty SQLite database file.
pub fn sqlite_url(label: &str) -> String {
    format!(
        "sqlite:{}?mode=rwc",
        temp_dir(label).join("bureau.db").display()
    )
}

/// A fresh PostgreSQL schema on the server `BUREAU_TEST_POSTGRES` names, as
/// a URL whose connections use it; `None` when the variable is unset.
pub async fn postgres_url(label: &str) -> Option<String> {
    let Ok(base) = std::env::var("BUREAU_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test PostgreSQL: set BUREAU_TEST_POSTGRES (cargo xtask test does)"
        );
        eprintln!("BUREAU_TEST_POSTGRES is unset: testing SQLite only");
        return None;
    };
    sqlx::any::install_default_drivers();
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "t_{}_{}_{}_{}",
        label.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        bureau_core::time::now_ms() % 1_000_000_000,
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
        .await
        .expect("BUREAU_TEST_POSTGRES accepts connections");
    sqlx::Executor::execute(&mut conn, format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("creating a test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}"
    ))
}
