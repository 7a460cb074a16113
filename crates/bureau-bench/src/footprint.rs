//! The `footprint` benchmark: how fast bureau starts, how much memory it
//! holds idle and per idle event WebSocket, how big it is, and how long one
//! event takes to reach 10,000 sockets; the same for the peer, the Node
//! server of npm `y-websocket@1` with one room of 10,000 clients.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::process::{self, Scratch, Server};
use crate::sockets::{self, Listeners};

pub struct Options {
    /// The bureau executable.
    pub bureau: PathBuf,
    /// The folder of the peers' package.json, with node_modules installed.
    pub peers: PathBuf,
    pub sockets: usize,
    pub rounds: usize,
}

/// Fresh starts timed per server; the median is reported.
const STARTS: usize = 5;
/// Pause after a start, and after opening the sockets, before reading memory.
const SETTLE: Duration = Duration::from_secs(1);
/// Pause between two rounds of fan-out.
const ROUND_GAP: Duration = Duration::from_millis(200);
/// A round whose message has not reached every socket by then failed.
const ROUND_LIMIT: Duration = Duration::from_secs(10);
/// Open files the bench needs beside its sockets.
const SPARE_FILES: usize = 256;

pub async fn run(options: &Options) -> anyhow::Result<()> {
    let limit = process::open_files_limit()?;
    if limit < options.sockets + SPARE_FILES {
        bail!(
            "{} sockets need {} open files and this process may open {limit}: \
             run it through `cargo xtask bench`, which raises the limit, or ask for fewer \
             (BENCH_SOCKETS=1000)",
            thousands(options.sockets),
            thousands(options.sockets + SPARE_FILES),
        );
    }
    let scratch = Scratch::create()?;
    println!(
        "Measuring bureau ({} sockets, {} rounds)...",
        thousands(options.sockets),
        options.rounds
    );
    let bureau = measure_bureau(options, &scratch).await;
    println!("Measuring the peer, y-websocket@1 on Node...");
    let peer = measure_peer(options, &scratch).await;
    println!();
    print_table(options, &bureau, &peer);
    match (bureau, peer) {
        (Ok(_), Ok(_)) => Ok(()),
        (Err(error), _) => Err(error.context("measuring bureau")),
        (_, Err(error)) => Err(error.context("measuring the peer")),
    }
}

/// What one server was measured at.
struct Figures {
    /// Median time from spawn to the first 200.
    ready: Duration,
    idle_rss_kib: u64,
    loaded_rss_kib: u64,
    disk_bytes: u64,
    fan_out: FanOut,
    /// A few words on what `disk_bytes` counts.
    disk_note: String,
}

async fn measure_bureau(options: &Options, scratch: &Scratch) -> anyhow::Result<Figures> {
    let bin = &options.bureau;
    let mut starts = Vec::new();
    for start in 0..STARTS {
        let data = scratch.folder(&format!("bureau-start-{start}"))?;
        let (server, ready) = start_bureau(bin, &data).await?;
        server.stop().await;
        starts.push(ready);
    }

    let data = scratch.folder("bureau")?;
    let token = bench_admin(bin, &data).await?;
    let token = token.as_str();

    let (server, _) = start_bureau(bin, &data).await?;
    tokio::time::sleep(SETTLE).await;
    let idle_rss_kib = server.rss_kib()?;

    let mut request = format!("ws://{}/api/v1/events", server.addr).into_client_request()?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse()?);
    let mut listeners = sockets::listen(&request, options.sockets, Arc::new(bureau_round)).await?;
    tokio::time::sleep(SETTLE).await;
    let loaded_rss_kib = server.rss_kib()?;

    let addr = server.addr;
    let fan_out = fan_out(&mut listeners, options.rounds, async |round| {
        let body = serde_json::json!({ "display_name": display_name(round) }).to_string();
        let (status, answer) =
            process::send_json(addr, "PATCH", "/api/v1/me", token, &body).await?;
        ensure!(
            status == 200,
            "PATCH /api/v1/me answered {status}: {answer}"
        );
        Ok(())
    })
    .await?;
    drop(listeners);
    server.stop().await;

    Ok(Figures {
        ready: median(starts),
        idle_rss_kib,
        loaded_rss_kib,
        disk_bytes: process::disk_size(bin)?,
        fan_out,
        disk_note: "the executable".into(),
    })
}

pub(crate) async fn start_bureau(bin: &Path, data: &Path) -> anyhow::Result<(Server, Duration)> {
    start_bureau_media(bin, data, std::net::Ipv4Addr::LOCALHOST.into()).await
}

