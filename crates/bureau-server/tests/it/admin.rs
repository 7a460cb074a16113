use bureau_core::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_code, Api, Office, PASSWORD};

fn newcomer(token: &str, name: &str) -> Value {
    json!({ "token": token, "name": name, "display_name": name, "password": PASSWORD })
}

async fn invite(admin: &Api, role: &str) -> (i64, String) {
    let (status, body) = admin
        .post(
            "/api/v1/invitations",
            json!({ "role": role, "note": "for the new accountant" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(body["url"], format!("http://bureau.test/invite#{token}"));
    (body["invitation"]["id"].as_i64().unwrap(), token)
}

#[tokio::test]
async fn an_invitation_link_makes_one_account() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let member = office.person("alice", Role::Member).await;
    let (status, body) = member
        .post("/api/v1/invitations", json!({ "role": "admin" }))
        .await;
    error_code(status, &body, StatusCode::FORBIDDEN);

    let (_, token) = invite(&admin, "member").await;
    let visitor = office.anonymous();
    let (status, offer) = visitor
        .get(&format!("/api/v1/invitations/lookup?token={token}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offer["role"], "member");

    let mut newcomer_browser = office.anonymous();
    let response = newcomer_browser
        .send(
            reqwest::Method::POST,
            "/api/v1/invitations/accept",
            Some(&newcomer(&token, "carol")),
        )
        .await;
    let (status, me) = newcomer_browser.keep_session(response).await;
    assert_eq!(status, StatusCode::CREATED, "{me}");
    assert_eq!(me["user"]["role"], "member");
    assert_eq!(newcomer_browser.get("/api/v1/me").await.0, StatusCode::OK);

    let (status, body) = visitor
        .post("/api/v1/invitations/accept", newcomer(&token, "dave"))
        .await;
    assert_eq!(
        error_code(status, &body, StatusCode::CONFLICT),
        "invitation_used"
    );
    let (status, _) = visitor
        .get(&format!("/api/v1/invitations/lookup?token={token}"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = visitor
        .get("/api/v1/invitations/lookup?token=inv_forged")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A taken name fails without using up the link.
    let (id, token) = invite(&admin, "guest").await;
    let (status, body) = visitor
        .post("/api/v1/invitations/accept", newcomer(&token, "carol"))
        .await;
    error_code(status, &body, StatusCode::CONFLICT);
    let (_, list) = admin.get("/api/v1/invitations").await;
    let open = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    assert_eq!(open["state"], "open");

    // A withdrawn link no longer works.
    assert_eq!(
        admin.delete(&format!("/api/v1/invitations/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = visitor
        .post("/api/v1/invitations/accept", newcomer(&token, "erin"))
        .await;
    error_code(status, &body, StatusCode::CONFLICT);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("withdrawn"));
    let (_, users) = admin.get("/api/v1/users").await;
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["alice", "boss", "carol"]);
    office.stop().await;
}

#[tokio::test]
async fn deactivation_ends_every_way_in() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let tool = alice.with_bearer(&alice.token("script").await);
    let alice_id = alice.my_id().await;

    let (status, body) = alice
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "active": false }),
        )
        .await;
    error_code(status, &body, StatusCode::FORBIDDEN);

    let (status, user) = admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "active": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["active"], false);
    for client in [&alice, &tool] {
        let (status, body) = client.get("/api/v1/me").await;
        error_code(status, &body, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        office.anonymous().login("alice", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Reactivated, she logs in again; her old credentials stay dead.
    admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "active": true }),
        )
        .await;
    assert_eq!(tool.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        office.anonymous().login("alice", PASSWORD).await.0,
        StatusCode::OK
    );
    office.stop().await;
}

#[tokio::test]
async fn roles_change_but_the_last_admin_stays() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let boss_id = admin.my_id().await;
    let alice_id = alice.my_id().await;

    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{boss_id}"),
            json!({ "role": "member" }),
        )
        .await;
    assert_eq!(
        error_code(status, &body, StatusCode::CONFLICT),
        "last_admin"
    );
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{boss_id}"),
            json!({ "active": false }),
        )
        .await;
    error_code(status, &body, StatusCode::CONFLICT);

    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Alice's existing session now acts as an admin.
    assert_eq!(alice.get("/api/v1/audit").await.0, StatusCode::OK);
    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{boss_id}"),
            json!({ "role": "member" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(admin.get("/api/v1/audit").await.0, StatusCode::FORBIDDEN);
    office.stop().await;
}

#[tokio::test]
async fn an_admin_resets_a_forgotten_password() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let alice_id = alice.my_id().await;
    let path = format!("/api/v1/users/{alice_id}/password");
    let (status, _) = alice
        .put(&path, json!({ "password": "my own choice" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .put(&path, json!({ "password": "temporary one 123" }))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(alice.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        office
            .anonymous()
            .login("alice", "temporary one 123")
            .await
            .0,
        StatusCode::OK
    );
    office.stop().await;
}

#[tokio::test]
async fn guests_see_only_themselves() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let guest = office.person("client", Role::Guest).await;
    let boss_id = admin.my_id().await;
    let guest_id = guest.my_id().await;

    error_code(
        guest.get("/api/v1/users").await.0,
        &guest.get("/api/v1/users").await.1,
        StatusCode::FORBIDDEN,
    );
    let (status, body) = guest.get(&format!("/api/v1/users/{boss_id}")).await;
    error_code(status, &body, StatusCode::NOT_FOUND);
    assert_eq!(
        guest.get(&format!("/api/v1/users/{guest_id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(guest.get("/api/v1/groups").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get(&format!("/api/v1/users/{guest_id}")).await.0,
        StatusCode::OK
    );
    office.stop().await;
}

#[tokio::test]
async fn groups_are_managed_by_admins() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    let alice_id = alice.my_id().await;

    assert_eq!(
        alice
            .post("/api/v1/groups", json!({ "name": "Sales" }))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, group) = admin
        .post("/api/v1/groups", json!({ "name": "Sales" }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = admin
        .post("/api/v1/groups", json!({ "name": "Sales" }))
        .await;
    error_code(status, &body, StatusCode::CONFLICT);
    let members = format!("/api/v1/groups/{}/members/{alice_id}", group["id"]);
    assert_eq!(
        alice.put(&members, json!(null)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.call(reqwest::Method::PUT, &members, None).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, _) = admin
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/groups/{}/members/999", group["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, groups) = alice.get("/api/v1/groups").await;
    assert_eq!(groups[0]["members"], json!([alice_id]));
    assert_eq!(admin.delete(&members).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        admin
            .delete(&format!("/api/v1/groups/{}", group["id"]))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(alice.get("/api/v1/groups").await.1, json!([]));
    office.stop().await;
}

#[tokio::test]
async fn the_audit_log_records_security_events_for_admins() {
    let office = Office::start().await;
    let admin = office.person("boss", Role::Admin).await;
    let alice = office.person("alice", Role::Member).await;
    office.anonymous().login("alice", "bad password!").await;
    alice.token("ci").await;
    let alice_id = alice.my_id().await;
    admin
        .patch(
            &format!("/api/v1/users/{alice_id}"),
            json!({ "role": "guest" }),
        )
        .await;

    assert_eq!(alice.get("/api/v1/audit").await.0, StatusCode::FORBIDDEN);
    let (status, entries) = admin.get("/api/v1/audit?limit=50").await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in ["login", "login.failed", "token.created", "role.changed"] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert_eq!(actions[0], "role.changed", "newest first");
    office.stop().await;
}
