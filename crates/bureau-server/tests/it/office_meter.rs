//! The data meter, connection tests and readiness, on both backends. The
//! meter's figure for a person is compared with the bytes that person's
//! client actually moved, counted by a TCP proxy between the client and
//! the server; a member sees only their own figures; a metered person past
//! their threshold starts meetings in data-saver.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bureau_core::Role;
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;

use crate::meetings::{next_of, send, signal, Socket};
use crate::support::{error_code, offices, Api};

/// Bytes that went through the proxy each way.
#[derive(Default)]
struct Wire {
    /// Client to server.
    up: AtomicU64,
    /// Server to client.
    down: AtomicU64,
}

/// A TCP proxy in front of `target` that counts every byte; returns its
/// `http://` address.
async fn counting_proxy(target: &str) -> (String, Arc<Wire>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let target = target.trim_start_matches("http://").to_string();
    let wire = Arc::new(Wire::default());
    let counts = wire.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(&target).await.unwrap();
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            let up = counts.clone();
            tokio::spawn(pipe(client_read, server_write, move |n| {
                up.up.fetch_add(n, Ordering::Relaxed);
            }));
            let down = counts.clone();
            tokio::spawn(pipe(server_read, client_write, move |n| {
                down.down.fetch_add(n, Ordering::Relaxed);
            }));
        }
    });
    (format!("http://{address}"), wire)
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: impl Fn(u64),
) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count(n as u64);
                if to.write_all(&buffer[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// Total bytes in and out the meter reports for `user`.
async fn metered(admin: &Api, user: i64) -> (u64, u64, Value) {
    let (status, usage) = admin
        .get(&format!("/api/v1/office/usage?user_id={user}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{usage}");
    let rows = usage["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["user_id"] == user), "{usage}");
    let sum = |field: &str| rows.iter().map(|r| r[field].as_u64().unwrap()).sum();
    (sum("bytes_in"), sum("bytes_out"), usage)
}

fn feature_bytes(usage: &Value, feature: &str) -> u64 {
    usage["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["feature"] == feature)
        .map(|r| r["bytes_in"].as_u64().unwrap() + r["bytes_out"].as_u64().unwrap())
        .sum()
}

/// Asserts the meter's figure is within 5 % of what went over the wire.
fn close_enough(what: &str, metered: u64, wire: u64) {
    let error = (metered as f64 - wire as f64).abs() / wire as f64;
    println!(
        "{what}: metered {metered} B, on the wire {wire} B, off by {:.2} %",
        error * 100.0
    );
    assert!(error <= 0.05, "{what}: metered {metered}, wire {wire}");
}

/// Waits until the proxy has seen no byte for a moment and the server has
/// finished with the last responses.
async fn settle(wire: &Wire) {
    let mut last = (u64::MAX, u64::MAX);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = (
            wire.up.load(Ordering::Relaxed),
            wire.down.load(Ordering::Relaxed),
        );
        if now == last {
            return;
        }
        last = now;
    }
}

#[tokio::test]
async fn the_meter_counts_what_a_person_moved_within_five_percent() {
    for office in offices("office_meter").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let lea_id = lea.my_id().await;
        let token = lea.token("dav").await;
        let (proxy, wire) = counting_proxy(&office.base).await;
        let through = lea.via(&proxy);
        let (before_in, before_out, _) = metered(&admin, lea_id).await;

        // Small requests only: headers are most of the bytes, so their
        // estimate must be right. The event socket carries what she posts.
        let (status, channel) = through
            .post(
                "/api/v1/channels",
                json!({"name": "metered", "private": false}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        let channel = channel["id"].as_i64().unwrap();
        let url = format!("{}/api/v1/events", proxy.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "cookie",
            format!("bureau_session={}", lea.cookie.as_ref().unwrap())
                .parse()
                .unwrap(),
        );
        let (mut events, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        for i in 0..20 {
            let (status, _) = through
                .post(
                    &format!("/api/v1/channels/{channel}/messages"),
                    json!({"text": format!("message number {i}, about the meter")}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
            let (status, _) = through.get("/api/v1/me").await;
            assert_eq!(status, StatusCode::OK);
        }
        let mut seen = 0;
        while seen < 20 {
            let frame = tokio::time::timeout(Duration::from_secs(10), events.next())
                .await
                .expect("events arrive")
                .unwrap()
                .unwrap();
            if frame.to_text().unwrap_or("").contains("message number") {
                seen += 1;
            }
        }
        events
            .send(Ws::Text(r#"{"kind":"typing","channel":1}"#.into()))
            .await
            .unwrap();
        // The web app's page comes with the session cookie only.
        let page = through.request(Method::GET, "/").send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        page.bytes().await.unwrap();
        settle(&wire).await;
        let (after_in, after_out, usage) = metered(&admin, lea_id).await;
        let (wire_up, wire_down) = (
            wire.up.load(Ordering::Relaxed),
            wire.down.load(Ordering::Relaxed),
        );
        close_enough("small requests, received", after_in - before_in, wire_up);
        close_enough("small requests, sent", after_out - before_out, wire_down);
        assert!(feature_bytes(&usage, "events") > 0, "{usage}");
        assert!(feature_bytes(&usage, "web") > 0, "{usage}");

        // Files, both ways, over WebDAV; and the speed test's transfers.
        let file: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let put = reqwest::Client::new()
            .put(format!("{proxy}/dav/metered.bin"))
            .bearer_auth(&token)
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success(), "{}", put.status());
        let got = reqwest::Client::new()
            .get(format!("{proxy}/dav/metered.bin"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(got.len(), file.len());
        let down = through
            .request(Method::GET, "/api/v1/office/speedtest/down?bytes=500000")
            .send()
            .await
            .unwrap();
        assert_eq!(down.bytes().await.unwrap().len(), 500_000);
        let up = through
            .request(Method::POST, "/api/v1/office/speedtest/up")
            .body(vec![0u8; 200_000])
            .send()
            .await
            .unwrap();
        let up: Value = up.json().await.unwrap();
        assert_eq!(up["bytes"], 200_000);
        drop(events);
        settle(&wire).await;
        let (all_in, all_out, usage) = metered(&admin, lea_id).await;
        let (wire_up, wire_down) = (
            wire.up.load(Ordering::Relaxed),
            wire.down.load(Ordering::Relaxed),
        );
        close_enough("whole session, received", all_in - before_in, wire_up);
        close_enough("whole session, sent", all_out - before_out, wire_down);
        assert!(feature_bytes(&usage, "files") >= 600_000, "{usage}");

        // Nobody else was charged for Léa's bytes.
        let (status, mine) = admin.get("/api/v1/office/usage").await;
        assert_eq!(status, StatusCode::OK);
        let others: u64 = mine["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["user_id"] != lea_id && r["feature"] == "files")
            .map(|r| r["bytes_in"].as_u64().unwrap())
            .sum();
        assert_eq!(others, 0, "{mine}");
        office.stop().await;
    }
}

#[tokio::test]
async fn members_see_only_their_own_usage_and_tests() {
    for office in offices("office_own").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let noe = office.person("noe", Role::Member).await;
        let (lea_id, noe_id) = (lea.my_id().await, noe.my_id().await);

        // Léa's own usage; Noé's is 404 to her, and "everyone" is hers.
        let (status, own) = lea
            .get(&format!("/api/v1/office/usage?user_id={lea_id}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{own}");
        let (status, body) = lea
            .get(&format!("/api/v1/office/usage?user_id={noe_id}"))
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        let (_, all) = lea.get("/api/v1/office/usage").await;
        assert!(
            all["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["user_id"] == lea_id),
            "{all}"
        );
        let (_, all) = admin.get("/api/v1/office/usage").await;
        let people: std::collections::BTreeSet<i64> = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["user_id"].as_i64().unwrap())
            .collect();
        assert!(
            people.contains(&lea_id) && people.contains(&noe_id),
            "{all}"
        );

        // Bad periods.
        for query in [
            "from=2026-13-01",
            "to=yesterday",
            "from=2026-12-05&to=2026-12-01",
            "from=2020-01-01&to=2026-01-01",
        ] {
            let (status, body) = lea.get(&format!("/api/v1/office/usage?{query}")).await;
            assert_eq!(
                error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
                "invalid",
                "{query}: {body}"
            );
        }

        // Connection tests: kept with the server's verdict, each person's own.
        let (status, test) = lea
            .post(
                "/api/v1/office/connection-tests",
                json!({"down_kbps": 900, "up_kbps": 400, "rtt_ms": 60, "jitter_ms": 8, "loss_pct": 0.0}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{test}");
        assert_eq!(test["verdict"], "data_saver");
        for bad in [
            json!({"down_kbps": -1, "up_kbps": 400, "rtt_ms": 60, "jitter_ms": 8, "loss_pct": 0.0}),
            json!({"down_kbps": 1, "up_kbps": 400, "rtt_ms": 60, "jitter_ms": 8, "loss_pct": 120.0}),
            json!({"down_kbps": 1, "up_kbps": 400, "rtt_ms": 60, "jitter_ms": 8, "loss_pct": 0.0, "verdict": "video"}),
        ] {
            let (status, body) = lea
                .post("/api/v1/office/connection-tests", bad.clone())
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        }
        let (_, tests) = lea.get("/api/v1/office/connection-tests").await;
        assert_eq!(tests.as_array().unwrap().len(), 1, "{tests}");
        let (status, body) = noe
            .get(&format!("/api/v1/office/connection-tests?user_id={lea_id}"))
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        let (status, tests) = admin
            .get(&format!("/api/v1/office/connection-tests?user_id={lea_id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(tests[0]["verdict"], "data_saver");

        // Readiness: a member gets her own line and no company figures.
        let (status, mine) = lea.get("/api/v1/office/readiness").await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["people"].as_array().unwrap().len(), 1, "{mine}");
        assert_eq!(mine["people"][0]["user_id"], lea_id);
        assert_eq!(mine["company"], Value::Null);
        // Settings are the admin's.
        let (status, body) = lea.get("/api/v1/office/settings").await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (status, body) = lea
            .put(
                "/api/v1/office/settings",
                json!({"saver_at_pct": 1, "audio_only_at_pct": 2, "phone_groups": [], "prices": {}}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        office.stop().await;
    }
}

#[tokio::test]
async fn readiness_reads_equipment_tests_and_roles_and_prices_the_gap() {
    for office in offices("office_ready").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let noe = office.person("noe", Role::Member).await;
        let (admin_id, lea_id, noe_id) =
            (admin.my_id().await, lea.my_id().await, noe.my_id().await);
        let add = |kind: &'static str| {
            let admin = admin.clone();
            async move {
                let (status, piece) = admin
                    .post(
                        "/api/v1/office/equipment",
                        json!({"kind": kind, "label": kind}),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{piece}");
                piece["id"].as_i64().unwrap()
            }
        };
        // Léa: a laptop, a good connection, and a phone line her group needs.
        let (status, group) = admin.post("/api/v1/groups", json!({"name": "Sales"})).await;
        assert_eq!(status, StatusCode::CREATED, "{group}");
        let group = group["id"].as_i64().unwrap();
        let (status, body) = admin
            .call(
                Method::PUT,
                &format!("/api/v1/groups/{group}/members/{lea_id}"),
                None,
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        for kind in ["laptop", "phone_line"] {
            let id = add(kind).await;
            let (status, _) = admin
                .post(
                    &format!("/api/v1/office/equipment/{id}/assign"),
                    json!({"user_id": lea_id}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
        lea.post(
            "/api/v1/office/connection-tests",
            json!({"down_kbps": 20000, "up_kbps": 5000, "rtt_ms": 30, "jitter_ms": 4, "loss_pct": 0.0}),
        )
        .await;
        // Noé: a desktop only, never tested.
        let desktop = add("desktop").await;
        admin
            .post(
                &format!("/api/v1/office/equipment/{desktop}/assign"),
                json!({"user_id": noe_id}),
            )
            .await;
        let (status, settings) = admin
            .put(
                "/api/v1/office/settings",
                json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [group],
                       "prices": {"laptop": 100000}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{settings}");
        assert_eq!(settings["prices"]["laptop"], 100000);
        assert_eq!(settings["prices"]["webcam"], 6000);

        let (status, readiness) = admin.get("/api/v1/office/readiness").await;
        assert_eq!(status, StatusCode::OK, "{readiness}");
        let person = |id: i64| {
            readiness["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["user_id"] == id)
                .cloned()
                .unwrap()
        };
        assert_eq!(person(lea_id)["verdict"], "ready", "{readiness}");
        assert_eq!(person(noe_id)["verdict"], "not_ready");
        assert_eq!(
            person(noe_id)["missing"],
            json!(["laptop", "webcam", "microphone", "connection_test"])
        );
        // The admin holds nothing either.
        assert_eq!(person(admin_id)["verdict"], "not_ready");
        let company = &readiness["company"];
        assert_eq!(company["people"], 3);
        assert_eq!(company["ready"], 1);
        assert_eq!(company["not_ready"], 2);
        assert_eq!(company["ready_pct"], 33.3);
        assert_eq!(
            company["shopping"],
            json!([{"kind": "laptop", "count": 2, "unit_cents": 100000, "total_cents": 200000}])
        );
        // Without her phone line, Léa is only partly ready.
        let lines: Vec<i64> = {
            let (_, all) = admin.get("/api/v1/office/equipment").await;
            all.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "phone_line")
                .map(|e| e["id"].as_i64().unwrap())
                .collect()
        };
        admin
            .post(
                &format!("/api/v1/office/equipment/{}/status", lines[0]),
                json!({"status": "in_stock"}),
            )
            .await;
        let (_, readiness) = admin.get("/api/v1/office/readiness").await;
        let lea_line = readiness["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user_id"] == lea_id)
            .cloned()
            .unwrap();
        assert_eq!(lea_line["verdict"], "partly");
        assert_eq!(lea_line["missing"], json!(["phone_line"]));

        // Bad settings change nothing.
        for (bad, field) in [
            (
                json!({"saver_at_pct": 90, "audio_only_at_pct": 50, "phone_groups": [], "prices": {}}),
                "audio_only_at_pct",
            ),
            (
                json!({"saver_at_pct": 0, "audio_only_at_pct": 50, "phone_groups": [], "prices": {}}),
                "saver_at_pct",
            ),
            (
                json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [999], "prices": {}}),
                "phone_groups",
            ),
            (
                json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [], "prices": {"yacht": 1}}),
                "prices",
            ),
            (
                json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [], "prices": {"webcam": -1}}),
                "prices",
            ),
        ] {
            let (status, body) = admin.put("/api/v1/office/settings", bad.clone()).await;
            assert_eq!(
                error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
                "invalid",
                "{bad}"
            );
            assert_eq!(body["error"]["field"], field, "{bad}: {body}");
        }
        let (_, kept) = admin.get("/api/v1/office/settings").await;
        assert_eq!(kept["phone_groups"], json!([group]));
        assert_eq!(kept["prices"]["laptop"], 100000);
        office.stop().await;
    }
}

/// Gives `user` a 4G key with a 1 GB monthly plan: the meter then
/// watches their use against it.
async fn give_a_1_gb_key(admin: &Api, user: i64) {
    let (status, key) = admin
        .post(
            "/api/v1/office/equipment",
            json!({"kind": "4g_key", "label": "4G key", "cap_gb": 1, "renewal_day": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let (status, body) = admin
        .post(
            &format!("/api/v1/office/equipment/{}/assign", key["id"]),
            json!({"user_id": user}),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn a_person_near_their_data_cap_starts_meetings_in_data_saver() {
    for office in offices("office_cap").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let lea_id = lea.my_id().await;
        give_a_1_gb_key(&admin, lea_id).await;
        // 1 % of 1 GB is 10 MB: the speed test's upload passes it.
        let (status, _) = admin
            .put(
                "/api/v1/office/settings",
                json!({"saver_at_pct": 1, "audio_only_at_pct": 90, "phone_groups": [], "prices": {}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, usage) = lea.get("/api/v1/office/usage").await;
        assert_eq!(usage["plans"][0]["level"], "free", "{usage}");
        let up = lea
            .request(Method::POST, "/api/v1/office/speedtest/up")
            .body(vec![0u8; 11_000_000])
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(200)).await;
        // New settings make the meter look again (it does every 30 s).
        admin
            .put(
                "/api/v1/office/settings",
                json!({"saver_at_pct": 1, "audio_only_at_pct": 90, "phone_groups": [], "prices": {}}),
            )
            .await;
        let (_, usage) = lea.get("/api/v1/office/usage").await;
        let plan = &usage["plans"][0];
        assert_eq!(plan["level"], "data_saver", "{usage}");
        assert_eq!(plan["cap_bytes"], 1_000_000_000u64);
        assert!(plan["used_bytes"].as_u64().unwrap() > 11_000_000, "{usage}");

        // She asks for a normal meeting and gets data-saver, told why.
        let (status, meeting) = lea
            .post(
                "/api/v1/meetings",
                json!({"title": "Stand-up", "invitees": []}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{meeting}");
        let mut socket = signal(&lea, meeting["id"].as_i64().unwrap(), None)
            .await
            .unwrap();
        send(&mut socket, json!({"type": "join", "mode": "normal"})).await;
        let joined = next_of(&mut socket, "joined").await.unwrap();
        assert_eq!(joined["mode"], "data-saver", "{joined}");
        let why = next_of(&mut socket, "mode").await.unwrap();
        assert_eq!(why["reason"], "data_cap", "{why}");
        // Audio-only stays audio-only: the cap only makes modes stricter.
        send(&mut socket, json!({"type": "mode", "mode": "audio-only"})).await;
        let mode = listed_mode(&mut socket, "audio-only").await;
        assert_eq!(mode, "audio-only", "the stricter mode she chose is kept");
        // An admin without a plan is not metered at all.
        let (_, usage) = admin
            .get(&format!(
                "/api/v1/office/usage?user_id={}",
                admin.my_id().await
            ))
            .await;
        assert_eq!(usage["plans"], json!([]), "{usage}");
        office.stop().await;
    }
}

/// The mode the participants list shows for the first person, once it is
/// `expected` or after five lists (earlier lists may still show the old one).
async fn listed_mode(socket: &mut Socket, expected: &str) -> Value {
    let mut mode = Value::Null;
    for _ in 0..5 {
        let people = next_of(socket, "participants").await.unwrap();
        mode = people["list"][0]["mode"].clone();
        if mode == expected {
            break;
        }
    }
    mode
}

#[tokio::test]
async fn a_person_who_passes_their_cap_during_a_call_is_moved_to_data_saver() {
    for office in offices("office_cap_live").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let lea_id = lea.my_id().await;
        give_a_1_gb_key(&admin, lea_id).await;
        let settings =
            json!({"saver_at_pct": 1, "audio_only_at_pct": 90, "phone_groups": [], "prices": {}});
        admin.put("/api/v1/office/settings", settings.clone()).await;

        // Under 1 % of her plan, her call starts as she asks.
        let (_, meeting) = lea
            .post(
                "/api/v1/meetings",
                json!({"title": "Long call", "invitees": []}),
            )
            .await;
        let mut socket = signal(&lea, meeting["id"].as_i64().unwrap(), None)
            .await
            .unwrap();
        send(&mut socket, json!({"type": "join", "mode": "normal"})).await;
        let joined = next_of(&mut socket, "joined").await.unwrap();
        assert_eq!(joined["mode"], "normal", "{joined}");

        // She passes it during the call; at the meter's next look (here,
        // the admin saving the settings) her call goes to data-saver.
        let up = lea
            .request(Method::POST, "/api/v1/office/speedtest/up")
            .body(vec![0u8; 11_000_000])
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(200)).await;
        admin.put("/api/v1/office/settings", settings).await;
        let why = next_of(&mut socket, "mode").await.unwrap();
        assert_eq!(why["mode"], "data-saver", "{why}");
        assert_eq!(why["reason"], "data_cap", "{why}");
        let mode = listed_mode(&mut socket, "data-saver").await;
        assert_eq!(mode, "data-saver", "the others see her new mode");
        office.stop().await;
    }
}

#[tokio::test]
async fn an_admin_can_pause_the_meter_and_only_an_admin() {
    for office in offices("office_pause").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let lea_id = lea.my_id().await;
        give_a_1_gb_key(&admin, lea_id).await;
        let settings = |metering: bool| json!({"metering": metering, "saver_at_pct": 1, "audio_only_at_pct": 90, "phone_groups": [], "prices": {}});
        let upload = |bytes: usize| {
            lea.request(Method::POST, "/api/v1/office/speedtest/up")
                .body(vec![0u8; bytes])
                .send()
        };
        admin.put("/api/v1/office/settings", settings(true)).await;
        assert_eq!(upload(11_000_000).await.unwrap().status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Saving makes the meter look again (it does every 30 s).
        admin.put("/api/v1/office/settings", settings(true)).await;

        // A member may not pause it: 403, and it keeps counting.
        let (status, body) = lea.put("/api/v1/office/settings", settings(false)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (_, read) = admin.get("/api/v1/office/settings").await;
        assert_eq!(read["metering"], true, "{read}");
        let (_, usage) = lea.get("/api/v1/office/usage").await;
        assert_eq!(usage["plans"][0]["level"], "data_saver", "{usage}");

        // The admin pauses it: nothing more is counted, and her meetings
        // are no longer held back by a use nobody measures.
        let (status, paused) = admin.put("/api/v1/office/settings", settings(false)).await;
        assert_eq!(status, StatusCode::OK, "{paused}");
        assert_eq!(paused["metering"], false, "{paused}");
        let (before_in, before_out, _) = metered(&admin, lea_id).await;
        assert_eq!(upload(2_000_000).await.unwrap().status(), StatusCode::OK);
        lea.get("/api/v1/me").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (after_in, after_out, usage) = metered(&admin, lea_id).await;
        assert_eq!((after_in, after_out), (before_in, before_out), "{usage}");
        assert!(before_in > 11_000_000, "what was counted stays: {usage}");
        let (_, meeting) = lea
            .post(
                "/api/v1/meetings",
                json!({"title": "Paused", "invitees": []}),
            )
            .await;
        let mut socket = signal(&lea, meeting["id"].as_i64().unwrap(), None)
            .await
            .unwrap();
        send(&mut socket, json!({"type": "join", "mode": "normal"})).await;
        let joined = next_of(&mut socket, "joined").await.unwrap();
        assert_eq!(joined["mode"], "normal", "{joined}");
        drop(socket);

        // Back on, it counts again.
        admin.put("/api/v1/office/settings", settings(true)).await;
        assert_eq!(upload(2_000_000).await.unwrap().status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (resumed_in, _, usage) = metered(&admin, lea_id).await;
        assert!(resumed_in >= after_in + 2_000_000, "{usage}");
        office.stop().await;
    }
}

/// A tiny HTTP server on `ip` answering every request with `answer`.
async fn http_stub(ip: &str, answer: &'static str) -> String {
    let listener = TcpListener::bind(format!("{ip}:0")).await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn tools_are_checked_without_reaching_private_addresses() {
    for office in offices("office_tools").await {
        let admin = office.person("camille", Role::Admin).await;
        let lea = office.person("lea", Role::Member).await;
        let noe = office.person("noe", Role::Member).await;
        let lea_id = lea.my_id().await;
        let local = http_stub("127.0.0.1", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
        // A "public" server (127.0.0.2, allowed below) that redirects to a
        // private one.
        let redirect: &'static str = Box::leak(
            format!("HTTP/1.1 302 Found\r\nlocation: {local}/\r\ncontent-length: 0\r\n\r\n")
                .into_boxed_str(),
        );
        let redirecting = http_stub("127.0.0.2", redirect).await;
        // A server that accepts and never answers.
        let silent = TcpListener::bind("127.0.0.2:0").await.unwrap();
        let silent_url = format!("http://{}/", silent.local_addr().unwrap());

        let mut ids = Vec::new();
        for (name, url, everyone, users) in [
            ("CRM", format!("{local}/"), true, vec![]),
            ("Invoices", format!("{redirecting}/"), false, vec![lea_id]),
            ("Build server", silent_url.clone(), false, vec![]),
        ] {
            let (status, tool) = admin
                .post(
                    "/api/v1/office/tools",
                    json!({"name": name, "url": url, "category": "sales", "hosting": "self_hosted",
                           "access": "direct", "everyone": everyone, "users": users}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{tool}");
            ids.push(tool["id"].as_i64().unwrap());
        }
        // Loopback is refused by default, without a request reaching it.
        let (status, crm) = admin
            .post(&format!("/api/v1/office/tools/{}/check", ids[0]), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{crm}");
        assert_eq!(crm["last_status"], "refused", "{crm}");
        // Allowed once the admin names the network.
        let settings = json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [],
                              "prices": {}, "allowed_networks": ["127.0.0.1/32", "127.0.0.2"]});
        let (status, body) = admin.put("/api/v1/office/settings", settings).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, crm) = admin
            .post(&format!("/api/v1/office/tools/{}/check", ids[0]), json!({}))
            .await;
        assert_eq!(crm["last_status"], "reachable", "{crm}");
        assert_eq!(crm["last_detail"], "HTTP 200");
        // A redirect into a network that is not allowed is refused.
        let settings = json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [],
                              "prices": {}, "allowed_networks": ["127.0.0.2/32"]});
        admin.put("/api/v1/office/settings", settings).await;
        let (_, invoices) = admin
            .post(&format!("/api/v1/office/tools/{}/check", ids[1]), json!({}))
            .await;
        assert_eq!(invoices["last_status"], "refused", "{invoices}");
        // A server that never answers is unreachable, and quickly.
        let started = std::time::Instant::now();
        let (_, build) = admin
            .post(&format!("/api/v1/office/tools/{}/check", ids[2]), json!({}))
            .await;
        assert_eq!(build["last_status"], "unreachable", "{build}");
        assert_eq!(build["last_detail"], "no answer within 5 s", "{build}");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        drop(silent);

        // The company's figure: one of the three reachable from home.
        let (_, all) = admin.get("/api/v1/office/tools").await;
        assert_eq!(all["total"], 3);
        assert_eq!(all["reachable_remotely"], 1, "{all}");
        // Members get their launcher: the tools they need, nothing else.
        let (_, mine) = lea.get("/api/v1/office/tools").await;
        let names: Vec<&str> = mine["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["CRM", "Invoices"]);
        let (_, theirs) = noe.get("/api/v1/office/tools").await;
        let names: Vec<&str> = theirs["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["CRM"]);
        // ... and cannot change the catalogue.
        let (status, body) = lea
            .post(
                "/api/v1/office/tools",
                json!({"name": "Mine", "url": "https://example.com", "hosting": "saas", "access": "direct"}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (status, body) = lea
            .post(&format!("/api/v1/office/tools/{}/check", ids[0]), json!({}))
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        // Léa needs Invoices, which is unreachable: her readiness says so.
        let (_, readiness) = lea.get("/api/v1/office/readiness").await;
        let missing = readiness["people"][0]["missing"].as_array().unwrap();
        assert!(missing.contains(&json!("tools")), "{readiness}");

        // Bad tools are refused and change nothing.
        for (bad, field) in [
            (
                json!({"name": "x", "url": "ftp://files.example.com", "hosting": "saas", "access": "direct"}),
                "url",
            ),
            (
                json!({"name": "x", "url": "javascript:alert(1)", "hosting": "saas", "access": "direct"}),
                "url",
            ),
            (
                json!({"name": "x", "url": "crm.example.com", "hosting": "saas", "access": "direct"}),
                "url",
            ),
            (
                json!({"name": " ", "url": "https://crm.example.com", "hosting": "saas", "access": "direct"}),
                "name",
            ),
            (
                json!({"name": "x", "url": "https://crm.example.com", "hosting": "cloud", "access": "direct"}),
                "hosting",
            ),
            (
                json!({"name": "x", "url": "https://crm.example.com", "hosting": "saas", "access": "teleport"}),
                "access",
            ),
            (
                json!({"name": "x", "url": "https://crm.example.com", "hosting": "saas", "access": "direct", "users": [999]}),
                "users",
            ),
        ] {
            let (status, body) = admin.post("/api/v1/office/tools", bad.clone()).await;
            assert_eq!(
                error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
                "invalid",
                "{bad}"
            );
            assert_eq!(body["error"]["field"], field, "{bad}: {body}");
        }
        let settings = json!({"saver_at_pct": 80, "audio_only_at_pct": 95, "phone_groups": [],
                              "prices": {}, "allowed_networks": ["10.0.0.0/33"]});
        let (status, body) = admin.put("/api/v1/office/settings", settings).await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        assert_eq!(body["error"]["field"], "allowed_networks");
        let (_, all) = admin.get("/api/v1/office/tools").await;
        assert_eq!(all["total"], 3);

        // A new address forgets the last check; deleting removes the tool.
        let (status, crm) = admin
            .put(
                &format!("/api/v1/office/tools/{}", ids[0]),
                json!({"name": "CRM", "url": "https://crm.example.com/", "hosting": "saas", "access": "vpn", "everyone": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{crm}");
        assert_eq!(crm["last_status"], Value::Null);
        let (status, _) = admin
            .delete(&format!("/api/v1/office/tools/{}", ids[2]))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = admin
            .delete(&format!("/api/v1/office/tools/{}", ids[2]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        office.stop().await;
    }
}
