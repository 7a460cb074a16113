//! `bureau-bench files`: the file server against its peers on the same
//! machine, files and run: nginx (static GET), `rclone serve webdav` and
//! dufs. Figures: 1 GiB GET and PUT throughput, 10,000 small-file PUTs,
//! PROPFIND depth 1 of a 10,000-entry folder, and bureau's peak resident
//! memory during the 1 GiB PUT. Each timing is the median of several runs.
//!
//! Every server is driven by the same client code: raw HTTP/1.1 over TCP
//! for the big transfers (the file streams from disk to the socket), a
//! keep-alive reqwest pool with 16 workers for the small ones.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;

use crate::process::{self, Scratch, Server};

pub struct Options {
    pub bureau: PathBuf,
    /// The dufs executable (`cargo install dufs`).
    pub dufs: PathBuf,
    /// Size of the big file, in MiB (1024 for the figures of record).
    pub big_mib: u64,
    pub small_files: usize,
    pub rounds: usize,
    /// What to measure (all of it for the figures of record).
    pub parts: Vec<Part>,
}

/// A part of the benchmark, to run one alone while working on it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    /// 1 GiB PUT and GET, and bureau's memory during the PUT.
    Big,
    /// Many small PUTs.
    Small,
    /// PROPFIND of the folder the small PUTs filled.
    Propfind,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Big, Part::Small, Part::Propfind];

    pub fn parse(name: &str) -> anyhow::Result<Part> {
        match name {
            "big" => Ok(Part::Big),
            "small" => Ok(Part::Small),
            "propfind" => Ok(Part::Propfind),
            other => bail!("unknown part `{other}`; there are `big`, `small` and `propfind`"),
        }
    }
}

const SMALL_SIZE: usize = 4096;
const WORKERS: usize = 16;

/// A WebDAV (or plain HTTP) server under measurement.
struct Peer {
    name: &'static str,
    server: Server,
    /// URL path prefix of the writable tree, e.g. `/dav`.
    prefix: &'static str,
    /// `Authorization` header value, if the server wants one.
    auth: Option<String>,
}

