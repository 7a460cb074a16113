//! Chat through the API and the event socket, on SQLite and PostgreSQL:
//! who sees what, who may post, threads, reactions, reads, bad input,
//! reconnection, webhooks, and two nodes on PostgreSQL + NATS.

use bureau_core::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::events::{connect, kinds, next, next_frame, until_ready, Socket};
use crate::support::{error_code, offices, two_processes, Api, Office};

async fn channel(api: &Api, name: &str, private: bool) -> i64 {
    let (status, body) = api
        .post(
            "/api/v1/channels",
            json!({ "name": name, "private": private }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn say(api: &Api, channel: i64, text: &str) -> Value {
    let (status, body) = api
        .post(
            &format!("/api/v1/channels/{channel}/messages"),
            json!({ "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn add(api: &Api, channel: i64, user: i64) {
    let (status, body) = api
        .post(
            &format!("/api/v1/channels/{channel}/members"),
            json!({ "user_id": user }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn texts(api: &Api, channel: i64) -> Vec<String> {
    let (status, body) = api
        .get(&format!("/api/v1/channels/{channel}/messages"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

fn sidebar_entry(sidebar: &Value, channel: i64) -> Option<&Value> {
    sidebar
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["channel"]["id"] == channel)
}

#[tokio::test]
async fn outsiders_never_see_a_private_channel() {
    for office in offices("chat_private").await {
        let admin = office.person("root", Role::Admin).await;
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let mut bob_socket = connect(&bob, None).await;
        until_ready(&mut bob_socket).await;

        let secret = channel(&alice, "secret-plans", true).await;
        let message = say(&alice, secret, "the launch is on Friday").await;
        let message_id = message["id"].as_i64().unwrap();
        let thread_path = format!("/api/v1/messages/{message_id}/thread");
        let reads = [
            format!("/api/v1/channels/{secret}"),
            format!("/api/v1/channels/{secret}/messages"),
            format!("/api/v1/channels/{secret}/members"),
            format!("/api/v1/channels/{secret}/pins"),
            format!("/api/v1/messages/{message_id}"),
            thread_path,
        ];
        for outsider in [&bob, &admin] {
            for path in &reads {
                let (status, body) = outsider.get(path).await;
                error_code(status, &body, StatusCode::NOT_FOUND);
            }
            let (status, body) = outsider
                .post(
                    &format!("/api/v1/channels/{secret}/messages"),
                    json!({ "text": "let me in" }),
                )
                .await;
            error_code(status, &body, StatusCode::NOT_FOUND);
            let (status, body) = outsider
                .put(
                    &format!("/api/v1/messages/{message_id}/reactions/👀"),
                    json!(null),
                )
                .await;
            error_code(status, &body, StatusCode::NOT_FOUND);
            let (_, browse) = outsider.get("/api/v1/channels/browse").await;
            assert!(!browse.to_string().contains("secret-plans"), "{browse}");
            let (_, sidebar) = outsider.get("/api/v1/channels").await;
            assert!(sidebar_entry(&sidebar, secret).is_none(), "{sidebar}");
            // Joining by adding oneself is refused as if it did not exist.
            let me = outsider.my_id().await;
            let (status, body) = outsider
                .post(
                    &format!("/api/v1/channels/{secret}/members"),
                    json!({ "user_id": me }),
                )
                .await;
            error_code(status, &body, StatusCode::NOT_FOUND);
        }

        // Bob's socket got nothing of it: the next thing he sees is the
        // public channel made afterwards.
        channel(&alice, "lunch", false).await;
        let event = next(&mut bob_socket).await.unwrap();
        assert_eq!(event["kind"], "channel.created", "{event}");
        assert_eq!(event["data"]["channel"]["name"], "lunch", "{event}");

        // Once added, Bob sees it live and can read its history.
        let bob_id = bob.my_id().await;
        add(&alice, secret, bob_id).await;
        let event = next(&mut bob_socket).await.unwrap();
        assert_eq!(event["kind"], "channel.member_added", "{event}");
        assert_eq!(event["data"]["channel"]["name"], "secret-plans");
        assert_eq!(texts(&bob, secret).await, ["the launch is on Friday"]);
        say(&alice, secret, "welcome bob").await;
        let event = next(&mut bob_socket).await.unwrap();
        assert_eq!(event["kind"], "message.posted");
        assert_eq!(event["data"]["message"]["text"], "welcome bob");

        // Removed, he sees his removal and nothing after.
        let (status, _) = alice
            .delete(&format!("/api/v1/channels/{secret}/members/{bob_id}"))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let event = next(&mut bob_socket).await.unwrap();
        assert_eq!(event["kind"], "channel.member_removed");
        say(&alice, secret, "bob is gone").await;
        channel(&alice, "after", false).await;
        let event = next(&mut bob_socket).await.unwrap();
        assert_eq!(event["data"]["channel"]["name"], "after", "{event}");
        let (status, body) = bob
            .get(&format!("/api/v1/channels/{secret}/messages"))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        // A replay from the start shows Bob only what he may see now.
        let mut replay = connect(&bob, Some(0)).await;
        let (events, _) = until_ready(&mut replay).await;
        assert!(!format!("{events:?}").contains("the launch is on Friday"));
        office.stop().await;
    }
}

#[tokio::test]
async fn guests_see_only_channels_they_were_added_to() {
    for office in offices("chat_guests").await {
        let alice = office.person("alice", Role::Member).await;
        let guest = office.person("client", Role::Guest).await;
        let general = channel(&alice, "general", false).await;
        let project = channel(&alice, "project-x", false).await;
        say(&alice, general, "internal talk").await;
        say(&alice, project, "hello client").await;

        let (status, body) = guest
            .get(&format!("/api/v1/channels/{general}/messages"))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (_, browse) = guest.get("/api/v1/channels/browse").await;
        assert_eq!(browse, json!([]));
        let guest_id = guest.my_id().await;
        let (status, body) = guest
            .post(
                &format!("/api/v1/channels/{general}/members"),
                json!({ "user_id": guest_id }),
            )
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = guest
            .post("/api/v1/channels", json!({ "name": "mine" }))
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);

        // A guest cannot write to people they have not met in a channel.
        let alice_id = alice.my_id().await;
        let (status, body) = guest
            .post("/api/v1/dms", json!({ "user_ids": [alice_id] }))
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        add(&alice, project, guest_id).await;
        assert_eq!(texts(&guest, project).await, ["hello client"]);
        let (status, body) = guest
            .post("/api/v1/dms", json!({ "user_ids": [alice_id] }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, sidebar) = guest.get("/api/v1/channels").await;
        assert_eq!(
            sidebar.as_array().unwrap().len(),
            2,
            "the channel and the DM: {sidebar}"
        );
        // The guest sees who is in the channel, though not the directory.
        let (status, members) = guest
            .get(&format!("/api/v1/channels/{project}/members"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(members.as_array().unwrap().len(), 2, "{members}");
        office.stop().await;
    }
}

#[tokio::test]
async fn only_posters_post_in_announcement_channels() {
    for office in offices("chat_announce").await {
        let admin = office.person("root", Role::Admin).await;
        let alice = office.person("alice", Role::Member).await;
        let (status, body) = alice
            .post(
                "/api/v1/channels",
                json!({ "name": "news", "kind": "announcement" }),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = admin
            .post(
                "/api/v1/channels",
                json!({ "name": "news", "private": false, "kind": "announcement" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let news = body["id"].as_i64().unwrap();
        let alice_id = alice.my_id().await;
        add(&alice, news, alice_id).await;

        let (status, body) = alice
            .post(
                &format!("/api/v1/channels/{news}/messages"),
                json!({ "text": "me too" }),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        say(&admin, news, "office closed on Monday").await;
        let (status, _) = admin
            .patch(
                &format!("/api/v1/channels/{news}/members/{alice_id}"),
                json!({ "poster": true }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        say(&alice, news, "HR: payslips are out").await;
        let (status, body) = admin
            .patch(
                &format!("/api/v1/channels/{news}/members/424242"),
                json!({ "poster": true }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = alice
            .patch(
                &format!("/api/v1/channels/{news}/members/{alice_id}"),
                json!({ "poster": false }),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        assert_eq!(
            texts(&alice, news).await,
            ["office closed on Monday", "HR: payslips are out"]
        );
        office.stop().await;
    }
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_and_deletes() {
    for office in offices("chat_edit").await {
        let admin = office.person("root", Role::Admin).await;
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let general = channel(&alice, "general", false).await;
        for who in [&bob, &admin] {
            let id = who.my_id().await;
            add(who, general, id).await;
        }
        let id = say(&alice, general, "draft").await["id"].as_i64().unwrap();
        let path = format!("/api/v1/messages/{id}");

        let (status, body) = bob.patch(&path, json!({ "text": "hacked" })).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = bob.delete(&path).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = alice.patch(&path, json!({ "text": "final" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["text"], "final");
        assert!(body["edited_at"].is_string(), "{body}");
        let (status, _) = admin.delete(&path).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, message) = alice.get(&path).await;
        assert_eq!(message["deleted"], true);
        assert_eq!(message["text"], "");
        let (status, body) = alice.patch(&path, json!({ "text": "undead" })).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        office.stop().await;
    }
}

#[tokio::test]
async fn threads_reactions_pins_and_unread_counts() {
    for office in offices("chat_threads").await {
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let general = channel(&alice, "general", false).await;
        let bob_id = bob.my_id().await;
        add(&bob, general, bob_id).await;

        let root = say(&alice, general, "who reviews PLT-3699?").await["id"]
            .as_i64()
            .unwrap();
        let messages = format!("/api/v1/channels/{general}/messages");
        let (status, reply) = bob
            .post(&messages, json!({ "text": "I do", "thread_id": root }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let (status, _) = bob
            .post(
                &messages,
                json!({ "text": "done, merged", "thread_id": root, "also_in_channel": true }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        // A thread-only reply stays out of the channel's history.
        assert_eq!(
            texts(&alice, general).await,
            ["who reviews PLT-3699?", "done, merged"]
        );
        let (_, thread) = alice.get(&format!("/api/v1/messages/{root}/thread")).await;
        let thread: Vec<_> = thread
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].clone())
            .collect();
        assert_eq!(thread, ["who reviews PLT-3699?", "I do", "done, merged"]);
        let (_, root_message) = alice.get(&format!("/api/v1/messages/{root}")).await;
        assert_eq!(root_message["reply_count"], 2);

        for emoji in ["👍", ":tada:"] {
            let (status, body) = bob
                .put(
                    &format!("/api/v1/messages/{root}/reactions/{emoji}"),
                    json!(null),
                )
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        alice
            .put(
                &format!("/api/v1/messages/{root}/reactions/👍"),
                json!(null),
            )
            .await;
        alice
            .put(&format!("/api/v1/messages/{root}/pin"), json!(null))
            .await;
        let (_, root_message) = alice.get(&format!("/api/v1/messages/{root}")).await;
        // Reactions come by time (ties within a millisecond broken by person
        // and emoji), so compare them as a map of sets.
        let reactions: std::collections::BTreeMap<String, std::collections::BTreeSet<i64>> =
            root_message["reactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let users = r["users"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u.as_i64().unwrap())
                        .collect();
                    (r["emoji"].as_str().unwrap().to_string(), users)
                })
                .collect();
        let alice_id = alice.my_id().await;
        assert_eq!(
            reactions,
            [
                ("👍".to_string(), [bob_id, alice_id].into()),
                (":tada:".to_string(), [bob_id].into())
            ]
            .into()
        );
        let (_, pins) = bob.get(&format!("/api/v1/channels/{general}/pins")).await;
        assert_eq!(pins.as_array().unwrap().len(), 1);

        // Alice has two unread messages from Bob in the channel, none a mention;
        // then a mention arrives.
        let (_, sidebar) = alice.get("/api/v1/channels").await;
        let entry = sidebar_entry(&sidebar, general).unwrap();
        assert_eq!(
            (entry["unread"].as_i64(), entry["mentions"].as_i64()),
            (Some(1), Some(0))
        );
        let last = say(&bob, general, "@alice can you look?").await["id"]
            .as_i64()
            .unwrap();
        let (_, sidebar) = alice.get("/api/v1/channels").await;
        let entry = sidebar_entry(&sidebar, general).unwrap();
        assert_eq!(
            (entry["unread"].as_i64(), entry["mentions"].as_i64()),
            (Some(2), Some(1))
        );
        // Posting marks the conversation read up to one's own message.
        let (_, sidebar) = bob.get("/api/v1/channels").await;
        assert_eq!(sidebar_entry(&sidebar, general).unwrap()["unread"], 0);

        let mut other_device = connect(&alice, None).await;
        until_ready(&mut other_device).await;
        let (status, body) = alice
            .post(
                &format!("/api/v1/channels/{general}/read"),
                json!({ "last_read_id": last }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let event = next(&mut other_device).await.unwrap();
        assert_eq!(event["kind"], "channel.read");
        assert_eq!(event["data"]["last_read_id"], last);
        // A read position never moves back.
        let (_, body) = alice
            .post(
                &format!("/api/v1/channels/{general}/read"),
                json!({ "last_read_id": root }),
            )
            .await;
        assert_eq!(body["last_read_id"], last);
        let (_, sidebar) = alice.get("/api/v1/channels").await;
        let entry = sidebar_entry(&sidebar, general).unwrap();
        assert_eq!(
            (entry["unread"].as_i64(), entry["mentions"].as_i64()),
            (Some(0), Some(0))
        );
        office.stop().await;
    }
}

#[tokio::test]
async fn the_same_people_find_the_same_dm() {
    for office in offices("chat_dms").await {
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let carol = office.person("carol", Role::Member).await;
        let (alice_id, bob_id, carol_id) =
            (alice.my_id().await, bob.my_id().await, carol.my_id().await);
        let (status, dm) = alice
            .post("/api/v1/dms", json!({ "user_ids": [bob_id] }))
            .await;
        assert_eq!(status, StatusCode::OK, "{dm}");
        let (_, again) = bob
            .post("/api/v1/dms", json!({ "user_ids": [alice_id] }))
            .await;
        assert_eq!(dm["id"], again["id"]);
        let (_, group) = carol
            .post("/api/v1/dms", json!({ "user_ids": [alice_id, bob_id] }))
            .await;
        assert_ne!(group["id"], dm["id"]);
        let dm_id = dm["id"].as_i64().unwrap();
        say(&alice, dm_id, "just between us").await;
        let (status, body) = carol
            .get(&format!("/api/v1/channels/{dm_id}/messages"))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (_, sidebar) = bob.get("/api/v1/channels").await;
        let entry = sidebar_entry(&sidebar, dm_id).unwrap();
        assert_eq!(entry["dm_members"], json!([alice_id, bob_id]));
        assert_eq!(entry["unread"], 1);

        let many: Vec<i64> = (1..=12).collect();
        let (status, body) = alice.post("/api/v1/dms", json!({ "user_ids": many })).await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = alice
            .post(
                &format!("/api/v1/channels/{dm_id}/members"),
                json!({ "user_id": carol_id }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        office.stop().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    for office in offices("chat_bad").await {
        let alice = office.person("alice", Role::Member).await;
        let general = channel(&alice, "general", false).await;
        let other = channel(&alice, "other", false).await;
        let other_root = say(&alice, other, "elsewhere").await["id"]
            .as_i64()
            .unwrap();
        say(&alice, general, "first").await;
        let messages = format!("/api/v1/channels/{general}/messages");
        let cases = [
            (json!({ "text": "" }), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({ "text": "   \n " }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "text": "x".repeat(40_001) }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "text": "bell \u{7}" }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (json!({ "text": 42 }), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({ "txt": "typo" }), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({ "text": "hi", "thread_id": other_root }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "text": "hi", "thread_id": 999_999 }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({ "text": "hi", "attachment_ids": [999] }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (body, expected) in cases {
            let (status, answer) = alice.post(&messages, body.clone()).await;
            assert!(
                status.is_client_error() && answer["error"]["message"].is_string(),
                "{body} gave {status} {answer}"
            );
            assert_eq!(status, expected, "{body}: {answer}");
        }
        assert_eq!(texts(&alice, general).await, ["first"]);

        let (status, body) = alice
            .post("/api/v1/channels/424242/messages", json!({ "text": "hi" }))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = alice.get("/api/v1/channels/nope/messages").await;
        error_code(status, &body, StatusCode::BAD_REQUEST);
        for query in ["?limit=0", "?limit=500"] {
            let (status, body) = alice.get(&format!("{messages}{query}")).await;
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let (status, body) = alice.get(&format!("{messages}?before=5&after=1")).await;
        error_code(status, &body, StatusCode::BAD_REQUEST);
        for name in ["", "a/b", "x".repeat(81).as_str(), "general"] {
            let (status, body) = alice
                .post("/api/v1/channels", json!({ "name": name }))
                .await;
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::CONFLICT,
                "{name}: {body}"
            );
        }
        // Markdown and HTML are stored as written; the web app renders them
        // as text (see e2e/chat.test.mjs).
        let evil = "<img src=x onerror=alert(1)> [link](javascript:alert(1))";
        assert_eq!(say(&alice, general, evil).await["text"], evil);

        let (status, _) = alice
            .patch(
                &format!("/api/v1/channels/{general}"),
                json!({ "archived": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = alice.post(&messages, json!({ "text": "too late" })).await;
        assert_eq!(error_code(status, &body, StatusCode::CONFLICT), "archived");
        assert_eq!(texts(&alice, general).await, ["first", evil]);
        office.stop().await;
    }
}

#[tokio::test]
async fn events_carry_what_the_api_shows() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let general = channel(&alice, "general", false).await;
    let mut socket = connect(&alice, None).await;
    until_ready(&mut socket).await;
    let posted = say(&alice, general, "**hello** @alice").await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(event["kind"], "message.posted");
    assert_eq!(event["data"]["message"], posted);
    let (_, channel_view) = alice.get(&format!("/api/v1/channels/{general}")).await;
    let (_, _) = alice
        .patch(
            &format!("/api/v1/channels/{general}"),
            json!({ "topic": "all things" }),
        )
        .await;
    loop {
        let event = next(&mut socket).await.unwrap();
        if event["kind"] == "channel.updated" {
            let mut expected = channel_view.clone();
            expected["topic"] = json!("all things");
            expected["last_message_id"] = posted["id"].clone();
            assert_eq!(event["data"]["channel"], expected);
            break;
        }
    }
    office.stop().await;
}

/// A client that drops and reconnects with its last sequence number gets
/// every message it missed, in order, exactly once.
#[tokio::test]
async fn a_reconnecting_client_misses_nothing_and_sees_nothing_twice() {
    for office in offices("chat_reconnect").await {
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let general = channel(&alice, "general", false).await;
        let bob_id = bob.my_id().await;
        add(&bob, general, bob_id).await;
        let mut socket = connect(&bob, None).await;
        let (_, mut last) = until_ready(&mut socket).await;
        for i in 0..5 {
            say(&alice, general, &format!("live {i}")).await;
            let event = next(&mut socket).await.unwrap();
            last = event["seq"].as_i64().unwrap();
        }
        drop(socket);
        for i in 0..30 {
            say(&alice, general, &format!("missed {i}")).await;
        }
        let mut socket = connect(&bob, Some(last)).await;
        let (events, _) = until_ready(&mut socket).await;
        let texts: Vec<_> = events
            .iter()
            .filter(|e| e["kind"] == "message.posted")
            .map(|e| e["data"]["message"]["text"].as_str().unwrap().to_string())
            .collect();
        let expected: Vec<_> = (0..30).map(|i| format!("missed {i}")).collect();
        assert_eq!(texts, expected);
        let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        say(&alice, general, "after").await;
        let event = next(&mut socket).await.unwrap();
        assert_eq!(event["data"]["message"]["text"], "after");
        assert_eq!(kinds(&[event.clone()]), ["message.posted"]);
        office.stop().await;
    }
}

#[tokio::test]
async fn slack_style_webhooks_post_into_a_channel() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let ops = channel(&alice, "ops", true).await;
    let (status, body) = bob
        .post(
            &format!("/api/v1/channels/{ops}/webhooks"),
            json!({ "name": "CI" }),
        )
        .await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = alice
        .post(
            &format!("/api/v1/channels/{ops}/webhooks"),
            json!({ "name": "CI" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["url"].as_str().unwrap();
    let path = url.strip_prefix("http://bureau.test").unwrap();
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}{path}", office.base))
        .json(&json!({ "text": "build #42 passed", "icon_emoji": ":ok:" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
    let response = http
        .post(format!("{}{path}", office.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("payload=%7B%22text%22%3A%22deploy+done%22%2C%22username%22%3A%22deployer%22%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, history) = alice.get(&format!("/api/v1/channels/{ops}/messages")).await;
    let history = history.as_array().unwrap();
    assert_eq!(history[0]["text"], "build #42 passed");
    assert_eq!(history[0]["via"], "CI");
    assert_eq!(history[1]["text"], "deploy done");
    assert_eq!(history[1]["via"], "deployer");

    let response = http
        .post(format!("{}{path}", office.base))
        .json(&json!({ "blocks": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let hook = body["webhook"]["id"].as_i64().unwrap();
    alice
        .delete(&format!("/api/v1/channels/{ops}/webhooks/{hook}"))
        .await;
    let response = http
        .post(format!("{}{path}", office.base))
        .json(&json!({ "text": "after revocation" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    office.stop().await;
}

#[tokio::test]
async fn attachments_are_readable_only_where_their_message_is() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let private = channel(&alice, "hr", true).await;
    let response = alice
        .http_post_bytes(
            &format!("/api/v1/channels/{private}/files?name=payroll.pdf"),
            "application/pdf",
            b"%PDF-1.4 payroll".to_vec(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let attachment: Value = response.json().await.unwrap();
    let id = attachment["id"].as_i64().unwrap();
    let (status, body) = alice
        .post(
            &format!("/api/v1/channels/{private}/messages"),
            json!({ "text": "", "attachment_ids": [id] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"][0]["name"], "payroll.pdf");
    let response = alice
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/attachments/{id}"),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4 payroll"
    );
    let (status, body) = bob.get(&format!("/api/v1/attachments/{id}")).await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    office.stop().await;
}

/// A message posted on one node reaches a client of another node
/// (PostgreSQL + NATS).
#[tokio::test]
async fn a_message_crosses_nodes() {
    let Some((first, second)) = two_processes("chat_nodes").await else {
        return;
    };
    let alice = first.person("alice", Role::Member).await;
    let bob_first = first.person("bob", Role::Member).await;
    let mut bob = second.anonymous();
    bob.login("bob", crate::support::PASSWORD).await;
    let secret = channel(&alice, "pair", true).await;
    let mut socket = connect(&bob, None).await;
    until_ready(&mut socket).await;
    let alice_id = alice.my_id().await;
    send_text(
        &mut socket,
        json!({ "type": "presence.watch", "user_ids": [alice_id] }),
    )
    .await;
    add(&alice, secret, bob_first.my_id().await).await;
    assert_eq!(
        next(&mut socket).await.unwrap()["kind"],
        "channel.member_added"
    );
    say(&alice, secret, "across the wire").await;
    let event = next(&mut socket).await.unwrap();
    assert_eq!(event["data"]["message"]["text"], "across the wire");
    // Presence and typing cross too: Alice opens a tab on the first node.
    let mut alice_socket = connect(&alice, None).await;
    until_ready(&mut alice_socket).await;
    presence_of(&mut socket, alice_id, "active").await;
    send_text(
        &mut alice_socket,
        json!({ "type": "typing", "channel_id": secret }),
    )
    .await;
    assert_eq!(
        signal(&mut socket, "typing").await["data"]["user_id"],
        alice_id
    );
    drop(alice_socket);
    presence_of(&mut socket, alice_id, "offline").await;
    first.stop().await;
    second.stop().await;
}

async fn search(api: &Api, q: &str) -> Vec<String> {
    let url = format!("/api/v1/search?q={}", urlencode(q));
    let (status, body) = api.get(&url).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["message"]["text"].as_str().unwrap().to_string())
        .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_finds_word_forms_codes_and_only_what_one_may_read() {
    for office in offices("chat_search").await {
        let alice = office.person("alice", Role::Member).await;
        let bob = office.person("bob", Role::Member).await;
        let guest = office.person("client", Role::Guest).await;
        let general = channel(&alice, "general", false).await;
        let secret = channel(&alice, "direction", true).await;
        let bob_id = bob.my_id().await;
        add(&bob, general, bob_id).await;
        say(
            &alice,
            general,
            "Le télétravail commence lundi pour toute l'équipe",
        )
        .await;
        say(
            &bob,
            general,
            "Incident PLT-3699: the payroll export is fixed",
        )
        .await;
        say(&alice, general, "We are working from home on Fridays").await;
        say(&alice, secret, "Télétravail : budget confidentiel").await;

        // Word forms, starts of words, accents, codes.
        assert_eq!(
            search(&bob, "télétravaillons").await,
            ["Le télétravail commence lundi pour toute l'équipe"]
        );
        assert_eq!(search(&bob, "teletrav").await.len(), 1);
        assert_eq!(
            search(&bob, "works").await,
            ["We are working from home on Fridays"]
        );
        assert_eq!(search(&bob, "PLT-3699").await.len(), 1);
        // Only what the searcher may read: Alice finds the private one too.
        assert_eq!(search(&alice, "télétravail").await.len(), 2);
        assert_eq!(search(&bob, "confidentiel").await, Vec::<String>::new());
        assert_eq!(search(&guest, "télétravail").await, Vec::<String>::new());

        // Filters.
        assert_eq!(
            search(&alice, "télétravail in:#direction").await,
            ["Télétravail : budget confidentiel"]
        );
        assert_eq!(search(&alice, "from:@bob").await.len(), 1);
        assert_eq!(search(&alice, "télétravail from:@bob").await.len(), 0);
        assert_eq!(search(&alice, "lundi before:2000-01-01").await.len(), 0);
        assert_eq!(search(&alice, "lundi after:2000-01-01").await.len(), 1);
        assert_eq!(search(&alice, "lundi has:file").await.len(), 0);

        // Highlights point at the words, in JavaScript string offsets.
        let (_, body) = bob
            .get(&format!(
                "/api/v1/search?q={}",
                urlencode("télétravaillons")
            ))
            .await;
        let text = body[0]["message"]["text"].as_str().unwrap();
        let [start, end] = [
            body[0]["highlights"][0][0].as_u64().unwrap() as usize,
            body[0]["highlights"][0][1].as_u64().unwrap() as usize,
        ];
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16(&utf16[start..end]).unwrap(),
            "télétravail"
        );

        // Edits and deletions reach the index.
        let id = say(&bob, general, "draft about quarterly numbers").await["id"]
            .as_i64()
            .unwrap();
        assert_eq!(search(&bob, "quarterly").await.len(), 1);
        bob.patch(
            &format!("/api/v1/messages/{id}"),
            json!({ "text": "final about yearly numbers" }),
        )
        .await;
        assert_eq!(search(&bob, "quarterly").await.len(), 0);
        assert_eq!(search(&bob, "yearly").await.len(), 1);
        bob.delete(&format!("/api/v1/messages/{id}")).await;
        assert_eq!(search(&bob, "yearly").await.len(), 0);

        // Malformed searches are refused with a sentence.
        for bad in [
            "",
            "before:yesterday",
            "has:link",
            "in:#nowhere",
            "in:#direction",
            "from:@nobody",
        ] {
            let (status, body) = bob
                .get(&format!("/api/v1/search?q={}", urlencode(bad)))
                .await;
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let (status, body) = bob.get("/api/v1/search?q=x&limit=1000").await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        office.stop().await;
    }
}

/// The next signal (a frame without a sequence number) of this kind.
async fn signal(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next_frame(socket).await.expect("the socket stays open");
        if frame.get("seq").is_none() && frame["kind"] == kind {
            return frame;
        }
    }
}

/// Waits for the news that `user` is now `state`; Alice's other changes
/// must not come first.
async fn presence_of(socket: &mut Socket, user: i64, state: &str) {
    loop {
        let frame = signal(socket, "presence").await;
        if frame["data"]["user_id"] != user {
            continue;
        }
        assert_eq!(frame["data"]["state"], state, "{frame}");
        return;
    }
}

async fn send_text(socket: &mut Socket, value: Value) {
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            value.to_string().into(),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn presence_and_typing_reach_the_right_people_without_polling() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let carol = office.person("carol", Role::Member).await;
    let guest = office.person("client", Role::Guest).await;
    let alice_id = alice.my_id().await;
    let general = channel(&alice, "general", false).await;
    add(&bob, general, bob.my_id().await).await;

    let mut bob_socket = connect(&bob, None).await;
    until_ready(&mut bob_socket).await;
    let mut carol_socket = connect(&carol, None).await;
    until_ready(&mut carol_socket).await;
    let mut guest_socket = connect(&guest, None).await;
    until_ready(&mut guest_socket).await;
    // Each client says whose presence it shows; the guest's wish is ignored.
    for socket in [&mut bob_socket, &mut carol_socket, &mut guest_socket] {
        send_text(
            socket,
            json!({ "type": "presence.watch", "user_ids": [alice_id] }),
        )
        .await;
    }
    let mut alice_socket = connect(&alice, None).await;
    until_ready(&mut alice_socket).await;
    // A client that starts watching learns who is there; the others learn
    // Alice came.
    send_text(
        &mut alice_socket,
        json!({ "type": "presence.watch", "user_ids": [bob.my_id().await, carol.my_id().await] }),
    )
    .await;
    let snapshot = signal(&mut alice_socket, "presence.snapshot").await;
    let active = snapshot["data"]["active"].as_array().unwrap().clone();
    assert!(active.contains(&json!(bob.my_id().await)), "{snapshot}");
    presence_of(&mut bob_socket, alice_id, "active").await;

    // Typing reaches the conversation's members only.
    send_text(
        &mut alice_socket,
        json!({ "type": "typing", "channel_id": general }),
    )
    .await;
    let typing = signal(&mut bob_socket, "typing").await;
    assert_eq!(
        typing["data"],
        json!({ "channel_id": general, "thread_id": null, "user_id": alice_id })
    );
    // Away, then gone.
    send_text(
        &mut alice_socket,
        json!({ "type": "presence", "state": "away" }),
    )
    .await;
    presence_of(&mut carol_socket, alice_id, "active").await;
    presence_of(&mut carol_socket, alice_id, "away").await;
    drop(alice_socket);
    presence_of(&mut carol_socket, alice_id, "offline").await;
    // Carol, outside #general, never saw the typing; the guest saw no presence.
    // Both sockets are quiet now: a last message proves the order.
    let mut carol_frames = Vec::new();
    let marker = channel(&carol, "marker", false).await;
    loop {
        let frame = next_frame(&mut carol_socket).await.unwrap();
        if frame["kind"] == "channel.created" && frame["data"]["channel"]["id"] == marker {
            break;
        }
        carol_frames.push(frame);
    }
    assert!(
        !carol_frames.iter().any(|f| f["kind"] == "typing"),
        "{carol_frames:?}"
    );
    let guest_frames: Vec<Value> = {
        let mut frames = Vec::new();
        while let Ok(Some(frame)) = tokio::time::timeout(
            std::time::Duration::from_millis(300),
            next_frame(&mut guest_socket),
        )
        .await
        {
            frames.push(frame);
        }
        frames
    };
    assert!(
        !guest_frames.iter().any(|f| f["kind"]
            .as_str()
            .is_some_and(|k| k.starts_with("presence"))),
        "{guest_frames:?}"
    );
    office.stop().await;
}

#[tokio::test]
async fn a_status_shows_until_it_ends() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let mut bob_socket = connect(&bob, None).await;
    until_ready(&mut bob_socket).await;
    let later = bureau_core::time::rfc3339(bureau_core::time::now_ms() + 3_600_000);
    let (status, me) = alice
        .put(
            "/api/v1/me/status",
            json!({ "text": "Focus", "emoji": "🎧", "until": later }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let event = next(&mut bob_socket).await.unwrap();
    assert_eq!(event["kind"], "user.updated");
    assert_eq!(
        event["data"]["status"],
        json!({ "text": "Focus", "emoji": "🎧", "until": later })
    );
    let alice_id = alice.my_id().await;
    let (_, seen) = bob.get(&format!("/api/v1/users/{alice_id}")).await;
    assert_eq!(seen["status"]["text"], "Focus");

    let past = bureau_core::time::rfc3339(bureau_core::time::now_ms() - 1000);
    for body in [
        json!({ "text": "x", "until": past }),
        json!({ "text": "x", "until": "tomorrow" }),
        json!({ "text": "" }),
        json!({ "text": "y".repeat(101) }),
    ] {
        let (status, answer) = alice.put("/api/v1/me/status", body.clone()).await;
        error_code(status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, me) = alice.get("/api/v1/me").await;
    assert_eq!(
        me["user"]["status"]["text"], "Focus",
        "a refused status changes nothing"
    );
    let (status, me) = alice.delete("/api/v1/me/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["status"], Value::Null);
    office.stop().await;
}

#[tokio::test]
async fn typing_reaches_a_conversation_joined_after_connecting() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let bob = office.person("bob", Role::Member).await;
    let mut alice_socket = connect(&alice, None).await;
    until_ready(&mut alice_socket).await;
    let mut bob_socket = connect(&bob, None).await;
    until_ready(&mut bob_socket).await;
    let (_, dm) = alice
        .post("/api/v1/dms", json!({ "user_ids": [bob.my_id().await] }))
        .await;
    let dm = dm["id"].as_i64().unwrap();
    assert_eq!(
        next(&mut alice_socket).await.unwrap()["kind"],
        "channel.created"
    );
    assert_eq!(
        next(&mut bob_socket).await.unwrap()["kind"],
        "channel.created"
    );
    send_text(
        &mut alice_socket,
        json!({ "type": "typing", "channel_id": dm }),
    )
    .await;
    assert_eq!(
        signal(&mut bob_socket, "typing").await["data"]["channel_id"],
        dm
    );
    office.stop().await;
}
