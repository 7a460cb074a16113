//! The `bureau` command as an operator uses it: offline administration,
//! serving, graceful stop, backup while running and restore.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_bureau");

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bureau-cli-{label}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bureau(data: &Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    bureau_with(data, args, stdin, &[])
}

/// Runs `bureau ARGS` on a data folder with extra environment, feeding `stdin`.
fn bureau_with(
    data: &Path,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .envs(env.iter().copied())
        .env("BUREAU_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `bureau admin create-user` with the password on standard input.
fn create_user(
    data: &Path,
    name: &str,
    role: &str,
    password: &str,
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let args = [
        "admin",
        "create-user",
        "--name",
        name,
        "--role",
        role,
        "--password-stdin",
    ];
    bureau_with(data, &args, password, env)
}

/// A running `bureau serve` and the address it listens on.
struct Serving {
    child: Child,
    addr: String,
    stdout_lines: Vec<String>,
}

fn serve(data: &Path) -> Serving {
    serve_with(data, &[])
}

fn serve_with(data: &Path, env: &[(&str, &str)]) -> Serving {
    let had_database = data.join("bureau.db").exists() || !env.is_empty();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .envs(env.iter().copied())
        .env("BUREAU_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdout_lines = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("bureau prints where it listens")
            .unwrap();
        stdout_lines.push(line.clone());
        if let Some(rest) = line.split("(listening on ").nth(1) {
            break rest.trim_end_matches(')').to_string();
        }
    };
    // The French line, then the setup link when the office is empty.
    let expected = if had_database { 1 } else { 2 };
    stdout_lines.extend(lines.by_ref().take(expected).map_while(Result::ok));
    Serving {
        child,
        addr,
        stdout_lines,
    }
}

fn get(addr: &str, path: &str, token: &str) -> (u16, String) {
    request(addr, "GET", path, token, "")
}

/// One HTTP/1.1 request with a bearer token and a JSON body.
fn request(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    (status, response)
}

fn stop(mut serving: Serving) {
    let status = Command::new("kill")
        .args(["-TERM", &serving.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = serving.child.wait().unwrap();
    assert!(exit.success(), "a graceful stop exits 0, got {exit}");
}

#[test]
fn an_empty_office_prints_its_setup_link() {
    let data = temp_dir("setup");
    let serving = serve(&data);
    let setup = serving
        .stdout_lines
        .iter()
        .find(|l| l.contains("/setup#setup_"));
    assert!(setup.is_some(), "{:?}", serving.stdout_lines);
    stop(serving);
    std::fs::remove_dir_all(data).unwrap();
}

#[test]
fn offline_admin_then_serve_backup_and_restore() {
    let data = temp_dir("office");
    let (ok, _, err) = create_user(&data, "root", "admin", "a strong password\n", &[]);
    assert!(ok, "{err}");
    let (ok, _, err) = create_user(&data, "root", "admin", "a strong password\n", &[]);
    assert!(
        !ok && err.contains("taken"),
        "a second account with the name is refused: {err}"
    );
    let (ok, _, err) = create_user(&data, "xy", "admin", "short\n", &[]);
    assert!(!ok && err.contains("8 to 256"), "{err}");
    let (ok, token, err) = bureau(&data, &["admin", "create-token", "--user", "root"], "");
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    assert!(token.starts_with("bureau_"));

    let serving = serve(&data);
    assert!(
        !serving.stdout_lines.iter().any(|l| l.contains("/setup#")),
        "no setup link once someone exists"
    );
    let (status, body) = get(&serving.addr, "/api/v1/me", &token);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"name\":\"root\""));

    // An online backup while serving.
    let archive = temp_dir("backup").join("office.tar");
    let (ok, out, err) = bureau(&data, &["backup", "--to", archive.to_str().unwrap()], "");
    assert!(ok, "{out}{err}");
    stop(serving);

    let restored = temp_dir("restored");
    let (ok, out, err) = bureau(
        &restored,
        &["restore", "--from", archive.to_str().unwrap()],
        "",
    );
    assert!(ok, "{out}{err}");
    let serving = serve(&restored);
    let (status, body) = get(&serving.addr, "/api/v1/me", &token);
    assert_eq!(status, 200, "the restored office knows the token: {body}");
    stop(serving);

    let (ok, _, err) = bureau(&restored, &["restore", "--from", "/etc/hostname"], "");
    assert!(!ok, "a file that is not a backup is refused: {err}");
    for dir in [data, restored, archive.parent().unwrap().to_path_buf()] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn bad_configuration_is_refused_by_name() {
    let data = temp_dir("config");
    let file = data.join("bureau.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\ncolour = \"blue\"\n").unwrap();
    let (ok, _, err) = bureau(&data, &["--config", file.to_str().unwrap(), "serve"], "");
    assert!(!ok && err.contains("colour"), "{err}");
    let (ok, _, err) = bureau(&data, &["serve", "--database-url", "mysql://db/x"], "");
    assert!(
        !ok && err.contains("neither `sqlite:PATH` nor `postgres://...`"),
        "{err}"
    );
    let (ok, _, err) = bureau(&data, &["serve", "--blob-url", "s3://bucket/x"], "");
    assert!(!ok && err.contains("s3://"), "{err}");
    std::fs::remove_dir_all(data).unwrap();
}

/// Two `bureau serve` processes on one PostgreSQL and one NATS: an event
/// made through one reaches a WebSocket client of the other.
#[test]
fn two_processes_share_events() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (Some(database), Ok(nats)) = (
        runtime.block_on(bureau_store::testing::postgres_url("two_processes")),
        std::env::var("BUREAU_TEST_NATS"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the two-process test"
        );
        eprintln!("skipping: BUREAU_TEST_POSTGRES and BUREAU_TEST_NATS are needed");
        return;
    };
    let namespace = format!("two-processes-{}", std::process::id());
    let env = [
        ("BUREAU_DATABASE_URL", database.as_str()),
        ("BUREAU_BUS_URL", nats.as_str()),
        ("BUREAU_BUS_NAMESPACE", namespace.as_str()),
    ];
    let data = temp_dir("two");
    let (ok, _, err) = create_user(&data, "ana", "member", "a strong password", &env);
    assert!(ok, "{err}");
    let (ok, token, err) =
        bureau_with(&data, &["admin", "create-token", "--user", "ana"], "", &env);
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let first = serve_with(&data, &env);
    let second = serve_with(&data, &env);

    runtime.block_on(async {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut socket_request = format!("ws://{}/api/v1/events", second.addr)
            .into_client_request()
            .unwrap();
        socket_request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(socket_request)
            .await
            .unwrap();
        let mut next_text = async || loop {
            let frame = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
                .await
                .expect("a frame within 10 s")
                .expect("the socket stays open")
                .unwrap();
            if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
                return serde_json::from_str::<serde_json::Value>(&text).unwrap();
            }
        };
        assert_eq!(next_text().await["kind"], "ready");
        let addr = first.addr.clone();
        let token = token.clone();
        let (status, body) = tokio::task::spawn_blocking(move || {
            request(
                &addr,
                "PATCH",
                "/api/v1/me",
                &token,
                r#"{"display_name":"made on the first"}"#,
            )
        })
        .await
        .unwrap();
        assert_eq!(status, 200, "{body}");
        let event = next_text().await;
        assert_eq!(event["kind"], "user.updated");
        assert_eq!(event["data"]["display_name"], "made on the first");
    });
    stop(first);
    stop(second);
    std::fs::remove_dir_all(data).unwrap();
}

/// Bytes unique to upload `n`.
fn upload_bytes(n: usize, len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ (n as u64 + 1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A WebDAV PUT sent in slices with pauses, so it is still under way when
/// the server dies. Returns the status if an answer came.
fn slow_put(addr: &str, token: &str, path: &str, body: &[u8], pause_ms: u64) -> Option<u16> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .ok()?;
    for slice in body.chunks(body.len().div_ceil(16)) {
        stream.write_all(slice).ok()?;
        std::thread::sleep(std::time::Duration::from_millis(pause_ms));
    }
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.get(9..12)?.parse().ok()
}

/// Raw GET of a WebDAV path: status and body bytes.
fn dav_get(addr: &str, token: &str, path: &str) -> (u16, Vec<u8>) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer has headers");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head[9..12].parse().unwrap();
    (status, response[split + 4..].to_vec())
}

/// SIGKILL during 50 concurrent uploads: every upload that was answered
/// `201 Created` is there whole after a restart, and no file is partial.
/// Half are large (blob files), half small (rows of the Store, recorded
/// several to a transaction by the group commit).
#[test]
fn a_kill_during_uploads_loses_nothing_acknowledged() {
    let data = temp_dir("kill");
    let (ok, _, err) = create_user(&data, "up", "member", "a strong password\n", &[]);
    assert!(ok, "{err}");
    let (ok, token, err) = bureau(&data, &["admin", "create-token", "--user", "up"], "");
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    let mut serving = serve(&data);
    let addr = serving.addr.clone();
    const UPLOADS: usize = 50;
    let size = |n: usize| if n % 2 == 0 { 1024 * 1024 } else { 24 * 1024 };
    let workers: Vec<_> = (0..UPLOADS)
        .map(|n| {
            let (addr, token) = (addr.clone(), token.clone());
            // Some finish before the kill, some are cut in the middle.
            let pause = (n % 10) as u64 * 15;
            std::thread::spawn(move || {
                let body = upload_bytes(n, size(n));
                slow_put(&addr, &token, &format!("/dav/up-{n}.bin"), &body, pause)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(600));
    serving.child.kill().unwrap();
    serving.child.wait().unwrap();
    let answers: Vec<Option<u16>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let acknowledged: Vec<usize> = (0..UPLOADS).filter(|n| answers[*n] == Some(201)).collect();
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < UPLOADS,
        "the kill must fall in the middle of the uploads: {answers:?}"
    );

    let serving = serve(&data);
    for n in 0..UPLOADS {
        let (status, bytes) = dav_get(&serving.addr, &token, &format!("/dav/up-{n}.bin"));
        if acknowledged.contains(&n) {
            assert_eq!(status, 200, "acknowledged upload {n} is lost");
        }
        if status == 200 {
            assert!(
                bytes == upload_bytes(n, size(n)),
                "upload {n} is partial or wrong ({} bytes)",
                bytes.len()
            );
        } else {
            assert_eq!(status, 404, "upload {n}");
        }
    }
    stop(serving);
    std::fs::remove_dir_all(data).unwrap();
}
