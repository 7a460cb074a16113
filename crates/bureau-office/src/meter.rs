//! The data meter: the bytes the server receives from and sends to each
//! person, per UTC day and feature. The HTTP layer, the WebSocket loops and
//! the media server call [`Meter::count`]; counts gather in memory and are
//! added to the `usage_daily` rows every 30 s and when the server stops (a
//! crash loses at most those 30 s: counts are never acknowledged data).
//!
//! A person who holds SIM cards or 4G keys with a capped plan is metered:
//! past the admin's thresholds (80 % and 95 % of the month by default)
//! their meetings start in data-saver, then audio-only ([`Meter::level`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use bureau_core::time::{civil_from_days, now_ms, rfc3339};
use bureau_core::UserId;
use bureau_store::{PlanRecord, Store};

/// What the bytes were for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// The web app's files and the JSON API.
    Web,
    /// The event WebSocket.
    Events,
    /// Files, uploads and WebDAV.
    Files,
    /// The wiki, with its live editing.
    Docs,
    /// Meetings: signalling and media.
    Meetings,
}

pub const FEATURES: [Feature; 5] = [
    Feature::Web,
    Feature::Events,
    Feature::Files,
    Feature::Docs,
    Feature::Meetings,
];

impl Feature {
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Web => "web",
            Feature::Events => "events",
            Feature::Files => "files",
            Feature::Docs => "docs",
            Feature::Meetings => "meetings",
        }
    }
}

/// How far a metered person may go in a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Free,
    DataSaver,
    AudioOnly,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Free => "free",
            Level::DataSaver => "data_saver",
            Level::AudioOnly => "audio_only",
        }
    }
}

/// Percentages of the monthly cap at which meetings start in data-saver,
/// then in audio-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub saver_at_pct: u8,
    pub audio_only_at_pct: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            saver_at_pct: 80,
            audio_only_at_pct: 95,
        }
    }
}

/// A metered person's month so far.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanUse {
    pub cap_bytes: u64,
    /// The day the current month of the plan began, `YYYY-MM-DD`.
    pub period_start: String,
    pub used_bytes: u64,
    pub level: Level,
}

/// Operators sell decimal gigabytes.
pub const GB: u64 = 1_000_000_000;

type Key = (UserId, i64, Feature);

pub struct Meter {
    store: Store,
    /// The operator's switch (`data_meter` in the configuration).
    allowed: AtomicBool,
    /// Counting now: allowed, and the admin's setting is on.
    on: AtomicBool,
    pending: Mutex<HashMap<Key, (u64, u64)>>,
    plans: RwLock<HashMap<UserId, PlanUse>>,
    thresholds: RwLock<Thresholds>,
    /// Told each time the levels were recomputed (the calls in progress).
    refreshed: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
}

impl Meter {
    pub fn new(store: Store) -> Meter {
        Meter {
            store,
            allowed: AtomicBool::new(true),
            on: AtomicBool::new(true),
            pending: Mutex::default(),
            plans: RwLock::default(),
            thresholds: RwLock::default(),
            refreshed: std::sync::OnceLock::new(),
        }
    }

    /// The operator's switch: with `false`, nothing is ever counted,
    /// whatever the admin's setting says.
    pub fn allow(&self, allowed: bool) {
        self.allowed.store(allowed, Ordering::Relaxed);
        if !allowed {
            self.on.store(false, Ordering::Relaxed);
        }
    }

    /// What to do each time people's levels were recomputed (set once,
    /// when the server starts): the calls in progress apply new caps.
    pub fn on_refresh(&self, then: impl Fn() + Send + Sync + 'static) {
        let _ = self.refreshed.set(Box::new(then));
    }

    /// Whether bytes are being counted now.
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// Adds bytes received from (`bytes_in`) and sent to (`bytes_out`) a
    /// person today.
    pub fn count(&self, user: UserId, feature: Feature, bytes_in: u64, bytes_out: u64) {
        if !self.on.load(Ordering::Relaxed) || bytes_in + bytes_out == 0 {
            return;
        }
        let day = now_ms().div_euclid(86_400_000);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let entry = pending.entry((user, day, feature)).or_default();
        entry.0 += bytes_in;
        entry.1 += bytes_out;
    }

    /// Counts not yet written, as usage rows (for live figures).
    pub fn pending(&self) -> Vec<(UserId, String, Feature, u64, u64)> {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending
            .iter()
            .map(|(&(user, day, feature), &(i, o))| (user, day_string(day), feature, i, o))
            .collect()
    }

