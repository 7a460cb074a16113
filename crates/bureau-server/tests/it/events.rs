//! The event WebSocket: replay from the Store, live events, visibility,
//! access ending, and two processes sharing PostgreSQL and NATS.

use std::time::Duration;

use bureau_bus::Bus;
use bureau_core::Role;
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Api, Office};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(api: &Api, since: Option<i64>) -> Socket {
    try_connect(api, since, None)
        .await
        .expect("the WebSocket opens")
}

async fn try_connect(
    api: &Api,
    since: Option<i64>,
    origin: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let query = since.map(|s| format!("?since={s}")).unwrap_or_default();
    let url = format!(
        "{}/api/v1/events{query}",
        api.base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    if let Some(bearer) = &api.bearer {
        headers.insert("authorization", format!("Bearer {bearer}").parse().unwrap());
    }
    if let Some(cookie) = &api.cookie {
        headers.insert(
            "cookie",
            format!("bureau_session={cookie}").parse().unwrap(),
        );
    }
    if let Some(origin) = origin {
        headers.insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next event (a frame with a sequence number, or `ready`/`resync`) as
/// JSON, skipping signals (presence, typing); `None` when the server closed
/// the socket.
pub async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = next_frame(socket).await?;
        let signal = frame.get("seq").is_none();
        if !signal {
            return Some(frame);
        }
    }
}

/// The next text frame of any kind, signals included.
pub async fn next_frame(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// Frames up to and including `ready`, returning the events and its seq.
pub async fn until_ready(socket: &mut Socket) -> (Vec<Value>, i64) {
    let mut events = Vec::new();
    loop {
        let frame = next(socket).await.expect("the socket stays open");
        if frame["kind"] == "ready" {
            return (events, frame["seq"].as_i64().unwrap());
        }
        events.push(frame);
    }
}

pub fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn replay_then_live_each_sees_only_what_they_may() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let guest = office.person("client", Role::Guest).await;
    admin
        .post("/api/v1/invitations", json!({ "role": "member" }))
        .await;
    alice
        .patch("/api/v1/me", json!({ "display_name": "Alice" }))
        .await;

    let mut admin_socket = connect(&admin, Some(0)).await;
    let mut alice_socket = connect(&alice, Some(0)).await;
    let mut guest_socket = connect(&guest, Some(0)).await;
    let (admin_events, _) = until_ready(&mut admin_socket).await;
    let (alice_events, _) = until_ready(&mut alice_socket).await;
    let (guest_events, _) = until_ready(&mut guest_socket).await;
    assert!(kinds(&admin_events).contains(&"invitation.created"));
    assert!(
        !kinds(&alice_events).contains(&"invitation.created"),
        "admins only"
    );
    assert!(kinds(&alice_events).contains(&"user.updated"));
    assert!(
        guest_events.iter().all(|e| e["kind"] != "user.updated"),
        "guests see no directory"
    );
    let seqs: Vec<i64> = admin_events
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");

    alice
        .patch("/api/v1/me", json!({ "display_name": "Alice M." }))
        .await;
    for socket in [&mut admin_socket, &mut alice_socket] {
        let event = next(socket).await.unwrap();
        assert_eq!(event["kind"], "user.updated");
        assert_eq!(event["data"]["display_name"], "Alice M.");
    }
    // Tokens are the person's own business.
    alice.token("laptop").await;
    let event = next(&mut alice_socket).await.unwrap();
    assert_eq!(event["kind"], "token.created");
    admin
        .patch("/api/v1/me", json!({ "display_name": "Boss" }))
        .await;
    let event = next(&mut admin_socket).await.unwrap();
    assert_eq!(
        event["data"]["display_name"], "Boss",
        "the admin never saw alice's token"
    );
    office.stop().await;
}

#[tokio::test]
async fn a_client_resumes_from_its_last_sequence_number() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let mut socket = connect(&alice, None).await;
    let (missed, _) = until_ready(&mut socket).await;
    assert!(missed.is_empty(), "without `since`, live events only");
    alice
        .patch("/api/v1/me", json!({ "display_name": "one" }))
        .await;
    let seen = next(&mut socket).await.unwrap()["seq"].as_i64().unwrap();
    drop(socket);

    alice
        .patch("/api/v1/me", json!({ "display_name": "two" }))
        .await;
    alice
        .patch("/api/v1/me", json!({ "display_name": "three" }))
        .await;
    let mut socket = connect(&alice, Some(seen)).await;
    let (missed, ready) = until_ready(&mut socket).await;
    let names: Vec<&str> = missed
        .iter()
        .map(|e| e["data"]["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["two", "three"]);
    assert_eq!(ready, missed[1]["seq"].as_i64().unwrap());
    office.stop().await;
}

#[tokio::test]
async fn a_client_ahead_of_the_office_is_told_to_resync() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let mut socket = connect(&alice, Some(1_000_000)).await;
    let resync = next(&mut socket).await.unwrap();
    assert_eq!(resync["kind"], "resync");
    let newest = resync["seq"].as_i64().unwrap();
    assert!(newest < 1_000_000);
    let (_, ready) = until_ready(&mut socket).await;
    assert_eq!(ready, newest);
    alice
        .patch("/api/v1/me", json!({ "display_name": "still heard" }))
        .await;
    assert_eq!(
        next(&mut socket).await.unwrap()["data"]["display_name"],
        "still heard"
    );
    office.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_sockets_and_returns() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let mut socket = connect(&alice, None).await;
    until_ready(&mut socket).await;
    let stopping = tokio::spawn(office.stop());
    let close = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("the socket closes within 10 s");
    assert_eq!(close, Some(1001), "going away");
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the server stops within 10 s")
        .unwrap();
}

#[tokio::test]
async fn a_slow_client_misses_nothing() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let mut socket = connect(&alice, None).await;
    until_ready(&mut socket).await;
    // The socket is not read while far more events than its queue holds are made.
    for i in 0..1000 {
        alice
            .patch("/api/v1/me", json!({ "display_name": format!("n{i}") }))
            .await;
    }
    for i in 0..1000 {
        let event = next(&mut socket).await.unwrap();
        assert_eq!(event["data"]["display_name"], format!("n{i}"));
    }
    office.stop().await;
}

