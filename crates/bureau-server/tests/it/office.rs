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

/// Posts a CSV file to the import.
async fn import(api: &crate::support::Api, on_error: &str, csv: &str) -> (StatusCode, Value) {
    let response = api
        .http_post_bytes(
            &format!("/api/v1/office/equipment/import?on_error={on_error}"),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_inventory_goes_in_and_out_as_csv() {
    for office in offices("office_csv").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let lea_id = lea.my_id().await;
        let csv = "kind,label,serial,cost,cap_gb,renewal_day,holder,status\n\
                   laptop,ThinkPad 14,PF-1,\"1 199,00\",,,,\n\
                   laptop,ThinkPad 14,PF-2,1199.00,,,lea,\n\
                   sim,Orange 50 GB,,,50,12,lea,\n\
                   toaster,Toaster,,,,,,\n\
                   4g_key,Huawei,,,-5,,,\n\
                   webcam,Logitech,,,,,nobody,\n\
                   headset,Jabra,,,,,,lost\n\
                   webcam,Logitech C920,,89.90,,,,in_repair\n";
        // Refuse all: the bad lines by number, nothing stored.
        let (status, body) = import(&admin, "refuse_all", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid_lines");
        let lines: Vec<(i64, &str)> = body["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["line"].as_i64().unwrap(), l["field"].as_str().unwrap()))
            .collect();
        assert_eq!(
            lines,
            [
                (2, "cost"),
                (5, "kind"),
                (6, "cap_gb"),
                (7, "holder"),
                (8, "status")
            ]
        );
        let (_, all) = admin.get("/api/v1/office/equipment").await;
        assert_eq!(all, json!([]), "nothing half-stored");
        // Keep the valid lines: three pieces, Léa holds two of them.
        let (status, body) = import(&admin, "keep_valid", csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["imported"].as_array().unwrap().len(), 3, "{body}");
        assert_eq!(body["errors"].as_array().unwrap().len(), 5);
        let (_, mine) = lea.get("/api/v1/office/equipment").await;
        assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
        assert!(mine
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["holder"] == lea_id));
        let (_, all) = admin.get("/api/v1/office/equipment").await;
        let repair = all
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["status"] == "in_repair")
            .unwrap();
        assert_eq!(repair["cost_cents"], 8990);

        // The export reads back in, holders and all.
        let response = admin
            .request(reqwest::Method::GET, "/api/v1/office/equipment/export")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let exported = response.text().await.unwrap();
        assert!(exported.starts_with("id,kind,label,"), "{exported}");
        assert!(
            exported.contains("sim,Orange 50 GB,,,,,assigned,,,50,12,,,lea"),
            "{exported}"
        );
        let (status, again) = import(&admin, "refuse_all", &exported).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["imported"].as_array().unwrap().len(), 3);
        let (_, mine) = lea.get("/api/v1/office/equipment").await;
        assert_eq!(mine.as_array().unwrap().len(), 4);

        // Members neither export nor import; bad files are clear 4xx.
        let response = lea
            .request(reqwest::Method::GET, "/api/v1/office/equipment/export")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let (status, body) = import(&lea, "keep_valid", "kind,label\nlaptop,Mine\n").await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (status, body) =
            import(&admin, "keep_valid", "kind,label,colour\nlaptop,x,red\n").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["errors"][0]["line"], 1, "{body}");
        assert_eq!(body["imported"], json!([]));
        let (status, body) = import(&admin, "keep_valid", "kind,label\n").await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, body) = import(&admin, "maybe", "kind,label\nlaptop,x\n").await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (_, all) = admin.get("/api/v1/office/equipment").await;
        assert_eq!(all.as_array().unwrap().len(), 6);
        office.stop().await;
    }
}

