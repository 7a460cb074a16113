//! The chat peer: Synapse (PyPI `matrix-synapse`), the Matrix homeserver,
//! for the same fan-out as bureau's: one message into a room of N members
//! with N clients listening (long-polling `/sync`, as Matrix clients do).
//!
//! Synapse runs on SQLite with rate limits lifted and cheap password
//! hashing, so that setting up N accounts does not dominate the run; the
//! measured path is the real one: `PUT /send` to each client's `/sync`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use tokio::process::Command;

use crate::process::{self, Scratch, Server};

/// Lazy-loaded members and one event of timeline: what a client asks for so
/// that its first sync of a 1,000-member room stays small.
const FILTER: &str = r#"{"room":{"state":{"lazy_load_members":true},"timeline":{"limit":1}},"presence":{"not_types":["*"]},"account_data":{"not_types":["*"]}}"#;

/// Post-to-delivery (p50, p99 in ms) into a room of `members` listening
/// clients, over `rounds` messages.
pub async fn fanout(
    venv: &Path,
    scratch: &Scratch,
    members: usize,
    rounds: usize,
) -> anyhow::Result<(f64, f64)> {
    let python = venv.join("bin/python");
    if !python.exists() {
        bail!(
            "Synapse is not installed in {} (cargo xtask bench chat installs it)",
            venv.display()
        );
    }
    let dir = scratch.folder("synapse")?;
    let addr = process::free_addr()?;
    let config = write_config(&dir, addr.port())?;
    let keys = Command::new(&python)
        .args(["-m", "synapse.app.homeserver", "-c"])
        .arg(&config)
        .arg("--generate-keys")
        .output()
        .await
        .context("generating Synapse's signing key")?;
    if !keys.status.success() {
        bail!(
            "Synapse could not generate its keys: {}",
            String::from_utf8_lossy(&keys.stderr)
        );
    }
    let mut command = Command::new(&python);
    command
        .args(["-m", "synapse.app.homeserver", "-c"])
        .arg(&config);
    let (server, _) = Server::start(command, addr, "/health", &dir.join("synapse.log")).await?;
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(members + 16)
        .timeout(Duration::from_secs(120))
        .build()?;

    println!("  Synapse: registering {members} accounts...");
    let tokens: Vec<String> = stream::iter(0..members)
        .map(|i| register(&http, &base, format!("bench{i:05}")))
        .buffered(8)
        .try_collect()
        .await?;
    let room = call(
        &http,
        &base,
        &tokens[0],
        reqwest::Method::POST,
        "/_matrix/client/v3/createRoom",
        json!({ "preset": "public_chat", "name": "fanout" }),
    )
    .await?["room_id"]
        .as_str()
        .context("createRoom answered without room_id")?
        .to_string();
    println!("  Synapse: {members} accounts joining the room...");
    let join = format!("/_matrix/client/v3/join/{}", process::urlencode(&room));
    stream::iter(tokens.iter().skip(1))
        .map(|token| call(&http, &base, token, reqwest::Method::POST, &join, json!({})))
        .buffered(4)
        .try_collect::<Vec<_>>()
        .await?;

    println!("  Synapse: {members} clients syncing...");
    let (send, mut received) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let mut listeners = Vec::new();
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    for token in tokens.iter().cloned() {
        let http = http.clone();
        let base = base.clone();
        let send = send.clone();
        let ready = ready.clone();
        listeners.push(tokio::spawn(async move {
            let mut since: Option<String> = None;
            loop {
                let mut url = format!(
                    "{base}/_matrix/client/v3/sync?timeout=60000&filter={}",
                    process::urlencode(FILTER)
                );
                if let Some(since) = &since {
                    url.push_str(&format!("&since={}", process::urlencode(since)));
                }
                let Ok(response) = http.get(&url).bearer_auth(&token).send().await else {
                    return;
                };
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                let at = Instant::now();
                if since.is_none() {
                    ready.add_permits(1);
                }
                for round in rounds_in(&body) {
                    let _ = send.send((round, at));
                }
                since = body["next_batch"].as_str().map(String::from);
                if since.is_none() {
                    return;
                }
            }
        }));
    }
    let _all = tokio::time::timeout(Duration::from_secs(600), ready.acquire_many(members as u32))
        .await
        .context("every client's first sync within 10 minutes")??;
    // Let the long polls settle in.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut latencies = Vec::new();
    for round in 0..rounds {
        let path = format!(
            "/_matrix/client/v3/rooms/{}/send/m.room.message/r{round}",
            process::urlencode(&room)
        );
        let body = json!({ "msgtype": "m.text", "body": format!("fanout round {round}") });
        let sent = Instant::now();
        call(&http, &base, &tokens[0], reqwest::Method::PUT, &path, body).await?;
        crate::chat::await_round(&mut received, round, members, sent, &mut latencies).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for listener in listeners {
        listener.abort();
    }
    server.stop().await;
    Ok(crate::chat::p50_p99(&mut latencies))
}

fn rounds_in(sync: &Value) -> Vec<usize> {
    let mut rounds = Vec::new();
    for room in sync["rooms"]["join"]
        .as_object()
        .into_iter()
        .flat_map(|r| r.values())
    {
        for event in room["timeline"]["events"].as_array().into_iter().flatten() {
            if let Some(round) = event["content"]["body"]
                .as_str()
                .and_then(|b| b.strip_prefix("fanout round "))
            {
                if let Ok(round) = round.parse() {
                    rounds.push(round);
                }
            }
        }
    }
    rounds
}

/// Registers an account with the dummy flow and returns its access token.
async fn register(http: &reqwest::Client, base: &str, name: String) -> anyhow::Result<String> {
    let url = format!("{base}/_matrix/client/v3/register");
    let body = json!({ "username": name, "password": "bench password 1", "inhibit_login": false });
    let first: Value = http.post(&url).json(&body).send().await?.json().await?;
    let session = first["session"]
        .as_str()
        .context("registration answered without a session")?;
    let mut body = body;
    body["auth"] = json!({ "type": "m.login.dummy", "session": session });
    let done: Value = http.post(&url).json(&body).send().await?.json().await?;
    done["access_token"]
        .as_str()
        .map(String::from)
        .with_context(|| format!("registration of {name} failed: {done}"))
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let response = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("Synapse answered {status} to {path}: {value}");
    }
    Ok(value)
}

