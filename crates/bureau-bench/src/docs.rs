//! `bureau-bench docs`: the y-websocket endpoint of a page against the
//! stock Node server of npm `y-websocket@1` (`bin/server.js`) with its
//! LevelDB persistence on (`YPERSISTENCE`), on the same machine, with the
//! same load from the same Rust clients.
//!
//! 1. Replay: an editing trace of single-character edits, each its own
//!    Yjs update, sent as fast as the server takes them into one page; a
//!    second client on the page counts the relayed updates. Updates per
//!    second from the first send to the last relay, and how much the
//!    server's data folder grew.
//! 2. Many pages: a writer and a reader on each of `pages` pages, each
//!    writer typing one character every `interval`; propagation from the
//!    writer's send to the reader's receipt (p50, p99), and the server's
//!    peak resident memory per open page (with its two connections).
//!
//! The trace is synthetic and deterministic (mostly typing forward, some
//! backspaces, some cursor jumps), not the crdt-benchmarks B4 trace, which
//! this machine cannot download.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::Message;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{GetString, ReadTxn, Text, Transact};

use crate::footprint::{bench_admin, start_bureau};
use crate::process::{self, Scratch, Server};

/// A replay that takes longer has failed.
const REPLAY_LIMIT: Duration = Duration::from_secs(300);

pub struct Options {
    pub bureau: PathBuf,
    pub peers: PathBuf,
    pub edits: usize,
    pub pages: usize,
    pub seconds: u64,
    pub interval: Duration,
}

struct Figures {
    updates_per_sec: f64,
    persisted_bytes: u64,
    p50: Duration,
    p99: Duration,
    propagated: usize,
    rss_per_page_kib: f64,
}

pub async fn run(options: &Options) -> anyhow::Result<()> {
    let scratch = Scratch::create()?;
    println!(
        "Making a trace of {} single-character edits...",
        options.edits
    );
    let trace = trace(options.edits, 1, true);
    println!("Measuring bureau...");
    let bureau = measure_bureau(options, &scratch, &trace).await?;
    println!("Measuring the peer, y-websocket@1 on Node with YPERSISTENCE (LevelDB)...");
    let peer = measure_peer(options, &scratch, &trace).await?;
    print(options, &bureau, &peer);
    Ok(())
}

/// Where clients of one page connect, and how they authenticate.
trait Endpoint {
    fn request(&self, page: &str) -> anyhow::Result<Request>;
}

struct Bureau {
    addr: std::net::SocketAddr,
    token: String,
}

impl Endpoint for Bureau {
    fn request(&self, page: &str) -> anyhow::Result<Request> {
        let mut request =
            format!("ws://{}/api/v1/docs/{page}/sync", self.addr).into_client_request()?;
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {}", self.token).parse()?);
        Ok(request)
    }
}

struct Peer {
    addr: std::net::SocketAddr,
}

impl Endpoint for Peer {
    fn request(&self, page: &str) -> anyhow::Result<Request> {
        Ok(format!("ws://{}/{page}", self.addr).into_client_request()?)
    }
}

async fn measure_bureau(
    options: &Options,
    scratch: &Scratch,
    trace: &Trace,
) -> anyhow::Result<Figures> {
    let bin = &options.bureau;
    let data = scratch.folder("bureau-docs")?;
    let token = bench_admin(bin, &data).await?;
    let (server, _) = start_bureau(bin, &data).await?;
    let space = create(
        &server,
        &token,
        "/api/v1/spaces",
        serde_json::json!({ "name": "Bench" }),
    )
    .await?;
    let mut pages = Vec::new();
    for i in 0..=options.pages {
        let body = serde_json::json!({ "space_id": space, "title": format!("Page {i}") });
        pages.push(
            create(&server, &token, "/api/v1/pages", body)
                .await?
                .to_string(),
        );
    }
    let endpoint = Bureau {
        addr: server.addr,
        token,
    };
    measure(options, server, &endpoint, &data, &pages, trace).await
}

