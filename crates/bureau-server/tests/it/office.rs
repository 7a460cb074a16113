//! The office's equipment: admins keep the inventory and hand pieces out;
//! a member sees only what they hold, and nobody else's; bad fields and
//! assigning retired equipment are refused and change nothing. SQLite and
//! PostgreSQL.

use bureau_core::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_code, offices};

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn equipment_is_kept_by_admins_and_seen_by_its_holder_only() {
    for office in offices("office_equipment").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let noe = office.person("noe", Role::Member).await;
        let (lea_id, noe_id) = (lea.my_id().await, noe.my_id().await);

        // Admins add; members cannot.
        let (status, laptop) = admin
            .post(
                "/api/v1/office/equipment",
                json!({"kind": "laptop", "label": "ThinkPad 14", "serial": "PF-123",
                       "purchase_date": "2026-03-14", "cost_cents": 119_900}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{laptop}");
        assert_eq!(laptop["status"], "in_stock");
        assert_eq!(laptop["holder"], Value::Null);
        let laptop = laptop["id"].as_i64().unwrap();
        let (status, sim) = admin
            .post(
                "/api/v1/office/equipment",
                json!({"kind": "sim", "label": "Orange 50 GB", "operator": "Orange",
                       "cap_gb": 50, "renewal_day": 12, "monthly_cents": 1999}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sim}");
        let sim = sim["id"].as_i64().unwrap();
        let (status, body) = lea
            .post(
                "/api/v1/office/equipment",
                json!({"kind": "webcam", "label": "Mine now"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );

        // Bad fields: a clear 422 naming the field, nothing stored.
        for (body, field) in [
            (json!({"kind": "toaster", "label": "x"}), "kind"),
            (json!({"kind": "sim", "label": "x", "cap_gb": -5}), "cap_gb"),
            (
                json!({"kind": "laptop", "label": "x", "cap_gb": 5}),
                "cap_gb",
            ),
            (json!({"kind": "laptop", "label": " "}), "label"),
            (
                json!({"kind": "laptop", "label": "x", "purchase_date": "14/03/2026"}),
                "purchase_date",
            ),
        ] {
            let (status, answer) = admin.post("/api/v1/office/equipment", body.clone()).await;
            assert_eq!(
                error_code(status, &answer, StatusCode::UNPROCESSABLE_ENTITY),
                "invalid"
            );
            assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        }
        let (_, all) = admin.get("/api/v1/office/equipment").await;
        assert_eq!(ids(&all), [sim, laptop], "only the two valid pieces");

        // Handing out: Léa holds the laptop; she sees it, Noé does not.
        let (status, given) = admin
            .post(
                &format!("/api/v1/office/equipment/{laptop}/assign"),
                json!({"user_id": lea_id}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{given}");
        assert_eq!(given["holder"], lea_id);
        assert_eq!(given["status"], "assigned");
        let (_, mine) = lea.get("/api/v1/office/equipment").await;
        assert_eq!(ids(&mine), [laptop]);
        let (_, none) = noe.get("/api/v1/office/equipment").await;
        assert_eq!(ids(&none), Vec::<i64>::new());
        let (status, body) = noe.get(&format!("/api/v1/office/equipment/{laptop}")).await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        let (status, body) = lea.get(&format!("/api/v1/office/equipment/{sim}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = lea
            .post(
                &format!("/api/v1/office/equipment/{laptop}/assign"),
                json!({"user_id": noe_id}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );

        // Passed on to Noé: the history keeps both turns; Léa no longer
        // sees the laptop, and Noé sees only his own turn.
        admin
            .post(
                &format!("/api/v1/office/equipment/{laptop}/assign"),
                json!({"user_id": noe_id}),
            )
            .await;
        let (_, detail) = admin
            .get(&format!("/api/v1/office/equipment/{laptop}"))
            .await;
        let history = detail["history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{detail}");
        assert_eq!(history[0]["user_id"], noe_id);
        assert_eq!(history[0]["until_at"], Value::Null);
        assert_eq!(history[1]["user_id"], lea_id);
        assert!(history[1]["until_at"].as_i64().is_some(), "{detail}");
        let (status, _) = lea.get(&format!("/api/v1/office/equipment/{laptop}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, his) = noe.get(&format!("/api/v1/office/equipment/{laptop}")).await;
        assert_eq!(his["history"].as_array().unwrap().len(), 1, "{his}");

        // Retired: nobody holds it, and it cannot be handed out again.
        let (status, retired) = admin
            .post(
                &format!("/api/v1/office/equipment/{laptop}/status"),
                json!({"status": "retired"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{retired}");
        assert_eq!(retired["holder"], Value::Null);
        let (status, body) = admin
            .post(
                &format!("/api/v1/office/equipment/{laptop}/assign"),
                json!({"user_id": lea_id}),
            )
            .await;
        assert_eq!(error_code(status, &body, StatusCode::CONFLICT), "retired");
        let (_, after) = admin
            .get(&format!("/api/v1/office/equipment/{laptop}"))
            .await;
        assert_eq!(after["equipment"]["status"], "retired");
        assert_eq!(after["history"].as_array().unwrap().len(), 2);

        // Unknown person, unknown status, unknown piece.
        let (status, body) = admin
            .post(
                &format!("/api/v1/office/equipment/{sim}/assign"),
                json!({"user_id": 999_999}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, body) = admin
            .post(
                &format!("/api/v1/office/equipment/{sim}/status"),
                json!({"status": "assigned"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, _) = admin.get("/api/v1/office/equipment/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        office.stop().await;
    }
}
