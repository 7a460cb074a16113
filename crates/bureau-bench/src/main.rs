//! `bureau-bench`: measures bureau and a peer side by side on one machine and
//! prints both figures with their ratio. Run it through `cargo xtask bench`,
//! which builds what it measures, installs the peers and raises the limit on
//! open files that 10,000 WebSockets need.
//!
//! ```text
//! bureau-bench footprint --bureau PATH --peers DIR [--sockets N] [--rounds N]
//! ```
//!
//! `BENCH_SOCKETS` sets the number of sockets too, for a quick run.

mod footprint;
mod process;
mod sockets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

/// The whole run stops by itself after this long, servers and files cleaned up.
const TIME_LIMIT: Duration = Duration::from_secs(10 * 60);

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("bureau-bench: {error:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime with default settings starts");
    // Dropping the benchmark's future (on timeout or Ctrl-C) kills the servers
    // it started and removes its files.
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = footprint::run(&options) => outcome,
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
            _ = tokio::time::sleep(TIME_LIMIT) => Err(anyhow::anyhow!(
                "the benchmark ran longer than {} minutes and was stopped",
                TIME_LIMIT.as_secs() / 60
            )),
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bureau-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<footprint::Options> {
    match args.next().as_deref() {
        Some("footprint") => {}
        Some(other) => bail!("unknown benchmark `{other}`; there is `footprint`"),
        None => bail!(
            "usage: bureau-bench footprint --bureau PATH --peers DIR [--sockets N] [--rounds N]"
        ),
    }
    let mut bureau = None;
    let mut peers = None;
    let mut sockets = match std::env::var("BENCH_SOCKETS") {
        Ok(value) => value
            .parse()
            .context("BENCH_SOCKETS is a number of sockets")?,
        Err(_) => 10_000,
    };
    let mut rounds = 20;
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => bureau = Some(PathBuf::from(value)),
            "--peers" => peers = Some(PathBuf::from(value)),
            "--sockets" => sockets = value.parse().context("--sockets is a number")?,
            "--rounds" => rounds = value.parse().context("--rounds is a number")?,
            _ => bail!("unknown option {flag}"),
        }
    }
    if sockets == 0 || rounds == 0 {
        bail!("--sockets and --rounds must be at least 1");
    }
    Ok(footprint::Options {
        bureau: bureau.context("--bureau PATH names the bureau executable")?,
        peers: peers.context("--peers DIR names the folder of the peers' package.json")?,
        sockets,
        rounds,
    })
}