/// A figure per server.
type Figures = Vec<(&'static str, f64)>;

pub async fn run(options: &Options) -> anyhow::Result<()> {
    if options.parts.contains(&Part::Propfind) && !options.parts.contains(&Part::Small) {
        bail!("the PROPFIND part lists the folder the small PUTs fill: add `small` to --parts");
    }
    // The bench account keeps the default 10 GiB quota; deleted big files
    // stay in its trash.
    if options.big_mib * options.rounds as u64 > 9 * 1024 {
        bail!("--big-mib times --rounds must stay within 9 GiB, the bench account's quota");
    }
    let scratch = Scratch::create()?;
    let big = scratch.folder("source")?.join("big.bin");
    let bureau = start_bureau(&options.bureau, &scratch).await?;
    let rclone = start_rclone(&scratch).await?;
    let dufs = start_dufs(&options.dufs, &scratch).await?;
    let nginx = start_nginx(&scratch, big.parent().expect("the file has a folder")).await?;
    let writers = [&bureau, &rclone, &dufs];

    let (mut put, mut get, mut small, mut propfind) = (vec![], vec![], vec![], vec![]);
    let mut bureau_peak_kib = None;
    if options.parts.contains(&Part::Big) {
        println!("Writing a {} MiB file to measure with...", options.big_mib);
        write_big_file(&big, options.big_mib).await?;
        let big_len = std::fs::metadata(&big)?.len();
        println!();
        println!(
            "1 GiB-class transfers: {} MiB, median of {} runs, MB/s (higher is better)",
            options.big_mib, options.rounds
        );
        // The servers take turns within each round, in an order that
        // rotates, so a slow spell of this shared machine falls on all.
        let mut peak_kib = 0;
        let mut speeds: Vec<Vec<f64>> = vec![Vec::new(); writers.len()];
        for round in 0..options.rounds {
            let mut line = format!("  PUT round {}:", round + 1);
            for at in turns(round, writers.len()) {
                let peer = writers[at];
                let path = format!("{}/big-{round}.bin", peer.prefix);
                let sampler = RssSampler::start(peer.server.pid);
                let seconds = put_file(peer, &path, &big, big_len).await?;
                let peak = sampler.stop().await;
                if peer.name == "bureau" {
                    peak_kib = peak_kib.max(peak);
                }
                let speed = big_len as f64 / seconds / 1e6;
                line.push_str(&format!(" {} {speed:.0}", peer.name));
                speeds[at].push(speed);
            }
            println!("{line}");
        }
        bureau_peak_kib = Some(peak_kib);
        let readers = [&bureau, &rclone, &dufs, &nginx];
        let mut get_speeds: Vec<Vec<f64>> = vec![Vec::new(); readers.len()];
        for round in 0..options.rounds {
            let mut line = format!("  GET round {}:", round + 1);
            for at in turns(round, readers.len()) {
                let peer = readers[at];
                let path = if peer.name == "nginx" {
                    "/big.bin".to_string()
                } else {
                    format!("{}/big-0.bin", peer.prefix)
                };
                let (seconds, bytes) = get_file(peer, &path).await?;
                if bytes != big_len {
                    bail!(
                        "{} answered {bytes} bytes of {big_len} for {path}",
                        peer.name
                    );
                }
                let speed = big_len as f64 / seconds / 1e6;
                line.push_str(&format!(" {} {speed:.0}", peer.name));
                get_speeds[at].push(speed);
            }
            println!("{line}");
        }
        for (peer, mut speeds) in writers.iter().zip(speeds) {
            let speed = median(&mut speeds);
            println!("  PUT  {:<8} {speed:>8.1} MB/s", peer.name);
            put.push((peer.name, speed));
        }
        for (peer, mut speeds) in readers.iter().zip(get_speeds) {
            let speed = median(&mut speeds);
            println!("  GET  {:<8} {speed:>8.1} MB/s", peer.name);
            get.push((peer.name, speed));
        }
        // Free the disk before the next part.
        for peer in writers {
            for round in 0..options.rounds {
                let _ = request(
                    peer,
                    "DELETE",
                    &format!("{}/big-{round}.bin", peer.prefix),
                    None,
                )
                .await;
            }
        }
    }

    if options.parts.contains(&Part::Small) {
        small = measure_small_puts(options, writers).await?;
    }
    if options.parts.contains(&Part::Propfind) {
        propfind = measure_propfind(options, writers).await?;
    }

    let of = |list: &[(&str, f64)], name: &str| {
        list.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or(f64::NAN)
    };
    let best = |list: &[(&str, f64)]| of(list, "rclone").max(of(list, "dufs"));
    println!();
    println!("Ratios (target in brackets):");
    if !get.is_empty() {
        println!(
            "  GET 1 GiB        bureau / nginx            {:.2}x  [>= 0.9]",
            of(&get, "bureau") / of(&get, "nginx")
        );
        println!(
            "  PUT 1 GiB        bureau / best(rclone,dufs) {:.2}x  [>= 1]",
            of(&put, "bureau") / best(&put)
        );
    }
    if !small.is_empty() {
        println!(
            "  small PUTs       bureau / best(rclone,dufs) {:.2}x  [>= 1]",
            of(&small, "bureau") / best(&small)
        );
    }
    for (label, times) in &propfind {
        println!(
            "  PROPFIND {label:<15} rclone time / bureau time {:.2}x  [>= 2]",
            of(times, "rclone") / of(times, "bureau")
        );
    }
    if let Some(kib) = bureau_peak_kib {
        println!(
            "  bureau peak RSS during the 1 GiB PUT: {:.1} MB  [<= 64]",
            kib as f64 * 1024.0 / 1e6
        );
    }
    for peer in [bureau, rclone, dufs, nginx] {
        peer.server.stop().await;
    }
    Ok(())
}

/// Small PUTs into a fresh folder per round; the servers take turns in an
/// order that rotates each round, so none always follows the same one (a
/// server's writes still being flushed slow whoever comes next).
async fn measure_small_puts(options: &Options, writers: [&Peer; 3]) -> anyhow::Result<Figures> {
    println!();
    println!(
        "{} small-file PUTs ({} bytes each, {WORKERS} clients on keep-alive connections), median of {} rounds, files/s (higher is better)",
        options.small_files, SMALL_SIZE, options.rounds
    );
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); writers.len()];
    for round in 0..options.rounds {
        let mut line = format!("  round {}:", round + 1);
        for at in turns(round, writers.len()) {
            let peer = writers[at];
            let folder = format!("{}/many-{round}", peer.prefix);
            request(peer, "MKCOL", &folder, None).await?;
            let rate = put_small_files(peer, &folder, options.small_files).await?;
            line.push_str(&format!(" {} {rate:.0}", peer.name));
            rates[at].push(rate);
        }
        println!("{line}");
    }
    let mut small = Vec::new();
    for (peer, mut rates) in writers.iter().zip(rates) {
        let rate = median(&mut rates);
        println!("  PUT  {:<8} {rate:>8.0} files/s", peer.name);
        small.push((peer.name, rate));
    }
    Ok(small)
}