#[tokio::test]
async fn deactivation_and_revocation_close_open_sockets() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let alice_id = alice.my_id().await;
    let mut cookie_socket = connect(&alice, None).await;
    until_ready(&mut cookie_socket).await;

    // Revoking the session that opened a socket closes it.
    let (_, sessions) = alice.get("/api/v1/me/sessions").await;
    let mut other = office.anonymous();
    other.login("alice", crate::support::PASSWORD).await;
    let mut token_socket = connect(&alice.with_bearer(&other.token("t").await), None).await;
    until_ready(&mut token_socket).await;
    let current = sessions[0]["id"].as_i64().unwrap();
    other
        .delete(&format!("/api/v1/me/sessions/{current}"))
        .await;
    let revoked = loop {
        let event = next(&mut cookie_socket)
            .await
            .expect("open until the revocation");
        if event["kind"] == "session.revoked" {
            break event;
        }
    };
    assert_eq!(revoked["data"]["id"], current);
    assert!(
        next(&mut cookie_socket).await.is_none(),
        "closed after the revocation"
    );

    // Deactivation closes every socket of the person.
    admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "active": false }),
        )
        .await;
    loop {
        match next(&mut token_socket).await {
            Some(event) if event["kind"] == "user.deactivated" => break,
            Some(_) => continue,
            None => panic!("closed before the deactivation event"),
        }
    }
    assert!(next(&mut token_socket).await.is_none());
    office.stop().await;
}

#[tokio::test]
async fn cookie_sockets_refuse_other_sites() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let refused = try_connect(&alice, None, Some("https://evil.example")).await;
    assert!(
        refused.is_err(),
        "a cross-site page cannot open alice's event stream"
    );
    let host = alice.base.trim_start_matches("http://").to_string();
    let mut own = try_connect(&alice, None, Some(&format!("http://{host}")))
        .await
        .unwrap();
    until_ready(&mut own).await;
    office.stop().await;
}

/// Two bureau processes on one PostgreSQL and one NATS: an event made on
/// one reaches a client of the other.
#[tokio::test]
async fn two_nodes_share_events_over_postgres_and_nats() {
    let Some((first, second)) = crate::support::two_processes("two_nodes").await else {
        return;
    };
    let on_first = first.person("alice", Role::Member).await;
    let mut on_second = second.anonymous();
    on_second.login("alice", crate::support::PASSWORD).await;

    let mut socket = connect(&on_second, None).await;
    until_ready(&mut socket).await;
    on_first
        .patch("/api/v1/me", json!({ "display_name": "from node one" }))
        .await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(event["kind"], "user.updated");
    assert_eq!(event["data"]["display_name"], "from node one");

    let mut first_socket = connect(&on_first, None).await;
    until_ready(&mut first_socket).await;
    on_second
        .patch("/api/v1/me", json!({ "display_name": "from node two" }))
        .await;
    assert_eq!(
        next(&mut first_socket).await.unwrap()["data"]["display_name"],
        "from node two"
    );
    assert_eq!(
        next(&mut socket).await.unwrap()["data"]["display_name"],
        "from node two"
    );
    first.stop().await;
    second.stop().await;
}

/// On PostgreSQL a rolled-back transaction leaves a hole in the sequence;
/// the hub skips it instead of waiting for an event that never comes.
#[tokio::test]
async fn holes_in_the_sequence_are_skipped() {
    let Some(database) = bureau_store::testing::postgres_url("holes").await else {
        eprintln!("skipping: BUREAU_TEST_POSTGRES is needed");
        return;
    };
    let office = Office::start_on(&database, Bus::local("holes")).await;
    let alice = office.person("alice", Role::Member).await;
    let mut socket = connect(&alice, None).await;
    until_ready(&mut socket).await;
    let store = &office.accounts.ports().store;
    let mut tx = store.begin().await.unwrap();
    tx.append_event(bureau_core::NewEvent {
        kind: "test.rolled_back",
        scope: bureau_core::Scope::Members,
        data: json!({}),
    })
    .await
    .unwrap();
    drop(tx);
    alice
        .patch("/api/v1/me", json!({ "display_name": "after the hole" }))
        .await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(event["data"]["display_name"], "after the hole");
    office.stop().await;
}
