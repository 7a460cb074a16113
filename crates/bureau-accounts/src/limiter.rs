//! In-memory rate limits on login, setup and invitation attempts.
//!
//! Each process keeps its own counts: with several processes an attacker
//! gets the limit once per process, which still bounds guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bureau_core::{Error, Result};

const WINDOW: Duration = Duration::from_secs(5 * 60);
/// Attempts (successful or not) allowed per key and window.
const ATTEMPTS: usize = 30;

#[derive(Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    attempts: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    /// Refuses when `key` failed `max` times in the window.
    pub fn check_failures(&self, key: &str, max: usize) -> Result<()> {
        check(&self.failures, key, max)
    }

    pub fn record_failure(&self, key: &str) {
        record(&self.failures, key);
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("limiter lock").remove(key);
    }

    /// Counts one attempt under `key`, refusing past the limit.
    pub fn check_attempt(&self, key: &str) -> Result<()> {
        check(&self.attempts, key, ATTEMPTS)?;
        record(&self.attempts, key);
        Ok(())
    }
}

fn check(map: &Mutex<HashMap<String, Vec<Instant>>>, key: &str, max: usize) -> Result<()> {
    let now = Instant::now();
    let mut map = map.lock().expect("limiter lock");
    let Some(times) = map.get_mut(key) else {
        return Ok(());
    };
    times.retain(|t| now.duration_since(*t) < WINDOW);
    if times.len() < max {
        return Ok(());
    }
    let oldest = times.first().copied().unwrap_or(now);
    let retry = WINDOW
        .saturating_sub(now.duration_since(oldest))
        .as_secs()
        .max(1);
    Err(Error::RateLimited {
        retry_after_secs: retry,
    })
}

fn record(map: &Mutex<HashMap<String, Vec<Instant>>>, key: &str) {
    let now = Instant::now();
    let mut map = map.lock().expect("limiter lock");
    if map.len() > 10_000 {
        map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
    }
    map.entry(key.to_string()).or_default().push(now);
}
