//! `bureau-bench`: measures bureau and a peer side by side on one machine and
//! prints both figures with their ratio. Run it through `cargo xtask bench`,
//! which builds what it measures, installs the peers and raises the limit on
//! open files that 10,000 WebSockets need.
//!
//! ```text
//! bureau-bench footprint --bureau PATH --peers DIR [--sockets N] [--rounds N]
//! bureau-bench chat --bureau PATH [--postgres URL] [--steps 500,1000,...]
//!                   [--step-seconds N] [--think-seconds N] [--search-messages N]
//!                   [--synapse VENV]
//! bureau-bench files --bureau PATH --dufs PATH [--big-mib N] [--small-files N]
//!                    [--rounds N] [--parts big,small,propfind]
//! bureau-bench docs --bureau PATH --peers DIR [--edits N] [--pages N]
//!                   [--seconds N] [--interval-ms N]
//! bureau-bench meet --bureau PATH [--receivers 10,25,...] [--seconds N]
//! ```
//!
//! `BENCH_SOCKETS` sets the number of sockets too, for a quick run.

mod chat;
mod docs;
mod files;
mod footprint;
mod janus;
mod meet;
mod office;
mod process;
mod sockets;
mod synapse;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

/// The whole run stops by itself after this long, servers and files cleaned up.
const TIME_LIMIT: Duration = Duration::from_secs(40 * 60);

enum Bench {
    Footprint(footprint::Options),
    Chat(chat::Options),
    Files(files::Options),
    Docs(docs::Options),
    Meet(meet::Options),
    Office(office::Options),
}

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
            outcome = async {
                match &options {
                    Bench::Footprint(options) => footprint::run(options).await,
                    Bench::Chat(options) => chat::run(options).await,
                    Bench::Files(options) => files::run(options).await,
                    Bench::Docs(options) => docs::run(options).await,
                    Bench::Meet(options) => meet::run(options).await,
                    Bench::Office(options) => office::run(options).await,
                }
            } => outcome,
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

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<Bench> {
    match args.next().as_deref() {
        Some("footprint") => {}
        Some("chat") => return parse_chat(args).map(Bench::Chat),
        Some("files") => return parse_files(args).map(Bench::Files),
        Some("docs") => return parse_docs(args).map(Bench::Docs),
        Some("meet") => return parse_meet(args).map(Bench::Meet),
        Some("office") => return parse_office(args).map(Bench::Office),
        Some(other) => {
            bail!("unknown benchmark `{other}`; there are `footprint`, `chat`, `files`, `docs`, `meet` and `office`")
        }
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
    Ok(Bench::Footprint(footprint::Options {
        bureau: bureau.context("--bureau PATH names the bureau executable")?,
        peers: peers.context("--peers DIR names the folder of the peers' package.json")?,
        sockets,
        rounds,
    }))
}

fn parse_office(mut args: impl Iterator<Item = String>) -> anyhow::Result<office::Options> {
    let mut options = office::Options {
        bureau: PathBuf::new(),
        people: 200,
        workers: 16,
        rounds: 240,
        round_time: Duration::from_secs(1),
        control: false,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => options.bureau = PathBuf::from(value),
            "--people" => options.people = value.parse().context("--people is a number")?,
            "--workers" => options.workers = value.parse().context("--workers is a number")?,
            "--rounds" => options.rounds = value.parse().context("--rounds is a number")?,
            "--control" => options.control = value == "yes",
            "--round-secs" => {
                options.round_time =
                    Duration::from_secs(value.parse().context("--round-secs is a number")?)
            }
            _ => bail!("unknown option {flag}"),
        }
    }
    if options.bureau.as_os_str().is_empty() {
        bail!("--bureau PATH names what to measure");
    }
    Ok(options)
}

fn parse_meet(mut args: impl Iterator<Item = String>) -> anyhow::Result<meet::Options> {
    let mut options = meet::Options {
        bureau: PathBuf::new(),
        receivers: vec![10, 25, 50, 100, 200, 400],
        seconds: 10,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => options.bureau = PathBuf::from(value),
            "--receivers" => {
                options.receivers = value
                    .split(',')
                    .map(|n| n.trim().parse())
                    .collect::<Result<_, _>>()
                    .context("--receivers is a list of numbers, like 10,50,100")?
            }
            "--seconds" => options.seconds = value.parse().context("--seconds is a number")?,
            _ => bail!("unknown option {flag}"),
        }
    }
    if options.bureau.as_os_str().is_empty() {
        bail!("--bureau PATH names the bureau executable");
    }
    Ok(options)
}

