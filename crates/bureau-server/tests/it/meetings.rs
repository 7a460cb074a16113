//! Meetings over HTTP and the signalling socket, on both backends: who may
//! create, see and enter a meeting; guests wait in the lobby until a host
//! admits them and can do nothing a host does; bad messages, floods and
//! garbage on the media port are refused without hurting anyone else.

use std::time::Duration;

use bureau_core::Role;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;

use crate::support::{error_code, offices, Api, Office};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a meeting's signalling socket with a session or a guest pass, or
/// returns the status that refused the upgrade.
pub(crate) async fn signal(
    api: &Api,
    meeting: i64,
    guest_pass: Option<&str>,
) -> Result<Socket, u16> {
    let url = format!(
        "{}/api/v1/meetings/{meeting}/signal",
        api.base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let mut cookies = Vec::new();
    if let Some(cookie) = &api.cookie {
        cookies.push(format!("bureau_session={cookie}"));
    }
    if let Some(pass) = guest_pass {
        cookies.push(format!("bureau_guest_{meeting}={pass}"));
    }
    if !cookies.is_empty() {
        request
            .headers_mut()
            .insert("cookie", cookies.join("; ").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(error) => panic!("connecting: {error}"),
    }
}

/// The next message of `kind`, skipping others; `None` when the socket closed.
pub(crate) async fn next_of(socket: &mut Socket, kind: &str) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .unwrap_or_else(|_| panic!("no `{kind}` message within 10 s"))?;
        match frame {
            Ok(Ws::Text(text)) => {
                let value: Value = serde_json::from_str(text.as_str()).unwrap();
                if value["type"] == kind {
                    return Some(value);
                }
            }
            Ok(Ws::Close(frame)) => {
                return frame.map(|f| json!({"type": "close", "code": u16::from(f.code)}))
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Ws::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// Knocks as a guest; returns the pass from the cookie the server set.
async fn knock(
    office: &Office,
    meeting: i64,
    key: &str,
    name: &str,
) -> (StatusCode, Value, Option<String>) {
    let response = office
        .anonymous()
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/meetings/{meeting}/guests"),
            Some(&json!({"key": key, "name": name})),
        )
        .await;
    let status = response.status();
    let pass = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("bureau_guest_{meeting}="))
                .map(|rest| rest.split(';').next().unwrap().to_string())
        });
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, pass)
}

fn key_of(meeting: &Value) -> String {
    let url = meeting["guest_url"].as_str().unwrap();
    url.split("#k=").nth(1).unwrap().to_string()
}