#[tokio::test]
async fn requests_and_edits_follow_who_may_do_what() {
    for office in offices("office_requests").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let noe = office.person("noe", Role::Member).await;
        let lea_id = lea.my_id().await;
        let (_, laptop) = admin
            .post(
                "/api/v1/office/equipment",
                json!({"kind": "laptop", "label": "ThinkPad"}),
            )
            .await;
        let laptop = laptop["id"].as_i64().unwrap();
        admin
            .post(
                &format!("/api/v1/office/equipment/{laptop}/assign"),
                json!({"user_id": lea_id}),
            )
            .await;

        // Editing is the admin's; bad fields change nothing.
        let (status, edited) = admin
            .put(
                &format!("/api/v1/office/equipment/{laptop}"),
                json!({"kind": "laptop", "label": "ThinkPad X1", "serial": "PF-9"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["label"], "ThinkPad X1");
        assert_eq!(edited["holder"], lea_id, "editing keeps the holder");
        let (status, body) = admin
            .put(
                &format!("/api/v1/office/equipment/{laptop}"),
                json!({"kind": "laptop", "label": "x", "cap_gb": 5}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, body) = lea
            .put(
                &format!("/api/v1/office/equipment/{laptop}"),
                json!({"kind": "laptop", "label": "Mine"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (_, kept) = admin
            .get(&format!("/api/v1/office/equipment/{laptop}"))
            .await;
        assert_eq!(kept["equipment"]["label"], "ThinkPad X1");

        // Léa asks for a webcam and reports her laptop broken; Noé cannot
        // report a laptop he does not hold, nor see Léa's requests.
        let (status, webcam) = lea
            .post(
                "/api/v1/office/requests",
                json!({"what": "new", "kind": "webcam", "reason": "Client calls"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{webcam}");
        assert_eq!(webcam["state"], "open");
        let (status, broken) = lea
            .post(
                "/api/v1/office/requests",
                json!({"what": "broken", "equipment_id": laptop, "reason": "The screen flickers"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{broken}");
        assert_eq!(broken["kind"], "laptop");
        let (status, body) = noe
            .post(
                "/api/v1/office/requests",
                json!({"what": "broken", "equipment_id": laptop, "reason": "Not mine"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        for (bad, field) in [
            (
                json!({"what": "new", "kind": "toaster", "reason": "x"}),
                "kind",
            ),
            (
                json!({"what": "new", "kind": "webcam", "reason": "  "}),
                "reason",
            ),
            (json!({"what": "stolen", "reason": "x"}), "what"),
            (json!({"what": "broken", "reason": "x"}), "equipment_id"),
        ] {
            let (status, body) = lea.post("/api/v1/office/requests", bad.clone()).await;
            assert_eq!(
                error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
                "invalid",
                "{bad}"
            );
            assert_eq!(body["error"]["field"], field, "{bad}: {body}");
        }
        let (_, nothing) = noe.get("/api/v1/office/requests").await;
        assert_eq!(nothing, json!([]));
        let (_, queue) = admin.get("/api/v1/office/requests").await;
        assert_eq!(queue.as_array().unwrap().len(), 2);

        // The admin works through the queue; Léa sees the state and note.
        let (status, ordered) = admin
            .post(
                &format!("/api/v1/office/requests/{}/state", webcam["id"]),
                json!({"state": "ordered", "note": "Arrives Thursday"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ordered}");
        let (_, mine) = lea.get("/api/v1/office/requests").await;
        let seen = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == webcam["id"])
            .unwrap();
        assert_eq!(seen["state"], "ordered");
        assert_eq!(seen["admin_note"], "Arrives Thursday");
        // Léa may withdraw an open request only, and do nothing else.
        let (status, body) = lea
            .post(
                &format!("/api/v1/office/requests/{}/state", webcam["id"]),
                json!({"state": "withdrawn"}),
            )
            .await;
        assert_eq!(error_code(status, &body, StatusCode::CONFLICT), "not_open");
        let (status, body) = lea
            .post(
                &format!("/api/v1/office/requests/{}/state", broken["id"]),
                json!({"state": "done"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (status, withdrawn) = lea
            .post(
                &format!("/api/v1/office/requests/{}/state", broken["id"]),
                json!({"state": "withdrawn"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        assert_eq!(withdrawn["state"], "withdrawn");
        let (status, body) = noe
            .post(
                &format!("/api/v1/office/requests/{}/state", webcam["id"]),
                json!({"state": "withdrawn"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        let (status, body) = admin
            .post(
                &format!("/api/v1/office/requests/{}/state", webcam["id"]),
                json!({"state": "lost"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        office.stop().await;
    }
}
