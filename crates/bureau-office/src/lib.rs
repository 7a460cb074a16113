//! The office: the company's equipment (laptops, webcams, 4G keys and SIM
//! cards with their data plans, phone lines...) and who holds each piece,
//! with its whole history. Readiness, the tool catalogue, the connection
//! test and the data meter come next (`docs/office-design.md`).
//!
//! **Rule of reading:** admins see and manage everything; a member sees
//! only the pieces they hold now, and anything else is 404 to them.

use bureau_accounts::Ports;
use bureau_core::{Error, Principal, Result, UserId};
use bureau_store::{AssignmentRecord, EquipmentFields, EquipmentRecord};

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
}

impl Office {
    pub fn new(ports: Ports) -> Office {
        Office { ports }
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
        self.get(who, id).await?;
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
        self.get(who, id).await
    }
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