    /// Writes the counts gathered so far, then recomputes who is near their
    /// cap. Counts that could not be written are kept for the next time.
    pub async fn flush(&self) -> bureau_store::Result<()> {
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if !taken.is_empty() {
            if let Err(error) = self.write(&taken).await {
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                for (key, (i, o)) in taken {
                    let entry = pending.entry(key).or_default();
                    entry.0 += i;
                    entry.1 += o;
                }
                return Err(error);
            }
        }
        self.refresh().await
    }

    async fn write(&self, counts: &HashMap<Key, (u64, u64)>) -> bureau_store::Result<()> {
        let mut tx = self.store.begin().await?;
        for (&(user, day, feature), &(i, o)) in counts {
            tx.add_usage(user, &day_string(day), feature.as_str(), i as i64, o as i64)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reloads the admin's switch, the thresholds, the plans people hold
    /// and their months. Other processes pick a change up here, at their
    /// next flush.
    pub async fn refresh(&self) -> bureau_store::Result<()> {
        let metering = load_metering(&self.store).await?;
        self.on.store(
            metering && self.allowed.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let thresholds = load_thresholds(&self.store).await?;
        *self.thresholds.write().unwrap_or_else(|e| e.into_inner()) = thresholds;
        let today = now_ms().div_euclid(86_400_000);
        let mut caps: HashMap<UserId, (u64, i64)> = HashMap::new();
        for (user, plans) in group_plans(self.store.data_plans().await?) {
            if let Some((cap, renewal)) = cap_of(&plans) {
                caps.insert(user, (cap, period_start(today, renewal)));
            }
        }
        let mut plans = HashMap::new();
        if let Some(earliest) = caps.values().map(|&(_, start)| start).min() {
            let rows = self
                .store
                .usage(None, &day_string(earliest), &day_string(today))
                .await?;
            let pending = self.pending();
            for (&user, &(cap, start)) in &caps {
                let start = day_string(start);
                let stored: i64 = rows
                    .iter()
                    .filter(|r| r.user_id == user && r.day >= start)
                    .map(|r| r.bytes_in + r.bytes_out)
                    .sum();
                let unwritten: u64 = pending
                    .iter()
                    .filter(|p| p.0 == user && p.1 >= start)
                    .map(|p| p.3 + p.4)
                    .sum();
                let used = stored.max(0) as u64 + unwritten;
                plans.insert(
                    user,
                    PlanUse {
                        cap_bytes: cap,
                        period_start: start,
                        used_bytes: used,
                        level: level(used, cap, thresholds),
                    },
                );
            }
        }
        *self.plans.write().unwrap_or_else(|e| e.into_inner()) = plans;
        if let Some(then) = self.refreshed.get() {
            then();
        }
        Ok(())
    }

    /// A metered person's month; `None` for people without a capped plan.
    pub fn plan(&self, user: UserId) -> Option<PlanUse> {
        self.plans
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user)
            .cloned()
    }

    /// Every metered person's month.
    pub fn plans(&self) -> Vec<(UserId, PlanUse)> {
        let plans = self.plans.read().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = plans.iter().map(|(u, p)| (*u, p.clone())).collect();
        all.sort_by_key(|(u, _)| *u);
        all
    }

    /// How far the person's plan lets their meetings go now; nobody is
    /// held back while the meter is off, since their use is no longer
    /// known.
    pub fn level(&self, user: UserId) -> Level {
        if !self.is_on() {
            return Level::Free;
        }
        self.plan(user).map_or(Level::Free, |p| p.level)
    }

    pub fn thresholds(&self) -> Thresholds {
        *self.thresholds.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Flushes every 30 s, for ever (spawned once by the server).
    pub async fn run(self: std::sync::Arc<Self>) {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(error) = self.flush().await {
                tracing::warn!(%error, "the data meter could not write its counts");
            }
        }
    }
}

pub(crate) async fn load_thresholds(store: &Store) -> bureau_store::Result<Thresholds> {
    let mut thresholds = Thresholds::default();
    if let Some(v) = store.setting(SAVER_KEY).await?.and_then(|v| v.parse().ok()) {
        thresholds.saver_at_pct = v;
    }
    if let Some(v) = store.setting(AUDIO_KEY).await?.and_then(|v| v.parse().ok()) {
        thresholds.audio_only_at_pct = v;
    }
    Ok(thresholds)
}

/// The admin's switch: counting is on unless the setting says `off`.
pub(crate) async fn load_metering(store: &Store) -> bureau_store::Result<bool> {
    Ok(store.setting(METERING_KEY).await?.as_deref() != Some("off"))
}

pub(crate) const METERING_KEY: &str = "office.metering";
pub(crate) const SAVER_KEY: &str = "office.saver_at_pct";
pub(crate) const AUDIO_KEY: &str = "office.audio_only_at_pct";

fn group_plans(plans: Vec<PlanRecord>) -> HashMap<UserId, Vec<PlanRecord>> {
    let mut by_user: HashMap<UserId, Vec<PlanRecord>> = HashMap::new();
    for plan in plans {
        by_user.entry(plan.user_id).or_default().push(plan);
    }
    by_user
}

/// A person's monthly cap in bytes and the plan's renewal day; `None` when
/// one of their plans is unlimited (they are not metered).
pub fn cap_of(plans: &[PlanRecord]) -> Option<(u64, i64)> {
    if plans.is_empty() || plans.iter().any(|p| p.cap_gb <= 0) {
        return None;
    }
    let cap = plans.iter().map(|p| p.cap_gb as u64 * GB).sum();
    let largest = plans.iter().max_by_key(|p| p.cap_gb)?;
    Some((cap, largest.renewal_day.unwrap_or(1)))
}

/// The level for a month's use against a cap.
pub fn level(used: u64, cap: u64, thresholds: Thresholds) -> Level {
    if cap == 0 {
        return Level::Free;
    }
    let pct = used.saturating_mul(100) / cap;
    if pct >= u64::from(thresholds.audio_only_at_pct) {
        Level::AudioOnly
    } else if pct >= u64::from(thresholds.saver_at_pct) {
        Level::DataSaver
    } else {
        Level::Free
    }
}

/// The first day (days since the epoch) of the plan month holding `today`,
/// for a plan renewing on `renewal_day` (a day past the month's end means
/// its last day).
pub fn period_start(today: i64, renewal_day: i64) -> i64 {
    let (year, month, day) = civil_from_days(today);
    let renews_on =
        |year, month| renewal_day.clamp(1, i64::from(days_in_month(year, month))) as u32;
    let this_month = renews_on(year, month);
    if day >= this_month {
        return today - i64::from(day - this_month);
    }
    let (year, month) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    // `today - day` is the last day of the previous month.
    today - i64::from(day) - i64::from(days_in_month(year, month) - renews_on(year, month))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD` for days since the epoch.
pub fn day_string(day: i64) -> String {
    rfc3339(day * 86_400_000)[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        bureau_core::time::parse_date(text).unwrap() / 86_400_000
    }

    #[test]
    fn the_plan_month_starts_on_the_renewal_day() {
        let cases = [
            ("2026-12-06", 1, "2026-12-01"),
            ("2026-12-06", 6, "2026-12-06"),
            ("2026-12-06", 7, "2026-11-07"),
            ("2026-01-03", 12, "2025-12-12"),
            // Renewing on the 31st: the last day of shorter months.
            ("2026-03-05", 31, "2026-02-28"),
            ("2026-04-30", 31, "2026-04-30"),
            ("2024-02-29", 30, "2024-02-29"),
            ("2026-03-30", 30, "2026-03-30"),
        ];
        for (today, renewal, expected) in cases {
            assert_eq!(
                day_string(period_start(day(today), renewal)),
                expected,
                "{today} renewing on {renewal}"
            );
        }
    }

    #[test]
    fn levels_follow_the_thresholds() {
        let t = Thresholds::default();
        let cap = 50 * GB;
        assert_eq!(level(0, cap, t), Level::Free);
        assert_eq!(level(39 * GB, cap, t), Level::Free);
        assert_eq!(level(40 * GB, cap, t), Level::DataSaver);
        assert_eq!(level(47 * GB, cap, t), Level::DataSaver);
        assert_eq!(level(48 * GB, cap, t), Level::AudioOnly);
        assert_eq!(level(80 * GB, cap, t), Level::AudioOnly);
        let strict = Thresholds {
            saver_at_pct: 50,
            audio_only_at_pct: 60,
        };
        assert_eq!(level(25 * GB, cap, strict), Level::DataSaver);
        assert_eq!(level(0, 0, t), Level::Free);
    }

    #[test]
    fn caps_add_up_and_an_unlimited_plan_frees_the_person() {
        let plan = |cap_gb, renewal_day| PlanRecord {
            user_id: UserId(1),
            equipment_id: 1,
            cap_gb,
            renewal_day,
        };
        assert_eq!(cap_of(&[]), None);
        assert_eq!(cap_of(&[plan(50, Some(12))]), Some((50 * GB, 12)));
        assert_eq!(
            cap_of(&[plan(50, Some(12)), plan(20, None)]),
            Some((70 * GB, 12))
        );
        assert_eq!(cap_of(&[plan(50, Some(12)), plan(0, None)]), None);
        assert_eq!(cap_of(&[plan(20, None)]), Some((20 * GB, 1)));
    }
}