/// Starts bureau with its meetings' media on `media_ip` (a port picked).
pub(crate) async fn start_bureau_media(
    bin: &Path,
    data: &Path,
    media_ip: std::net::IpAddr,
) -> anyhow::Result<(Server, Duration)> {
    let addr = process::free_addr()?;
    let mut command = bureau_command(bin, data);
    command.args([
        "serve",
        "--listen",
        &addr.to_string(),
        "--media-udp",
        &std::net::SocketAddr::new(media_ip, 0).to_string(),
    ]);
    Server::start(command, addr, "/healthz", &data.with_extension("log")).await
}

/// Makes the admin `bench` in a new data folder; returns an API token.
pub(crate) async fn bench_admin(bin: &Path, data: &Path) -> anyhow::Result<String> {
    admin(
        bin,
        data,
        &[
            "create-user",
            "--name",
            "bench",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a bench password, long enough\n",
    )
    .await?;
    let token = admin(bin, data, &["create-token", "--user", "bench"], "").await?;
    Ok(token.trim().to_string())
}

/// Runs `bureau admin ARGS` on the data folder, with `input` on its standard
/// input, and returns what it printed.
async fn admin(bin: &Path, data: &Path, args: &[&str], input: &str) -> anyhow::Result<String> {
    let mut child = bureau_command(bin, data)
        .arg("admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting bureau admin")?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    stdin.write_all(input.as_bytes()).await?;
    drop(stdin);
    let output = child.wait_with_output().await?;
    ensure!(
        output.status.success(),
        "bureau admin {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

/// `bureau` on its embedded defaults in `data`, whatever `BUREAU_*` settings
/// the caller's environment holds.
fn bureau_command(bin: &Path, data: &Path) -> Command {
    let mut command = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BUREAU_") {
            command.env_remove(name);
        }
    }
    // A log filter for the server under test, when looking into a run.
    if let Some(filter) = std::env::var_os("BENCH_BUREAU_LOG") {
        command.env("BUREAU_LOG", filter);
    }
    command.arg("--data-dir").arg(data);
    command
}

fn display_name(round: usize) -> String {
    format!("bench round {round}")
}

/// The round of a `user.updated` event that carries a display name set by
/// the bench.
fn bureau_round(message: &Message) -> Option<usize> {
    let Message::Text(text) = message else {
        return None;
    };
    let event: serde_json::Value = serde_json::from_str(text.as_str()).ok()?;
    if event["kind"] != "user.updated" {
        return None;
    }
    event["data"]["display_name"]
        .as_str()?
        .strip_prefix("bench round ")?
        .parse()
        .ok()
}

async fn measure_peer(options: &Options, scratch: &Scratch) -> anyhow::Result<Figures> {
    let server_js = options.peers.join("node_modules/y-websocket/bin/server.js");
    ensure!(
        server_js.exists(),
        "{} is missing: run `npm ci` in {} (cargo xtask bench does)",
        server_js.display(),
        options.peers.display()
    );
    let logs = scratch.folder("peer")?;
    let mut starts = Vec::new();
    for start in 0..STARTS {
        let (server, ready) =
            start_peer(&server_js, &logs.join(format!("start-{start}.log"))).await?;
        server.stop().await;
        starts.push(ready);
    }

    let updates = yjs_updates(&options.peers, options.rounds).await?;
    let (server, _) = start_peer(&server_js, &logs.join("peer.log")).await?;
    tokio::time::sleep(SETTLE).await;
    let idle_rss_kib = server.rss_kib()?;

    let request = format!("ws://{}/room1", server.addr).into_client_request()?;
    let broadcasts: Vec<Vec<u8>> = updates
        .iter()
        .map(|(_, broadcast)| broadcast.clone())
        .collect();
    let matcher = Arc::new(move |message: &Message| match message {
        Message::Binary(bytes) => broadcasts.iter().position(|b| b[..] == bytes[..]),
        _ => None,
    });
    let mut listeners = sockets::listen(&request, options.sockets, matcher).await?;
    // One more client sends the updates; the server echoes them to it as
    // well, which it reads and ignores.
    let (mut sender, mut echoes) = sockets::open(&request).await?.split();
    tokio::spawn(async move { while let Some(Ok(_)) = echoes.next().await {} });
    tokio::time::sleep(SETTLE).await;
    let loaded_rss_kib = server.rss_kib()?;

    let fan_out = fan_out(&mut listeners, options.rounds, async |round| {
        let (update, _) = &updates[round];
        sender.send(Message::Binary(update.clone().into())).await?;
        Ok(())
    })
    .await?;
    drop(listeners);
    server.stop().await;

    let node = which("node")?;
    let node_bytes = process::disk_size(&node)?;
    let modules_bytes = process::disk_size(&options.peers.join("node_modules"))?;
    Ok(Figures {
        ready: median(starts),
        idle_rss_kib,
        loaded_rss_kib,
        disk_bytes: node_bytes + modules_bytes,
        fan_out,
        disk_note: format!(
            "node {} + node_modules {}",
            mib(node_bytes),
            mib(modules_bytes)
        ),
    })
}

async fn start_peer(server_js: &Path, log: &Path) -> anyhow::Result<(Server, Duration)> {
    let addr = process::free_addr()?;
    let mut command = Command::new("node");
    command
        .arg(server_js)
        .env("HOST", addr.ip().to_string())
        .env("PORT", addr.port().to_string())
        .env_remove("YPERSISTENCE");
    // Its HTTP server answers any GET with 200 "okay".
    Server::start(command, addr, "/", log).await
}

/// One round per element: the y-websocket message a client sends with a new
/// Yjs update, and the message the server broadcasts once it has applied it.
/// `bench/yjs-updates.mjs` makes the updates with the real `yjs`.
async fn yjs_updates(peers: &Path, rounds: usize) -> anyhow::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let output = Command::new("node")
        .arg(peers.join("yjs-updates.mjs"))
        .arg(rounds.to_string())
        .stderr(Stdio::inherit())
        .output()
        .await
        .context("running bench/yjs-updates.mjs")?;
    ensure!(output.status.success(), "bench/yjs-updates.mjs failed");
    let text = String::from_utf8(output.stdout)?;
    let updates: Vec<_> = text
        .lines()
        .map(|line| {
            let (sent, broadcast) = line.split_once(' ').context("a line has two updates")?;
            Ok((sync_update(&hex(sent)?), sync_update(&hex(broadcast)?)))
        })
        .collect::<anyhow::Result<_>>()?;
    ensure!(
        updates.len() == rounds,
        "bench/yjs-updates.mjs made {} updates, not {rounds}",
        updates.len()
    );
    Ok(updates)
}

