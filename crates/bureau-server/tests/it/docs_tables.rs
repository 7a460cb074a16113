//! Databases on each backend: typed columns, rows that open as pages,
//! sorts and filters saved for everyone, CSV out and in, and a change
//! that reaches the people on the database live. The wrong person gets
//! 403 or 404, and bad values change nothing.

use bureau_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use yrs::{Map, Transact};

use crate::docs::{add_member, space, Editor};
use crate::support::{error_code, offices, Api};

async fn database(api: &Api, space: i64, title: &str) -> i64 {
    let (status, body) = api
        .post(
            "/api/v1/pages",
            json!({ "space_id": space, "title": title, "kind": "database" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["kind"], "database");
    body["id"].as_i64().unwrap()
}

async fn column(api: &Api, db: i64, body: Value) -> i64 {
    let (status, made) = api.post(&format!("/api/v1/pages/{db}/columns"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["id"].as_i64().unwrap()
}

async fn row(api: &Api, db: i64, title: &str, cells: Value) -> i64 {
    let (status, made) = api
        .post(
            &format!("/api/v1/pages/{db}/rows"),
            json!({ "title": title, "cells": cells }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["id"].as_i64().unwrap()
}

async fn table(api: &Api, db: i64) -> Value {
    let (status, body) = api.get(&format!("/api/v1/pages/{db}/table")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn titles(table: &Value) -> Vec<String> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The time of the last row change noted in the database page's document.
fn rows_mark(editor: &Editor) -> f64 {
    mark(editor, "rows")
}

/// The time of the last change the server noted under `key` in a page's
/// document (0 when none).
pub(crate) fn mark(editor: &Editor, key: &str) -> f64 {
    let marks = editor.doc.get_or_insert_map("bureau");
    let txn = editor.doc.transact();
    match marks.get(&txn, key) {
        Some(yrs::Out::Any(yrs::Any::Number(n))) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A team tracks its suppliers: columns of every kind, rows with checked
/// values, a saved view everyone sees, a row opened as a page, a reader
/// who cannot change anything and an outsider who sees nothing.
#[tokio::test]
async fn a_table_of_typed_rows() {
    for office in offices("docs_tables").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let team = space(&wendy, "Purchasing").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let db = database(&wendy, team, "Suppliers").await;

        let amount = column(&wendy, db, json!({ "name": "Amount", "kind": "number" })).await;
        let due = column(&wendy, db, json!({ "name": "Due", "kind": "date" })).await;
        let status = column(
            &wendy,
            db,
            json!({ "name": "Status", "kind": "select",
                    "choices": [{ "name": "To order" }, { "name": "Ordered", "color": "green" }] }),
        )
        .await;
        let owner = column(&wendy, db, json!({ "name": "Owner", "kind": "person" })).await;
        let paid = column(&wendy, db, json!({ "name": "Paid", "kind": "checkbox" })).await;
        let site = column(&wendy, db, json!({ "name": "Site", "kind": "link" })).await;
        let notes = column(&wendy, db, json!({ "name": "Notes", "kind": "text" })).await;

        let rita_id = rita.my_id().await;
        let paper = row(
            &wendy,
            db,
            "Paper",
            json!({ amount.to_string(): 120.5, due.to_string(): "2026-12-20",
                    status.to_string(): "Ordered", owner.to_string(): rita_id,
                    paid.to_string(): true, site.to_string(): "https://paper.example",
                    notes.to_string(): "A4, 80 g" }),
        )
        .await;
        row(
            &wendy,
            db,
            "Coffee",
            json!({ amount.to_string(): 42, status.to_string(): "To order" }),
        )
        .await;
        row(
            &wendy,
            db,
            "Chairs",
            json!({ amount.to_string(): 900, due.to_string(): "2027-01-05" }),
        )
        .await;

        let body = table(&rita, db).await;
        assert_eq!(body["columns"].as_array().unwrap().len(), 7);
        assert_eq!(titles(&body), ["Paper", "Coffee", "Chairs"]);
        let first = &body["rows"][0]["cells"];
        assert_eq!(first[amount.to_string()], 120.5);
        assert_eq!(first[owner.to_string()], rita_id);
        assert_eq!(first[paid.to_string()], true);

        // Bad values are refused and change nothing.
        for (cells, says) in [
            (json!({ amount.to_string(): "lots" }), "Amount"),
            (json!({ due.to_string(): "2026-02-30" }), "YYYY-MM-DD"),
            (json!({ status.to_string(): "Lost" }), "choices"),
            (json!({ owner.to_string(): 999_999 }), "no person"),
            (
                json!({ site.to_string(): "javascript:alert(1)" }),
                "address",
            ),
            (json!({ "424242": "x" }), "no column"),
        ] {
            let (code, body) = wendy
                .patch(
                    &format!("/api/v1/pages/{db}/rows/{paper}"),
                    json!({ "title": "Changed", "cells": cells }),
                )
                .await;
            error_code(code, &body, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(body.to_string().contains(says), "{body}");
        }
        assert_eq!(titles(&table(&wendy, db).await)[0], "Paper");

        // A saved view: unpaid first by amount, descending; everyone sees it.
        let view = json!({
            "sorts": [{ "field": amount, "descending": true }],
            "filters": [{ "field": paid, "op": "is", "value": false }],
        });
        let (code, body) = rita
            .put(&format!("/api/v1/pages/{db}/table/view"), view.clone())
            .await;
        error_code(code, &body, StatusCode::FORBIDDEN);
        let (code, body) = wendy
            .put(&format!("/api/v1/pages/{db}/table/view"), view)
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(titles(&table(&rita, db).await), ["Chairs", "Coffee"]);
        // One's own query leaves the saved view alone.
        let (code, body) = rita
            .post(
                &format!("/api/v1/pages/{db}/table/query"),
                json!({ "sorts": [{ "field": "title" }] }),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(titles(&body), ["Chairs", "Coffee", "Paper"]);
        let (code, body) = rita
            .post(
                &format!("/api/v1/pages/{db}/table/query"),
                json!({ "filters": [{ "field": paid, "op": "contains", "value": "x" }] }),
            )
            .await;
        error_code(code, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (code, body) = rita
            .post(
                &format!("/api/v1/pages/{db}/table/query"),
                json!({ "filters": [{ "field": owner, "op": "is", "value": "me" }] }),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(titles(&body), ["Paper"]);

        // A row is a page: it opens, and its title follows a rename.
        let (code, body) = rita.get(&format!("/api/v1/pages/{paper}")).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(body["breadcrumbs"][0]["id"], db);

        // Changing a column's kind keeps what fits.
        let (code, body) = wendy
            .patch(
                &format!("/api/v1/pages/{db}/columns/{notes}"),
                json!({ "kind": "number" }),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let body = table(&wendy, db).await;
        assert!(body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["cells"].get(notes.to_string()).is_none()));
        let (code, body) = wendy
            .patch(
                &format!("/api/v1/pages/{db}/columns/{status}"),
                json!({ "kind": "text", "index": 0 }),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let body = table(&wendy, db).await;
        assert_eq!(body["columns"][0]["name"], "Status");

        // The reader changes nothing; the outsider sees nothing.
        let (code, body) = rita
            .post(
                &format!("/api/v1/pages/{db}/rows"),
                json!({ "title": "Mine" }),
            )
            .await;
        error_code(code, &body, StatusCode::FORBIDDEN);
        let (code, body) = rita
            .post(
                &format!("/api/v1/pages/{db}/columns"),
                json!({ "name": "X", "kind": "text" }),
            )
            .await;
        error_code(code, &body, StatusCode::FORBIDDEN);
        let (code, body) = rita
            .patch(
                &format!("/api/v1/pages/{db}/rows/{paper}"),
                json!({ "title": "Mine" }),
            )
            .await;
        error_code(code, &body, StatusCode::FORBIDDEN);
        for path in [
            format!("/api/v1/pages/{db}/table"),
            format!("/api/v1/pages/{paper}"),
        ] {
            let (code, body) = otto.get(&path).await;
            error_code(code, &body, StatusCode::NOT_FOUND);
        }
        let response = otto
            .send(
                Method::GET,
                &format!("/api/v1/pages/{db}/export?format=csv"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let (code, body) = otto
            .post(
                &format!("/api/v1/pages/{db}/rows"),
                json!({ "title": "Mine" }),
            )
            .await;
        error_code(code, &body, StatusCode::NOT_FOUND);
        // A page that is no database is said so.
        let (_, plain) = wendy
            .post(
                "/api/v1/pages",
                json!({ "space_id": team, "title": "Plain" }),
            )
            .await;
        let (code, body) = wendy
            .get(&format!("/api/v1/pages/{}/table", plain["id"]))
            .await;
        error_code(code, &body, StatusCode::UNPROCESSABLE_ENTITY);

        // A copy of the database keeps its columns, values and view.
        let (code, copy) = wendy
            .post(&format!("/api/v1/pages/{db}/duplicate"), json!({}))
            .await;
        assert_eq!(code, StatusCode::CREATED, "{copy}");
        let copied = table(&wendy, copy["id"].as_i64().unwrap()).await;
        let original = table(&wendy, db).await;
        assert_eq!(titles(&copied), titles(&original));
        assert_eq!(copied["columns"].as_array().unwrap().len(), 7);
        assert_eq!(
            copied["rows"][0]["cells"].as_object().unwrap().len(),
            original["rows"][0]["cells"].as_object().unwrap().len()
        );
        assert_ne!(
            copied["view"], original["view"],
            "the view names the copy's columns"
        );
        assert_eq!(copied["view"]["sorts"].as_array().unwrap().len(), 1);

        // A deleted column leaves the saved view.
        let (code, _) = wendy
            .delete(&format!("/api/v1/pages/{db}/columns/{paid}"))
            .await;
        assert_eq!(code, StatusCode::NO_CONTENT);
        let body = table(&wendy, db).await;
        assert_eq!(body["view"]["filters"], json!([]));
        assert_eq!(titles(&body), ["Chairs", "Paper", "Coffee"]);
        office.stop().await;
    }
}

/// CSV out, as a spreadsheet reads it, and in: into a database, and as a
/// new database whose column kinds follow the values. A file with one bad
/// line adds nothing. Someone on the database sees each change live.
#[tokio::test]
async fn csv_in_and_out_and_live_changes() {
    for office in offices("docs_tables_csv").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let team = space(&wendy, "Sales").await;
        add_member(&wendy, team, rita.my_id().await, "write").await;
        let db = database(&wendy, team, "Leads").await;
        let mut watcher = Editor::open(&rita, db).await;
        watcher.round_trip().await;
        let before = rows_mark(&watcher);

        let csv = "Name,Deal size,Signed,Next call,Owner\n\
                   \"Acme, Inc.\",12000,yes,2026-12-10,wendy\n\
                   Globex,\"3 500,50\",no,,Rita\n";
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{db}/rows/import"),
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let added: Value = response.json().await.unwrap();
        assert_eq!(added["added"], 2);
        watcher
            .until("the rows' change mark", |editor| rows_mark(editor) > before)
            .await;

        let body = table(&rita, db).await;
        let kinds: Vec<&str> = body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["number", "checkbox", "date", "text"]);
        assert_eq!(titles(&body), ["Acme, Inc.", "Globex"]);
        let deal = body["columns"][0]["id"].to_string();
        assert_eq!(body["rows"][1]["cells"][&deal], 3500.5);

        // A bad line: nothing is added, and the line is named.
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{db}/rows/import"),
                "text/csv",
                b"Name,Deal size\nInitech,12\nUmbrella,a lot\n".to_vec(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let said: Value = response.json().await.unwrap();
        assert!(said.to_string().contains("line 3"), "{said}");
        assert_eq!(titles(&table(&rita, db).await).len(), 2);

        // Out as CSV, quoted where needed.
        let response = rita
            .send(
                Method::GET,
                &format!("/api/v1/pages/{db}/export?format=csv"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let text = response.text().await.unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("Name,Deal size,Signed,Next call,Owner"));
        assert_eq!(
            lines.next(),
            Some("\"Acme, Inc.\",12000,true,2026-12-10,wendy")
        );
        assert_eq!(lines.next(), Some("Globex,3500.5,false,,Rita"));

        // In Markdown, the rows are a table after the description; in a
        // ZIP, the database comes as CSV too.
        let markdown = crate::docs::export(&rita, db).await;
        assert!(
            markdown.contains("| Name | Deal size | Signed | Next call | Owner |\n| --- | --- | --- | --- | --- |\n| Acme, Inc. | 12000 | true | 2026-12-10 | wendy |"),
            "{markdown}"
        );
        let response = rita
            .send(
                Method::GET,
                &format!("/api/v1/pages/{db}/export?format=zip"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let zip = response.bytes().await.unwrap();
        let dir = bureau_store::testing::temp_dir("docs-table-zip");
        std::fs::write(dir.join("leads.zip"), &zip).unwrap();
        let listed = std::process::Command::new("unzip")
            .arg("-p")
            .arg(dir.join("leads.zip"))
            .arg("Leads/Leads.csv")
            .output()
            .expect("unzip runs");
        assert_eq!(String::from_utf8_lossy(&listed.stdout), text);

        // A CSV file imported into a space becomes a database of its own,
        // and goes out the way it came in.
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/spaces/{team}/import?name=leads.csv"),
                "text/csv",
                text.clone().into_bytes(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let made: Value = response.json().await.unwrap();
        assert_eq!(made["title"], "leads");
        assert_eq!(made["kind"], "database");
        let copy = made["id"].as_i64().unwrap();
        let response = wendy
            .send(
                Method::GET,
                &format!("/api/v1/pages/{copy}/export?format=csv"),
                None,
            )
            .await;
        assert_eq!(response.text().await.unwrap(), text);
        // A bad file makes no database.
        let (_, tree) = wendy.get(&format!("/api/v1/spaces/{team}/pages")).await;
        let before = tree.as_array().unwrap().len();
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/spaces/{team}/import?name=bad.csv"),
                "text/csv",
                vec![0xff, 0xfe, b','],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, tree) = wendy.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert_eq!(tree.as_array().unwrap().len(), before);

        // A row renamed from its own page, and a row archived, reach the
        // watcher too.
        let acme = body["rows"][0]["id"].as_i64().unwrap();
        let mark = rows_mark(&watcher);
        let (code, _) = wendy
            .patch(&format!("/api/v1/pages/{acme}"), json!({ "title": "Acme" }))
            .await;
        assert_eq!(code, StatusCode::OK);
        watcher
            .until("a rename's mark", |editor| rows_mark(editor) > mark)
            .await;
        let mark = rows_mark(&watcher);
        let (code, _) = wendy
            .post(&format!("/api/v1/pages/{acme}/archive"), json!({}))
            .await;
        assert_eq!(code, StatusCode::OK);
        watcher
            .until("an archive's mark", |editor| rows_mark(editor) > mark)
            .await;
        assert_eq!(titles(&table(&rita, db).await), ["Globex"]);
        office.stop().await;
    }
}