fn write_config(dir: &Path, port: u16) -> anyhow::Result<PathBuf> {
    let lifted = "{per_second: 100000, burst_count: 100000}";
    let config = format!(
        r#"server_name: "bench.local"
pid_file: "{dir}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
media_store_path: "{dir}/media"
signing_key_path: "{dir}/signing.key"
log_config: "{dir}/log.yaml"
report_stats: false
macaroon_secret_key: "bench-macaroon-secret"
form_secret: "bench-form-secret"
trusted_key_servers: []
suppress_key_server_warning: true
enable_registration: true
enable_registration_without_verification: true
bcrypt_rounds: 4
presence:
  enabled: false
rc_message: {lifted}
rc_registration: {lifted}
rc_login:
  address: {lifted}
  account: {lifted}
  failed_attempts: {lifted}
rc_joins:
  local: {lifted}
  remote: {lifted}
rc_joins_per_room: {lifted}
rc_invites:
  per_room: {lifted}
  per_user: {lifted}
"#,
        dir = dir.display()
    );
    let log = "version: 1\nformatters:\n  plain:\n    format: '%(asctime)s %(levelname)s %(name)s %(message)s'\nhandlers:\n  console:\n    class: logging.StreamHandler\n    formatter: plain\nroot:\n  level: WARNING\n  handlers: [console]\ndisable_existing_loggers: false\n";
    std::fs::write(dir.join("log.yaml"), log)?;
    let path = dir.join("homeserver.yaml");
    std::fs::write(&path, config)?;
    Ok(path)
}
