//! `cargo xtask`: the project's automation, in Rust with no dependencies so
//! that it compiles in seconds.
//!
//! - `cargo xtask web` builds the web app in `web/` (when there is one).
//! - `cargo xtask run [-- ARGS]` builds everything and runs `bureau serve ARGS`.
//! - `cargo xtask test` checks that PostgreSQL and NATS are up (starting them
//!   when it can), runs every test of the workspace against them, then the
//!   browser tests in `e2e/` when there are some.
//! - `cargo xtask bench [NAME] [ARGS]` runs a benchmark (`footprint`, `chat`,
//!   `files`, `docs`, `meet`, `office`) that measures bureau and its peer
//!   side by side.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  web                 build the web app in web/ (npm ci, npm run build)
  run [-- ARGS]       build the web app and bureau, then run `bureau serve ARGS`
  test                run every test against PostgreSQL and NATS, then the browser tests
  bench [NAME] [ARGS] run a benchmark; NAME is `footprint` (the default), `chat`,
                      `files`, `docs`, `meet` or `office`";

/// Where the tests find PostgreSQL and NATS; the same on a laptop and in CI.
const TEST_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";
const TEST_NATS: &str = "nats://127.0.0.1:4222";

/// Browser tests drive Debian's Chromium, never a browser of their own.
const CHROMIUM: &str = "/usr/bin/chromium";

/// A failure is a sentence for the person who ran the command.
type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("web") => web(),
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the web app into `web/dist`, or says that the server will embed its
/// placeholder page when there is no web app yet.
fn web() -> Result {
    let web = root().join("web");
    if !web.join("package.json").exists() {
        println!(
            "There is no web app yet (no web/package.json): the server embeds its placeholder page."
        );
        return Ok(());
    }
    header("Building the web app (web/)");
    npm_install(&web)?;
    run_command(npm()?.arg("run").arg("build").current_dir(&web))
}

/// Builds the web app and the release binary, then becomes `bureau serve`.
fn run(args: &[String]) -> Result {
    web()?;
    build_release(&["bureau"])?;
    header("Starting bureau serve");
    let error = std::os::unix::process::CommandExt::exec(
        Command::new(release_binary("bureau"))
            .arg("serve")
            .args(pass_through(args)),
    );
    Err(format!("could not start bureau: {error}"))
}

/// Runs every test of the workspace against real PostgreSQL and NATS, then the
/// browser tests when `e2e/` has some.
fn test() -> Result {
    header("Checking the formatting (cargo fmt --all -- --check)");
    run_command(cargo().args(["fmt", "--all", "--", "--check"]))
        .map_err(|e| format!("{e}; `cargo fmt --all` formats the code"))?;

    header("Checking that PostgreSQL and NATS are up");
    for service in SERVICES {
        service.ensure_up()?;
    }

    drop_stale_test_schemas();
    ensure_test_packages()?;

    header("Running the workspace's tests (cargo test --release --workspace --no-fail-fast)");
    run_command(
        cargo()
            .args(["test", "--release", "--workspace", "--no-fail-fast"])
            .env("BUREAU_TEST_POSTGRES", TEST_POSTGRES)
            .env("BUREAU_TEST_NATS", TEST_NATS),
    )?;

    let e2e = root().join("e2e");
    if !e2e.join("package.json").exists() {
        println!("There are no browser tests yet (no e2e/package.json).");
        return Ok(());
    }
    header("Preparing the browser tests (e2e/)");
    npm_install(&e2e)?;
    web()?;
    build_release(&["bureau"])?;
    header("Running the browser tests (node --test in e2e/)");
    run_command(
        Command::new("node")
            .arg("--test")
            .current_dir(&e2e)
            .env("BUREAU_BIN", release_binary("bureau")),
    )
}

/// Each store test makes a PostgreSQL schema of its own (`t_...`); those of
/// earlier runs are dropped here so the test database does not grow forever.
/// Without `psql` they stay, which costs only disk.
fn drop_stale_test_schemas() {
    const SQL: &str = "DO $$DECLARE s text; BEGIN \
        FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' LOOP \
        EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END$$;";
    let dropped = Command::new("psql")
        .args([TEST_POSTGRES, "-qAtc", SQL])
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .status()
        .is_ok_and(|status| status.success());
    if !dropped {
        println!("Could not drop old test schemas with psql; going on.");
    }
}

