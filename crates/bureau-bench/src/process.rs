//! Servers under measurement: starting them, asking them over HTTP, reading
//! their memory, and the scratch folder they keep their data in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// How often a starting server is asked whether it is ready.
const POLL: Duration = Duration::from_millis(2);
/// A server that is not ready by then failed to start.
const START_LIMIT: Duration = Duration::from_secs(30);
const HTTP_LIMIT: Duration = Duration::from_secs(10);

/// A server process, killed when dropped.
pub struct Server {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
}

impl Server {
    /// Spawns `command`, which must listen on `addr`, and returns once
    /// `GET probe` answers 200, with the time from the spawn to that answer.
    /// The server's output goes to `log`.
    pub async fn start(
        mut command: Command,
        addr: SocketAddr,
        probe: &str,
        log: &Path,
    ) -> anyhow::Result<(Server, Duration)> {
        let output =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        command
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .kill_on_drop(true);
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {:?}", command.as_std().get_program()))?;
        let pid = child.id().expect("a child that was just spawned has an id");
        loop {
            if matches!(get(addr, probe).await, Ok((200, _))) {
                let ready = spawned.elapsed();
                return Ok((Server { child, pid, addr }, ready));
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "the server exited ({status}) before it was ready:\n{}",
                    tail(log)
                );
            }
            if spawned.elapsed() > START_LIMIT {
                bail!(
                    "the server was not ready after {START_LIMIT:?}:\n{}",
                    tail(log)
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The server's resident memory, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("reading the server's /proc status")?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .context("the server's /proc status has no VmRSS line")
    }

    pub async fn stop(mut self) {
        // A server killed while measured has nothing left worth saving.
        let _ = self.child.kill().await;
    }

    /// Asks the server to stop (SIGTERM) and waits up to 10 s for it to
    /// close its files, then kills it.
    pub async fn terminate(mut self) {
        let asked = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if asked.is_ok_and(|s| s.success())
            && tokio::time::timeout(Duration::from_secs(10), self.child.wait())
                .await
                .is_ok()
        {
            return;
        }
        let _ = self.child.kill().await;
    }
}

/// `GET path` on a fresh connection: the status code and the body.
pub async fn get(addr: SocketAddr, path: &str) -> anyhow::Result<(u16, String)> {
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(addr, head.into_bytes()).await
}

/// `METHOD path` with a JSON body and a bearer token, on a fresh connection.
pub async fn send_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    json: &str,
) -> anyhow::Result<(u16, String)> {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{json}",
        json.len()
    );
    exchange(addr, request.into_bytes()).await
}

/// Sends one HTTP/1.1 request and reads the answer up to the server's close.
async fn exchange(addr: SocketAddr, request: Vec<u8>) -> anyhow::Result<(u16, String)> {
    let answer = tokio::time::timeout(HTTP_LIMIT, async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        stream.write_all(&request).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        anyhow::Ok(answer)
    })
    .await
    .with_context(|| format!("{addr} did not answer within {HTTP_LIMIT:?}"))??;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("{addr} answered something other than HTTP/1.1"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// The last lines a server printed, to explain why it failed.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// A folder under the system's temporary folder, removed with everything in
/// it when dropped.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn create() -> anyhow::Result<Scratch> {
        let path = std::env::temp_dir().join(format!("bureau-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Scratch { path })
    }

    /// A new empty folder inside.
    pub fn folder(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.path.join(name);
        std::fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// How many files this process may open at once.
pub fn open_files_limit() -> anyhow::Result<usize> {
    let limits =
        std::fs::read_to_string("/proc/self/limits").context("reading /proc/self/limits")?;
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .and_then(|values| values.split_whitespace().next())
        .and_then(|soft| soft.parse().ok())
        .context("/proc/self/limits has no line for open files")
}

/// The size of a file, or of everything under a folder, in bytes.
pub fn disk_size(path: &Path) -> anyhow::Result<u64> {
    let metadata =
        std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if !metadata.is_dir() {
        return Ok(metadata.len());
    }
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        total += disk_size(&entry?.path())?;
    }
    Ok(total)
}

/// Percent-encodes everything but unreserved characters, for a URL part.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
