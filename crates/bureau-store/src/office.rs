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
