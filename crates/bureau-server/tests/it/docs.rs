//! Docs: spaces, pages and who reaches them, and live co-editing over the
//! y-websocket protocol, with a Yjs client written on yrs (the stock
//! JavaScript client is tested in e2e/tests/docs-sync.test.mjs).

use std::time::Duration;

use bureau_bus::Bus;
use bureau_core::Role;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Doc, GetString, ReadTxn, Text, Transact, Update, XmlElementPrelim, XmlFragment, XmlFragmentRef,
    XmlOut, XmlTextPrelim, XmlTextRef,
};

use crate::events::Socket;
use crate::support::{error_code, offices, two_processes, Api, Office};

/// A Yjs client of one page: its own document, synced over the socket.
pub(crate) struct Editor {
    socket: Socket,
    pub(crate) doc: Doc,
}

impl Editor {
    pub(crate) async fn open(api: &Api, page: i64) -> Editor {
        Editor::try_open(api, page)
            .await
            .unwrap_or_else(|status| panic!("the sync socket opens, got {status}"))
    }

    /// Connects, or returns the HTTP status that refused the upgrade.
    pub(crate) async fn try_open(api: &Api, page: i64) -> Result<Editor, u16> {
        let url = format!(
            "{}/api/v1/docs/{page}/sync",
            api.base.replace("http://", "ws://")
        );
        let mut request = url.into_client_request().unwrap();
        if let Some(cookie) = &api.cookie {
            request.headers_mut().insert(
                "cookie",
                format!("bureau_session={cookie}").parse().unwrap(),
            );
        }
        if let Some(bearer) = &api.bearer {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {bearer}").parse().unwrap());
        }
        // Without Nagle: round trips of tiny frames would wait for delayed ACKs.
        match tokio_tungstenite::connect_async_with_config(request, None, true).await {
            Ok((socket, _)) => {
                let mut editor = Editor {
                    socket,
                    doc: Doc::new(),
                };
                let sv = editor.doc.transact().state_vector();
                editor
                    .send(Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1())
                    .await;
                Ok(editor)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(err) => panic!("connecting: {err}"),
        }
    }

    async fn send(&mut self, frame: Vec<u8>) {
        self.socket.send(Ws::Binary(frame.into())).await.unwrap();
    }

    /// The text of the page's first paragraph, where the web editor keeps
    /// it (the XML fragment `default`).
    pub(crate) fn text(&self) -> String {
        let fragment = self.doc.get_or_insert_xml_fragment("default");
        let txn = self.doc.transact();
        match first_text(&fragment, &txn) {
            Some(text) => text.get_string(&txn),
            None => String::new(),
        }
    }

    /// Types at the end of the first paragraph (made if there is none)
    /// and sends the update.
    pub(crate) async fn type_text(&mut self, words: &str) {
        let fragment = self.doc.get_or_insert_xml_fragment("default");
        let update = {
            let mut txn = self.doc.transact_mut();
            let text = match first_text(&fragment, &txn) {
                Some(text) => text,
                None => {
                    let paragraph =
                        fragment.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
                    paragraph.push_back(&mut txn, XmlTextPrelim::new(""))
                }
            };
            let end = text.len(&txn);
            text.insert(&mut txn, end, words);
            txn.encode_update_v1()
        };
        self.send(Message::Sync(SyncMessage::Update(update)).encode_v1())
            .await;
    }

    /// Reads frames, applying what the server sends, until the text is
    /// `expected`; panics after 10 s.
    pub(crate) async fn until_text(&mut self, expected: &str) {
        let expected_text = expected.to_owned();
        self.until(expected, move |editor| editor.text() == expected_text)
            .await;
    }

    /// Reads frames, applying what the server sends, until `done` holds;
    /// panics after 10 s, saying it waited for `what`.
    pub(crate) async fn until(&mut self, what: &str, done: impl Fn(&Editor) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while !done(self) {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "waited for {what:?}, the text is {:?}; frames received: {seen:?}",
                        self.text()
                    )
                });
            match frame {
                Some(Ok(Ws::Binary(bytes))) => {
                    seen.push(match Message::decode_v1(&bytes) {
                        Ok(Message::Sync(SyncMessage::SyncStep1(_))) => "step 1".to_string(),
                        Ok(Message::Sync(SyncMessage::SyncStep2(u))) => {
                            format!("step 2 ({} B)", u.len())
                        }
                        Ok(Message::Sync(SyncMessage::Update(u))) => {
                            format!("update ({} B)", u.len())
                        }
                        Ok(Message::Awareness(_)) => "awareness".to_string(),
                        Ok(other) => format!("{other:?}"),
                        Err(err) => format!("undecodable: {err}"),
                    });
                    self.apply(&bytes).await
                }
                Some(Ok(Ws::Close(close))) => panic!("the server closed: {close:?}"),
                Some(Ok(_)) => {}
                other => panic!("the socket ended: {other:?}"),
            }
        }
    }

    /// Applies one frame; answers the server's step 1.
    async fn apply(&mut self, bytes: &[u8]) {
        match Message::decode_v1(bytes).expect("the server speaks y-websocket") {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let diff = self.doc.transact().encode_diff_v1(&sv);
                self.send(Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1())
                    .await;
            }
            Message::Sync(SyncMessage::SyncStep2(u) | SyncMessage::Update(u)) => {
                let update = Update::decode_v1(&u).unwrap();
                self.doc.transact_mut().apply_update(update).unwrap();
            }
            _ => {}
        }
    }

    /// Waits until the server has handled and stored everything sent so
    /// far: it answers an awareness query once the updates before it are
    /// stored.
    pub(crate) async fn round_trip(&mut self) {
        self.send(Message::AwarenessQuery.encode_v1()).await;
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("the server answers an awareness query");
            match frame {
                Some(Ok(Ws::Binary(bytes))) => {
                    if let Ok(Message::Awareness(_)) = Message::decode_v1(&bytes) {
                        return;
                    }
                    self.apply(&bytes).await;
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended: {other:?}"),
            }
        }
    }

    /// Reads frames until the server closes; returns the close code, or
    /// `None` if the socket stayed open for 3 s.
    pub(crate) async fn close_code(&mut self) -> Option<u16> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(3), self.socket.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Ws::Close(Some(close)))) => return Some(u16::from(close.code)),
                Some(Ok(Ws::Close(None))) | None | Some(Err(_)) => return Some(0),
                Some(Ok(Ws::Binary(bytes))) => self.apply(&bytes).await,
                Some(Ok(_)) => {}
            }
        }
    }
}

