use std::sync::Arc;

use bureau_accounts::{Accounts, NewAccount, Ports};
use bureau_bus::Bus;
use bureau_core::{Locale, Role};
use bureau_server::{Server, ServerConfig};
use bureau_store::{testing, Blobs, Store};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery";

/// A running bureau on 127.0.0.1 with its own database.
pub struct Office {
    pub base: String,
    /// The UDP address of meetings' media.
    pub media: std::net::SocketAddr,
    /// The TCP address of meetings' media (ICE-TCP).
    pub media_tcp: std::net::SocketAddr,
    pub accounts: Arc<Accounts>,
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Office {
    /// A fresh office on SQLite and the in-process bus.
    pub async fn start() -> Office {
        Office::start_on(&testing::sqlite_url("server"), Bus::local("test")).await
    }

    pub async fn start_on(database_url: &str, bus: Bus) -> Office {
        Office::start_with(database_url, bus, None).await
    }

    /// An office that emails people away through `mail`.
    pub async fn start_with(
        database_url: &str,
        bus: Bus,
        mail: Option<bureau_server::MailSettings>,
    ) -> Office {
        let store = Store::connect(database_url).await.expect("database opens");
        let blobs =
            Blobs::open(testing::temp_dir("blobs").to_str().unwrap(), store.clone()).unwrap();
        let server = Server::build(
            ServerConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                public_url: "http://bureau.test".into(),
                search_dir: None,
                data_meter: true,
                mail,
                media: bureau_meet::media::MediaConfig {
                    udp: "127.0.0.1:0".parse().unwrap(),
                    tcp: "127.0.0.1:0".parse().unwrap(),
                    public_ip: None,
                    threads: 1,
                },
            },
            Ports {
                store: store.clone(),
                bus,
                blobs,
            },
        )
        .await
        .expect("server builds");
        let base = format!("http://{}", server.local_addr());
        let media = server.state.calls.media().address();
        let media_tcp = server.state.calls.media().tcp_address();
        let accounts = server.state.accounts.clone();
        let (stop, stopped) = oneshot::channel();
        let done = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Office {
            base,
            media,
            media_tcp,
            accounts,
            store,
            stop: Some(stop),
            done: Some(done),
        }
    }

    /// Checks that what each space's quota counts, kept by triggers as
    /// files change, is what its rows add up to. Returns how many spaces
    /// it checked.
    pub async fn assert_usage_counted(&self) -> usize {
        let mut checked = 0;
        // Spaces are numbered from 1; a test office has a few.
        for id in 1..=64 {
            let Some(space) = self.store.space(id).await.unwrap() else {
                continue;
            };
            let recounted = self.store.space_used_recounted(id).await.unwrap();
            assert_eq!(space.used_bytes, recounted, "space {id}'s counted usage");
            assert_eq!(self.store.space_used(id).await.unwrap(), recounted);
            checked += 1;
        }
        checked
    }

    /// Creates an account directly (as the CLI does) and returns a client
    /// logged in with a session cookie.
    pub async fn person(&self, name: &str, role: Role) -> Api {
        self.accounts
            .create_user_offline(
                NewAccount {
                    name,
                    display_name: name,
                    password: PASSWORD,
                    email: None,
                    locale: Locale::En,
                },
                role,
            )
            .await
            .expect("account created");
        let mut api = self.anonymous();
        let (status, body) = api.login(name, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api
    }

    pub fn anonymous(&self) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            done.await.unwrap();
        }
    }
}

/// A client: a browser (session cookie + CSRF token) or a tool (bearer).
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Api {
    pub async fn login(&mut self, name: &str, password: &str) -> (StatusCode, Value) {
        let body = serde_json::json!({ "name": name, "password": password });
        let response = self
            .send(Method::POST, "/api/v1/auth/login", Some(&body))
            .await;
        self.keep_session(response).await
    }

    /// Takes the session cookie and CSRF token from a login-like response.
    pub async fn keep_session(&mut self, response: reqwest::Response) -> (StatusCode, Value) {
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap();
            if let Some(rest) = value.strip_prefix("bureau_session=") {
                self.cookie = Some(rest.split(';').next().unwrap().to_string());
            }
        }
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if let Some(csrf) = body["csrf_token"].as_str() {
            self.csrf = Some(csrf.to_string());
        }
        (status, body)
    }

    /// The same client reaching the server through `base` (a proxy).
    pub fn via(&self, base: &str) -> Api {
        Api {
            base: base.to_string(),
            ..self.clone()
        }
    }

    pub fn with_bearer(&self, token: &str) -> Api {
        Api {
            cookie: None,
            csrf: None,
            bearer: Some(token.to_string()),
            ..self.clone()
        }
    }

    /// A request with this client's credentials, to finish and send.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", format!("bureau_session={cookie}"));
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(bearer) = &self.bearer {
            request = request.header("authorization", format!("Bearer {bearer}"));
        }
        request
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the server answers")
    }

    /// Posts raw bytes with a content type, as an upload.
    pub async fn http_post_bytes(
        &self,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(bytes);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", format!("bureau_session={cookie}"));
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send().await.expect("the server answers")
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let response = self.send(method, path, body.as_ref()).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// The id of the person this client acts for.
    /// The id of the session this client is signed in with.
    pub async fn current_session(&self) -> i64 {
        let (_, sessions) = self.get("/api/v1/me/sessions").await;
        sessions
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == true)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    pub async fn my_id(&self) -> i64 {
        let (status, me) = self.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK, "{me}");
        me["user"]["id"].as_i64().unwrap()
    }

    /// Creates an API token for this client's person and returns its secret.
    pub async fn token(&self, name: &str) -> String {
        let (status, body) = self
            .post("/api/v1/me/tokens", serde_json::json!({ "name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["secret"].as_str().unwrap().to_string()
    }
}

/// Asserts the shape of an error answer and returns its code.
pub fn error_code(status: StatusCode, body: &Value, expected: StatusCode) -> String {
    assert_eq!(status, expected, "{body}");
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        error["request_id"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    error["code"].as_str().unwrap().to_string()
}

/// A fresh office on each backend this machine has: SQLite always,
/// PostgreSQL when `BUREAU_TEST_POSTGRES` is set (CI requires it).
/// Two offices (two processes of one company) on one fresh PostgreSQL
/// database and one NATS namespace; `None` when the tests run without
/// them, which CI never does.
pub async fn two_processes(label: &str) -> Option<(Office, Office)> {
    let (Some(database), Ok(nats)) = (
        testing::postgres_url(label).await,
        std::env::var("BUREAU_TEST_NATS"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the two-process tests"
        );
        eprintln!("skipping: BUREAU_TEST_POSTGRES and BUREAU_TEST_NATS are needed");
        return None;
    };
    let namespace = format!(
        "{label}-{}-{}",
        std::process::id(),
        bureau_core::time::now_ms()
    );
    let bus = || async {
        Bus::connect(&nats, &namespace)
            .await
            .expect("NATS accepts connections")
    };
    let first = Office::start_on(&database, bus().await).await;
    let second = Office::start_on(&database, bus().await).await;
    Some((first, second))
}

pub async fn offices(label: &str) -> Vec<Office> {
    let mut offices = vec![Office::start().await];
    if let Some(url) = testing::postgres_url(label).await {
        offices.push(Office::start_on(&url, Bus::local(label)).await);
    }
    offices
}