async fn measure_peer(
    options: &Options,
    scratch: &Scratch,
    trace: &Trace,
) -> anyhow::Result<Figures> {
    let server_js = options.peers.join("node_modules/y-websocket/bin/server.js");
    ensure!(
        server_js.exists(),
        "{} is missing: `cargo xtask bench docs` installs it",
        server_js.display()
    );
    let data = scratch.folder("peer-docs")?;
    let addr = process::free_addr()?;
    let mut command = Command::new("node");
    command
        .arg(&server_js)
        .env("HOST", addr.ip().to_string())
        .env("PORT", addr.port().to_string())
        .env("YPERSISTENCE", &data);
    let (server, _) = Server::start(command, addr, "/", &data.with_extension("log")).await?;
    let endpoint = Peer { addr };
    let pages: Vec<String> = (0..=options.pages).map(|i| format!("page-{i}")).collect();
    measure(options, server, &endpoint, &data, &pages, trace).await
}

/// Both parts against one server, whose data lives in `data`; the first
/// page takes the replay, the others the many-pages load.
async fn measure(
    options: &Options,
    server: Server,
    endpoint: &dyn Endpoint,
    data: &std::path::Path,
    pages: &[String],
    trace: &Trace,
) -> anyhow::Result<Figures> {
    let before = process::disk_size(data)?;
    let updates_per_sec = replay(endpoint, &pages[0], trace).await?;
    let (p50, p99, propagated, rss_per_page_kib) =
        many_pages(options, &server, endpoint, &pages[1..]).await?;
    // Measured once the server has stopped as asked (SIGTERM): SQLite
    // then folds its write-ahead log into the database, LevelDB closes.
    server.terminate().await;
    let persisted_bytes = process::disk_size(data)?.saturating_sub(before);
    Ok(Figures {
        updates_per_sec,
        persisted_bytes,
        p50,
        p99,
        propagated,
        rss_per_page_kib,
    })
}