fn first_text<T: ReadTxn>(fragment: &XmlFragmentRef, txn: &T) -> Option<XmlTextRef> {
    let Some(XmlOut::Element(paragraph)) = fragment.get(txn, 0) else {
        return None;
    };
    match paragraph.get(txn, 0) {
        Some(XmlOut::Text(text)) => Some(text),
        _ => None,
    }
}

pub(crate) async fn space(api: &Api, name: &str) -> i64 {
    let (status, body) = api.post("/api/v1/spaces", json!({ "name": name })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

pub(crate) async fn page(api: &Api, space: i64, title: &str, parent: Option<i64>) -> i64 {
    let (status, body) = api
        .post(
            "/api/v1/pages",
            json!({ "space_id": space, "title": title, "parent_id": parent }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

pub(crate) async fn add_member(api: &Api, space: i64, user: i64, role: &str) {
    let (status, body) = api
        .post(
            &format!("/api/v1/spaces/{space}/members"),
            json!({ "user_id": user, "role": role }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub(crate) async fn share(api: &Api, page: i64, user: i64, role: &str) {
    let (status, body) = api
        .post(
            &format!("/api/v1/pages/{page}/access"),
            json!({ "user_id": user, "role": role }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn titles(pages: &Value) -> Vec<String> {
    let mut titles: Vec<String> = pages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

/// Who reads, edits, lists and syncs which page, on each backend: the
/// wrong person gets 404 (never a hint that the page exists), a reader
/// gets 403 on changes and has their edits refused on the socket.
#[tokio::test]
async fn who_reaches_which_page() {
    for office in offices("docs_access").await {
        let admin = office.person("ada", Role::Admin).await;
        let writer = office.person("wendy", Role::Member).await;
        let reader = office.person("rita", Role::Member).await;
        let outsider = office.person("otto", Role::Member).await;
        let guest = office.person("gus", Role::Guest).await;
        let (reader_id, guest_id) = (reader.my_id().await, guest.my_id().await);

        let team = space(&writer, "Support").await;
        add_member(&writer, team, reader_id, "read").await;
        let procedures = page(&writer, team, "Procedures", None).await;
        let refunds = page(&writer, team, "Refunds", Some(procedures)).await;
        let salaries = page(&writer, team, "Salaries", None).await;
        let (status, _) = writer
            .patch(
                &format!("/api/v1/pages/{salaries}"),
                json!({ "restricted": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // The outsider sees nothing of the space, by any road.
        for path in [
            format!("/api/v1/pages/{procedures}"),
            format!("/api/v1/pages/{refunds}/export?format=markdown"),
            format!("/api/v1/spaces/{team}/pages"),
            format!("/api/v1/spaces/{team}/members"),
        ] {
            let (status, body) = outsider.get(&path).await;
            assert_eq!(
                error_code(status, &body, StatusCode::NOT_FOUND),
                "not_found",
                "{path}"
            );
        }
        let (status, body) = outsider
            .patch(&format!("/api/v1/pages/{refunds}"), json!({ "title": "x" }))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = outsider
            .post(
                "/api/v1/pages",
                json!({ "space_id": team, "title": "Mine", "parent_id": procedures }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(Editor::try_open(&outsider, refunds).await.err(), Some(404));
        let (_, spaces) = outsider.get("/api/v1/spaces").await;
        assert!(!spaces.to_string().contains("Support"), "{spaces}");

        // The reader reads everything but the restricted page, changes nothing.
        let (status, tree) = reader.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(titles(&tree), ["Procedures", "Refunds"]);
        let (status, body) = reader.get(&format!("/api/v1/pages/{refunds}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["access"], "read");
        assert_eq!(body["can_edit"], false);
        assert_eq!(body["breadcrumbs"][0]["title"], "Procedures");
        let (status, body) = reader
            .patch(&format!("/api/v1/pages/{refunds}"), json!({ "title": "x" }))
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = reader.get(&format!("/api/v1/pages/{salaries}")).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        assert_eq!(Editor::try_open(&reader, salaries).await.err(), Some(404));

        // The admin reaches the team space, but not a restricted page.
        let (status, _) = admin.get(&format!("/api/v1/pages/{refunds}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = admin.get(&format!("/api/v1/pages/{salaries}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Live: the writer's words reach the reader; the reader's are refused.
        let mut editor = Editor::open(&writer, refunds).await;
        let mut viewer = Editor::open(&reader, refunds).await;
        editor.type_text("Refund within 14 days.").await;
        viewer.until_text("Refund within 14 days.").await;
        viewer.type_text(" Or never.").await;
        viewer.round_trip().await;
        editor.type_text(" Ask first.").await;
        let mut late = Editor::open(&writer, refunds).await;
        late.until_text("Refund within 14 days. Ask first.").await;
        let markdown = export(&writer, refunds).await;
        assert!(markdown.contains("Refund within 14 days"), "{markdown}");
        assert!(!markdown.contains("never"), "{markdown}");

        // A guest reaches only what is shared with them, and what is below.
        let (_, spaces) = guest.get("/api/v1/spaces").await;
        assert_eq!(spaces.as_array().unwrap().len(), 0, "{spaces}");
        share(&writer, procedures, guest_id, "read").await;
        let (_, spaces) = guest.get("/api/v1/spaces").await;
        assert_eq!(spaces[0]["name"], "Support");
        assert_eq!(spaces[0]["access"], Value::Null);
        let (status, tree) = guest.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(titles(&tree), ["Procedures", "Refunds"]);
        let (status, _) = guest.get(&format!("/api/v1/pages/{salaries}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = guest
            .post("/api/v1/pages", json!({ "space_id": team, "title": "x" }))
            .await;
        assert!(status.is_client_error(), "{body}");
        let (status, body) = writer
            .post(
                &format!("/api/v1/spaces/{team}/members"),
                json!({ "user_id": guest_id, "role": "read" }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);

        // A restricted page is reached through its shares only.
        share(&writer, salaries, reader_id, "read").await;
        let (status, _) = reader.get(&format!("/api/v1/pages/{salaries}")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, writer_view) = writer.get(&format!("/api/v1/pages/{salaries}")).await;
        assert_eq!(writer_view["restricted"], true);
        office.stop().await;
    }
}

/// A page's Markdown export.
pub(crate) async fn export(api: &Api, page: i64) -> String {
    let response = api
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/pages/{page}/export?format=markdown"),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// Locking a page closes its sockets; writers come back read-only until
/// it is unlocked.
#[tokio::test]
async fn a_locked_page_refuses_edits() {
    let office = Office::start().await;
    let writer = office.person("wendy", Role::Member).await;
    let team = space(&writer, "Ops").await;
    let id = page(&writer, team, "Runbook", None).await;
    let mut editor = Editor::open(&writer, id).await;
    editor.type_text("Step one.").await;
    let mut other = Editor::open(&writer, id).await;
    other.until_text("Step one.").await;
    let (status, body) = writer
        .patch(&format!("/api/v1/pages/{id}"), json!({ "locked": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["can_edit"], false);
    assert_eq!(editor.close_code().await, Some(4001));
    let mut again = Editor::open(&writer, id).await;
    again.until_text("Step one.").await;
    again.type_text(" Step two.").await;
    again.round_trip().await;
    let mut check = Editor::open(&writer, id).await;
    check.until_text("Step one.").await;
    assert_eq!(check.close_code().await, None, "the socket stays open");
    assert_eq!(check.text(), "Step one.");
    office.stop().await;
}

/// Signing a session out from elsewhere, or deactivating the account,
/// closes the pages that session or person has open at once; the other
/// session and other people stay, and the closed one cannot come back.
#[tokio::test]
async fn a_revoked_session_or_a_deactivated_account_loses_its_pages() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let wendy = office.person("wendy", Role::Member).await;
    let alice = office.person("alice", Role::Member).await;
    let alice_id = alice.my_id().await;
    let team = space(&wendy, "Ops").await;
    add_member(&wendy, team, alice_id, "write").await;
    let id = page(&wendy, team, "Runbook", None).await;
    let mut laptop = Editor::open(&alice, id).await;
    laptop.type_text("Step one.").await;
    laptop.round_trip().await;
    let mut phone_api = office.anonymous();
    phone_api.login("alice", crate::support::PASSWORD).await;
    let mut phone = Editor::open(&phone_api, id).await;
    phone.until_text("Step one.").await;
    let mut hers = Editor::open(&wendy, id).await;
    hers.until_text("Step one.").await;

    // From her phone, Alice signs the laptop out: its page closes.
    let laptop_session = alice.current_session().await;
    let (status, _) = phone_api
        .delete(&format!("/api/v1/me/sessions/{laptop_session}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(laptop.close_code().await, Some(4001));
    assert_eq!(Editor::try_open(&alice, id).await.err(), Some(401));
    // The phone and Wendy edit on.
    phone.type_text(" Step two.").await;
    hers.until_text("Step one. Step two.").await;
    assert_eq!(phone.close_code().await, None, "the other session stays");

    // Deactivated, Alice loses the page everywhere; Wendy keeps it.
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "active": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(phone.close_code().await, Some(4001));
    assert_eq!(Editor::try_open(&phone_api, id).await.err(), Some(401));
    hers.type_text(" Step three.").await;
    hers.round_trip().await;
    assert_eq!(hers.close_code().await, None);
    office.stop().await;
}

/// What was acknowledged survives a restart; a late joiner gets the whole
/// page; hundreds of updates are compacted without losing a character.
#[tokio::test]
async fn content_is_durable_and_compacted() {
    let database = bureau_store::testing::sqlite_url("docs_durable");
    let office = Office::start_on(&database, Bus::local("durable")).await;
    let writer = office.person("wendy", Role::Member).await;
    let team = space(&writer, "Ops").await;
    let id = page(&writer, team, "Log", None).await;
    let mut editor = Editor::open(&writer, id).await;
    let mut expected = String::new();
    for i in 0..700 {
        let word = format!("{i} ");
        editor.type_text(&word).await;
        // One update per batch, so the log reaches the compaction
        // threshold (batches are stored as one row each).
        editor.round_trip().await;
        expected.push_str(&word);
    }
    let mut watcher = Editor::open(&writer, id).await;
    watcher.until_text(&expected).await;
    office.stop().await;

    let store = bureau_store::Store::connect(&database).await.unwrap();
    let rows = store.doc_updates(id).await.unwrap();
    assert!(
        rows.len() < 400,
        "{} rows: the log was not compacted",
        rows.len()
    );
    store.close().await;

    let office = Office::start_on(&database, Bus::local("durable")).await;
    let mut writer = office.anonymous();
    writer.login("wendy", crate::support::PASSWORD).await;
    let mut late = Editor::open(&writer, id).await;
    late.until_text(&expected).await;
    office.stop().await;
}

/// Malformed frames close the socket with 4400 and store nothing; moves
/// that would make a cycle or leave the mover's reach are refused.
#[tokio::test]
async fn bad_input_changes_nothing() {
    let office = Office::start().await;
    let writer = office.person("wendy", Role::Member).await;
    let reader = office.person("rita", Role::Member).await;
    let reader_id = reader.my_id().await;
    let team = space(&writer, "Ops").await;
    let other = space(&reader, "Reader's own team").await;
    add_member(&reader, other, writer.my_id().await, "read").await;
    let top = page(&writer, team, "Top", None).await;
    let child = page(&writer, team, "Child", Some(top)).await;
    let grandchild = page(&writer, team, "Grandchild", Some(child)).await;

    for frame in [
        vec![0u8, 2, 200],              // an update whose length runs past the end
        vec![0u8, 7, 0],                // no such sync step
        vec![0u8, 2, 3, 255, 255, 255], // not an update
    ] {
        let mut editor = Editor::open(&writer, child).await;
        editor.send(frame.clone()).await;
        assert_eq!(editor.close_code().await, Some(4400), "{frame:?}");
    }
    let mut text_frame = Editor::open(&writer, child).await;
    text_frame
        .socket
        .send(Ws::Text("hello".into()))
        .await
        .unwrap();
    assert_eq!(text_frame.close_code().await, Some(4400));
    let mut fine = Editor::open(&writer, child).await;
    fine.type_text("still here").await;
    let mut check = Editor::open(&writer, child).await;
    check.until_text("still here").await;

    for (parent, space) in [
        (Some(child), team),
        (Some(grandchild), team),
        (Some(top), team),
    ] {
        let (status, body) = writer
            .post(
                &format!("/api/v1/pages/{top}/move"),
                json!({ "parent_id": parent, "space_id": space }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = writer
        .post(
            &format!("/api/v1/pages/{child}/move"),
            json!({ "parent_id": null, "space_id": other }),
        )
        .await;
    error_code(status, &body, StatusCode::FORBIDDEN);
    let (status, body) = writer
        .post(
            &format!("/api/v1/pages/{child}/move"),
            json!({ "parent_id": 999_999 }),
        )
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, tree) = writer.get(&format!("/api/v1/spaces/{team}/pages")).await;
    let parent_of = |title: &str| {
        tree.as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"] == title)
            .unwrap()["parent_id"]
            .clone()
    };
    assert_eq!(parent_of("Child"), json!(top));
    assert_eq!(parent_of("Grandchild"), json!(child));

    for (body, field) in [
        (json!({ "space_id": team, "title": "a\nb" }), "title"),
        (
            json!({ "space_id": team, "title": "x".repeat(201) }),
            "title",
        ),
        (
            json!({ "space_id": team, "title": "x", "icon": "not an emoji" }),
            "icon",
        ),
    ] {
        let (status, answer) = writer.post("/api/v1/pages", body).await;
        assert_eq!(
            error_code(status, &answer, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        assert_eq!(answer["error"]["field"], field);
    }
    let (status, body) = writer
        .post(
            &format!("/api/v1/spaces/{team}/members"),
            json!({ "user_id": reader_id, "role": "owner" }),
        )
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = writer
        .get(&format!("/api/v1/pages/{top}/export?format=docx"))
        .await;
    error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    office.stop().await;
}

/// The tree: nesting, ordering, archive and restore, duplicates,
/// favourites and recently viewed.
#[tokio::test]
async fn the_page_tree() {
    for office in offices("docs_tree").await {
        let writer = office.person("wendy", Role::Member).await;
        let (_, spaces) = writer.get("/api/v1/spaces").await;
        assert_eq!(spaces[0]["kind"], "personal");
        let mine = spaces[0]["id"].as_i64().unwrap();
        let a = page(&writer, mine, "A", None).await;
        let b = page(&writer, mine, "B", None).await;
        let c = page(&writer, mine, "C", None).await;
        // C first, then A, B; B under A.
        let (status, _) = writer
            .post(&format!("/api/v1/pages/{c}/move"), json!({ "index": 0 }))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = writer
            .post(
                &format!("/api/v1/pages/{b}/move"),
                json!({ "parent_id": a }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, tree) = writer.get(&format!("/api/v1/spaces/{mine}/pages")).await;
        let order: Vec<(String, Value)> = tree
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["title"].as_str().unwrap().to_string(),
                    p["parent_id"].clone(),
                )
            })
            .filter(|(_, parent)| parent.is_null())
            .collect();
        assert_eq!(
            order,
            [("C".into(), Value::Null), ("A".into(), Value::Null)]
        );

        let mut editor = Editor::open(&writer, a).await;
        editor.type_text("Alpha").await;
        let mut check = Editor::open(&writer, a).await;
        check.until_text("Alpha").await;
        let (status, copy) = writer
            .post(&format!("/api/v1/pages/{a}/duplicate"), json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{copy}");
        assert_eq!(copy["title"], "A (copy)");
        let copy_id = copy["id"].as_i64().unwrap();
        let mut copied = Editor::open(&writer, copy_id).await;
        copied.until_text("Alpha").await;
        let (_, tree) = writer.get(&format!("/api/v1/spaces/{mine}/pages")).await;
        assert_eq!(titles(&tree), ["A", "A (copy)", "B", "B", "C"]);

        let (status, _) = writer
            .post(&format!("/api/v1/pages/{a}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, tree) = writer.get(&format!("/api/v1/spaces/{mine}/pages")).await;
        assert_eq!(titles(&tree), ["A (copy)", "B", "C"]);
        let (_, archive) = writer.get(&format!("/api/v1/spaces/{mine}/archive")).await;
        assert_eq!(titles(&archive), ["A"]);
        let (status, body) = writer
            .post(&format!("/api/v1/pages/{b}/restore"), json!({}))
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = writer
            .post(&format!("/api/v1/pages/{a}/restore"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, tree) = writer.get(&format!("/api/v1/spaces/{mine}/pages")).await;
        assert_eq!(titles(&tree), ["A", "A (copy)", "B", "B", "C"]);

        let (status, _) = writer
            .put(&format!("/api/v1/pages/{c}/favourite"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, favourites) = writer.get("/api/v1/pages/favourites").await;
        assert_eq!(titles(&favourites), ["C"]);
        writer.get(&format!("/api/v1/pages/{b}")).await;
        let (_, recent) = writer.get("/api/v1/pages/recent").await;
        assert_eq!(recent[0]["title"], "B");
        office.stop().await;
    }
}

/// Two processes on one PostgreSQL and one NATS: an edit made through
/// one reaches an editor connected to the other.
#[tokio::test]
async fn two_processes_edit_one_page() {
    let Some((first, second)) = two_processes("docs_nodes").await else {
        return;
    };
    let on_first = first.person("wendy", Role::Member).await;
    let mut on_second = second.anonymous();
    on_second.login("wendy", crate::support::PASSWORD).await;
    let team = space(&on_first, "Ops").await;
    let id = page(&on_first, team, "Shared", None).await;
    let mut one = Editor::open(&on_first, id).await;
    let mut two = Editor::open(&on_second, id).await;
    one.type_text("from one. ").await;
    two.until_text("from one. ").await;
    two.type_text("from two.").await;
    one.until_text("from one. from two.").await;
    first.stop().await;
    second.stop().await;
}

/// A change of rights made through one process closes the sockets another
/// process holds to the pages concerned: a lock, then a removal from the
/// space.
#[tokio::test]
async fn rights_changed_in_one_process_reach_the_other() {
    let Some((first, second)) = two_processes("docs_rights_nodes").await else {
        return;
    };
    let wendy = first.person("wendy", Role::Member).await;
    first.person("alice", Role::Member).await;
    let mut alice = second.anonymous();
    alice.login("alice", crate::support::PASSWORD).await;
    let alice_id = alice.my_id().await;
    let team = space(&wendy, "Ops").await;
    add_member(&wendy, team, alice_id, "write").await;
    let id = page(&wendy, team, "Runbook", None).await;

    // Locked through the first process: Alice's socket on the second
    // closes, and once back she may no longer write.
    let mut hers = Editor::open(&alice, id).await;
    hers.type_text("Step one.").await;
    hers.round_trip().await;
    let (status, body) = wendy
        .patch(&format!("/api/v1/pages/{id}"), json!({ "locked": true }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(hers.close_code().await, Some(4001));
    let mut again = Editor::open(&alice, id).await;
    again.until_text("Step one.").await;
    again.type_text(" Step two.").await;
    again.round_trip().await;
    let mut check = Editor::open(&wendy, id).await;
    check.until_text("Step one.").await;
    assert_eq!(check.close_code().await, None);
    assert_eq!(check.text(), "Step one.", "the locked page took no edit");

    // Removed from the space through the first process: her socket on the
    // second closes, and she cannot open the page again.
    let (status, body) = wendy
        .delete(&format!("/api/v1/spaces/{team}/members/{alice_id}"))
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(again.close_code().await, Some(4001));
    assert_eq!(Editor::try_open(&alice, id).await.err(), Some(404));
    first.stop().await;
    second.stop().await;
}

/// Whoever sees something of a space hears at once that its tree changed
/// (`docs.tree`): members, and a person a page is shared with; nobody
/// else. Someone removed hears of it a last time.
#[tokio::test]
async fn tree_changes_reach_those_who_see_the_space() {
    use crate::events::{connect, next, until_ready};
    async fn next_tree(socket: &mut Socket) -> Value {
        loop {
            let event = next(socket).await.expect("the socket stays open");
            if event["kind"] == "docs.tree" {
                return event;
            }
        }
    }
    for office in offices("docs_tree_events").await {
        let wendy = office.person("wendy", Role::Member).await;
        let leo = office.person("leo", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let leo_id = leo.my_id().await;
        let team = space(&wendy, "Ops").await;
        add_member(&wendy, team, leo_id, "read").await;
        let mut his = connect(&leo, None).await;
        until_ready(&mut his).await;
        let mut hers = connect(&rita, None).await;
        until_ready(&mut hers).await;
        let mut outsider = connect(&otto, None).await;
        until_ready(&mut outsider).await;

        // A new page, a rename: Léo hears of each.
        let id = page(&wendy, team, "Runbook", None).await;
        assert_eq!(next_tree(&mut his).await["data"]["space_id"], team);
        let (status, _) = wendy
            .patch(
                &format!("/api/v1/pages/{id}"),
                json!({ "title": "Run book" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(next_tree(&mut his).await["data"]["space_id"], team);

        // Shared with Rita, she hears of it too, and of what follows.
        let (status, body) = wendy
            .post(
                &format!("/api/v1/pages/{id}/access"),
                json!({ "user_id": rita.my_id().await, "role": "read" }),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        assert_eq!(next_tree(&mut hers).await["data"]["space_id"], team);
        page(&wendy, team, "Suppliers", None).await;
        assert_eq!(next_tree(&mut hers).await["data"]["space_id"], team);

        // Léo heard of the share and of the new page as well.
        for _ in 0..2 {
            assert_eq!(next_tree(&mut his).await["data"]["space_id"], team);
        }

        // Léo removed: told once more, so his list drops the space.
        let (status, _) = wendy
            .delete(&format!("/api/v1/spaces/{team}/members/{leo_id}"))
            .await;
        assert!(status.is_success());
        assert_eq!(next_tree(&mut his).await["data"]["space_id"], team);
        let (status, _) = leo.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Otto heard nothing of Ops: the first docs.tree he gets is about
        // the space he makes himself.
        let own = space(&otto, "Mine").await;
        assert_eq!(next_tree(&mut outsider).await["data"]["space_id"], own);
        office.stop().await;
    }
}