/// Runs a benchmark under a raised open-file limit (10,000 WebSockets need
/// as many descriptors, in the bench and in the server it measures).
fn bench(args: &[String]) -> Result {
    let (name, args) = match args.first() {
        Some(first) if !first.starts_with('-') => (first.as_str(), &args[1..]),
        _ => ("footprint", args),
    };
    if name == "chat" {
        let synapse = root().join("bench/synapse-venv");
        if !synapse.join("bin/synapse_homeserver").exists() {
            header("Installing the peer to measure against: Synapse (PyPI matrix-synapse)");
            run_command(Command::new("python3").args(["-m", "venv"]).arg(&synapse))?;
            run_command(Command::new(synapse.join("bin/pip")).args([
                "install",
                "--quiet",
                "matrix-synapse",
            ]))?;
        }
        build_release(&["bureau", "bureau-bench"])?;
        header("Running the chat benchmark");
        return run_command(
            Command::new("sh")
                .arg("-c")
                .arg(r#"ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@""#)
                .arg(release_binary("bureau-bench"))
                .arg("chat")
                .arg("--bureau")
                .arg(release_binary("bureau"))
                .arg("--postgres")
                .arg(TEST_POSTGRES)
                .arg("--synapse")
                .arg(&synapse)
                .args(pass_through(args)),
        );
    }
    if name == "files" {
        return bench_files(args);
    }
    if name == "meet" {
        return bench_meet(args);
    }
    if name == "office" {
        // The data meter's cost: bureau with and without it.
        build_release(&["bureau", "bureau-bench"])?;
        header("Running the office benchmark: the data meter's cost");
        return run_command(
            Command::new(release_binary("bureau-bench"))
                .arg("office")
                .arg("--bureau")
                .arg(release_binary("bureau"))
                .args(pass_through(args)),
        );
    }
    if name != "footprint" && name != "docs" {
        return Err(format!(
            "unknown benchmark `{name}`; there are `footprint`, `chat`, `files`, `docs`, `meet` and `office`"
        ));
    }
    let peers = root().join("bench");
    if !peers.join("node_modules").exists() {
        header("Installing the peers to measure against (bench/)");
        npm_install(&peers)?;
    }
    build_release(&["bureau", "bureau-bench"])?;
    header(&format!("Running the {name} benchmark"));
    run_command(
        Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@""#)
            .arg(release_binary("bureau-bench"))
            .arg(name)
            .arg("--bureau")
            .arg(release_binary("bureau"))
            .arg("--peers")
            .arg(&peers)
            .args(pass_through(args)),
    )
}

/// Meetings: the SFU and Janus under a str0m load generator, then the data
/// a participant uses per hour in each mode, from three Chromium browsers
/// talking in turn (speech by espeak-ng, cut by sox).
fn bench_meet(args: &[String]) -> Result {
    ensure_debian_packages(
        &[
            (
                "/usr/bin/janus",
                "janus",
                "the forwarding benchmark runs Janus beside bureau",
            ),
            (CHROMIUM, "chromium", "the data-use benchmark runs Chromium"),
            (
                "/usr/bin/espeak-ng",
                "espeak-ng",
                "the data-use benchmark makes speech with espeak-ng",
            ),
            (
                "/usr/bin/sox",
                "sox",
                "the data-use benchmark cuts speech with sox",
            ),
        ],
        "the meetings benchmark",
    )?;
    web()?;
    build_release(&["bureau", "bureau-bench"])?;
    header("Running the meetings benchmark: forwarding");
    run_command(
        Command::new(release_binary("bureau-bench"))
            .arg("meet")
            .arg("--bureau")
            .arg(release_binary("bureau"))
            .args(pass_through(args)),
    )?;
    header("Running the meetings benchmark: data used per hour in each mode");
    let e2e = root().join("e2e");
    npm_install(&e2e)?;
    run_command(
        Command::new("node")
            .arg("bench/meet-data.mjs")
            .current_dir(&e2e)
            .env("BUREAU_BIN", release_binary("bureau")),
    )
}

/// The file server against nginx, `rclone serve webdav` and dufs, each
/// installed when missing (Debian packages as root; dufs from the Rust
/// registry into `bench/tools`).
fn bench_files(args: &[String]) -> Result {
    ensure_debian_packages(
        &[
            (
                "/usr/sbin/nginx",
                "nginx-light",
                "the files benchmark measures nginx",
            ),
            (
                "/usr/bin/rclone",
                "rclone",
                "the files benchmark measures rclone serve webdav",
            ),
        ],
        "the files benchmark",
    )?;
    let tools = root().join("bench/tools");
    let dufs = tools.join("bin/dufs");
    if !dufs.exists() {
        header("Installing the peer dufs (cargo install dufs)");
        run_command(
            cargo()
                .args(["install", "dufs", "--locked", "--root"])
                .arg(&tools)
                .env_remove("CARGO_TARGET_DIR"),
        )?;
    }
    build_release(&["bureau", "bureau-bench"])?;
    header("Running the files benchmark");
    run_command(
        Command::new(release_binary("bureau-bench"))
            .arg("files")
            .arg("--bureau")
            .arg(release_binary("bureau"))
            .arg("--dufs")
            .arg(&dufs)
            .args(pass_through(args)),
    )
}

/// A service the tests need, and how to start it on a machine set up like CI's.
struct Service {
    name: &'static str,
    address: &'static str,
    install: &'static str,
    start: fn() -> Command,
}

const SERVICES: [Service; 2] = [
    Service {
        name: "PostgreSQL",
        address: "127.0.0.1:5432",
        install: "install Debian's postgresql with trust authentication on 127.0.0.1 and a database `test`",
        start: start_postgres,
    },
    Service {
        name: "NATS",
        address: "127.0.0.1:4222",
        install: "install Debian's nats-server and start it with JetStream (-js) on 127.0.0.1:4222",
        start: start_nats,
    },
];

impl Service {
    /// Returns once the service accepts TCP connections, starting it first
    /// when it does not and we may.
    fn ensure_up(&self) -> Result {
        let address: SocketAddr = self.address.parse().expect("a literal address");
        if accepts_connections(address) {
            println!("{} is up on {}.", self.name, self.address);
            return Ok(());
        }
        if !is_root() {
            return Err(format!(
                "{} does not accept connections on {}; start it, or {}.",
                self.name, self.address, self.install
            ));
        }
        println!("{} is down on {}; starting it.", self.name, self.address);
        // A failed start shows in the wait below, with the sentence that says
        // what to install; its own output has printed the details already.
        let _ = (self.start)().status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if accepts_connections(address) {
                println!("{} is up on {}.", self.name, self.address);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "{} did not start on {} within 10 s: see the lines above, or {}.",
            self.name, self.address, self.install
        ))
    }
}