fn parse_chat(mut args: impl Iterator<Item = String>) -> anyhow::Result<chat::Options> {
    let mut options = chat::Options {
        bureau: PathBuf::new(),
        postgres: None,
        steps: vec![250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000],
        step_time: Duration::from_secs(30),
        think: Duration::from_secs(15),
        search_messages: 1_000_000,
        synapse: None,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => options.bureau = PathBuf::from(value),
            "--postgres" => options.postgres = Some(value),
            "--steps" => {
                options.steps = value
                    .split(',')
                    .map(|n| n.trim().parse())
                    .collect::<Result<_, _>>()
                    .context("--steps is a list of numbers: 500,1000,2000")?
            }
            "--step-seconds" => {
                options.step_time =
                    Duration::from_secs(value.parse().context("--step-seconds is a number")?)
            }
            "--think-seconds" => {
                options.think =
                    Duration::from_secs(value.parse().context("--think-seconds is a number")?)
            }
            "--synapse" => options.synapse = Some(PathBuf::from(value)),
            "--search-messages" => {
                options.search_messages = value.parse().context("--search-messages is a number")?
            }
            _ => bail!("unknown option {flag}"),
        }
    }
    if options.bureau.as_os_str().is_empty() {
        bail!("--bureau PATH names the bureau executable");
    }
    Ok(options)
}

fn parse_files(mut args: impl Iterator<Item = String>) -> anyhow::Result<files::Options> {
    let mut options = files::Options {
        bureau: PathBuf::new(),
        dufs: PathBuf::new(),
        big_mib: 1024,
        small_files: 10_000,
        rounds: 3,
        parts: files::Part::ALL.to_vec(),
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => options.bureau = PathBuf::from(value),
            "--dufs" => options.dufs = PathBuf::from(value),
            "--big-mib" => options.big_mib = value.parse().context("--big-mib is a number")?,
            "--small-files" => {
                options.small_files = value.parse().context("--small-files is a number")?
            }
            "--rounds" => options.rounds = value.parse().context("--rounds is a number")?,
            "--parts" => {
                options.parts = value
                    .split(',')
                    .map(files::Part::parse)
                    .collect::<anyhow::Result<_>>()?
            }
            _ => bail!("unknown option {flag}"),
        }
    }
    if options.bureau.as_os_str().is_empty() || options.dufs.as_os_str().is_empty() {
        bail!("--bureau PATH and --dufs PATH name the executables to measure");
    }
    if options.rounds == 0 || options.big_mib == 0 || options.small_files == 0 {
        bail!("--rounds, --big-mib and --small-files must be at least 1");
    }
    Ok(options)
}

fn parse_docs(mut args: impl Iterator<Item = String>) -> anyhow::Result<docs::Options> {
    let mut options = docs::Options {
        bureau: PathBuf::new(),
        peers: PathBuf::new(),
        edits: 260_000,
        pages: 200,
        seconds: 20,
        interval: Duration::from_millis(100),
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bureau" => options.bureau = PathBuf::from(value),
            "--peers" => options.peers = PathBuf::from(value),
            "--edits" => options.edits = value.parse().context("--edits is a number")?,
            "--pages" => options.pages = value.parse().context("--pages is a number")?,
            "--seconds" => options.seconds = value.parse().context("--seconds is a number")?,
            "--interval-ms" => {
                options.interval =
                    Duration::from_millis(value.parse().context("--interval-ms is a number")?)
            }
            _ => bail!("unknown option {flag}"),
        }
    }
    if options.bureau.as_os_str().is_empty() || options.peers.as_os_str().is_empty() {
        bail!("--bureau PATH and --peers DIR name what to measure");
    }
    if options.edits == 0 || options.pages == 0 || options.seconds == 0 {
        bail!("--edits, --pages and --seconds must be at least 1");
    }
    Ok(options)
}
