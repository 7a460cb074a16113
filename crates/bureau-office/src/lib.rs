//! The office: the company's equipment (laptops, webcams, 4G keys and SIM
//! cards with their data plans, phone lines...) and who holds each piece,
//! with its whole history, as CSV too ([`sheet`]), and people's requests;
//! the data meter ([`meter`]); connection tests and readiness
//! ([`readiness`]); the company's other tools and their reachability
//! check ([`reach`]). The plan is `docs/office-design.md`.
//!
//! **Rule of reading:** admins see and manage everything; a member sees
//! only their own pieces, usage, connection tests, readiness and requests,
//! and the tools they need; anything else is 404 to them.

pub mod meter;
pub mod reach;
pub mod readiness;
pub mod sheet;

use std::collections::HashMap;
use std::sync::Arc;

use bureau_accounts::Ports;
use bureau_core::time::now_ms;
use bureau_core::{Error, GroupId, Principal, Result, Role, UserId};
use bureau_store::{
    AssignmentRecord, ConnectionTestRecord, EquipmentFields, EquipmentRecord, GroupRecord,
    NewConnectionTest, RequestRecord, ToolFields, ToolRecord,
};
use meter::{day_string, Meter, PlanUse, Thresholds};
use readiness::{Facts, Measured, Missing, Verdict};

/// The kinds of equipment, as the API names them.
pub const KINDS: [&str; 9] = [
    "laptop",
    "desktop",
    "webcam",
    "headset",
    "phone",
    "4g_key",
    "sim",
    "phone_line",
    "other",
];

/// Statuses an admin may set by hand (`assigned` follows an assignment).
pub const STATUSES: [&str; 3] = ["in_stock", "in_repair", "retired"];

const MAX_TEXT: usize = 200;
const MAX_NOTES: usize = 4000;

pub struct Office {
    ports: Ports,
    meter: Arc<Meter>,
}

/// A period of usage: the rows (stored and not yet written) and the months
/// of the metered people in it.
pub struct UsageReport {
    pub from: String,
    pub to: String,
    /// (person, day, feature, bytes in, bytes out), by day.
    pub rows: Vec<(UserId, String, &'static str, u64, u64)>,
    pub plans: Vec<(UserId, PlanUse)>,
}

/// What the admin sets for the office.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Whether each person's data use is counted (on unless the admin
    /// turned it off; the operator's `data_meter` switch overrides it).
    pub metering: bool,
    pub thresholds: Thresholds,
    /// Members of these groups need a phone line.
    pub phone_groups: Vec<GroupId>,
    /// Unit prices for the shopping list, in cents, per kind.
    pub prices: Vec<(String, i64)>,
    /// Private or local networks the tools' check may visit (CIDR).
    pub allowed_networks: Vec<String>,
}

/// One person's readiness.
pub struct PersonReadiness {
    pub user_id: UserId,
    pub verdict: Verdict,
    pub missing: Vec<Missing>,
    /// The latest connection test, if any.
    pub latest_test: Option<ConnectionTestRecord>,
}

/// The company's figures.
pub struct CompanyReadiness {
    pub people: usize,
    pub ready: usize,
    pub partly: usize,
    pub not_ready: usize,
    /// (kind, how many, unit price in cents)
    pub shopping: Vec<(&'static str, usize, i64)>,
}

const PHONE_GROUPS_KEY: &str = "office.phone_groups";
const PRICES_KEY: &str = "office.prices";
const NETWORKS_KEY: &str = "office.allowed_networks";
/// How tools are hosted, and how people reach them from home.
pub const HOSTINGS: [&str; 2] = ["saas", "self_hosted"];
pub const ACCESSES: [&str; 3] = ["direct", "vpn", "none"];
/// A tool's check is redone after this long.
const CHECK_EVERY_MS: i64 = 24 * 3600 * 1000;
/// How long one tool's check may take.
pub const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// Longest period a usage report covers.
const MAX_USAGE_DAYS: i64 = 400;

impl Office {
    pub fn new(ports: Ports) -> Office {
        let meter = Arc::new(Meter::new(ports.store.clone()));
        Office { ports, meter }
    }

    pub fn meter(&self) -> &Arc<Meter> {
        &self.meter
    }

    /// A member asks about themselves; an admin about anyone.
    fn about(who: &Principal, user: Option<UserId>) -> Result<UserId> {
        match user {
            None => Ok(who.user_id),
            Some(user) if user == who.user_id || who.is_admin() => Ok(user),
            Some(_) => Err(Error::NotFound("no such person".into())),
        }
    }