/// PROPFIND Depth 1 of the first folder the small PUTs filled, asking for
/// every property and for rclone's list.
async fn measure_propfind(
    options: &Options,
    writers: [&Peer; 3],
) -> anyhow::Result<Vec<(&'static str, Figures)>> {
    println!();
    println!(
        "PROPFIND Depth: 1 of the {}-entry folder, median of {} runs, ms (lower is better)",
        options.small_files, options.rounds
    );
    let mut figures = Vec::new();
    for (label, body) in [("allprop", ""), ("rclone's props", RCLONE_PROPFIND)] {
        let mut times_of = Vec::new();
        for peer in writers {
            let mut times = Vec::new();
            for _ in 0..options.rounds {
                let started = Instant::now();
                let (status, text) = request(
                    peer,
                    "PROPFIND",
                    &format!("{}/many-0/", peer.prefix),
                    Some(body),
                )
                .await?;
                if status != 207 {
                    bail!("{} answered {status} to PROPFIND", peer.name);
                }
                let entries = text.matches("<D:response>").count()
                    + text.matches("<d:response>").count()
                    + text.matches("<D:response ").count();
                if entries < options.small_files {
                    bail!(
                        "{} listed {entries} of {} entries",
                        peer.name,
                        options.small_files
                    );
                }
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let ms = median(&mut times);
            println!("  {label:<15} {:<8} {ms:>8.1} ms", peer.name);
            times_of.push((peer.name, ms));
        }
        figures.push((label, times_of));
    }
    Ok(figures)
}

/// The body rclone sends to list a folder.
const RCLONE_PROPFIND: &str = r#"<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:prop>
  <d:displayname />
  <d:getlastmodified />
  <d:getcontentlength />
  <d:resourcetype />
  <d:getcontenttype />
  <oc:checksums />
  <oc:permissions />
 </d:prop>
</d:propfind>"#;

/// The order in which `count` servers take their turns in a round: it
/// rotates each round, so none always follows the same one.
fn turns(round: usize, count: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |turn| (turn + round) % count)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

async fn write_big_file(path: &Path, mib: u64) -> anyhow::Result<()> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut block = vec![0u8; 1024 * 1024];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for n in 0..mib {
        for byte in block.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
        block[0] = n as u8;
        file.write_all(&block).await?;
    }
    file.sync_all().await?;
    Ok(())
}

/// Samples a process's resident memory every 5 ms until stopped; returns
/// the largest sample, in KiB.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kib) = rss_kib(pid) {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        });
        RssSampler { stop, peak, task }
    }

    async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.peak.load(Ordering::Relaxed)
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

fn auth_header(peer: &Peer) -> String {
    peer.auth
        .as_ref()
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default()
}

/// PUTs a file from disk; returns the seconds from the first byte sent to
/// the answer.
async fn put_file(peer: &Peer, path: &str, file: &Path, len: u64) -> anyhow::Result<f64> {
    let mut stream = TcpStream::connect(peer.server.addr).await?;
    stream.set_nodelay(true)?;
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {}\r\n{}Content-Length: {len}\r\nConnection: close\r\n\r\n",
        peer.server.addr,
        auth_header(peer)
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await?;
    let mut source = tokio::fs::File::open(file).await?;
    tokio::io::copy(&mut source, &mut stream).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let seconds = started.elapsed().as_secs_f64();
    let status = String::from_utf8_lossy(&answer[..answer.len().min(12)]).to_string();
    if !(status.contains(" 201") || status.contains(" 204") || status.contains(" 200")) {
        bail!(
            "{} answered the PUT with {}",
            peer.name,
            String::from_utf8_lossy(&answer)
        );
    }
    Ok(seconds)
}

/// GETs a path and throws the bytes away; returns the seconds and the
/// number of body bytes.
async fn get_file(peer: &Peer, path: &str) -> anyhow::Result<(f64, u64)> {
    let mut stream = TcpStream::connect(peer.server.addr).await?;
    stream.set_nodelay(true)?;
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{}Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
        peer.server.addr,
        auth_header(peer)
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    let mut header_end = None;
    let mut head_bytes = Vec::new();
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        if header_end.is_none() {
            head_bytes.extend_from_slice(&buf[..n]);
            if let Some(at) = head_bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                header_end = Some(at + 4);
                total += (head_bytes.len() - at - 4) as u64;
                let status = String::from_utf8_lossy(&head_bytes[..12]).to_string();
                if !status.contains(" 200") {
                    bail!("{} answered the GET with {status}", peer.name);
                }
            }
        } else {
            total += n as u64;
        }
    }
    Ok((started.elapsed().as_secs_f64(), total))
}

