//! Malformed requests get a clear 4xx JSON error and change nothing.

use bureau_core::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{error_code, Api, Office};

/// Sends a raw PATCH /api/v1/me as a logged-in browser.
async fn raw_patch(api: &Api, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .patch(format!("{}/api/v1/me", api.base))
        .header(
            "cookie",
            format!("bureau_session={}", api.cookie.as_ref().unwrap()),
        )
        .header("x-csrf-token", api.csrf.as_ref().unwrap())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.expect("errors are JSON"))
}

#[tokio::test]
async fn malformed_bodies_are_refused_with_a_sentence() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let json = "application/json";
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "syntax",
            json,
            b"{\"display_name\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "unknown field",
            json,
            br#"{"display_name":"x","admin":true}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "wrong type",
            json,
            br#"{"display_name":42}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "bad enum",
            json,
            br#"{"locale":"de"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "bad UTF-8",
            json,
            b"{\"display_name\":\"\xff\xfe\"}".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "not JSON",
            "text/plain",
            br#"{"display_name":"x"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "too large",
            json,
            format!(r#"{{"display_name":"{}"}}"#, "x".repeat(2 * 1024 * 1024)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "empty name",
            json,
            br#"{"display_name":"   "}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "control characters",
            json,
            br#"{"display_name":"a\u0007b"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "bad email",
            json,
            br#"{"email":"not an address"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (what, content_type, body, status, code) in cases {
        let (got, answer) = raw_patch(&alice, content_type, body).await;
        assert_eq!(got, status, "{what}: {answer}");
        assert_eq!(error_code(got, &answer, status), code, "{what}");
    }
    let (_, me) = alice.get("/api/v1/me").await;
    assert_eq!(
        me["user"]["display_name"], "alice",
        "no bad request changed anything"
    );
    assert_eq!(me["user"]["email"], Value::Null);
    office.stop().await;
}

#[tokio::test]
async fn bad_paths_and_queries_are_400s() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let check = |path: &'static str, expected: StatusCode| {
        let admin = admin.clone();
        async move {
            let (status, body) = admin.get(path).await;
            error_code(status, &body, expected);
        }
    };
    check("/api/v1/users/abc", StatusCode::BAD_REQUEST).await;
    check(
        "/api/v1/users/99999999999999999999",
        StatusCode::BAD_REQUEST,
    )
    .await;
    check("/api/v1/users/424242", StatusCode::NOT_FOUND).await;
    check("/api/v1/audit?limit=many", StatusCode::BAD_REQUEST).await;
    check("/api/v1/audit?colour=red", StatusCode::BAD_REQUEST).await;
    check("/api/v1/events?since=-1", StatusCode::BAD_REQUEST).await;
    check("/api/v1/no-such-thing", StatusCode::NOT_FOUND).await;
    office.stop().await;
}

#[tokio::test]
async fn bad_accounts_create_nothing() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let token = {
        let (_, body) = admin
            .post(
                "/api/v1/invitations",
                serde_json::json!({ "role": "member" }),
            )
            .await;
        body["token"].as_str().unwrap().to_string()
    };
    let visitor = office.anonymous();
    let attempts = [
        serde_json::json!({ "token": token, "name": "x", "display_name": "X", "password": "long enough pw" }),
        serde_json::json!({ "token": token, "name": "good", "display_name": "", "password": "long enough pw" }),
        serde_json::json!({ "token": token, "name": "good", "display_name": "G", "password": "short" }),
        serde_json::json!({ "token": token, "name": "bad name!", "display_name": "G", "password": "long enough pw" }),
    ];
    for attempt in attempts {
        let (status, body) = visitor.post("/api/v1/invitations/accept", attempt).await;
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = admin
        .post(
            "/api/v1/invitations",
            serde_json::json!({ "role": "member", "expires_in_hours": 0 }),
        )
        .await;
    assert_eq!(body["error"]["field"], "expires_in_hours");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, users) = admin.get("/api/v1/users").await;
    assert_eq!(users.as_array().unwrap().len(), 1, "no account was created");
    let (_, offer) = visitor
        .get(&format!("/api/v1/invitations/lookup?token={token}"))
        .await;
    assert_eq!(offer["role"], "member", "the link is still open");
    office.stop().await;
}

#[tokio::test]
async fn malformed_credentials_are_401s() {
    let office = Office::start().await;
    let client = reqwest::Client::new();
    for header in ["Basic YWxpY2U6cHc=", "Bearer", "Bearer ", "bureau_x"] {
        let response = client
            .get(format!("{}/api/v1/me", office.base))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        error_code(status, &body, StatusCode::UNAUTHORIZED);
    }
    let response = client
        .get(format!("{}/api/v1/me", office.base))
        .header("cookie", "bureau_session=s_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    office.stop().await;
}