    /// Usage per day and feature from `from` to `to` (`YYYY-MM-DD`, by
    /// default the last 30 days): the member's own, or for an admin one
    /// person's or (`user` = None) everyone's.
    pub async fn usage(
        &self,
        who: &Principal,
        user: Option<UserId>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<UsageReport> {
        let scope = match user {
            None if who.is_admin() => None,
            other => Some(Self::about(who, other)?),
        };
        let day = |field: &'static str, text: Option<&str>| -> Result<Option<i64>> {
            text.map(|t| {
                bureau_core::time::parse_date(t)
                    .map(|ms| ms / 86_400_000)
                    .ok_or_else(|| {
                        Error::invalid(field, format!("{field} is a date written YYYY-MM-DD"))
                    })
            })
            .transpose()
        };
        let to = day("to", to)?.unwrap_or(now_ms().div_euclid(86_400_000));
        let from = day("from", from)?.unwrap_or(to - 29);
        if from > to {
            return Err(Error::invalid("from", "from comes before to"));
        }
        if to - from >= MAX_USAGE_DAYS {
            return Err(Error::invalid(
                "from",
                format!("a report covers at most {MAX_USAGE_DAYS} days"),
            ));
        }
        let (from, to) = (day_string(from), day_string(to));
        let mut totals: HashMap<(UserId, String, &'static str), (u64, u64)> = HashMap::new();
        for row in self.ports.store.usage(scope, &from, &to).await? {
            let Some(feature) = meter::FEATURES.iter().find(|f| f.as_str() == row.feature) else {
                continue;
            };
            let entry = totals
                .entry((row.user_id, row.day, feature.as_str()))
                .or_default();
            entry.0 += row.bytes_in.max(0) as u64;
            entry.1 += row.bytes_out.max(0) as u64;
        }
        for (user, day, feature, i, o) in self.meter.pending() {
            if scope.is_some_and(|s| s != user) || day < from || day > to {
                continue;
            }
            let entry = totals.entry((user, day, feature.as_str())).or_default();
            entry.0 += i;
            entry.1 += o;
        }
        let mut rows: Vec<_> = totals
            .into_iter()
            .map(|((user, day, feature), (i, o))| (user, day, feature, i, o))
            .collect();
        rows.sort_by(|a, b| (&a.1, a.0, a.2).cmp(&(&b.1, b.0, b.2)));
        let plans = match scope {
            Some(user) => self
                .meter
                .plan(user)
                .map(|p| vec![(user, p)])
                .unwrap_or_default(),
            None => self.meter.plans(),
        };
        Ok(UsageReport {
            from,
            to,
            rows,
            plans,
        })
    }

    /// Keeps a connection test the person ran, with its verdict.
    pub async fn record_test(
        &self,
        who: &Principal,
        measured: Measured,
        client: &str,
    ) -> Result<ConnectionTestRecord> {
        for (field, value, max) in [
            ("down_kbps", measured.down_kbps, 100_000_000),
            ("up_kbps", measured.up_kbps, 100_000_000),
            ("rtt_ms", measured.rtt_ms, 600_000),
            ("jitter_ms", measured.jitter_ms, 600_000),
        ] {
            if !(0..=max).contains(&value) {
                return Err(Error::invalid(field, format!("{field} is from 0 to {max}")));
            }
        }
        if !(0.0..=100.0).contains(&measured.loss_pct) {
            return Err(Error::invalid("loss_pct", "loss_pct is from 0 to 100"));
        }
        let test = NewConnectionTest {
            down_kbps: measured.down_kbps,
            up_kbps: measured.up_kbps,
            rtt_ms: measured.rtt_ms,
            jitter_ms: measured.jitter_ms,
            loss_pct: measured.loss_pct,
            verdict: readiness::verdict(&measured).as_str().into(),
            client: client.chars().take(MAX_TEXT).collect(),
        };
        let mut tx = self.ports.store.begin().await?;
        let id = tx.insert_connection_test(who.user_id, &test).await?;
        tx.commit().await?;
        Ok(ConnectionTestRecord {
            id,
            user_id: who.user_id,
            at: now_ms(),
            test,
        })
    }

    /// A person's connection tests, newest first (the member's own).
    pub async fn tests(
        &self,
        who: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<ConnectionTestRecord>> {
        let user = Self::about(who, user)?;
        Ok(self.ports.store.connection_tests(user, 100).await?)
    }

    pub async fn settings(&self, who: &Principal) -> Result<Settings> {
        Self::admin(who)?;
        self.load_settings().await
    }

    async fn load_settings(&self) -> Result<Settings> {
        let store = &self.ports.store;
        let phone_groups = store
            .setting(PHONE_GROUPS_KEY)
            .await?
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse().ok().map(GroupId))
            .collect();
        let mut prices: Vec<(String, i64)> = readiness::DEFAULT_PRICES
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        for pair in store
            .setting(PRICES_KEY)
            .await?
            .unwrap_or_default()
            .split(',')
        {
            if let Some((kind, cents)) = pair.split_once('=') {
                if let (Some(slot), Ok(cents)) =
                    (prices.iter_mut().find(|(k, _)| k == kind), cents.parse())
                {
                    slot.1 = cents;
                }
            }
        }
        let allowed_networks = store
            .setting(NETWORKS_KEY)
            .await?
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Settings {
            metering: meter::load_metering(store).await?,
            thresholds: meter::load_thresholds(store).await?,
            phone_groups,
            prices,
            allowed_networks,
        })
    }

