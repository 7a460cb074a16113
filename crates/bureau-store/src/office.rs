//! Rows of the office: the company's equipment and the history of who held
//! each piece. The rules (kinds, who sees what) are `bureau-office`'s.

use bureau_core::time::now_ms;
use bureau_core::UserId;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

#[derive(Clone, Debug, PartialEq)]
pub struct EquipmentRecord {
    pub id: i64,
    pub fields: EquipmentFields,
    /// in_stock | assigned | in_repair | retired
    pub status: String,
    /// Who holds it now.
    pub holder: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new piece, or every editable field of one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EquipmentFields {
    pub kind: String,
    pub label: String,
    pub model: String,
    pub serial: String,
    /// `YYYY-MM-DD`.
    pub purchase_date: Option<String>,
    pub cost_cents: Option<i64>,
    pub notes: String,
    /// SIM cards and 4G keys: the operator, the monthly cap (0: unlimited),
    /// the day of the month it renews, what it costs a month.
    pub operator: String,
    pub cap_gb: Option<i64>,
    pub renewal_day: Option<i64>,
    pub monthly_cents: Option<i64>,
    /// Phone lines.
    pub phone_number: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AssignmentRecord {
    pub user_id: UserId,
    pub by_user: UserId,
    pub from_at: i64,
    pub until_at: Option<i64>,
}

const COLUMNS: &str = "e.id, e.kind, e.label, e.model, e.serial, e.purchase_date, e.cost_cents, \
     e.status, e.notes, e.operator, e.cap_gb, e.renewal_day, e.monthly_cents, e.phone_number, \
     e.created_at, e.updated_at, a.user_id AS holder";
const FROM: &str = "equipment e LEFT JOIN equipment_assignments a \
     ON a.equipment_id = e.id AND a.until_at IS NULL";

fn from_row(row: &AnyRow) -> Result<EquipmentRecord> {
    Ok(EquipmentRecord {
        id: row.try_get("id")?,
        fields: EquipmentFields {
            kind: row.try_get("kind")?,
            label: row.try_get("label")?,
            model: row.try_get("model")?,
            serial: row.try_get("serial")?,
            purchase_date: row.try_get("purchase_date")?,
            cost_cents: row.try_get("cost_cents")?,
            notes: row.try_get("notes")?,
            operator: row.try_get("operator")?,
            cap_gb: row.try_get("cap_gb")?,
            renewal_day: row.try_get("renewal_day")?,
            monthly_cents: row.try_get("monthly_cents")?,
            phone_number: row.try_get("phone_number")?,
        },
        status: row.try_get("status")?,
        holder: row.try_get::<Option<i64>, _>("holder")?.map(UserId),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    pub async fn equipment(&self, id: i64) -> Result<Option<EquipmentRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every piece, or only those `holder` holds now; newest first.
    pub async fn equipment_list(&self, holder: Option<UserId>) -> Result<Vec<EquipmentRecord>> {
        let rows = match holder {
            Some(user) => {
                let sql =
                    format!("SELECT {COLUMNS} FROM {FROM} WHERE a.user_id = $1 ORDER BY e.id DESC");
                sqlx::query(&sql).bind(user.0).fetch_all(&self.read).await?
            }
            None => {
                let sql = format!("SELECT {COLUMNS} FROM {FROM} ORDER BY e.id DESC");
                sqlx::query(&sql).fetch_all(&self.read).await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Who held a piece, most recent first.
    pub async fn equipment_history(&self, id: i64) -> Result<Vec<AssignmentRecord>> {
        let rows = sqlx::query(
            "SELECT user_id, by_user, from_at, until_at FROM equipment_assignments \
             WHERE equipment_id = $1 ORDER BY id DESC",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AssignmentRecord {
                    user_id: UserId(row.try_get("user_id")?),
                    by_user: UserId(row.try_get("by_user")?),
                    from_at: row.try_get("from_at")?,
                    until_at: row.try_get("until_at")?,
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn insert_equipment(&mut self, new: &EquipmentFields) -> Result<i64> {
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO equipment (kind, label, model, serial, purchase_date, cost_cents, status, \
             notes, operator, cap_gb, renewal_day, monthly_cents, phone_number, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'in_stock', $7, $8, $9, $10, $11, $12, \
             $13, $13) RETURNING id",
        )
        .bind(&new.kind)
        .bind(&new.label)
        .bind(&new.model)
        .bind(&new.serial)
        .bind(new.purchase_date.as_deref())
        .bind(new.cost_cents)
        .bind(&new.notes)
        .bind(&new.operator)
        .bind(new.cap_gb)
        .bind(new.renewal_day)
        .bind(new.monthly_cents)
        .bind(&new.phone_number)
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn set_equipment_status(&mut self, id: i64, status: &str) -> Result<()> {
        sqlx::query("UPDATE equipment SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(now_ms())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Ends the current holder's assignment, if any.
    pub async fn end_equipment_assignment(&mut self, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE equipment_assignments SET until_at = $2 \
             WHERE equipment_id = $1 AND until_at IS NULL",
        )
        .bind(id)
        .bind(now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn insert_equipment_assignment(
        &mut self,
        id: i64,
        user: UserId,
        by: UserId,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO equipment_assignments (equipment_id, user_id, by_user, from_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(user.0)
        .bind(by.0)
        .bind(now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

/// Bytes one person moved on one UTC day through one feature.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageRecord {
    pub user_id: UserId,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub feature: String,
    pub bytes_in: i64,
    pub bytes_out: i64,
}

/// A SIM card or 4G key someone holds: their data plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRecord {
    pub user_id: UserId,
    pub equipment_id: i64,
    /// 0: unlimited.
    pub cap_gb: i64,
    pub renewal_day: Option<i64>,
}

/// A connection test as the browser measured it, with the verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct NewConnectionTest {
    pub down_kbps: i64,
    pub up_kbps: i64,
    pub rtt_ms: i64,
    pub jitter_ms: i64,
    pub loss_pct: f64,
    /// video | data_saver | audio_only
    pub verdict: String,
    pub client: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionTestRecord {
    pub id: i64,
    pub user_id: UserId,
    pub at: i64,
    pub test: NewConnectionTest,
}

const TEST_COLUMNS: &str =
    "id, user_id, at, down_kbps, up_kbps, rtt_ms, jitter_ms, loss_pct, verdict, client";

fn test_from_row(row: &AnyRow) -> Result<ConnectionTestRecord> {
    Ok(ConnectionTestRecord {
        id: row.try_get("id")?,
        user_id: UserId(row.try_get("user_id")?),
        at: row.try_get("at")?,
        test: NewConnectionTest {
            down_kbps: row.try_get("down_kbps")?,
            up_kbps: row.try_get("up_kbps")?,
            rtt_ms: row.try_get("rtt_ms")?,
            jitter_ms: row.try_get("jitter_ms")?,
            loss_pct: row.try_get("loss_pct")?,
            verdict: row.try_get("verdict")?,
            client: row.try_get("client")?,
        },
    })
}

impl Store {
    /// Usage rows from `from` to `to` (days, inclusive), of one person or
    /// of everyone; by day, then person, then feature.
    pub async fn usage(
        &self,
        user: Option<UserId>,
        from: &str,
        to: &str,
    ) -> Result<Vec<UsageRecord>> {
        let person = if user.is_some() {
            "AND user_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT user_id, day, feature, bytes_in, bytes_out FROM usage_daily \
             WHERE day >= $1 AND day <= $2 {person} ORDER BY day, user_id, feature"
        );
        let mut query = sqlx::query(&sql).bind(from).bind(to);
        if let Some(user) = user {
            query = query.bind(user.0);
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                Ok(UsageRecord {
                    user_id: UserId(row.try_get("user_id")?),
                    day: row.try_get("day")?,
                    feature: row.try_get("feature")?,
                    bytes_in: row.try_get("bytes_in")?,
                    bytes_out: row.try_get("bytes_out")?,
                })
            })
            .collect()
    }

    /// Every SIM card and 4G key someone holds now.
    pub async fn data_plans(&self) -> Result<Vec<PlanRecord>> {
        let rows = sqlx::query(
            "SELECT a.user_id, e.id, e.cap_gb, e.renewal_day FROM equipment e \
             JOIN equipment_assignments a ON a.equipment_id = e.id AND a.until_at IS NULL \
             WHERE e.kind IN ('sim', '4g_key') ORDER BY a.user_id, e.id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PlanRecord {
                    user_id: UserId(row.try_get("user_id")?),
                    equipment_id: row.try_get("id")?,
                    cap_gb: row.try_get::<Option<i64>, _>("cap_gb")?.unwrap_or(0),
                    renewal_day: row.try_get("renewal_day")?,
                })
            })
            .collect()
    }

    /// A person's connection tests, newest first.
    pub async fn connection_tests(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<ConnectionTestRecord>> {
        let sql = format!(
            "SELECT {TEST_COLUMNS} FROM connection_tests WHERE user_id = $1 \
             ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(user.0)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(test_from_row).collect()
    }

    /// Each person's latest connection test.
    pub async fn latest_connection_tests(&self) -> Result<Vec<ConnectionTestRecord>> {
        let sql = format!(
            "SELECT {TEST_COLUMNS} FROM connection_tests t WHERE id = \
             (SELECT MAX(id) FROM connection_tests u WHERE u.user_id = t.user_id)"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(test_from_row).collect()
    }
}

impl Tx {
    /// Adds bytes to a person's day and feature.
    pub async fn add_usage(
        &mut self,
        user: UserId,
        day: &str,
        feature: &str,
        bytes_in: i64,
        bytes_out: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO usage_daily (user_id, day, feature, bytes_in, bytes_out) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, day, feature) DO UPDATE SET \
             bytes_in = usage_daily.bytes_in + excluded.bytes_in, \
             bytes_out = usage_daily.bytes_out + excluded.bytes_out",
        )
        .bind(user.0)
        .bind(day)
        .bind(feature)
        .bind(bytes_in)
        .bind(bytes_out)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn insert_connection_test(
        &mut self,
        user: UserId,
        test: &NewConnectionTest,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO connection_tests (user_id, at, down_kbps, up_kbps, rtt_ms, jitter_ms, \
             loss_pct, verdict, client) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(user.0)
        .bind(now_ms())
        .bind(test.down_kbps)
        .bind(test.up_kbps)
        .bind(test.rtt_ms)
        .bind(test.jitter_ms)
        .bind(test.loss_pct)
        .bind(&test.verdict)
        .bind(&test.client)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }
}

/// A tool's editable fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolFields {
    pub name: String,
    pub url: String,
    pub category: String,
    /// saas | self_hosted
    pub hosting: String,
    /// direct | vpn | none
    pub access: String,
    pub notes: String,
    /// Everyone needs it (else the people and groups in `members`).
    pub everyone: bool,
    pub users: Vec<UserId>,
    pub groups: Vec<bureau_core::GroupId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ToolRecord {
    pub id: i64,
    pub fields: ToolFields,
    pub last_check_at: Option<i64>,
    /// reachable | unreachable | refused
    pub last_status: Option<String>,
    pub last_detail: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// Every tool, by name, with who needs it.
    pub async fn tools(&self) -> Result<Vec<ToolRecord>> {
        self.tools_where(None).await
    }

    /// One tool, with who needs it.
    pub async fn tool(&self, id: i64) -> Result<Option<ToolRecord>> {
        Ok(self.tools_where(Some(id)).await?.pop())
    }

    /// Every tool, or the one with `id`.
    async fn tools_where(&self, id: Option<i64>) -> Result<Vec<ToolRecord>> {
        let (tools, members) = match id {
            Some(_) => ("WHERE id = $1", "WHERE tool_id = $1"),
            None => ("", ""),
        };
        let sql = format!(
            "SELECT id, name, url, category, hosting, access, notes, everyone, last_check_at, \
             last_status, last_detail, created_at, updated_at FROM tools {tools} ORDER BY name, id"
        );
        let rows = bind_id(sqlx::query(&sql), id).fetch_all(&self.read).await?;
        let sql = format!("SELECT tool_id, user_id, group_id FROM tool_members {members}");
        let members = bind_id(sqlx::query(&sql), id).fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let mut users = Vec::new();
                let mut groups = Vec::new();
                for member in members.iter() {
                    if member.try_get::<i64, _>("tool_id")? != id {
                        continue;
                    }
                    if let Some(user) = member.try_get::<Option<i64>, _>("user_id")? {
                        users.push(UserId(user));
                    }
                    if let Some(group) = member.try_get::<Option<i64>, _>("group_id")? {
                        groups.push(bureau_core::GroupId(group));
                    }
                }
                Ok(ToolRecord {
                    id,
                    fields: ToolFields {
                        name: row.try_get("name")?,
                        url: row.try_get("url")?,
                        category: row.try_get("category")?,
                        hosting: row.try_get("hosting")?,
                        access: row.try_get("access")?,
                        notes: row.try_get("notes")?,
                        everyone: row.try_get::<i64, _>("everyone")? != 0,
                        users,
                        groups,
                    },
                    last_check_at: row.try_get("last_check_at")?,
                    last_status: row.try_get("last_status")?,
                    last_detail: row.try_get("last_detail")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn insert_tool(&mut self, tool: &ToolFields) -> Result<i64> {
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO tools (name, url, category, hosting, access, notes, everyone, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(&tool.name)
        .bind(&tool.url)
        .bind(&tool.category)
        .bind(&tool.hosting)
        .bind(&tool.access)
        .bind(&tool.notes)
        .bind(i64::from(tool.everyone))
        .bind(now)
        .fetch_one(&mut *self.inner)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.set_tool_members(id, tool).await?;
        Ok(id)
    }

    /// Replaces a tool's fields; its check result is forgotten when the
    /// address changed.
    pub async fn update_tool(&mut self, id: i64, tool: &ToolFields) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE tools SET last_check_at = CASE WHEN url = $3 THEN last_check_at END, \
             last_status = CASE WHEN url = $3 THEN last_status END, \
             last_detail = CASE WHEN url = $3 THEN last_detail ELSE '' END, \
             name = $2, url = $3, category = $4, hosting = $5, access = $6, notes = $7, \
             everyone = $8, updated_at = $9 WHERE id = $1",
        )
        .bind(id)
        .bind(&tool.name)
        .bind(&tool.url)
        .bind(&tool.category)
        .bind(&tool.hosting)
        .bind(&tool.access)
        .bind(&tool.notes)
        .bind(i64::from(tool.everyone))
        .bind(now_ms())
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM tool_members WHERE tool_id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        self.set_tool_members(id, tool).await?;
        Ok(true)
    }

    async fn set_tool_members(&mut self, id: i64, tool: &ToolFields) -> Result<()> {
        for user in &tool.users {
            sqlx::query("INSERT INTO tool_members (tool_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(user.0)
                .execute(&mut *self.inner)
                .await?;
        }
        for group in &tool.groups {
            sqlx::query("INSERT INTO tool_members (tool_id, group_id) VALUES ($1, $2)")
                .bind(id)
                .bind(group.0)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn delete_tool(&mut self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tools WHERE id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_tool_check(
        &mut self,
        id: i64,
        at: i64,
        status: &str,
        detail: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE tools SET last_check_at = $2, last_status = $3, last_detail = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(status)
        .bind(detail)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

/// Someone asking for equipment, or reporting a broken piece.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    pub id: i64,
    pub user_id: UserId,
    /// new | broken
    pub what: String,
    /// The kind asked for (new).
    pub kind: String,
    /// The broken piece.
    pub equipment_id: Option<i64>,
    pub reason: String,
    /// open | ordered | done | refused | withdrawn
    pub state: String,
    pub admin_note: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// Requests, newest first: everyone's or one person's.
    pub async fn equipment_requests(&self, user: Option<UserId>) -> Result<Vec<RequestRecord>> {
        self.requests_where(user, None).await
    }

    /// One request, if it is `user`'s (any person's with `None`).
    pub async fn equipment_request(
        &self,
        user: Option<UserId>,
        id: i64,
    ) -> Result<Option<RequestRecord>> {
        Ok(self.requests_where(user, Some(id)).await?.pop())
    }

    async fn requests_where(
        &self,
        user: Option<UserId>,
        id: Option<i64>,
    ) -> Result<Vec<RequestRecord>> {
        let filter = match (user, id) {
            (Some(_), Some(_)) => "WHERE user_id = $1 AND id = $2",
            (Some(_), None) => "WHERE user_id = $1",
            (None, Some(_)) => "WHERE id = $1",
            (None, None) => "",
        };
        let sql = format!(
            "SELECT id, user_id, what, kind, equipment_id, reason, state, admin_note, created_at, \
             updated_at FROM equipment_requests {filter} ORDER BY id DESC"
        );
        let mut query = sqlx::query(&sql);
        if let Some(user) = user {
            query = query.bind(user.0);
        }
        let rows = bind_id(query, id).fetch_all(&self.read).await?;
        rows.iter()
            .map(|row| {
                Ok(RequestRecord {
                    id: row.try_get("id")?,
                    user_id: UserId(row.try_get("user_id")?),
                    what: row.try_get("what")?,
                    kind: row.try_get("kind")?,
                    equipment_id: row.try_get("equipment_id")?,
                    reason: row.try_get("reason")?,
                    state: row.try_get("state")?,
                    admin_note: row.try_get("admin_note")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn insert_equipment_request(
        &mut self,
        user: UserId,
        what: &str,
        kind: &str,
        equipment_id: Option<i64>,
        reason: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO equipment_requests (user_id, what, kind, equipment_id, reason, state, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(user.0)
        .bind(what)
        .bind(kind)
        .bind(equipment_id)
        .bind(reason)
        .bind(now_ms())
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn set_equipment_request_state(
        &mut self,
        id: i64,
        state: &str,
        admin_note: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE equipment_requests SET state = $2, \
             admin_note = COALESCE($3, admin_note), updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(admin_note)
        .bind(now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Replaces a piece's editable fields.
    pub async fn update_equipment(&mut self, id: i64, f: &EquipmentFields) -> Result<()> {
        sqlx::query(
            "UPDATE equipment SET kind = $2, label = $3, model = $4, serial = $5, \
             purchase_date = $6, cost_cents = $7, notes = $8, operator = $9, cap_gb = $10, \
             renewal_day = $11, monthly_cents = $12, phone_number = $13, updated_at = $14 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&f.kind)
        .bind(&f.label)
        .bind(&f.model)
        .bind(&f.serial)
        .bind(f.purchase_date.as_deref())
        .bind(f.cost_cents)
        .bind(&f.notes)
        .bind(&f.operator)
        .bind(f.cap_gb)
        .bind(f.renewal_day)
        .bind(f.monthly_cents)
        .bind(&f.phone_number)
        .bind(now_ms())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `query` with `id` bound as its next parameter, when there is one.
fn bind_id(query: AnyQuery<'_>, id: Option<i64>) -> AnyQuery<'_> {
    match id {
        Some(id) => query.bind(id),
        None => query,
    }
}
