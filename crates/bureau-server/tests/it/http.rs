use bureau_core::Role;
use reqwest::StatusCode;

use crate::support::Office;

#[tokio::test]
async fn health_metrics_and_the_openapi_document() {
    let office = Office::start().await;
    let alice = office.person("alice", Role::Member).await;
    alice.get("/api/v1/me").await;
    let client = reqwest::Client::new();

    let health = client
        .get(format!("{}/healthz", office.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let metrics = client
        .get(format!("{}/metrics", office.base))
        .send()
        .await
        .unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            r#"bureau_http_requests_total{method="GET",route="/api/v1/me",status="2xx"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("bureau_store_transaction_seconds_count"),
        "{text}"
    );
    assert!(text.contains("bureau_websockets_open 0"), "{text}");

    let doc: serde_json::Value = client
        .get(format!("{}/api/v1/openapi.json", office.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/auth/login",
        "/me",
        "/me/tokens",
        "/invitations/accept",
        "/events",
        "/audit",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    office.stop().await;
}

#[tokio::test]
async fn responses_carry_security_headers_and_request_ids() {
    let office = Office::start().await;
    let response = reqwest::get(format!("{}/", office.base)).await.unwrap();
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-request-id"].len(), 16);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<script type=\"module\" src="),
        "no inline script: {page}"
    );

    // App routes get the page; API misses get JSON.
    let app = reqwest::get(format!("{}/chat/general", office.base))
        .await
        .unwrap();
    assert_eq!(app.status(), StatusCode::OK);
    assert!(app.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    office.stop().await;
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let office = Office::start().await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/api/v1/openapi.json", office.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "br");
    office.stop().await;
}

/// The web app's API types are generated from `web/src/api/openapi.json`;
/// that copy must be the document the server describes itself with.
#[test]
fn the_web_apps_openapi_copy_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/src/api/openapi.json"
    );
    let committed = std::fs::read_to_string(path).expect("web/src/api/openapi.json exists");
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let live: serde_json::Value = serde_json::from_str(&bureau_server::openapi_json()).unwrap();
    // Generated clients name their functions after operation ids.
    let mut ids = std::collections::HashSet::new();
    for path in live["paths"].as_object().unwrap().values() {
        for operation in path.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                assert!(ids.insert(id.to_string()), "two operations are named {id}");
            }
        }
    }
    assert!(
        committed == live,
        "web/src/api/openapi.json is stale: run `cargo run --release -p bureau -- openapi > web/src/api/openapi.json`"
    );
}
