//! The `office` benchmark: what the data meter costs. Two offices seeded
//! alike run side by side, one counting every person's bytes and one with
//! `data_meter = off`; the same closed-loop request mix (chat's reading
//! and posting, as bearer-token API calls) saturates each in turn, in
//! alternating rounds (on, off, off, on, ...) so that the machine's drift
//! falls on both. The figures are the median requests per second of each,
//! and the median server CPU time per request (from `/proc/PID/stat`, which
//! the load generator's own share of the 2 cores does not blur), and their
//! ratios; the bound is a cost of at most 2 %.
//!
//! The peer here is bureau itself without the meter: the question is what
//! counting adds, not how bureau compares with another product.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;

use crate::chat::{self, Office};
use crate::process::{Scratch, Server};

pub struct Options {
    pub bureau: PathBuf,
    pub people: usize,
    pub workers: usize,
    pub rounds: usize,
    pub round_time: Duration,
    /// Both offices without the meter: what the two differ by when
    /// nothing does (the measurement's own floor).
    pub control: bool,
}

pub async fn run(options: &Options) -> anyhow::Result<()> {
    if options.rounds < 2 || options.workers == 0 || options.people == 0 {
        bail!("--rounds must be at least 2, --workers and --people at least 1");
    }
    let scratch = Scratch::create()?;
    let mut offices = Vec::new();
    let first = if options.control {
        ("control A", false)
    } else {
        ("meter on", true)
    };
    for (label, meter) in [first, ("meter off", false)] {
        let data = scratch.folder(&format!("office-{}", label.replace(' ', "-")))?;
        let database = format!("sqlite:{}?mode=rwc", data.join("bureau.db").display());
        println!("{label}: seeding {} people...", options.people);
        let office = chat::seed(&database, &data, options.people).await?;
        let switch = if meter { "on" } else { "off" };
        let server = chat::start(
            &options.bureau,
            &data,
            &database,
            label,
            &[("BUREAU_DATA_METER", switch)],
        )
        .await?;
        offices.push((label, office, server));
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.workers)
        .build()?;
    // One round each to warm caches and connections.
    for (_, office, server) in &offices {
        load(
            &http,
            office,
            server,
            options.workers,
            Duration::from_secs(2),
        )
        .await?;
    }
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut cpu_per_request: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..options.rounds {
        // on, off, off, on, on, off, ...
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (label, office, server) = &offices[which];
            let cpu_before = crate::meet::cpu_seconds(server.pid)?;
            let (done, errors) =
                load(&http, office, server, options.workers, options.round_time).await?;
            let cpu = crate::meet::cpu_seconds(server.pid)? - cpu_before;
            let rate = done as f64 / options.round_time.as_secs_f64();
            let micros = cpu * 1e6 / done.max(1) as f64;
            println!(
                "round {:>2}, {label:<9}: {rate:>7.0} requests/s, {micros:>6.1} µs of server CPU per request ({errors} errors)",
                round + 1
            );
            cpu_per_request[which].push(micros);
            if errors > 0 {
                bail!("{label}: {errors} requests failed");
            }
            rates[which].push(rate);
        }
    }
    let spread = |rates: &[f64]| {
        let (low, high) = rates
            .iter()
            .fold((f64::MAX, 0f64), |(l, h), &r| (l.min(r), h.max(r)));
        format!("rounds from {low:.0} to {high:.0}")
    };
    let (spread_on, spread_off) = (spread(&rates[0]), spread(&rates[1]));
    let on = median(&mut rates[0]);
    let off = median(&mut rates[1]);
    let cpu_on = median(&mut cpu_per_request[0]);
    let cpu_off = median(&mut cpu_per_request[1]);
    println!();
    println!(
        "office benchmark: the data meter's cost ({} workers, closed loop, {} rounds of {} s each, chat's read/post mix)",
        options.workers,
        options.rounds,
        options.round_time.as_secs()
    );
    let (with, without) = if options.control {
        ("control A (no meter)", "control B (no meter)")
    } else {
        ("with the meter", "without it")
    };
    println!(
        "  throughput, median: bureau {with} {on:.0} requests/s; bureau {without} {off:.0} requests/s; ratio {:.3} (cost {:.1} %, bound 2 %)",
        on / off,
        (1.0 - on / off) * 100.0
    );
    println!("  {with}: {spread_on}; {without}: {spread_off}");
    println!(
        "  server CPU per request, median: {with} {cpu_on:.1} µs; {without} {cpu_off:.1} µs; ratio {:.3} (cost {:.1} %, bound 2 %)",
        cpu_on / cpu_off,
        (cpu_on / cpu_off - 1.0) * 100.0
    );
    for (_, _, server) in offices {
        server.stop().await;
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// `workers` loops sending requests back to back for `time`; the requests
/// completed and the errors.
async fn load(
    http: &reqwest::Client,
    office: &Office,
    server: &Server,
    workers: usize,
    time: Duration,
) -> anyhow::Result<(u64, u64)> {
    let base = format!("http://{}/api/v1", server.addr);
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let people: Arc<Vec<(String, i64)>> = Arc::new(
        office
            .people
            .iter()
            .map(|p| (p.token.clone(), p.team))
            .collect(),
    );
    let general = office.general;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (http, base, done, errors, stop, people) = (
            http.clone(),
            base.clone(),
            done.clone(),
            errors.clone(),
            stop.clone(),
            people.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = worker as u64 * 7919;
            while !stop.load(Ordering::Relaxed) {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let (token, team) = &people[(n >> 33) as usize % people.len()];
                let request = match (n >> 20) % 10 {
                    0..=3 => http.get(format!("{base}/channels/{team}/messages?limit=30")),
                    4..=5 => http.get(format!("{base}/channels")),
                    6..=7 => http.get(format!("{base}/me")),
                    8 => http.get(format!("{base}/channels/{general}/messages?limit=30")),
                    _ => http
                        .post(format!("{base}/channels/{team}/messages"))
                        .json(&serde_json::json!({"text": "a message to count the bytes of"})),
                };
                let ok = match request.bearer_auth(token).send().await {
                    Ok(response) if response.status().is_success() => {
                        response.bytes().await.is_ok()
                    }
                    _ => false,
                };
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if ok {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }
    Ok((done.load(Ordering::Relaxed), errors.load(Ordering::Relaxed)))
}