    /// Changes the office settings; the meter applies its switch and new
    /// thresholds at once.
    pub async fn set_settings(&self, who: &Principal, settings: Settings) -> Result<Settings> {
        Self::admin(who)?;
        let t = settings.thresholds;
        if !(1..=100).contains(&t.saver_at_pct) || !(1..=100).contains(&t.audio_only_at_pct) {
            return Err(Error::invalid(
                "saver_at_pct",
                "thresholds are percentages from 1 to 100",
            ));
        }
        if t.audio_only_at_pct < t.saver_at_pct {
            return Err(Error::invalid(
                "audio_only_at_pct",
                "audio-only starts at or after data-saver",
            ));
        }
        let groups = self.ports.store.groups().await?;
        for id in &settings.phone_groups {
            if !groups.iter().any(|g| g.id == *id) {
                return Err(Error::invalid(
                    "phone_groups",
                    format!("no group has id {}", id.0),
                ));
            }
        }
        for (kind, cents) in &settings.prices {
            if !readiness::DEFAULT_PRICES.iter().any(|(k, _)| k == kind) {
                return Err(Error::invalid(
                    "prices",
                    format!("no price is kept for `{kind}`"),
                ));
            }
            if *cents < 0 {
                return Err(Error::invalid("prices", "a price cannot be negative"));
            }
        }
        reach::parse_networks(&settings.allowed_networks)
            .map_err(|message| Error::invalid("allowed_networks", message))?;
        let mut tx = self.ports.store.begin().await?;
        tx.set_setting(NETWORKS_KEY, &settings.allowed_networks.join(","))
            .await?;
        tx.set_setting(
            meter::METERING_KEY,
            if settings.metering { "on" } else { "off" },
        )
        .await?;
        tx.set_setting(meter::SAVER_KEY, &t.saver_at_pct.to_string())
            .await?;
        tx.set_setting(meter::AUDIO_KEY, &t.audio_only_at_pct.to_string())
            .await?;
        let groups: Vec<String> = settings
            .phone_groups
            .iter()
            .map(|g| g.0.to_string())
            .collect();
        tx.set_setting(PHONE_GROUPS_KEY, &groups.join(",")).await?;
        let prices: Vec<String> = settings
            .prices
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        tx.set_setting(PRICES_KEY, &prices.join(",")).await?;
        tx.commit().await?;
        self.meter.refresh().await?;
        self.load_settings().await
    }

    /// Readiness: an admin gets everyone and the company's figures; a
    /// member gets their own checklist only.
    pub async fn readiness(
        &self,
        who: &Principal,
    ) -> Result<(Vec<PersonReadiness>, Option<CompanyReadiness>)> {
        let store = &self.ports.store;
        let people: Vec<UserId> = store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.role != Role::Guest)
            .filter(|u| who.is_admin() || u.id == who.user_id)
            .map(|u| u.id)
            .collect();
        let equipment = store.equipment_list(None).await?;
        let tests = store.latest_connection_tests().await?;
        let settings = self.load_settings().await?;
        let groups = store.groups().await?;
        let needs_line = |user: UserId| {
            groups
                .iter()
                .any(|g| settings.phone_groups.contains(&g.id) && g.members.contains(&user))
        };
        let tools = store.tools().await?;
        let now = now_ms();
        let mut list = Vec::new();
        let mut buy: HashMap<&'static str, usize> = HashMap::new();
        for user in people {
            let latest = tests.iter().find(|t| t.user_id == user).cloned();
            let facts = Facts {
                holds: equipment
                    .iter()
                    .filter(|e| e.holder == Some(user))
                    .map(|e| e.fields.kind.as_str())
                    .collect(),
                latest_test: latest.as_ref().and_then(|t| {
                    let link = readiness::Link::parse(&t.test.verdict)?;
                    Some((link, (now - t.at) / 86_400_000))
                }),
                needs_phone_line: needs_line(user),
                unreachable_tools: tools
                    .iter()
                    .filter(|t| needs(t, user, &groups) && !remote(t))
                    .count(),
            };
            let (verdict, missing) = readiness::assess(&facts);
            for kind in readiness::to_buy(&missing) {
                *buy.entry(kind).or_default() += 1;
            }
            list.push(PersonReadiness {
                user_id: user,
                verdict,
                missing,
                latest_test: latest,
            });
        }
        if !who.is_admin() {
            return Ok((list, None));
        }
        let count = |v: Verdict| list.iter().filter(|p| p.verdict == v).count();
        let mut shopping: Vec<(&'static str, usize, i64)> = readiness::DEFAULT_PRICES
            .iter()
            .filter_map(|(kind, _)| {
                let n = *buy.get(kind)?;
                let price = settings
                    .prices
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map_or(0, |(_, v)| *v);
                Some((*kind, n, price))
            })
            .collect();
        shopping.sort_by_key(|line| std::cmp::Reverse(line.1));
        let company = CompanyReadiness {
            people: list.len(),
            ready: count(Verdict::Ready),
            partly: count(Verdict::Partly),
            not_ready: count(Verdict::NotReady),
            shopping,
        };
        Ok((list, Some(company)))
    }