/// A y-websocket message carrying a Yjs update: varUint(0 = sync),
/// varUint(2 = update), then the update as a varUint length and its bytes.
fn sync_update(update: &[u8]) -> Vec<u8> {
    let mut message = vec![0, 2];
    let mut length = update.len();
    while length >= 0x80 {
        message.push((length as u8 & 0x7f) | 0x80);
        length >>= 7;
    }
    message.push(length as u8);
    message.extend_from_slice(update);
    message
}

fn hex(text: &str) -> anyhow::Result<Vec<u8>> {
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .filter(|pair| pair.len() == 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .context("bench/yjs-updates.mjs printed something other than hex")
        })
        .collect()
}

/// How long one message took to reach the sockets, over all rounds.
struct FanOut {
    /// Until the first socket had it, one per round.
    first: Vec<Duration>,
    /// Until the last socket had it, one per round.
    last: Vec<Duration>,
    /// Until each socket had it, all rounds together.
    each: Vec<Duration>,
}

/// Runs `rounds` rounds: each one `trigger`s one message to every socket and
/// waits until all have it.
async fn fan_out(
    listeners: &mut Listeners,
    rounds: usize,
    mut trigger: impl AsyncFnMut(usize) -> anyhow::Result<()>,
) -> anyhow::Result<FanOut> {
    let mut fan_out = FanOut {
        first: Vec::with_capacity(rounds),
        last: Vec::with_capacity(rounds),
        each: Vec::new(),
    };
    for round in 0..rounds {
        let sent = Instant::now();
        trigger(round).await?;
        let latencies = listeners.deliveries(round, sent, ROUND_LIMIT).await?;
        let first = latencies.iter().min().copied().unwrap_or_default();
        let last = latencies.iter().max().copied().unwrap_or_default();
        fan_out.first.push(first);
        fan_out.last.push(last);
        fan_out.each.extend(latencies);
        tokio::time::sleep(ROUND_GAP).await;
    }
    Ok(fan_out)
}

/// Where `program` is found on the PATH, links resolved.
fn which(program: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .with_context(|| format!("{program} is not on the PATH"))?
        .canonicalize()
        .context("resolving the path of node")
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The nearest-rank percentile `p` (0 to 100) of `values`.
fn percentile(values: &[Duration], p: usize) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// One row of the table: a figure for each server, how they compare, and
/// bureau's target when it has one.
struct Row {
    figure: String,
    bureau: Option<f64>,
    peer: Option<f64>,
    unit: Unit,
    /// The most bureau may measure, in the row's unit.
    target: Option<f64>,
}

#[derive(Clone, Copy)]
enum Unit {
    Milliseconds,
    MiB,
    KiB,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Milliseconds => "ms",
            Unit::MiB => "MiB",
            Unit::KiB => "KiB",
        }
    }

    fn show(self, value: f64) -> String {
        format!("{value:.1} {}", self.suffix())
    }
}