/// One request through reqwest; the status and body text.
async fn request(
    peer: &Peer,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let client = reqwest::Client::new();
    let mut request = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes())?,
            format!("http://{}{path}", peer.server.addr),
        )
        .header("depth", "1");
    if let Some(auth) = &peer.auth {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

async fn put_small_files(peer: &Peer, folder: &str, count: usize) -> anyhow::Result<f64> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(WORKERS)
        .build()?;
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            let base = format!("http://{}{folder}", peer.server.addr);
            let auth = peer.auth.clone();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed) as usize;
                    if n >= count {
                        return anyhow::Ok(());
                    }
                    let mut body = vec![b'x'; SMALL_SIZE];
                    body[..8].copy_from_slice(&(n as u64).to_le_bytes());
                    let mut request = client.put(format!("{base}/f{n:05}.txt")).body(body);
                    if let Some(auth) = &auth {
                        request = request.header("authorization", auth);
                    }
                    let status = request.send().await?.status().as_u16();
                    if !(200..300).contains(&status) {
                        bail!("small PUT {n} answered {status}");
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

async fn start_bureau(bureau: &Path, scratch: &Scratch) -> anyhow::Result<Peer> {
    let data = scratch.folder("bureau")?;
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(bureau)
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .env("BUREAU_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        std::io::Write::write_all(&mut child.stdin.take().expect("piped"), stdin.as_bytes())?;
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!(
                "bureau {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    run(
        &[
            "admin",
            "create-user",
            "--name",
            "bench",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a long bench password\n",
    )?;
    let token = run(&["admin", "create-token", "--user", "bench"], "")?;
    let addr = process::free_addr()?;
    let mut command = Command::new(bureau);
    command
        .args([
            "serve",
            "--listen",
            &addr.to_string(),
            "--media-udp",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(&data)
        .env("BUREAU_LOG", "warn");
    let (server, _) = Server::start(command, addr, "/healthz", &data.join("server.log")).await?;
    // The account keeps the default personal quota (10 GiB), as a person's
    // would: every write checks its room. The transfers fit in it.
    Ok(Peer {
        name: "bureau",
        server,
        prefix: "/dav",
        auth: Some(format!("Bearer {token}")),
    })
}

async fn start_rclone(scratch: &Scratch) -> anyhow::Result<Peer> {
    let root = scratch.folder("rclone")?;
    let addr = process::free_addr()?;
    let mut command = Command::new("rclone");
    command
        .args([
            "serve",
            "webdav",
            "--addr",
            &addr.to_string(),
            "--config",
            "/dev/null",
        ])
        .arg(&root);
    let (server, _) = Server::start(
        command,
        addr,
        "/",
        &scratch.folder("rclone-logs")?.join("rclone.log"),
    )
    .await
    .context("starting rclone serve webdav (Debian package rclone)")?;
    Ok(Peer {
        name: "rclone",
        server,
        prefix: "",
        auth: None,
    })
}

async fn start_dufs(dufs: &Path, scratch: &Scratch) -> anyhow::Result<Peer> {
    let root = scratch.folder("dufs")?;
    let addr = process::free_addr()?;
    let mut command = Command::new(dufs);
    command.arg(&root).args([
        "--allow-all",
        "--bind",
        "127.0.0.1",
        "--port",
        &addr.port().to_string(),
    ]);
    let (server, _) = Server::start(
        command,
        addr,
        "/",
        &scratch.folder("dufs-logs")?.join("dufs.log"),
    )
    .await
    .context("starting dufs (cargo install dufs)")?;
    Ok(Peer {
        name: "dufs",
        server,
        prefix: "",
        auth: None,
    })
}

async fn start_nginx(scratch: &Scratch, root: &Path) -> anyhow::Result<Peer> {
    let prefix = scratch.folder("nginx")?;
    let addr: SocketAddr = process::free_addr()?;
    let config = prefix.join("nginx.conf");
    std::fs::write(
        &config,
        format!(
            "worker_processes 1;\nuser root;\npid {pid};\nerror_log {log};\nevents {{ worker_connections 64; }}\n\
             http {{ access_log off; sendfile on; tcp_nopush on;\n\
             client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};\n\
             uwsgi_temp_path {tmp}; scgi_temp_path {tmp};\n\
             server {{ listen {addr}; root {root}; location / {{ }} }} }}\n",
            pid = prefix.join("nginx.pid").display(),
            log = prefix.join("error.log").display(),
            tmp = prefix.display(),
            root = root.display(),
        ),
    )?;
    let mut command = Command::new("nginx");
    command.arg("-c").arg(&config).args(["-g", "daemon off;"]);
    std::fs::write(root.join("ready.txt"), "ok")?;
    let (server, _) = Server::start(command, addr, "/ready.txt", &prefix.join("nginx.log"))
        .await
        .context("starting nginx (Debian package nginx-light)")?;
    Ok(Peer {
        name: "nginx",
        server,
        prefix: "",
        auth: None,
    })
}