fn start_postgres() -> Command {
    // Debian keeps one folder per installed major version in /etc/postgresql.
    let version = std::fs::read_dir("/etc/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .max()
        .unwrap_or_default();
    let mut command = Command::new("pg_ctlcluster");
    command.args(["--skip-systemctl-redirect", &version, "main", "start"]);
    command
}

fn start_nats() -> Command {
    let mut command = Command::new("start-stop-daemon");
    command.args([
        "--start",
        "--oknodo",
        "--background",
        "--exec",
        "/usr/sbin/nats-server",
        "--",
        "-a",
        "127.0.0.1",
        "-p",
        "4222",
        "-js",
        "-sd",
        "/var/lib/nats-server",
        "-l",
        "/var/log/nats-server.log",
    ]);
    command
}

fn accepts_connections(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok()
}

/// Debian packages the tests drive, each found by a file it installs.
/// What compiling bureau needs beyond Rust: OpenSSL's headers, for the
/// DTLS of meetings' media (str0m's `openssl` backend).
const BUILD_PACKAGES: &[(&str, &str, &str)] = &[
    (
        "/usr/include/openssl/ssl.h",
        "libssl-dev",
        "meetings' media encryption (DTLS) builds on OpenSSL's headers",
    ),
    (
        "/usr/bin/pkg-config",
        "pkg-config",
        "building against OpenSSL needs pkg-config",
    ),
];

const TEST_PACKAGES: &[(&str, &str, &str)] = &[
    (
        CHROMIUM,
        "chromium",
        "the browser tests need Debian's Chromium",
    ),
    (
        "/usr/lib/python3/dist-packages/aiosmtpd",
        "python3-aiosmtpd",
        "the email tests need an SMTP server to receive mail (Python's aiosmtpd)",
    ),
    (
        "/usr/bin/litmus",
        "litmus",
        "the WebDAV tests run the litmus suite",
    ),
    (
        "/usr/bin/rclone",
        "rclone",
        "the WebDAV tests sync a tree with rclone",
    ),
    (
        "/usr/bin/unzip",
        "unzip",
        "the files tests open a folder's ZIP with unzip",
    ),
];

/// Installs the Debian packages the tests need, as root; otherwise names
/// the ones missing.
fn ensure_test_packages() -> Result {
    ensure_debian_packages(BUILD_PACKAGES, "building bureau")?;
    ensure_debian_packages(TEST_PACKAGES, "the tests")
}

/// Installs the Debian packages (path that shows it installed, package,
/// why) that are missing when run as root, or names them.
fn ensure_debian_packages(packages: &[(&str, &str, &str)], purpose: &str) -> Result {
    let missing: Vec<_> = packages
        .iter()
        .filter(|(path, _, _)| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        let needs: Vec<String> = missing
            .iter()
            .map(|(_, package, why)| {
                format!("{why}: install it with `apt-get install {package}` as root")
            })
            .collect();
        return Err(format!("{}.", needs.join("; ")));
    }
    let packages: Vec<&str> = missing.iter().map(|(_, package, _)| *package).collect();
    header(&format!(
        "Installing Debian packages for {purpose}: {}",
        packages.join(", ")
    ));
    run_command(Command::new("apt-get").arg("update"))?;
    run_command(
        Command::new("apt-get")
            .args(["install", "-y"])
            .args(&packages),
    )
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|status| {
            status.lines().any(|line| {
                line.strip_prefix("Uid:")
                    .and_then(|ids| ids.split_whitespace().next())
                    == Some("0")
            })
        })
        .unwrap_or(false)
}