fn print_table(
    options: &Options,
    bureau: &anyhow::Result<Figures>,
    peer: &anyhow::Result<Figures>,
) {
    let sockets = thousands(options.sockets);
    let rounds = options.rounds;
    let figure =
        |f: &dyn Fn(&Figures) -> f64| (bureau.as_ref().ok().map(f), peer.as_ref().ok().map(f));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let row = |figure: String, (bureau, peer), unit, target| Row {
        figure,
        bureau,
        peer,
        unit,
        target,
    };
    let rows = [
        row(
            format!("ready: spawn to first 200 (median of {STARTS})"),
            figure(&|f| ms(f.ready)),
            Unit::Milliseconds,
            Some(300.0),
        ),
        row(
            "idle RSS, 1 s after start".into(),
            figure(&|f| f.idle_rss_kib as f64 / 1024.0),
            Unit::MiB,
            Some(40.0),
        ),
        row(
            "on-disk size (see note)".into(),
            figure(&|f| f.disk_bytes as f64 / (1024.0 * 1024.0)),
            Unit::MiB,
            None,
        ),
        row(
            format!("RSS with {sockets} idle WebSockets"),
            figure(&|f| f.loaded_rss_kib as f64 / 1024.0),
            Unit::MiB,
            None,
        ),
        row(
            "RSS per idle WebSocket".into(),
            figure(&|f| (f.loaded_rss_kib as f64 - f.idle_rss_kib as f64) / options.sockets as f64),
            Unit::KiB,
            Some(30.0),
        ),
        row(
            format!("one message to the first socket, p50 of {rounds} rounds"),
            figure(&|f| ms(percentile(&f.fan_out.first, 50))),
            Unit::Milliseconds,
            None,
        ),
        row(
            format!("one message to all {sockets} sockets, p50 of {rounds} rounds"),
            figure(&|f| ms(percentile(&f.fan_out.last, 50))),
            Unit::Milliseconds,
            None,
        ),
        row(
            format!("one message to all {sockets} sockets, p99 of {rounds} rounds"),
            figure(&|f| ms(percentile(&f.fan_out.last, 99))),
            Unit::Milliseconds,
            Some(200.0),
        ),
        row(
            format!(
                "one delivery to one socket, p50 of {}",
                thousands(options.sockets * rounds)
            ),
            figure(&|f| ms(percentile(&f.fan_out.each, 50))),
            Unit::Milliseconds,
            None,
        ),
    ];

    let mut lines = vec![[
        "figure".to_string(),
        "bureau".to_string(),
        "peer (y-websocket@1 on Node)".to_string(),
        "bureau/peer".to_string(),
        "bureau's target".to_string(),
    ]];
    for row in &rows {
        let shown = |value: Option<f64>| value.map_or("failed".into(), |v| row.unit.show(v));
        let ratio = match (row.bureau, row.peer) {
            (Some(b), Some(p)) if p > 0.0 => format!("{:.2}", b / p),
            _ => "-".into(),
        };
        let target = match (row.target, row.bureau) {
            (Some(target), Some(b)) => format!(
                "<= {target} {} ({})",
                row.unit.suffix(),
                if b <= target { "met" } else { "MISSED" }
            ),
            (Some(target), None) => format!("<= {target} {}", row.unit.suffix()),
            (None, _) => "-".into(),
        };
        lines.push([
            row.figure.clone(),
            shown(row.bureau),
            shown(row.peer),
            ratio,
            target,
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }

    println!();
    println!("Notes:");
    for (name, figures) in [("bureau", bureau), ("peer", peer)] {
        match figures {
            Ok(figures) => println!("- {name}'s on-disk size is {}.", figures.disk_note),
            Err(error) => println!("- {name} failed: {error:#}"),
        }
    }
    println!(
        "- The fan-out figures are comparable in shape (one server broadcasting one small \
         message to {sockets} idle sockets) but not identical workloads: bureau's round is an \
         authenticated PATCH /api/v1/me (a database write, then a user.updated event to every \
         socket, each checked for visibility); the peer's is one Yjs update sent into a \
         y-websocket room over one more socket, applied to the room's in-memory document and \
         broadcast. The clock starts just before the request or the update is sent."
    );
    println!(
        "- RSS is VmRSS from /proc; the per-socket figure is (RSS with sockets - idle RSS) / \
         {sockets}. The peer runs in memory, without YPERSISTENCE."
    );
    println!(
        "- Absolute times on a small shared machine are noisy; the ratio is the figure to read."
    );
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// 10000 as "10,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|group| std::str::from_utf8(group).expect("digits are ASCII"))
        .collect();
    groups.join(",")
}
