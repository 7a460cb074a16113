use bureau_core::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{error_code, Office, PASSWORD};

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let office = Office::start().await;
    let mut browser = office.anonymous();
    assert_eq!(
        browser.get("/api/v1/setup").await.1,
        json!({ "needed": true })
    );
    let secret = office.accounts.open_setup().await.unwrap().unwrap();
    let account = |token: &str| json!({ "token": token, "name": "Boss", "display_name": "The Boss", "password": PASSWORD, "locale": "fr" });

    let (status, body) = browser.post("/api/v1/setup", account("setup_wrong")).await;
    error_code(status, &body, StatusCode::FORBIDDEN);

    let response = browser
        .send(Method::POST, "/api/v1/setup", Some(&account(&secret)))
        .await;
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("bureau_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    let (status, me) = browser.keep_session(response).await;
    assert_eq!(status, StatusCode::CREATED, "{me}");
    assert_eq!(me["user"]["name"], "boss");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["locale"], "fr");

    // The link works once.
    let (status, body) = office
        .anonymous()
        .post("/api/v1/setup", account(&secret))
        .await;
    error_code(status, &body, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/api/v1/setup").await.1,
        json!({ "needed": false })
    );
    assert_eq!(office.accounts.open_setup().await.unwrap(), None);
    office.stop().await;
}