/// Installs a Node project's dependencies exactly as its lockfile says, or
/// resolves them when it has no lockfile yet.
fn npm_install(dir: &Path) -> Result {
    let verb = if dir.join("package-lock.json").exists() {
        "ci"
    } else {
        "install"
    };
    run_command(
        npm()?
            .args([verb, "--no-audit", "--no-fund"])
            .current_dir(dir),
    )
}

/// `npm`, once we know it is there.
fn npm() -> Result<Command> {
    let found = Command::new("npm")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        return Err("npm was not found: install Node.js 20 or newer and npm (Debian: apt-get install nodejs npm).".into());
    }
    Ok(Command::new("npm"))
}

fn build_release(packages: &[&str]) -> Result {
    ensure_debian_packages(BUILD_PACKAGES, "building bureau")?;
    header(&format!("Building {} (release)", packages.join(", ")));
    let mut command = cargo();
    command.args(["build", "--release"]);
    for package in packages {
        command.args(["-p", package]);
    }
    run_command(&mut command)
}

/// Runs a command with our standard streams and fails when it fails.
fn run_command(command: &mut Command) -> Result {
    let status = command
        .status()
        .map_err(|error| format!("could not run `{}`: {error}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// A command as one would type it, without its environment.
fn describe(command: &Command) -> String {
    let words = std::iter::once(command.get_program()).chain(command.get_args());
    words
        .map(|word| word.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

fn header(text: &str) {
    println!("\n==> {text}");
}

/// The arguments meant for the program we start, without the `--` that
/// separates them from ours.
fn pass_through(args: &[String]) -> &[String] {
    match args.first().map(String::as_str) {
        Some("--") => &args[1..],
        _ => args,
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// The workspace root: xtask's own folder is right under it.
/// The workspace that asked. `cargo run` sets CARGO_MANIFEST_DIR for the
/// process it starts, which names the right checkout even when a shared
/// target folder holds an xtask built from another one.
fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

fn release_binary(name: &str) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    };
    target.join("release").join(name)
}