#[tokio::test]
async fn who_may_start_see_and_enter_a_meeting() {
    for office in offices("meet_rules").await {
        let host = office.person("camille", Role::Admin).await;
        let member = office.person("lea", Role::Member).await;
        let outsider = office.person("omar", Role::Member).await;
        let account_guest = office.person("client", Role::Guest).await;
        let lea = member.my_id().await;

        // A call with an invitee: 201 with both links.
        let (status, meeting) = host
            .post(
                "/api/v1/meetings",
                json!({"title": "Weekly", "invitees": [lea]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{meeting}");
        let id = meeting["id"].as_i64().unwrap();
        assert!(meeting["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/meet/{id}")));
        assert!(meeting["guest_url"]
            .as_str()
            .unwrap()
            .contains(&format!("/meet/{id}/guest#k=")));

        // A scheduled meeting invites by DM, with its time and link; the
        // outsider is sent nothing. It lists before the calls made now only
        // while its start is ahead: 2036 (2026-12-06, the date here first,
        // broke the test once it had passed).
        let (status, planned) = host
            .post(
                "/api/v1/meetings",
                json!({"title": "Quarterly review", "invitees": [lea],
                       "starts_at": 2_112_166_800_000i64}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{planned}");
        let planned = planned["id"].as_i64().unwrap();
        let invitations = |api: &Api| {
            let api = api.clone();
            async move {
                let (_, sidebar) = api.get("/api/v1/channels").await;
                let mut texts = Vec::new();
                for entry in sidebar.as_array().cloned().unwrap_or_default() {
                    let id = entry["channel"]["id"].as_i64().unwrap();
                    let (_, history) = api.get(&format!("/api/v1/channels/{id}/messages")).await;
                    texts.push(history.to_string());
                }
                texts.join("\n")
            }
        };
        let received = invitations(&member).await;
        assert!(
            received.contains("Quarterly review · 2036-12-06 09:00 UTC")
                && received.contains(&format!("/meet/{planned}")),
            "{received}"
        );
        assert!(!invitations(&outsider).await.contains("Quarterly review"));

        // The invitee sees it but not the guest link; outsiders see nothing.
        let (status, seen) = member.get(&format!("/api/v1/meetings/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        assert_eq!(seen["guest_url"], Value::Null);
        assert_eq!(seen["host"], false);
        let (status, body) = outsider.get(&format!("/api/v1/meetings/{id}")).await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        assert_eq!(signal(&outsider, id, None).await.err(), Some(404));
        assert_eq!(signal(&office.anonymous(), id, None).await.err(), Some(401));
        assert_eq!(signal(&host, 999_999, None).await.err(), Some(404));

        // A private channel's call: its members only.
        let (_, channel) = host
            .post(
                "/api/v1/channels",
                json!({"name": "board", "private": true}),
            )
            .await;
        let channel = channel["id"].as_i64().unwrap();
        let (status, call) = host
            .post(
                "/api/v1/meetings",
                json!({"title": "Board", "channel_id": channel}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        let call = call["id"].as_i64().unwrap();
        let (status, _) = member.get(&format!("/api/v1/meetings/{call}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = outsider
            .post(
                "/api/v1/meetings",
                json!({"title": "Sneak", "channel_id": channel}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "no call in a channel one cannot read"
        );
        host.post(
            &format!("/api/v1/channels/{channel}/members"),
            json!({"user_id": lea}),
        )
        .await;
        let (status, _) = member.get(&format!("/api/v1/meetings/{call}")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a new member of the channel reaches its call"
        );
        // The call shows in the channel as a message with its link.
        let (_, history) = member
            .get(&format!("/api/v1/channels/{channel}/messages"))
            .await;
        assert!(
            history.to_string().contains(&format!("/meet/{call}")),
            "{history}"
        );

        // Bad input changes nothing.
        let (status, body) = host.post("/api/v1/meetings", json!({"title": "  "})).await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, body) = host
            .post(
                "/api/v1/meetings",
                json!({"title": "X", "invitees": [987_654]}),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, body) = host
            .post("/api/v1/meetings", json!({"title": "X", "colour": "red"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = account_guest
            .post("/api/v1/meetings", json!({"title": "Mine"}))
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::FORBIDDEN),
            "forbidden"
        );
        let (_, mine) = host.get("/api/v1/meetings").await;
        let titles: Vec<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Quarterly review", "Board", "Weekly"],
            "only the meetings made"
        );

        // Everyone has a personal room, the same one each time.
        let (status, room) = member.get("/api/v1/me/room").await;
        assert_eq!(status, StatusCode::OK, "{room}");
        let (_, again) = member.get("/api/v1/me/room").await;
        assert_eq!(room["id"], again["id"]);
        let (status, _) = outsider
            .get(&format!("/api/v1/meetings/{}", room["id"]))
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a personal room is open to every member"
        );
        let (status, _) = account_guest
            .get(&format!("/api/v1/meetings/{}", room["id"]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "but not to account guests");
        office.stop().await;
    }
}

#[tokio::test]
async fn a_guest_waits_in_the_lobby_and_cannot_act_as_a_host() {
    for office in offices("meet_lobby").await {
        let host = office.person("camille", Role::Admin).await;
        let (_, meeting) = host
            .post("/api/v1/meetings", json!({"title": "Client call"}))
            .await;
        let id = meeting["id"].as_i64().unwrap();
        let key = key_of(&meeting);

        // Wrong key, empty name: refused, nothing stored.
        let (status, body, pass) = knock(&office, id, "wrong", "Client X").await;
        assert_eq!(
            error_code(status, &body, StatusCode::NOT_FOUND),
            "not_found"
        );
        assert!(pass.is_none());
        let (status, body, _) = knock(&office, id, &key, "   ").await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        let (status, _, _) = knock(&office, 999_999, &key, "Client X").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, guest, pass) = knock(&office, id, &key, "Client X").await;
        assert_eq!(status, StatusCode::CREATED, "{guest}");
        assert_eq!(guest["state"], "waiting");
        let pass = pass.expect("the guest's pass is set as a cookie");
        let anonymous = office.anonymous();
        assert_eq!(
            signal(&anonymous, id, Some("mg_wrong")).await.err(),
            Some(401)
        );
        // The pass opens this meeting only.
        let (_, other) = host
            .post("/api/v1/meetings", json!({"title": "Other"}))
            .await;
        let other = other["id"].as_i64().unwrap();
        assert_eq!(
            signal(&anonymous, other, Some(&pass)).await.err(),
            Some(401)
        );

        let mut hosting = signal(&host, id, None).await.unwrap();
        let welcome = next_of(&mut hosting, "welcome").await.unwrap();
        assert_eq!(welcome["host"], true);
        let mut waiting = signal(&anonymous, id, Some(&pass)).await.unwrap();
        let welcome = next_of(&mut waiting, "welcome").await.unwrap();
        assert_eq!(welcome["waiting"], true);
        assert_eq!(welcome["host"], false);
        // The host hears of the lobby when connecting (empty), then of the guest.
        let empty = next_of(&mut hosting, "lobby_waiting").await.unwrap();
        assert_eq!(empty["guests"], json!([]));
        let lobby = next_of(&mut hosting, "lobby_waiting").await.unwrap();
        assert_eq!(lobby["guests"][0]["name"], "Client X");

        // Waiting: no media, and no host action works.
        send(&mut waiting, json!({"type": "join"})).await;
        let refused = next_of(&mut waiting, "error").await.unwrap();
        assert_eq!(refused["code"], "waiting");
        let guest_id = guest["id"].as_i64().unwrap();
        for action in [
            json!({"type": "admit", "guest": guest_id}),
            json!({"type": "lock", "locked": true}),
            json!({"type": "end"}),
            json!({"type": "remove", "participant": welcome["participant"]}),
            json!({"type": "mute", "participant": 1}),
        ] {
            send(&mut waiting, action.clone()).await;
            let refused = next_of(&mut waiting, "error").await.unwrap();
            assert_eq!(refused["code"], "forbidden", "{action}: {refused}");
        }
        let (_, still) = host.get(&format!("/api/v1/meetings/{id}")).await;
        assert_eq!(still["locked"], false);
        assert_eq!(still["ended"], false);

        // The host admits: the guest is told and may join.
        send(&mut hosting, json!({"type": "admit", "guest": guest_id})).await;
        next_of(&mut waiting, "admitted").await.unwrap();
        send(&mut waiting, json!({"type": "join", "mode": "audio-only"})).await;
        let joined = next_of(&mut waiting, "joined").await.unwrap();
        assert_eq!(joined["mode"], "audio-only");
        // Admitting again is "not found": the guest is no longer waiting.
        send(&mut hosting, json!({"type": "admit", "guest": guest_id})).await;
        let error = next_of(&mut hosting, "error").await.unwrap();
        assert_eq!(error["code"], "not_found");

        // Removed: told, socket closed, pass no longer valid.
        send(&mut hosting, json!({"type": "join"})).await;
        next_of(&mut hosting, "joined").await.unwrap();
        send(
            &mut hosting,
            json!({"type": "remove", "participant": welcome["participant"]}),
        )
        .await;
        next_of(&mut waiting, "removed").await.unwrap();
        assert_eq!(signal(&anonymous, id, Some(&pass)).await.err(), Some(403));

        // Locked: new members are refused; ended: the guest link is dead.
        send(&mut hosting, json!({"type": "lock", "locked": true})).await;
        next_of(&mut hosting, "locked").await.unwrap();
        let (_, locked) = host.get(&format!("/api/v1/meetings/{id}")).await;
        assert_eq!(locked["locked"], true);
        send(&mut hosting, json!({"type": "end"})).await;
        next_of(&mut hosting, "ended").await.unwrap();
        let (status, _, _) = knock(&office, id, &key, "Late").await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a call's link opens a new lobby after it ended"
        );
        office.stop().await;
    }
}

#[tokio::test]
async fn a_revoked_session_or_a_deactivated_account_leaves_its_calls() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let alice_id = alice.my_id().await;
    let (_, meeting) = admin
        .post(
            "/api/v1/meetings",
            json!({"title": "Weekly", "invitees": [alice_id]}),
        )
        .await;
    let id = meeting["id"].as_i64().unwrap();
    let mut phone_api = office.anonymous();
    phone_api.login("alice", crate::support::PASSWORD).await;
    let mut laptop = signal(&alice, id, None).await.unwrap();
    let mut phone = signal(&phone_api, id, None).await.unwrap();
    let mut boss = signal(&admin, id, None).await.unwrap();
    for socket in [&mut laptop, &mut phone, &mut boss] {
        next_of(socket, "welcome").await.unwrap();
        send(socket, json!({"type": "join"})).await;
        next_of(socket, "joined").await.unwrap();
    }

    // From her phone, Alice signs the laptop out: its call ends at once.
    let laptop_session = alice.current_session().await;
    let (status, _) = phone_api
        .delete(&format!("/api/v1/me/sessions/{laptop_session}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    next_of(&mut laptop, "access_ended").await.unwrap();
    assert_eq!(signal(&alice, id, None).await.err(), Some(401));
    send(&mut phone, json!({"type": "chat", "text": "still in"})).await;
    assert_eq!(
        next_of(&mut boss, "chat").await.unwrap()["text"],
        "still in"
    );

    // Deactivated, she leaves every call; the boss stays.
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    next_of(&mut phone, "access_ended").await.unwrap();
    send(&mut boss, json!({"type": "chat", "text": "alone"})).await;
    assert_eq!(next_of(&mut boss, "chat").await.unwrap()["text"], "alone");
    office.stop().await;
}

#[tokio::test]
async fn bad_messages_and_floods_are_refused_and_the_socket_survives_what_it_should() {
    let office = Office::start().await;
    let host = office.person("camille", Role::Admin).await;
    let (_, meeting) = host
        .post("/api/v1/meetings", json!({"title": "Weekly"}))
        .await;
    let id = meeting["id"].as_i64().unwrap();
    let mut socket = signal(&host, id, None).await.unwrap();
    next_of(&mut socket, "welcome").await.unwrap();

    // Not JSON, unknown type, an offer before joining, bad SDP, a bad mode,
    // too many sources: each is an error message; the socket stays.
    for (message, code) in [
        ("not json".to_string(), "invalid"),
        (json!({"type": "dance"}).to_string(), "invalid"),
        (
            json!({"type": "offer", "sdp": "v=0"}).to_string(),
            "not_in_call",
        ),
        (json!({"type": "join", "mode": "4k"}).to_string(), "invalid"),
    ] {
        socket.send(Ws::Text(message.clone().into())).await.unwrap();
        let error = next_of(&mut socket, "error").await.unwrap();
        assert_eq!(error["code"], code, "{message}: {error}");
    }
    send(&mut socket, json!({"type": "join"})).await;
    next_of(&mut socket, "joined").await.unwrap();
    send(
        &mut socket,
        json!({"type": "offer", "sdp": "this is not sdp", "sources": []}),
    )
    .await;
    let error = next_of(&mut socket, "error").await.unwrap();
    assert_eq!(error["code"], "bad_sdp", "{error}");
    send(
        &mut socket,
        json!({"type": "offer", "sdp": "v=0", "sources": [{"mid": "0", "source": "hologram"}]}),
    )
    .await;
    let error = next_of(&mut socket, "error").await.unwrap();
    assert_eq!(error["code"], "invalid", "{error}");
    let many: Vec<Value> = (0..5)
        .map(|i| json!({"mid": i.to_string(), "source": "mic"}))
        .collect();
    send(
        &mut socket,
        json!({"type": "offer", "sdp": "v=0", "sources": many}),
    )
    .await;
    let error = next_of(&mut socket, "error").await.unwrap();
    assert_eq!(error["code"], "too_many_sources", "{error}");
    send(
        &mut socket,
        json!({"type": "chat", "text": "x".repeat(2001)}),
    )
    .await;
    let error = next_of(&mut socket, "error").await.unwrap();
    assert_eq!(error["code"], "invalid");

    // Garbage and unknown STUN on the media port are dropped; the server
    // keeps answering.
    let media = office.media;
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut stun = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
    stun.extend_from_slice(&[7u8; 12]);
    for i in 0..2_000u32 {
        let packet = if i % 2 == 0 {
            i.to_be_bytes().repeat(50)
        } else {
            stun.clone()
        };
        udp.send_to(&packet, media).await.unwrap();
    }
    // On the TCP port, a connection that does not open with a connectivity
    // check for a peer in a call is closed: garbage, an unknown STUN
    // username, a frame longer than any packet.
    let mut framed_stun = (stun.len() as u16).to_be_bytes().to_vec();
    framed_stun.extend_from_slice(&stun);
    for opening in [
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        framed_stun,
        [0xff, 0xff].repeat(100),
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(office.media_tcp)
            .await
            .unwrap();
        tcp.write_all(&opening).await.unwrap();
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(3), tcp.read(&mut buf))
            .await
            .expect("the server closes the connection at once");
        assert!(
            matches!(read, Ok(0) | Err(_)),
            "closed without an answer: {read:?}"
        );
    }
    send(&mut socket, json!({"type": "chat", "text": "still here"})).await;
    let echo = next_of(&mut socket, "chat").await.unwrap();
    assert_eq!(echo["text"], "still here");

    // A flood closes the socket with 4429.
    let mut flooding = signal(&host, id, None).await.unwrap();
    for _ in 0..200 {
        if flooding
            .send(Ws::Text(
                json!({"type": "state", "mic": true, "camera": false})
                    .to_string()
                    .into(),
            ))
            .await
            .is_err()
        {
            break;
        }
    }
    let closed = next_of(&mut flooding, "never").await;
    assert_eq!(closed.map(|c| c["code"].clone()), Some(json!(4429)));
    // The first socket was not touched.
    send(&mut socket, json!({"type": "chat", "text": "unharmed"})).await;
    let echo = next_of(&mut socket, "chat").await.unwrap();
    assert_eq!(echo["text"], "unharmed");
    office.stop().await;
}