    fn admin(who: &Principal) -> Result<()> {
        if who.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "only an admin manages the company's equipment".into(),
            ))
        }
    }

    /// Adds a piece to the inventory, in stock.
    pub async fn create(
        &self,
        who: &Principal,
        fields: EquipmentFields,
    ) -> Result<EquipmentRecord> {
        Self::admin(who)?;
        check(&fields)?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx.insert_equipment(&fields).await?;
        self.ports.commit(tx).await?;
        self.get(who, id).await
    }

    /// One piece: admins see all, members only what they hold.
    pub async fn get(&self, who: &Principal, id: i64) -> Result<EquipmentRecord> {
        let found = self.ports.store.equipment(id).await?;
        match found {
            Some(piece) if who.is_admin() || piece.holder == Some(who.user_id) => Ok(piece),
            _ => Err(Error::NotFound("no such equipment".into())),
        }
    }

    /// The inventory (admins), or what the member holds.
    pub async fn list(&self, who: &Principal) -> Result<Vec<EquipmentRecord>> {
        let holder = (!who.is_admin()).then_some(who.user_id);
        Ok(self.ports.store.equipment_list(holder).await?)
    }

    /// A piece and who held it, most recent first (whoever may see the
    /// piece; a member sees their own turns only).
    pub async fn detail(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<(EquipmentRecord, Vec<AssignmentRecord>)> {
        let piece = self.get(who, id).await?;
        let mut history = self.ports.store.equipment_history(id).await?;
        if !who.is_admin() {
            history.retain(|turn| turn.user_id == who.user_id);
        }
        Ok((piece, history))
    }

    /// Gives a piece to a person (ending the previous holder's turn).
    /// Retired equipment cannot be assigned.
    pub async fn assign(&self, who: &Principal, id: i64, user: UserId) -> Result<EquipmentRecord> {
        Self::admin(who)?;
        let piece = self.get(who, id).await?;
        if piece.status == "retired" {
            return Err(Error::conflict(
                "retired",
                "this equipment is retired: put it back in stock before assigning it",
            ));
        }
        let person = self.ports.store.user_by_id(user).await?;
        if person.is_none_or(|p| !p.active) {
            return Err(Error::invalid(
                "user_id",
                format!("no active person has id {user}"),
            ));
        }
        if piece.holder == Some(user) {
            return Ok(piece);
        }
        let mut tx = self.ports.store.begin().await?;
        tx.end_equipment_assignment(id).await?;
        tx.insert_equipment_assignment(id, user, who.user_id)
            .await?;
        tx.set_equipment_status(id, "assigned").await?;
        self.ports.commit(tx).await?;
        self.plans_changed(&[&piece.fields.kind]).await?;
        self.get(who, id).await
    }

    /// Takes a piece back, or sets its status by hand (`in_stock`,
    /// `in_repair`, `retired`): any of these ends the holder's turn.
    pub async fn set_status(
        &self,
        who: &Principal,
        id: i64,
        status: &str,
    ) -> Result<EquipmentRecord> {
        Self::admin(who)?;
        let piece = self.get(who, id).await?;
        if !STATUSES.contains(&status) {
            return Err(Error::invalid(
                "status",
                format!(
                    "status is one of {} (assign to give it to someone)",
                    STATUSES.join(", ")
                ),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.end_equipment_assignment(id).await?;
        tx.set_equipment_status(id, status).await?;
        self.ports.commit(tx).await?;
        self.plans_changed(&[&piece.fields.kind]).await?;
        self.get(who, id).await
    }
}

/// What an import did: the pieces added, and the lines it could not take.
pub struct ImportReport {
    pub imported: Vec<i64>,
    pub errors: Vec<sheet::LineError>,
    /// Nothing was stored: lines had errors and the whole import was to
    /// be refused then.
    pub refused: bool,
}

/// Lines an import takes at most.
pub const MAX_IMPORT_LINES: usize = 10_000;

/// What a request is about, and the states it goes through.
pub const REQUEST_WHATS: [&str; 2] = ["new", "broken"];
pub const REQUEST_STATES: [&str; 4] = ["open", "ordered", "done", "refused"];

impl Office {
    /// Replaces a piece's fields (admins).
    pub async fn update(
        &self,
        who: &Principal,
        id: i64,
        fields: EquipmentFields,
    ) -> Result<EquipmentRecord> {
        Self::admin(who)?;
        let before = self.get(who, id).await?;
        check(&fields)?;
        let mut tx = self.ports.store.begin().await?;
        tx.update_equipment(id, &fields).await?;
        self.ports.commit(tx).await?;
        self.plans_changed(&[&before.fields.kind, &fields.kind])
            .await?;
        self.get(who, id).await
    }

    /// The inventory as CSV (admins).
    pub async fn export(&self, who: &Principal) -> Result<String> {
        Self::admin(who)?;
        let pieces = self.ports.store.equipment_list(None).await?;
        let users = self.ports.store.users().await?;
        Ok(sheet::write(&pieces, |piece| {
            piece
                .holder
                .and_then(|h| users.iter().find(|u| u.id == h))
                .map(|u| u.name.clone())
                .unwrap_or_default()
        }))
    }

    /// Adds the pieces of a CSV file (admins), each with its status and
    /// holder. Bad lines are reported by number; with `keep_valid` the
    /// others are stored, else nothing is. Either way in one transaction.
    pub async fn import(
        &self,
        who: &Principal,
        text: &str,
        keep_valid: bool,
    ) -> Result<ImportReport> {
        Self::admin(who)?;
        let (lines, mut errors) = sheet::read(text);
        if lines.len() + errors.len() > MAX_IMPORT_LINES {
            return Err(Error::invalid(
                "csv",
                format!("an import takes at most {MAX_IMPORT_LINES} lines"),
            ));
        }
        let users = self.ports.store.users().await?;
        let mut good = Vec::new();
        for line in lines {
            let mut fault = |field: &str, message: String| {
                errors.push(sheet::LineError {
                    line: line.number,
                    field: field.into(),
                    message,
                })
            };
            if let Err(error) = check(&line.fields) {
                match error {
                    Error::Invalid { field, message } => fault(field, message),
                    other => return Err(other),
                }
                continue;
            }
            let holder = match &line.holder {
                None => None,
                Some(name) => match users.iter().find(|u| &u.name == name && u.active) {
                    Some(user) => Some(user.id),
                    None => {
                        fault("holder", format!("no active person is called `{name}`"));
                        continue;
                    }
                },
            };
            let status = match (line.status.as_deref(), holder) {
                (None, None) => "in_stock",
                (None | Some("assigned"), Some(_)) => "assigned",
                (Some("assigned"), None) => {
                    fault("status", "an assigned piece names its holder".into());
                    continue;
                }
                (Some(_), Some(_)) => {
                    fault("status", "a piece with a holder is assigned".into());
                    continue;
                }
                (Some(status), None) => match STATUSES.iter().find(|s| **s == status) {
                    Some(known) => known,
                    None => {
                        fault(
                            "status",
                            format!("status is one of in_stock, assigned, in_repair, retired, not `{status}`"),
                        );
                        continue;
                    }
                },
            };
            good.push((line.fields, status, holder));
        }
        errors.sort_by_key(|e| e.line);
        if !errors.is_empty() && !keep_valid {
            return Ok(ImportReport {
                imported: Vec::new(),
                errors,
                refused: true,
            });
        }
        if good.is_empty() && errors.is_empty() {
            return Err(Error::invalid("csv", "the file holds no equipment"));
        }
        let mut tx = self.ports.store.begin().await?;
        let mut imported = Vec::with_capacity(good.len());
        for (fields, status, holder) in &good {
            let id = tx.insert_equipment(fields).await?;
            if let Some(holder) = holder {
                tx.insert_equipment_assignment(id, *holder, who.user_id)
                    .await?;
            }
            if *status != "in_stock" {
                tx.set_equipment_status(id, status).await?;
            }
            imported.push(id);
        }
        self.ports.commit(tx).await?;
        let kinds: Vec<&str> = good.iter().map(|(f, _, _)| f.kind.as_str()).collect();
        self.plans_changed(&kinds).await?;
        Ok(ImportReport {
            imported,
            errors,
            refused: false,
        })
    }

    /// A SIM card or a 4G key changed hands or plan: the meter looks again
    /// at who is metered, at once rather than at its next flush.
    async fn plans_changed(&self, kinds: &[&str]) -> Result<()> {
        if kinds.iter().any(|k| matches!(*k, "sim" | "4g_key")) {
            self.meter.refresh().await?;
        }
        Ok(())
    }

    /// A member asks for a new piece (`what` = new, with its kind) or
    /// reports one they hold as broken (`what` = broken, with its id).
    pub async fn request(
        &self,
        who: &Principal,
        what: &str,
        kind: &str,
        equipment_id: Option<i64>,
        reason: &str,
    ) -> Result<RequestRecord> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_NOTES {
            return Err(Error::invalid(
                "reason",
                format!("say why in 1 to {MAX_NOTES} characters"),
            ));
        }
        let (kind, equipment_id) = match what {
            "new" => {
                if !KINDS.contains(&kind) {
                    return Err(Error::invalid(
                        "kind",
                        format!("kind is one of {}", KINDS.join(", ")),
                    ));
                }
                (kind.to_string(), None)
            }
            "broken" => {
                let Some(id) = equipment_id else {
                    return Err(Error::invalid(
                        "equipment_id",
                        "name the broken piece you hold",
                    ));
                };
                // Only what one holds (or anything, for an admin).
                let piece = self.get(who, id).await?;
                (piece.fields.kind, Some(id))
            }
            _ => {
                return Err(Error::invalid(
                    "what",
                    "a request is for a `new` piece or about a `broken` one",
                ))
            }
        };
        let mut tx = self.ports.store.begin().await?;
        let id = tx
            .insert_equipment_request(who.user_id, what, &kind, equipment_id, reason)
            .await?;
        tx.commit().await?;
        self.request_by_id(who, id).await
    }

    async fn request_by_id(&self, who: &Principal, id: i64) -> Result<RequestRecord> {
        let scope = (!who.is_admin()).then_some(who.user_id);
        self.ports
            .store
            .equipment_request(scope, id)
            .await?
            .ok_or_else(|| Error::NotFound("no such request".into()))
    }

    /// The queue (admins), or the member's own requests.
    pub async fn requests(&self, who: &Principal) -> Result<Vec<RequestRecord>> {
        let scope = (!who.is_admin()).then_some(who.user_id);
        Ok(self.ports.store.equipment_requests(scope).await?)
    }

    /// An admin moves a request on (ordered, done, refused, or back to
    /// open) with a note for the person; the person may withdraw their own
    /// open request.
    pub async fn set_request_state(
        &self,
        who: &Principal,
        id: i64,
        state: &str,
        note: Option<&str>,
    ) -> Result<RequestRecord> {
        let request = self.request_by_id(who, id).await?;
        if who.is_admin() {
            if !REQUEST_STATES.contains(&state) {
                return Err(Error::invalid(
                    "state",
                    format!("state is one of {}", REQUEST_STATES.join(", ")),
                ));
            }
        } else if state != "withdrawn" {
            return Err(Error::Forbidden(
                "only an admin works through requests; you may withdraw yours".into(),
            ));
        } else if request.state != "open" {
            return Err(Error::conflict(
                "not_open",
                "this request is no longer open: it cannot be withdrawn",
            ));
        }
        if note.is_some_and(|n| n.chars().count() > MAX_NOTES) {
            return Err(Error::invalid(
                "note",
                format!("at most {MAX_NOTES} characters"),
            ));
        }
        let note = if who.is_admin() {
            note.map(str::trim)
        } else {
            None
        };
        let mut tx = self.ports.store.begin().await?;
        tx.set_equipment_request_state(id, state, note).await?;
        tx.commit().await?;
        self.request_by_id(who, id).await
    }

    /// The tool catalogue (admins), or the tools the member needs: their
    /// launcher.
    pub async fn tools(&self, who: &Principal) -> Result<Vec<ToolRecord>> {
        let tools = self.ports.store.tools().await?;
        if who.is_admin() {
            return Ok(tools);
        }
        let groups = self.ports.store.groups().await?;
        Ok(tools
            .into_iter()
            .filter(|t| needs(t, who.user_id, &groups))
            .collect())
    }

    async fn tool(&self, id: i64) -> Result<ToolRecord> {
        self.ports
            .store
            .tool(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such tool".into()))
    }

    pub async fn create_tool(&self, who: &Principal, fields: ToolFields) -> Result<ToolRecord> {
        Self::admin(who)?;
        let fields = self.check_tool(fields).await?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx.insert_tool(&fields).await?;
        tx.commit().await?;
        self.tool(id).await
    }

    pub async fn update_tool(
        &self,
        who: &Principal,
        id: i64,
        fields: ToolFields,
    ) -> Result<ToolRecord> {
        Self::admin(who)?;
        let fields = self.check_tool(fields).await?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.update_tool(id, &fields).await? {
            return Err(Error::NotFound("no such tool".into()));
        }
        tx.commit().await?;
        self.tool(id).await
    }

    pub async fn delete_tool(&self, who: &Principal, id: i64) -> Result<()> {
        Self::admin(who)?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.delete_tool(id).await? {
            return Err(Error::NotFound("no such tool".into()));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks a tool's address now (admins) and keeps the result.
    pub async fn check_tool_now(&self, who: &Principal, id: i64) -> Result<ToolRecord> {
        Self::admin(who)?;
        let tool = self.tool(id).await?;
        self.run_check(&self.checker().await?, &tool).await?;
        self.tool(id).await
    }

    /// Checks every tool now (admins), a few at a time.
    pub async fn check_all_tools(&self, who: &Principal) -> Result<Vec<ToolRecord>> {
        Self::admin(who)?;
        let tools = self.ports.store.tools().await?;
        let checker = self.checker().await?;
        for batch in tools.chunks(8) {
            let checks = batch.iter().map(|t| self.run_check(&checker, t));
            for outcome in futures_util::future::join_all(checks).await {
                outcome?;
            }
        }
        self.tools(who).await
    }

    /// The check as the admin's settings allow it now.
    async fn checker(&self) -> Result<reach::Checker> {
        let settings = self.load_settings().await?;
        Ok(reach::Checker {
            allowed: reach::parse_networks(&settings.allowed_networks).unwrap_or_default(),
            timeout: CHECK_TIMEOUT,
        })
    }

    async fn run_check(
        &self,
        checker: &reach::Checker,
        tool: &ToolRecord,
    ) -> Result<reach::Outcome> {
        let outcome = checker.check(&tool.fields.url).await;
        let mut tx = self.ports.store.begin().await?;
        tx.set_tool_check(tool.id, now_ms(), outcome.status(), outcome.detail())
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Checks each tool once a day, for ever (spawned by the server).
    pub async fn daily_checks(self: Arc<Self>) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            let Ok(tools) = self.ports.store.tools().await else {
                continue;
            };
            let Ok(checker) = self.checker().await else {
                continue;
            };
            let now = now_ms();
            for tool in tools
                .iter()
                .filter(|t| t.last_check_at.is_none_or(|at| now - at > CHECK_EVERY_MS))
            {
                if let Err(error) = self.run_check(&checker, tool).await {
                    tracing::warn!(%error, tool = tool.id, "a tool's daily check failed");
                }
            }
        }
    }

    async fn check_tool(&self, mut fields: ToolFields) -> Result<ToolFields> {
        fields.name = fields.name.trim().to_string();
        fields.url = fields.url.trim().to_string();
        if fields.name.is_empty() || fields.name.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                "name",
                format!("a name has 1 to {MAX_TEXT} characters"),
            ));
        }
        let url = url::Url::parse(&fields.url).map_err(|_| {
            Error::invalid("url", "the address is a URL like https://crm.example.com")
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid(
                "url",
                "a tool's address starts with http:// or https:// and names a host",
            ));
        }
        if fields.url.len() > 2000 {
            return Err(Error::invalid("url", "at most 2,000 characters"));
        }
        if fields.category.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                "category",
                format!("at most {MAX_TEXT} characters"),
            ));
        }
        if fields.notes.chars().count() > MAX_NOTES {
            return Err(Error::invalid(
                "notes",
                format!("at most {MAX_NOTES} characters"),
            ));
        }
        if !HOSTINGS.contains(&fields.hosting.as_str()) {
            return Err(Error::invalid(
                "hosting",
                format!("hosting is {}", HOSTINGS.join(" or ")),
            ));
        }
        if !ACCESSES.contains(&fields.access.as_str()) {
            return Err(Error::invalid(
                "access",
                format!("access is {}", ACCESSES.join(", ")),
            ));
        }
        for user in &fields.users {
            let person = self.ports.store.user_by_id(*user).await?;
            if person.is_none_or(|p| !p.active) {
                return Err(Error::invalid(
                    "users",
                    format!("no active person has id {}", user.0),
                ));
            }
        }
        let groups = self.ports.store.groups().await?;
        for group in &fields.groups {
            if !groups.iter().any(|g| g.id == *group) {
                return Err(Error::invalid(
                    "groups",
                    format!("no group has id {}", group.0),
                ));
            }
        }
        fields.users.sort();
        fields.users.dedup();
        fields.groups.sort();
        fields.groups.dedup();
        Ok(fields)
    }
}