async fn create(
    server: &Server,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> anyhow::Result<i64> {
    let (status, answer) =
        process::send_json(server.addr, "POST", path, token, &body.to_string()).await?;
    ensure!(status == 201, "POST {path} answered {status}: {answer}");
    let value: serde_json::Value = serde_json::from_str(&answer)?;
    value["id"].as_i64().context("the answer has an id")
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(endpoint: &dyn Endpoint, page: &str) -> anyhow::Result<Socket> {
    let (socket, _) = tokio_tungstenite::connect_async(endpoint.request(page)?)
        .await
        .with_context(|| format!("connecting to page {page}"))?;
    Ok(socket)
}

/// Sends the whole trace into one page and waits until a second client
/// holds all of it; returns updates per second.
async fn replay(endpoint: &dyn Endpoint, page: &str, trace: &Trace) -> anyhow::Result<f64> {
    let mut observer = connect(endpoint, page).await?;
    let writer = connect(endpoint, page).await?;
    // Let both joins settle, so the observer is in the room before the
    // first update.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let frames: Vec<Message> = trace
        .messages
        .iter()
        .map(|m| Message::Binary(m.clone().into()))
        .collect();
    let total = frames.len();
    let replica = Replica::new();
    let started = Instant::now();
    let send = tokio::spawn(async move {
        let (mut sink, mut stream) = writer.split();
        // Whatever the server sends the writer must be read, or the server
        // would find it slow.
        let drain = tokio::spawn(async move { while stream.next().await.is_some() {} });
        for frame in frames {
            sink.feed(frame).await?;
        }
        sink.flush().await?;
        anyhow::Ok((sink, drain))
    });
    let deadline = Instant::now() + REPLAY_LIMIT;
    loop {
        let Ok(frame) = tokio::time::timeout_at(deadline.into(), observer.next()).await else {
            anyhow::bail!(
                "the replay took more than {REPLAY_LIMIT:?}: the observer holds {} of {} characters",
                replica.text().chars().count(),
                trace.text.chars().count()
            );
        };
        match frame {
            Some(Ok(message)) => {
                if replica.apply(&message) && replica.holds(trace) {
                    break;
                }
            }
            other => anyhow::bail!("the observer's socket ended: {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    let (sink, drain) = send.await??;
    drop(sink);
    drain.abort();
    Ok(total as f64 / elapsed.as_secs_f64())
}

/// Writers and readers on many pages; returns propagation p50 and p99, how
/// many updates were timed, and the server's memory per open page.
async fn many_pages(
    options: &Options,
    server: &Server,
    endpoint: &dyn Endpoint,
    pages: &[String],
) -> anyhow::Result<(Duration, Duration, usize, f64)> {
    let idle_kib = server.rss_kib()?;
    let per_page =
        (options.seconds * 1000 / options.interval.as_millis().max(1) as u64) as usize + 1;
    let mut tasks = Vec::new();
    let mut readers = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let reader = connect(endpoint, page).await?;
        let writer = connect(endpoint, page).await?;
        readers.push(reader);
        tasks.push((writer, trace(per_page, 1000 + i as u64, false)));
    }
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for ((writer, trace), reader) in tasks.into_iter().zip(readers) {
        let sent = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let interval = options.interval;
        let count = trace.messages.len();
        let client = trace.client;
        // Pages start spread over one interval, not all at once.
        let offset = interval.mul_f64(handles.len() as f64 / (2 * pages.len()) as f64);
        let sent_by_writer = sent.clone();
        handles.push(tokio::spawn(async move {
            let (mut sink, mut stream) = writer.split();
            let drain = tokio::spawn(async move { while stream.next().await.is_some() {} });
            tokio::time::sleep(offset).await;
            let mut tick = tokio::time::interval(interval);
            for update in trace.messages {
                tick.tick().await;
                sent_by_writer.lock().expect("lock").push(Instant::now());
                if sink.send(Message::Binary(update.into())).await.is_err() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            drain.abort();
        }));
        let latencies = latencies.clone();
        handles.push(tokio::spawn(async move {
            // Edit k of an insert-only trace is the writer's item k: the
            // reader's clock for the writer says which edits arrived.
            let mut reader = reader;
            let replica = Replica::new();
            let mut seen = 0usize;
            let deadline = Instant::now() + interval * count as u32 + Duration::from_secs(30);
            while seen < count {
                let Ok(Some(Ok(message))) =
                    tokio::time::timeout_at(deadline.into(), reader.next()).await
                else {
                    break;
                };
                if !replica.apply(&message) {
                    continue;
                }
                let at = Instant::now();
                let clock = replica.clock(client) as usize;
                let sent = sent.lock().expect("lock");
                let mut latencies = latencies.lock().expect("lock");
                while seen < clock.min(sent.len()) {
                    latencies.push(at - sent[seen]);
                    seen += 1;
                }
            }
        }));
    }
    // Memory while every page is open, holds its edits, and is watched:
    // the highest of samples taken through the load (one sample at the end
    // can land just after a garbage collection).
    let until = Instant::now() + options.interval * per_page as u32 + Duration::from_secs(1);
    let mut loaded_kib = server.rss_kib()?;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        loaded_kib = loaded_kib.max(server.rss_kib()?);
    }
    for handle in handles {
        handle.await?;
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().expect("lock"));
    ensure!(!latencies.is_empty(), "no update reached a reader");
    latencies.sort();
    let pick = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    let per_page_kib = loaded_kib.saturating_sub(idle_kib) as f64 / pages.len() as f64;
    Ok((pick(50), pick(99), latencies.len(), per_page_kib))
}

/// A deterministic editing trace by Yjs client `seed + 1`: `edits`
/// y-websocket update messages, each one character typed (or, with
/// `deletions`, sometimes deleted) in a Yjs text; and the text at the end.
fn trace(edits: usize, seed: u64, deletions: bool) -> Trace {
    let doc = yrs::Doc::with_client_id(seed + 1);
    let text = doc.get_or_insert_text("content");
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    let mut cursor = 0u32;
    let mut messages = Vec::with_capacity(edits);
    for _ in 0..edits {
        let mut txn = doc.transact_mut();
        let len = text.len(&txn);
        let roll = next() % 100;
        if deletions && roll < 4 && len > 0 {
            cursor = next() % (len + 1);
        }
        if deletions && roll < 12 && cursor > 0 {
            text.remove_range(&mut txn, cursor - 1, 1);
            cursor -= 1;
        } else {
            let c = match next() % 8 {
                0 => " ",
                1 => "e",
                2 => "a",
                3 => "t",
                4 => "o",
                5 => "n",
                6 => "s",
                _ => "r",
            };
            text.insert(&mut txn, cursor, c);
            cursor += 1;
        }
        let update = txn.encode_update_v1();
        drop(txn);
        messages.push(yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(update)).encode_v1());
    }
    let txn = doc.transact();
    Trace {
        messages,
        client: seed + 1,
        state: txn.state_vector(),
        text: text.get_string(&txn),
    }
}

struct Trace {
    messages: Vec<Vec<u8>>,
    /// The Yjs client that made it.
    client: u64,
    state: yrs::StateVector,
    text: String,
}

/// A client's copy of a page: applies what the server sends.
struct Replica {
    doc: yrs::Doc,
}

impl Replica {
    fn new() -> Replica {
        Replica {
            doc: yrs::Doc::new(),
        }
    }

    /// Applies a frame if it carries content (sync step 2 or update);
    /// returns whether it did.
    fn apply(&self, message: &Message) -> bool {
        let Message::Binary(bytes) = message else {
            return false;
        };
        let Ok(yrs::sync::Message::Sync(
            yrs::sync::SyncMessage::SyncStep2(update) | yrs::sync::SyncMessage::Update(update),
        )) = yrs::sync::Message::decode_v1(bytes)
        else {
            return false;
        };
        let Ok(update) = yrs::Update::decode_v1(&update) else {
            return false;
        };
        self.doc.transact_mut().apply_update(update).is_ok()
    }

    /// How many of `client`'s items this copy holds.
    fn clock(&self, client: u64) -> u32 {
        self.doc
            .transact()
            .state_vector()
            .get(&yrs::block::ClientID::new(client))
    }

    fn text(&self) -> String {
        // The text is looked up before the transaction: looking it up
        // takes a write lock of its own.
        let text = self.doc.get_or_insert_text("content");
        let txn = self.doc.transact();
        text.get_string(&txn)
    }

    /// Whether this copy holds the whole trace: all its items, and its
    /// deletions (the text matches).
    fn holds(&self, trace: &Trace) -> bool {
        self.doc.transact().state_vector() == trace.state && self.text() == trace.text
    }
}

fn print(options: &Options, bureau: &Figures, peer: &Figures) {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    println!();
    println!(
        "Docs sync: bureau's /api/v1/docs/{{id}}/sync against y-websocket@1's bin/server.js \
         (YPERSISTENCE=LevelDB), same clients, same machine, same run."
    );
    println!(
        "{:<48} {:>14} {:>14} {:>10}",
        "", "bureau", "y-websocket", "ratio"
    );
    println!(
        "{:<48} {:>14.0} {:>14.0} {:>9.2}x",
        format!("replay of {} edits into one page, updates/s", options.edits),
        bureau.updates_per_sec,
        peer.updates_per_sec,
        ratio(bureau.updates_per_sec, peer.updates_per_sec)
    );
    println!(
        "{:<48} {:>14} {:>14} {:>9.2}x",
        "data folder growth after the run, KiB",
        bureau.persisted_bytes / 1024,
        peer.persisted_bytes / 1024,
        ratio(peer.persisted_bytes as f64, bureau.persisted_bytes as f64)
    );
    println!(
        "{:<48} {:>14} {:>14} {:>9.2}x",
        format!(
            "propagation p50, {} pages x 1 edit/{:?}",
            options.pages, options.interval
        ),
        format!("{:.1} ms", bureau.p50.as_secs_f64() * 1000.0),
        format!("{:.1} ms", peer.p50.as_secs_f64() * 1000.0),
        ratio(peer.p50.as_secs_f64(), bureau.p50.as_secs_f64())
    );
    println!(
        "{:<48} {:>14} {:>14} {:>9.2}x",
        "propagation p99",
        format!("{:.1} ms", bureau.p99.as_secs_f64() * 1000.0),
        format!("{:.1} ms", peer.p99.as_secs_f64() * 1000.0),
        ratio(peer.p99.as_secs_f64(), bureau.p99.as_secs_f64())
    );
    println!(
        "{:<48} {:>14.1} {:>14.1} {:>9.2}x",
        "peak resident memory per open page (2 sockets, its edits), KiB",
        bureau.rss_per_page_kib,
        peer.rss_per_page_kib,
        ratio(peer.rss_per_page_kib, bureau.rss_per_page_kib)
    );
    println!(
        "updates timed: bureau {}, peer {}. Ratios are peer/bureau except updates/s \
         (bureau/peer): above 1 means bureau does better. Targets: updates/s >= 5x, \
         p99 no worse, memory per page <= 1/3 (ratio >= 3).",
        bureau.propagated, peer.propagated
    );
}
