//! Janus, the peer of `bureau-bench meet`: Debian's `janus` package with
//! only its VideoRoom plugin and HTTP transport, started on this machine
//! with a configuration written here, and driven through its HTTP API
//! (sessions, handles, `joinandconfigure` for the publisher, `join` as
//! subscriber then `start` for each receiver). The media clients are the
//! same str0m peers that measure bureau.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::{json, Value};
use tokio::process::Command;

use crate::process::{self, Server};

/// Starts Janus with its configuration in `folder`; `None` when the
/// machine has no `janus` (the benchmark then says so).
pub async fn start(folder: &Path) -> anyhow::Result<Option<Server>> {
    let installed = std::process::Command::new("janus")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    // Debian puts the plugins under the architecture's library folder.
    let libraries = std::fs::read_dir("/usr/lib")?
        .filter_map(|entry| Some(entry.ok()?.path().join("janus")))
        .find(|folder| folder.join("plugins/libjanus_videoroom.so").exists());
    let (true, Some(libraries)) = (installed, libraries) else {
        return Ok(None);
    };
    let libraries = libraries.display();
    let addr = process::free_addr()?;
    let config = folder.join("janus.jcfg");
    // Only VideoRoom and HTTP; media on loopback, like bureau's.
    let unwanted_plugins = [
        "audiobridge",
        "echotest",
        "lua",
        "duktape",
        "nosip",
        "recordplay",
        "sip",
        "streaming",
        "textroom",
        "videocall",
        "voicemail",
    ]
    .map(|p| format!("libjanus_{p}.so"))
    .join(",");
    std::fs::write(
        &config,
        format!(
            "general: {{ configs_folder = \"{folder}\", plugins_folder = \"{libraries}/plugins\", \
             transports_folder = \"{libraries}/transports\", events_folder = \"{libraries}/events\", \
             loggers_folder = \"{libraries}/loggers\", debug_level = 4 }}\n\
             media: {{ rtp_port_range = \"20000-40000\" }}\n\
             nat: {{ ice_enforce_list = \"lo\" }}\n\
             plugins: {{ disable = \"{unwanted_plugins}\" }}\n\
             transports: {{ disable = \"libjanus_websockets.so,libjanus_pfunix.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_rabbitmq.so\" }}\n\
             events: {{ broadcast = false }}\n\
             loggers: {{ disable = \"libjanus_jsonlog.so\" }}\n",
            folder = folder.display()
        ),
    )?;
    std::fs::write(
        folder.join("janus.transport.http.jcfg"),
        format!(
            "general: {{ json = \"compact\", base_path = \"/janus\", http = true, port = {}, interface = \"lo\" }}\n\
             admin: {{ admin_http = false }}\n",
            addr.port()
        ),
    )?;
    std::fs::write(folder.join("janus.plugin.videoroom.jcfg"), "general: { }\n")?;
    let mut command = Command::new("janus");
    command.arg("-F").arg(folder).arg("-C").arg(&config);
    let (server, _) =
        Server::start(command, addr, "/janus/info", &folder.join("janus.log")).await?;
    Ok(Some(server))
}

/// One Janus session: its handles, requests and events.
pub struct Session {
    addr: SocketAddr,
    id: u64,
}

impl Session {
    pub async fn create(addr: SocketAddr) -> anyhow::Result<Session> {
        let answer = post(addr, "/janus", json!({"janus": "create"})).await?;
        let id = answer["data"]["id"].as_u64().context("a session id")?;
        Ok(Session { addr, id })
    }

    /// A new handle on the VideoRoom plugin.
    pub async fn attach(&self) -> anyhow::Result<u64> {
        let answer = post(
            self.addr,
            &format!("/janus/{}", self.id),
            json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}),
        )
        .await?;
        answer["data"]["id"].as_u64().context("a handle id")
    }

    /// A plugin request; the synchronous answer (an `ack` for requests
    /// whose result comes as an event).
    pub async fn message(
        &self,
        handle: u64,
        body: Value,
        jsep: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut message = json!({"janus": "message", "body": body});
        if let Some(jsep) = jsep {
            message["jsep"] = jsep;
        }
        post(self.addr, &format!("/janus/{}/{handle}", self.id), message).await
    }

    /// Tells Janus the SDP held all our candidates.
    pub async fn candidates_done(&self, handle: u64) -> anyhow::Result<()> {
        post(
            self.addr,
            &format!("/janus/{}/{handle}", self.id),
            json!({"janus": "trickle", "candidate": {"completed": true}}),
        )
        .await?;
        Ok(())
    }

    /// The next event of `handle` that carries an SDP; other events are
    /// passed over.
    pub async fn jsep_for(&self, handle: u64) -> anyhow::Result<Value> {
        for _ in 0..50 {
            let (status, body) =
                process::get(self.addr, &format!("/janus/{}?maxev=10", self.id)).await?;
            if status != 200 {
                bail!("Janus events: {status} {body}");
            }
            let events = json_of(&body)?;
            let events = match events {
                Value::Array(list) => list,
                one => vec![one],
            };
            for event in events {
                if event["sender"].as_u64() != Some(handle) {
                    continue;
                }
                if let Some(error) = event["plugindata"]["data"].get("error") {
                    bail!("Janus refused: {error}");
                }
                if event.get("jsep").is_some() {
                    return Ok(event);
                }
            }
        }
        bail!("Janus sent no SDP for handle {handle}")
    }

    /// Keeps the session alive while the load runs (Janus drops a session
    /// silent for 60 s).
    pub fn keep_alive(&self) -> tokio::task::JoinHandle<()> {
        let (addr, path) = (self.addr, format!("/janus/{}", self.id));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(15)).await;
                let _ = post(addr, &path, json!({"janus": "keepalive"})).await;
            }
        })
    }

    pub async fn destroy(self) {
        let _ = post(
            self.addr,
            &format!("/janus/{}", self.id),
            json!({"janus": "destroy"}),
        )
        .await;
    }
}

/// A Janus API request with a transaction id; refused answers are errors.
async fn post(addr: SocketAddr, path: &str, mut request: Value) -> anyhow::Result<Value> {
    request["transaction"] = json!(format!("t{}", next_transaction()));
    let (status, body) = process::send_json(addr, "POST", path, "", &request.to_string()).await?;
    let answer = json_of(&body)
        .with_context(|| format!("Janus answered {status} with something other than JSON"))?;
    if answer["janus"] == "error" {
        bail!("Janus refused {request}: {}", answer["error"]);
    }
    if let Some(error) = answer["plugindata"]["data"].get("error") {
        bail!("the VideoRoom refused {request}: {error}");
    }
    Ok(answer)
}

/// A Janus answer's JSON; its HTTP server sends some bodies chunked.
fn json_of(body: &str) -> anyhow::Result<Value> {
    if let Ok(value) = serde_json::from_str(body) {
        return Ok(value);
    }
    let mut whole = String::new();
    let mut rest = body;
    loop {
        let (size, after) = rest.split_once("\r\n").context("a chunk size")?;
        let size = usize::from_str_radix(size.trim(), 16).context("a chunk size")?;
        if size == 0 {
            break;
        }
        whole.push_str(after.get(..size).context("a whole chunk")?);
        rest = after.get(size + 2..).unwrap_or_default();
    }
    Ok(serde_json::from_str(&whole)?)
}

fn next_transaction() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