/// Whether `user` needs the tool (everyone, named, or in a named group).
pub fn needs(tool: &ToolRecord, user: UserId, groups: &[GroupRecord]) -> bool {
    tool.fields.everyone
        || tool.fields.users.contains(&user)
        || groups
            .iter()
            .any(|g| tool.fields.groups.contains(&g.id) && g.members.contains(&user))
}

/// Whether people reach the tool from home: it has a way in and the last
/// check reached it. A tool never checked yet counts as reachable.
pub fn remote(tool: &ToolRecord) -> bool {
    tool.fields.access != "none"
        && !matches!(
            tool.last_status.as_deref(),
            Some("unreachable") | Some("refused")
        )
}

/// The fields' rules: a known kind, a label, sensible numbers.
pub fn check(fields: &EquipmentFields) -> Result<()> {
    if !KINDS.contains(&fields.kind.as_str()) {
        return Err(Error::invalid(
            "kind",
            format!("kind is one of {}, not `{}`", KINDS.join(", "), fields.kind),
        ));
    }
    let label = fields.label.trim();
    if label.is_empty() || label.chars().count() > MAX_TEXT {
        return Err(Error::invalid(
            "label",
            format!("a label has 1 to {MAX_TEXT} characters"),
        ));
    }
    for (field, text) in [
        ("model", &fields.model),
        ("serial", &fields.serial),
        ("operator", &fields.operator),
        ("phone_number", &fields.phone_number),
    ] {
        if text.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                field,
                format!("at most {MAX_TEXT} characters"),
            ));
        }
    }
    if fields.notes.chars().count() > MAX_NOTES {
        return Err(Error::invalid(
            "notes",
            format!("at most {MAX_NOTES} characters"),
        ));
    }
    for (field, value) in [
        ("cost_cents", fields.cost_cents),
        ("cap_gb", fields.cap_gb),
        ("monthly_cents", fields.monthly_cents),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(Error::invalid(field, format!("{field} cannot be negative")));
        }
    }
    if fields.renewal_day.is_some_and(|d| !(1..=31).contains(&d)) {
        return Err(Error::invalid(
            "renewal_day",
            "a renewal day is from 1 to 31",
        ));
    }
    if let Some(date) = &fields.purchase_date {
        if bureau_core::time::parse_date(date).is_none() {
            return Err(Error::invalid(
                "purchase_date",
                "a purchase date is written YYYY-MM-DD",
            ));
        }
    }
    let plan = matches!(fields.kind.as_str(), "sim" | "4g_key");
    if !plan && (fields.cap_gb.is_some() || fields.renewal_day.is_some()) {
        return Err(Error::invalid(
            "cap_gb",
            "only a SIM card or a 4G key has a data plan",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(kind: &str) -> EquipmentFields {
        EquipmentFields {
            kind: kind.into(),
            label: "A thing".into(),
            ..Default::default()
        }
    }

    #[test]
    fn fields_are_checked() {
        // (what changes, the field named in the error, or None when valid)
        let cases: Vec<(EquipmentFields, Option<&str>)> = vec![
            (fields("laptop"), None),
            (fields("toaster"), Some("kind")),
            (
                EquipmentFields {
                    label: "  ".into(),
                    ..fields("laptop")
                },
                Some("label"),
            ),
            (
                EquipmentFields {
                    cap_gb: Some(50),
                    renewal_day: Some(12),
                    ..fields("sim")
                },
                None,
            ),
            (
                EquipmentFields {
                    cap_gb: Some(0),
                    ..fields("4g_key")
                },
                None,
            ),
            (
                EquipmentFields {
                    cap_gb: Some(-1),
                    ..fields("sim")
                },
                Some("cap_gb"),
            ),
            (
                EquipmentFields {
                    cap_gb: Some(50),
                    ..fields("laptop")
                },
                Some("cap_gb"),
            ),
            (
                EquipmentFields {
                    renewal_day: Some(32),
                    ..fields("sim")
                },
                Some("renewal_day"),
            ),
            (
                EquipmentFields {
                    cost_cents: Some(-5),
                    ..fields("webcam")
                },
                Some("cost_cents"),
            ),
            (
                EquipmentFields {
                    purchase_date: Some("2026-13-40".into()),
                    ..fields("webcam")
                },
                Some("purchase_date"),
            ),
            (
                EquipmentFields {
                    purchase_date: Some("2026-03-14".into()),
                    ..fields("webcam")
                },
                None,
            ),
        ];
        for (input, expected) in cases {
            let outcome = check(&input);
            let field = match &outcome {
                Err(Error::Invalid { field, .. }) => Some(*field),
                Err(other) => panic!("{input:?}: {other}"),
                Ok(()) => None,
            };
            assert_eq!(field, expected, "{input:?}");
        }
    }
}
