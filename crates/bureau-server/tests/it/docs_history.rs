//! Around a page's content, on each backend: versions and a restore that
//! every co-editor sees live, comment threads with mentions, the public
//! read-only link, and templates. The wrong person gets 403 or 404.

use std::time::Duration;

use bureau_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, Transact, Update, XmlFragment, XmlOut};

use crate::docs::{add_member, export, page, share, space, Editor};
use crate::events;
use crate::support::{error_code, offices, Api};

async fn versions(api: &Api, page: i64) -> Vec<Value> {
    let (status, body) = api.get(&format!("/api/v1/pages/{page}/versions")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

async fn version_markdown(api: &Api, page: i64, version: i64) -> String {
    let response = api
        .send(
            Method::GET,
            &format!("/api/v1/pages/{page}/versions/{version}?format=markdown"),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// Named versions, a restore while two people edit (both end on the
/// restored text, live), the replaced text kept as an automatic version,
/// and an automatic version when the last editor leaves.
#[tokio::test]
async fn restoring_a_version_reaches_everyone_live() {
    for office in offices("docs_versions").await {
        let wendy = office.person("wendy", Role::Member).await;
        let leo = office.person("leo", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, leo.my_id().await, "write").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let id = page(&wendy, team, "Refunds", None).await;

        let mut mine = Editor::open(&wendy, id).await;
        mine.type_text("Refund within 14 days.").await;
        mine.round_trip().await;
        let (status, named) = wendy
            .post(
                &format!("/api/v1/pages/{id}/versions"),
                json!({ "name": "Approved by legal" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{named}");
        assert_eq!(named["automatic"], false);
        let named = named["id"].as_i64().unwrap();

        // The wrong people: a reader neither names nor restores, an
        // outsider does not learn the page has versions.
        let (status, body) = rita
            .post(
                &format!("/api/v1/pages/{id}/versions"),
                json!({ "name": "Mine" }),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = rita
            .post(
                &format!("/api/v1/pages/{id}/versions/{named}/restore"),
                json!({}),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        assert_eq!(versions(&rita, id).await.len(), 1);
        for path in [
            format!("/api/v1/pages/{id}/versions"),
            format!("/api/v1/pages/{id}/versions/{named}"),
        ] {
            let (status, body) = otto.get(&path).await;
            error_code(status, &body, StatusCode::NOT_FOUND);
        }
        let (status, body) = otto
            .post(
                &format!("/api/v1/pages/{id}/versions/{named}/restore"),
                json!({}),
            )
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        // Bad input changes nothing.
        let (status, body) = wendy
            .post(
                &format!("/api/v1/pages/{id}/versions"),
                json!({ "name": "  " }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = wendy
            .get(&format!("/api/v1/pages/{id}/versions/{named}?format=docx"))
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let other = page(&wendy, team, "Other", None).await;
        let (status, body) = wendy
            .post(
                &format!("/api/v1/pages/{other}/versions/{named}/restore"),
                json!({}),
            )
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        assert_eq!(versions(&wendy, id).await.len(), 1);

        // Léo joins and writes more; then Wendy restores the named version
        // while both are on the page.
        let mut his = Editor::open(&leo, id).await;
        his.until_text("Refund within 14 days.").await;
        his.type_text(" Except on Sundays.").await;
        mine.until_text("Refund within 14 days. Except on Sundays.")
            .await;
        let (status, body) = wendy
            .post(
                &format!("/api/v1/pages/{id}/versions/{named}/restore"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        mine.until_text("Refund within 14 days.").await;
        his.until_text("Refund within 14 days.").await;
        // They go on editing the restored text together.
        his.type_text(" Ask first.").await;
        mine.until_text("Refund within 14 days. Ask first.").await;
        let mut late = Editor::open(&rita, id).await;
        late.until_text("Refund within 14 days. Ask first.").await;
        assert!(export(&wendy, id)
            .await
            .contains("Refund within 14 days. Ask first."));

        // What the restore replaced is an automatic version.
        let list = versions(&wendy, id).await;
        let before = list
            .iter()
            .find(|v| v["automatic"] == true)
            .expect("the replaced content was kept");
        let replaced = version_markdown(&wendy, id, before["id"].as_i64().unwrap()).await;
        assert!(replaced.contains("Except on Sundays."), "{replaced}");
        let original = version_markdown(&wendy, id, named).await;
        assert!(original.contains("Refund within 14 days."), "{original}");
        assert!(!original.contains("Sundays"), "{original}");

        // The raw version is the Yjs state the web viewer renders.
        let response = rita
            .send(
                Method::GET,
                &format!("/api/v1/pages/{id}/versions/{named}"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = response.bytes().await.unwrap();
        assert_eq!(paragraph_text(&bytes), "Refund within 14 days.");

        // When the last editor leaves, the session is kept as a version.
        let automatic = list.iter().filter(|v| v["automatic"] == true).count();
        drop((mine, his, late));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let list = versions(&wendy, id).await;
            let now = list.iter().filter(|v| v["automatic"] == true).count();
            if now > automatic {
                let latest = list[0]["id"].as_i64().unwrap();
                let text = version_markdown(&wendy, id, latest).await;
                assert!(text.contains("Ask first."), "{text}");
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no automatic version after the editors left: {list:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // A locked page is not restored.
        let (status, _) = wendy
            .patch(&format!("/api/v1/pages/{id}"), json!({ "locked": true }))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = wendy
            .post(
                &format!("/api/v1/pages/{id}/versions/{named}/restore"),
                json!({}),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        office.stop().await;
    }
}

/// The text of the first paragraph of a Yjs state.
fn paragraph_text(state: &[u8]) -> String {
    let doc = Doc::new();
    let fragment = doc.get_or_insert_xml_fragment("default");
    doc.transact_mut()
        .apply_update(Update::decode_v1(state).unwrap())
        .unwrap();
    let txn = doc.transact();
    let Some(XmlOut::Element(paragraph)) = fragment.get(&txn, 0) else {
        return String::new();
    };
    match paragraph.get(&txn, 0) {
        Some(XmlOut::Text(text)) => text.get_string(&txn),
        _ => String::new(),
    }
}

async fn comments(api: &Api, page: i64) -> Vec<Value> {
    let (status, body) = api.get(&format!("/api/v1/pages/{page}/comments")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

/// Threads on a selection and on the page, replies, resolve, edits and
/// deletes by the right people, and a notification to whoever is
/// mentioned, never to someone who cannot open the page.
#[tokio::test]
async fn comment_threads_and_mentions() {
    for office in offices("docs_comments").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let rita_id = rita.my_id().await;
        let otto_id = otto.my_id().await;
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita_id, "read").await;
        let id = page(&wendy, team, "Refunds", None).await;
        let comments_path = format!("/api/v1/pages/{id}/comments");

        // A reader may comment, on a selection.
        let (status, thread) = rita
            .post(
                &comments_path,
                json!({ "body": "Is 14 days the law?", "quote": "within 14 days" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{thread}");
        assert_eq!(thread["quote"], "within 14 days");
        assert_eq!(thread["thread_id"], Value::Null);
        let thread_id = thread["id"].as_i64().unwrap();

        // Whoever has the page open hears that its comments changed.
        let mut watcher = Editor::open(&rita, id).await;
        watcher
            .until("the comments' mark", |editor| {
                crate::docs_tables::mark(editor, "comments") > 0.0
            })
            .await;

        // Wendy answers and mentions Rita, who is told on her event socket.
        let mut rita_events = events::connect(&rita, None).await;
        events::until_ready(&mut rita_events).await;
        let (status, reply) = wendy
            .post(
                &comments_path,
                json!({ "body": "Yes, @Rita: it is.", "thread_id": thread_id, "mentions": [rita_id] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        assert_eq!(reply["thread_id"], thread_id);
        let reply_id = reply["id"].as_i64().unwrap();
        let event = loop {
            let event = events::next(&mut rita_events)
                .await
                .expect("the socket stays open");
            if event["kind"] == "docs.mentioned" {
                break event;
            }
        };
        assert_eq!(event["data"]["page_id"], id);
        assert_eq!(event["data"]["title"], "Refunds");
        assert_eq!(event["data"]["comment_id"], reply_id);
        assert_eq!(event["data"]["thread_id"], thread_id);

        // Mentioning someone who cannot open the page is refused, and
        // nothing is stored.
        let (status, body) = wendy
            .post(
                &comments_path,
                json!({ "body": "@Otto look", "mentions": [otto_id] }),
            )
            .await;
        assert_eq!(
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
            "invalid"
        );
        // Other bad input: empty, a reply to a reply, an unknown thread.
        for bad in [
            json!({ "body": "   " }),
            json!({ "body": "x", "thread_id": reply_id }),
            json!({ "body": "x", "thread_id": 999_999 }),
            json!({ "body": "x".repeat(10_001) }),
            json!({ "body": "x", "colour": "red" }),
        ] {
            let (status, body) = wendy.post(&comments_path, bad.clone()).await;
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::NOT_FOUND
                    || status == StatusCode::BAD_REQUEST,
                "{bad} -> {status} {body}"
            );
            assert!(body["error"]["message"].is_string(), "{body}");
        }
        assert_eq!(comments(&wendy, id).await.len(), 2);

        // The outsider sees and posts nothing.
        let (status, body) = otto.get(&comments_path).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = otto.post(&comments_path, json!({ "body": "hi" })).await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        // Edits: only the author. Resolve: whoever may comment, on the
        // thread's first comment.
        let (status, body) = rita
            .patch(
                &format!("{comments_path}/{reply_id}"),
                json!({ "body": "No." }),
            )
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = rita
            .patch(
                &format!("{comments_path}/{thread_id}"),
                json!({ "body": "Is 14 days the legal minimum?" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["edited_at"].is_string());
        let (status, body) = rita
            .patch(
                &format!("{comments_path}/{reply_id}"),
                json!({ "resolved": true }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = rita
            .patch(
                &format!("{comments_path}/{thread_id}"),
                json!({ "resolved": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["resolved_by"], rita_id);
        let (status, body) = wendy
            .patch(
                &format!("{comments_path}/{thread_id}"),
                json!({ "resolved": false }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["resolved_at"], Value::Null);

        // Deletes: a reader may not delete another's comment; the page's
        // editor may, and a thread goes with its replies.
        let (status, body) = rita.delete(&format!("{comments_path}/{reply_id}")).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, _) = wendy.delete(&format!("{comments_path}/{thread_id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(comments(&rita, id).await.is_empty());
        office.stop().await;
    }
}

/// A public link shows the page and the pages below it to anyone, and
/// nothing else: not a restricted or archived page below, not a page
/// beside it, not after the link is replaced or turned off.
#[tokio::test]
async fn a_public_link_shows_one_branch_read_only() {
    for office in offices("docs_public").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let gus = office.person("gus", Role::Guest).await;
        let anonymous = office.anonymous();
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let faq = page(&wendy, team, "FAQ", None).await;
        let shipping = page(&wendy, team, "Shipping", Some(faq)).await;
        let internal = page(&wendy, team, "Internal notes", Some(faq)).await;
        let old = page(&wendy, team, "Old answers", Some(faq)).await;
        let beside = page(&wendy, team, "Salaries", None).await;
        share(&wendy, faq, gus.my_id().await, "write").await;
        let (status, _) = wendy
            .patch(
                &format!("/api/v1/pages/{internal}"),
                json!({ "restricted": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = wendy
            .post(&format!("/api/v1/pages/{old}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut editor = Editor::open(&wendy, faq).await;
        editor.type_text("Ask us anything.").await;
        editor.round_trip().await;

        // Who may publish: writers who are not guests.
        let link_path = format!("/api/v1/pages/{faq}/public-link");
        let (status, body) = rita.post(&link_path, json!({})).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = gus.post(&link_path, json!({})).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, body) = otto.post(&link_path, json!({})).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = rita.get(&link_path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["enabled"], false);

        let (status, first) = wendy.post(&link_path, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let secret = secret_of(&first);
        let (status, body) = anonymous
            .get(&format!("/api/v1/public/pages/{secret}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["title"], "FAQ");
        let children: Vec<&str> = body["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        assert_eq!(children, ["Shipping"]);
        let response = anonymous
            .send(
                Method::GET,
                &format!("/api/v1/public/pages/{secret}/content"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            paragraph_text(&response.bytes().await.unwrap()),
            "Ask us anything."
        );
        let (status, body) = anonymous
            .get(&format!("/api/v1/public/pages/{secret}?page={shipping}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["breadcrumbs"][0]["title"], "FAQ");
        for hidden in [internal, old, beside] {
            let (status, body) = anonymous
                .get(&format!("/api/v1/public/pages/{secret}?page={hidden}"))
                .await;
            error_code(status, &body, StatusCode::NOT_FOUND);
            let response = anonymous
                .send(
                    Method::GET,
                    &format!("/api/v1/public/pages/{secret}/content?page={hidden}"),
                    None,
                )
                .await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "page {hidden}");
        }
        let (status, body) = anonymous.get("/api/v1/public/pages/bpl_nope").await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        // A new link replaces the old one; turning it off ends it.
        let (status, second) = wendy.post(&link_path, json!({})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = anonymous
            .get(&format!("/api/v1/public/pages/{secret}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let secret = secret_of(&second);
        let (status, _) = anonymous
            .get(&format!("/api/v1/public/pages/{secret}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = rita.delete(&link_path).await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, _) = wendy.delete(&link_path).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = anonymous
            .get(&format!("/api/v1/public/pages/{secret}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, body) = wendy.get(&link_path).await;
        assert_eq!(body["enabled"], false);
        office.stop().await;
    }
}

fn secret_of(link: &Value) -> String {
    let url = link["url"].as_str().unwrap();
    let (base, secret) = url.split_once('#').expect("the secret is in the fragment");
    assert!(base.ends_with("/p"), "{url}");
    secret.to_string()
}

/// Pages start from a built-in template in the person's language, or
/// from a page the space keeps as a template; templates stay out of the
/// tree.
#[tokio::test]
async fn pages_start_from_templates() {
    for office in offices("docs_templates").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;

        let (status, notes) = wendy
            .post(
                "/api/v1/pages",
                json!({ "space_id": team, "title": "Réunion du lundi", "template": "meeting-notes", "lang": "fr" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{notes}");
        let text = export(&wendy, notes["id"].as_i64().unwrap()).await;
        assert!(text.contains("## Ordre du jour"), "{text}");
        assert!(text.contains("- [ ] Qui fait quoi, pour quand"), "{text}");
        let (_, procedure) = wendy
            .post(
                "/api/v1/pages",
                json!({ "space_id": team, "title": "Returns", "template": "procedure", "lang": "en" }),
            )
            .await;
        let procedure = procedure["id"].as_i64().unwrap();
        assert!(export(&wendy, procedure).await.contains("## Steps"));

        for bad in [
            json!({ "space_id": team, "title": "x", "template": "party" }),
            json!({ "space_id": team, "title": "x", "template": "procedure", "template_id": procedure }),
            json!({ "space_id": team, "title": "x", "template": "procedure", "lang": "de" }),
        ] {
            let (status, body) = wendy.post("/api/v1/pages", bad.clone()).await;
            error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        }

        // Wendy keeps her procedure as a template of the space.
        let mut editor = Editor::open(&wendy, procedure).await;
        editor.type_text("Our own first words.").await;
        editor.round_trip().await;
        let (status, body) = rita
            .post(&format!("/api/v1/pages/{procedure}/template"), json!({}))
            .await;
        error_code(status, &body, StatusCode::FORBIDDEN);
        let (status, template) = wendy
            .post(
                &format!("/api/v1/pages/{procedure}/template"),
                json!({ "title": "Support procedure" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{template}");
        assert_eq!(template["template"], true);
        let template_id = template["id"].as_i64().unwrap();
        let (_, tree) = wendy.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert!(!tree.to_string().contains("Support procedure"), "{tree}");
        let (status, list) = rita.get(&format!("/api/v1/spaces/{team}/templates")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            list["builtin"],
            json!(["procedure", "meeting-notes", "onboarding"])
        );
        assert_eq!(list["pages"][0]["title"], "Support procedure");
        let (status, body) = otto.get(&format!("/api/v1/spaces/{team}/templates")).await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        let (status, made) = wendy
            .post(
                "/api/v1/pages",
                json!({ "space_id": team, "title": "Exchanges", "template_id": template_id }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let made = export(&wendy, made["id"].as_i64().unwrap()).await;
        assert!(made.contains("Our own first words."), "{made}");
        assert!(made.contains("## Steps"), "{made}");

        // Someone else's template is not a way into their space.
        let own = space(&otto, "Otto's").await;
        let (status, body) = otto
            .post(
                "/api/v1/pages",
                json!({ "space_id": own, "title": "Stolen", "template_id": template_id }),
            )
            .await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        office.stop().await;
    }
}

/// Titles of the pages a search finds, polled until `expected` (the index
/// follows the Store every two seconds); panics after 15 s.
async fn search_until(api: &Api, query: &str, expected: &[&str]) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = api
            .get(&format!("/api/v1/pages/search?q={}", urlencode(query)))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut titles: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["page"]["title"].as_str().unwrap())
            .collect();
        titles.sort();
        if titles == expected {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "searching {query:?} found {titles:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Search finds titles and text, French forms and the start of words,
/// and only pages the person may read: not a restricted page, not another
/// space, not an archived page.
#[tokio::test]
async fn search_finds_only_what_one_may_read() {
    for office in offices("docs_search").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let remote = page(&wendy, team, "Télétravail", None).await;
        let salaries = page(&wendy, team, "Salaires", None).await;
        let (status, _) = wendy
            .patch(
                &format!("/api/v1/pages/{salaries}"),
                json!({ "restricted": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let own = space(&otto, "Otto").await;
        let mine = page(&otto, own, "Notes", None).await;
        for (api, id, text) in [
            (
                &wendy,
                remote,
                "Lancez le VPN avant Teams, puis ouvrez vos dossiers.",
            ),
            (&wendy, salaries, "Le VPN des salaires est à part."),
            (&otto, mine, "Mon VPN perso."),
        ] {
            let mut editor = Editor::open(api, id).await;
            editor.type_text(text).await;
            editor.round_trip().await;
        }

        let hits = search_until(&rita, "vpn", &["Télétravail"]).await;
        let hit = &hits[0];
        let snippet = hit["snippet"].as_str().unwrap();
        assert!(snippet.contains("Lancez le VPN"), "{snippet}");
        let [start, end] = [
            hit["highlights"][0][0].as_u64().unwrap() as usize,
            hit["highlights"][0][1].as_u64().unwrap() as usize,
        ];
        let utf16: Vec<u16> = snippet.encode_utf16().collect();
        let first = String::from_utf16(&utf16[start..end]).unwrap();
        assert!(
            first.eq_ignore_ascii_case("vpn") || first == "Télétravail",
            "{first}"
        );
        search_until(&wendy, "vpn", &["Salaires", "Télétravail"]).await;
        search_until(&otto, "vpn", &["Notes"]).await;
        // The title, the start of a word, a French form, accents folded.
        search_until(&rita, "teletr", &["Télétravail"]).await;
        search_until(&rita, "lancer dossier", &["Télétravail"]).await;
        search_until(&rita, "salaires", &[]).await;

        let (status, body) = rita.get("/api/v1/pages/search?q=%20").await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = rita.get("/api/v1/pages/search?q=vpn&limit=0").await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = otto
            .get(&format!("/api/v1/pages/search?q=vpn&space_id={team}"))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);

        // Archived, it is found no more.
        let (status, _) = wendy
            .post(&format!("/api/v1/pages/{remote}/archive"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        search_until(&rita, "vpn", &[]).await;
        office.stop().await;
    }
}

/// Images and files in a page: editors add them, readers and public links
/// read them, nobody else; HTML is never served as a page of the site.
#[tokio::test]
async fn images_and_files_in_pages() {
    for office in offices("docs_files").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let anonymous = office.anonymous();
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let id = page(&wendy, team, "Screenshots", None).await;
        let hidden = page(&wendy, team, "Elsewhere", None).await;
        let png = b"\x89PNG\r\n\x1a\n not really a picture".to_vec();

        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{id}/attachments?name=screen.png"),
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let image: Value = response.json().await.unwrap();
        assert_eq!(image["mime"], "image/png");
        let url = image["url"].as_str().unwrap().to_string();
        assert_eq!(
            url,
            format!("/api/v1/pages/{id}/attachments/{}", image["id"])
        );

        let response = rita.send(Method::GET, &url, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert_eq!(response.bytes().await.unwrap().to_vec(), png);
        let (status, body) = otto.get(&url).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let (status, body) = wendy
            .get(&format!(
                "/api/v1/pages/{hidden}/attachments/{}",
                image["id"]
            ))
            .await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        let response = rita
            .http_post_bytes(
                &format!("/api/v1/pages/{id}/attachments?name=mine.png"),
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = otto
            .http_post_bytes(
                &format!("/api/v1/pages/{id}/attachments?name=mine.png"),
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{id}/attachments?name=a%2Fb.png"),
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // HTML downloads; it never runs in the site's origin.
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{id}/attachments?name=trap.html"),
                "text/html",
                b"<script>alert(1)</script>".to_vec(),
            )
            .await;
        let trap: Value = response.json().await.unwrap();
        assert_eq!(trap["mime"], "application/octet-stream");
        let response = rita
            .send(Method::GET, trap["url"].as_str().unwrap(), None)
            .await;
        assert!(response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));

        // Through a public link: the linked page's files, no others.
        let (_, link) = wendy
            .post(&format!("/api/v1/pages/{id}/public-link"), json!({}))
            .await;
        let secret = link["url"].as_str().unwrap().split_once('#').unwrap().1;
        let public = format!("/api/v1/public/pages/{secret}/attachments/{}", image["id"]);
        let response = anonymous.send(Method::GET, &public, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.bytes().await.unwrap().to_vec(), png);
        let (status, body) = anonymous.get(&format!("{public}?page={hidden}")).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        office.stop().await;
    }
}

/// A Markdown file comes in as a page; a space goes out as a ZIP that
/// `unzip` accepts, laid out like the tree, images beside the pages and
/// linked relatively, and without the pages the person may not read.
#[tokio::test]
async fn markdown_in_and_a_zip_out() {
    for office in offices("docs_transfer").await {
        let wendy = office.person("wendy", Role::Member).await;
        let rita = office.person("rita", Role::Member).await;
        let otto = office.person("otto", Role::Member).await;
        let team = space(&wendy, "Support").await;
        add_member(&wendy, team, rita.my_id().await, "read").await;
        let handbook = page(&wendy, team, "Handbook", None).await;
        let secret = page(&wendy, team, "Salaries", None).await;
        let (status, _) = wendy
            .patch(
                &format!("/api/v1/pages/{secret}"),
                json!({ "restricted": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let response = wendy
            .http_post_bytes(
                &format!("/api/v1/pages/{handbook}/attachments?name=screen.png"),
                "image/png",
                b"\x89PNG picture".to_vec(),
            )
            .await;
        let image: Value = response.json().await.unwrap();
        let image_id = image["id"].as_i64().unwrap();

        let markdown = format!(
            "# Returns: how to\n\nCheck the **receipt**.\n\n![screen](/api/v1/pages/{handbook}/attachments/{image_id})\n\n- [ ] Refund\n- [x] Reply\n"
        );
        let import = |api: &Api, parent: Option<i64>, body: Vec<u8>| {
            let path = match parent {
                Some(p) => format!("/api/v1/spaces/{team}/import?name=returns.md&parent_id={p}"),
                None => format!("/api/v1/spaces/{team}/import?name=returns.md"),
            };
            let api = api.clone();
            async move { api.http_post_bytes(&path, "text/markdown", body).await }
        };
        let response = import(&wendy, Some(handbook), markdown.clone().into_bytes()).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let made: Value = response.json().await.unwrap();
        assert_eq!(made["title"], "Returns: how to");
        assert_eq!(made["parent_id"], handbook);
        let text = export(&wendy, made["id"].as_i64().unwrap()).await;
        assert!(text.contains("Check the **receipt**."), "{text}");
        assert!(text.contains("- [x] Reply"), "{text}");

        // The wrong people, and bad files, make nothing.
        let response = import(&rita, None, markdown.clone().into_bytes()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = import(&otto, None, markdown.clone().into_bytes()).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = import(&wendy, None, vec![0xff, 0xfe, 0x00]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = import(&wendy, None, vec![b'a'; 5 << 20]).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let (_, tree) = wendy.get(&format!("/api/v1/spaces/{team}/pages")).await;
        assert_eq!(tree.as_array().unwrap().len(), 3, "{tree}");

        // Rita's export: what she may read, as files.
        let response = rita
            .send(Method::GET, &format!("/api/v1/spaces/{team}/export"), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/zip");
        let dir = bureau_store::testing::temp_dir("docs-zip");
        let file = dir.join("support.zip");
        std::fs::write(&file, response.bytes().await.unwrap()).unwrap();
        let out = dir.join("out");
        let unzipped = std::process::Command::new("unzip")
            .arg("-q")
            .arg(&file)
            .arg("-d")
            .arg(&out)
            .status()
            .expect("unzip runs");
        assert!(unzipped.success());
        let page = std::fs::read_to_string(out.join("Support/Handbook/Returns- how to.md"))
            .expect("the imported page sits under its parent's folder");
        assert!(
            page.contains(&format!("![screen](../_files/{image_id}-screen.png)")),
            "{page}"
        );
        assert!(out.join("Support/Handbook.md").is_file());
        assert_eq!(
            std::fs::read(out.join(format!("Support/_files/{image_id}-screen.png"))).unwrap(),
            b"\x89PNG picture"
        );
        assert!(!out.join("Support/Salaries.md").exists());

        // One page with what is below it; an outsider gets nothing.
        let response = rita
            .send(
                Method::GET,
                &format!("/api/v1/pages/{handbook}/export?format=zip"),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let (status, body) = otto.get(&format!("/api/v1/spaces/{team}/export")).await;
        error_code(status, &body, StatusCode::NOT_FOUND);
        office.stop().await;
    }
}