#[tokio::test]
async fn login_logout_and_the_session_cookie() {
    let office = Office::start().await;
    let mut alice = office.person("alice", Role::Member).await;
    let (status, me) = alice.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["name"], "alice");
    assert!(me["csrf_token"].is_string());

    let (status, body) = office.anonymous().login("alice", "wrong password").await;
    assert_eq!(
        error_code(status, &body, StatusCode::UNAUTHORIZED),
        "unauthenticated"
    );
    let (status, body) = office.anonymous().login("nobody", PASSWORD).await;
    assert_eq!(
        body["error"]["message"], "wrong name or password",
        "same answer for unknown names"
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A new login rotates the session: the old cookie keeps working until
    // logout, and the new one is different.
    let old_cookie = alice.cookie.clone();
    alice.login("ALICE", PASSWORD).await;
    assert_ne!(alice.cookie, old_cookie);

    let (status, _) = alice.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = alice.get("/api/v1/me").await;
    error_code(status, &body, StatusCode::UNAUTHORIZED);
    office.stop().await;
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let mut forged = alice.clone();
    forged.csrf = None;
    let (status, body) = forged
        .patch("/api/v1/me", json!({ "display_name": "Mallory" }))
        .await;
    assert_eq!(error_code(status, &body, StatusCode::FORBIDDEN), "csrf");
    forged.csrf = Some("not-the-token".into());
    let (status, _) = forged
        .patch("/api/v1/me", json!({ "display_name": "Mallory" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        alice.get("/api/v1/me").await.1["user"]["display_name"],
        "alice",
        "nothing changed"
    );

    let (status, user) = alice
        .patch(
            "/api/v1/me",
            json!({ "display_name": "Alice Martin", "locale": "fr", "email": "alice@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["display_name"], "Alice Martin");
    assert_eq!(user["locale"], "fr");
    let (_, user) = alice.patch("/api/v1/me", json!({ "email": null })).await;
    assert_eq!(user["email"], serde_json::Value::Null);
    office.stop().await;
}

#[tokio::test]
async fn login_is_rate_limited_per_name() {
    let office = Office::start().await;
    office.person("alice", Role::Member).await;
    for _ in 0..5 {
        let (status, _) = office.anonymous().login("alice", "nope nope nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now: guessing is bounded.
    let (status, body) = office.anonymous().login("alice", PASSWORD).await;
    assert_eq!(
        error_code(status, &body, StatusCode::TOO_MANY_REQUESTS),
        "rate_limited"
    );
    office.stop().await;
}

#[tokio::test]
async fn sessions_can_be_listed_and_revoked_by_their_owner_only() {
    let office = Office::start().await;
    let laptop = office.person("alice", Role::Member).await;
    let mut phone = office.anonymous();
    phone.login("alice", PASSWORD).await;
    let bob = office.person("bob", Role::Admin).await;

    let (_, sessions) = laptop.get("/api/v1/me/sessions").await;
    let sessions = sessions.as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    let current: Vec<bool> = sessions
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let phone_session = sessions
        .iter()
        .find(|s| !s["current"].as_bool().unwrap())
        .unwrap();
    let path = format!("/api/v1/me/sessions/{}", phone_session["id"]);

    // Even an admin cannot end someone else's session through this route.
    let (status, body) = bob.delete(&path).await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    assert_eq!(phone.get("/api/v1/me").await.0, StatusCode::OK);

    let (status, _) = laptop.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = phone.get("/api/v1/me").await;
    error_code(status, &body, StatusCode::UNAUTHORIZED);
    assert_eq!(laptop.get("/api/v1/me").await.0, StatusCode::OK);
    office.stop().await;
}

#[tokio::test]
async fn api_tokens_work_until_revoked() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let secret = alice.token("backup script").await;
    let tool = alice.with_bearer(&secret);
    let (status, me) = tool.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me["csrf_token"],
        serde_json::Value::Null,
        "tokens need no CSRF token"
    );
    let (status, _) = tool
        .patch("/api/v1/me", json!({ "display_name": "via token" }))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, tokens) = alice.get("/api/v1/me/tokens").await;
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(
        tokens[0].get("secret").is_none(),
        "secrets are shown once only"
    );
    let id = tokens[0]["id"].as_i64().unwrap();

    let bob = office.person("bob", Role::Member).await;
    let (status, _) = bob.delete(&format!("/api/v1/me/tokens/{id}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "bob cannot revoke alice's token"
    );
    assert_eq!(tool.get("/api/v1/me").await.0, StatusCode::OK);

    let (status, _) = alice.delete(&format!("/api/v1/me/tokens/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = tool.get("/api/v1/me").await;
    error_code(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = alice.with_bearer("bureau_madeup").get("/api/v1/me").await;
    error_code(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = alice
        .post(
            "/api/v1/me/tokens",
            json!({ "name": "x", "expires_in_days": 0 }),
        )
        .await;
    assert_eq!(
        error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY),
        "invalid"
    );
    office.stop().await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let office = Office::start().await;
    let laptop = office.person("alice", Role::Member).await;
    let mut phone = office.anonymous();
    phone.login("alice", PASSWORD).await;

    let (status, body) = laptop
        .put(
            "/api/v1/me/password",
            json!({ "current_password": "wrong one", "new_password": "another long one" }),
        )
        .await;
    assert_eq!(body["error"]["field"], "current_password");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = laptop
        .put(
            "/api/v1/me/password",
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(body["error"]["field"], "password");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _) = laptop
        .put(
            "/api/v1/me/password",
            json!({ "current_password": PASSWORD, "new_password": "another long one" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(laptop.get("/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(phone.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        office.anonymous().login("alice", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        office
            .anonymous()
            .login("alice", "another long one")
            .await
            .0,
        StatusCode::OK
    );
    office.stop().await;
}

#[tokio::test]
async fn avatars_are_checked_images() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    let guest = office.person("visitor", Role::Guest).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR tiny".to_vec();
    let upload = |bytes: Vec<u8>| {
        let alice = alice.clone();
        async move {
            let client = reqwest::Client::new();
            client
                .put(format!("{}/api/v1/me/avatar", alice.base))
                .header(
                    "cookie",
                    format!("bureau_session={}", alice.cookie.unwrap()),
                )
                .header("x-csrf-token", alice.csrf.unwrap())
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
    };
    let response = upload(b"<script>alert(1)</script>".to_vec()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = upload(vec![0u8; 3 * 1024 * 1024]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = upload(png.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);

    let me = alice.get("/api/v1/me").await.1;
    let path = format!("/api/v1/users/{}/avatar", me["user"]["id"]);
    assert!(me["user"]["has_avatar"].as_bool().unwrap());
    let response = alice.send(Method::GET, &path, None).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().to_vec(), png);
    // A guest does not see people they were not introduced to.
    let (status, body) = guest.get(&path).await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    office.stop().await;
}
