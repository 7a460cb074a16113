//! The `office` benchmark: what the data meter costs. One office, one
//! bureau process; the same closed-loop request mix (chat's reading and
//! posting, as bearer-token API calls) saturates it in rounds, each round
//! a slice with the meter counting and a slice with it paused (the admin's
//! switch in the office settings), back to back, in alternating order
//! (on, off, off, on, ...) so that the machine's drift falls on both.
//! Comparing within one process leaves out what two processes differ by
//! (their files' layout, their heap, where the scheduler puts them): on
//! these machines that alone was up to 5 %, more than the bound. Short
//! slices (1 s by default, 240 rounds) keep each pair close in time: the
//! office grows with every post and the machine drifts, and both fall
//! alike on the two slices of a pair.
//!
//! The figures are the medians of the rounds' ratios (requests per second,
//! and server CPU time per request from `/proc/PID/stat`, which the load
//! generator's own share of the 2 cores does not blur), with quartiles,
//! the plain medians, and the mean ratio's 95 % confidence interval, whose
//! far end is the most the meter can be said to cost. The bound is
//! a cost of at most 2 %. After each slice the benchmark checks, from the usage report, that
//! the meter counted exactly when it was on. Paused, the meter's
//! middleware still runs up to its first check (one atomic load), which
//! the figure therefore leaves out.
//!
//! The peer here is bureau itself without the meter: the question is what
//! counting adds, not how bureau compares with another product.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::chat::{self, Office};
use crate::process::{Scratch, Server};

pub struct Options {
    pub bureau: PathBuf,
    pub people: usize,
    pub workers: usize,
    pub rounds: usize,
    pub round_time: Duration,
    /// Both slices of each round with the meter paused: what they differ
    /// by when nothing does (the measurement's own floor).
    pub control: bool,
}

pub async fn run(options: &Options) -> anyhow::Result<()> {
    if options.rounds < 2 || options.workers == 0 || options.people == 0 {
        bail!("--rounds must be at least 2, --workers and --people at least 1");
    }
    let scratch = Scratch::create()?;
    let data = scratch.folder("office")?;
    let database = format!("sqlite:{}?mode=rwc", data.join("bureau.db").display());
    println!("seeding {} people...", options.people);
    let office = chat::seed(&database, &data, options.people).await?;
    let server = chat::start(&options.bureau, &data, &database, "office", &[]).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.workers)
        .build()?;
    let admin = Admin {
        http: http.clone(),
        base: format!("http://{}/api/v1", server.addr),
        token: office.people[0].token.clone(),
    };
    let (with, without) = if options.control {
        ("slice A (paused)", "slice B (paused)")
    } else {
        ("with the meter", "paused")
    };
    // [with, without]: whether the meter counts in each.
    let counting = [!options.control, false];
    // One slice each to warm caches and connections.
    for on in counting {
        admin.switch(on).await?;
        load(
            &http,
            &office,
            &server,
            options.workers,
            Duration::from_secs(2),
        )
        .await?;
    }
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut micros: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut rate_ratios = Vec::new();
    let mut cpu_ratios = Vec::new();
    for round in 0..options.rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut figures = [(0.0, 0.0); 2];
        for which in order {
            let label = [with, without][which];
            admin.switch(counting[which]).await?;
            let counted_before = admin.counted().await?;
            let cpu_before = crate::meet::cpu_seconds(server.pid)?;
            let (done, errors) =
                load(&http, &office, &server, options.workers, options.round_time).await?;
            let cpu = crate::meet::cpu_seconds(server.pid)? - cpu_before;
            let counted = admin.counted().await? - counted_before;
            let rate = done as f64 / options.round_time.as_secs_f64();
            let per_request = cpu * 1e6 / done.max(1) as f64;
            println!(
                "round {:>2}, {label:<16}: {rate:>7.0} requests/s, {per_request:>6.1} µs of server CPU per request, {counted:>10} bytes counted ({errors} errors)",
                round + 1
            );
            if errors > 0 {
                bail!("{label}: {errors} requests failed");
            }
            // The usage report's own request counts when the meter is on:
            // a paused slice adds nothing, a counting one far more.
            if counting[which] != (counted > 10 * done) {
                bail!("{label}: the meter counted {counted} bytes for {done} requests");
            }
            rates[which].push(rate);
            micros[which].push(per_request);
            figures[which] = (rate, per_request);
        }
        rate_ratios.push(figures[0].0 / figures[1].0);
        cpu_ratios.push(figures[0].1 / figures[1].1);
    }
    server.stop().await;
    println!();
    println!(
        "office benchmark: the data meter's cost ({} workers, closed loop, one process, {} rounds of two {} s slices, chat's read/post mix)",
        options.workers,
        options.rounds,
        options.round_time.as_secs()
    );
    let spread = |values: &[f64]| {
        let (low, high) = values
            .iter()
            .fold((f64::MAX, 0f64), |(l, h), &v| (l.min(v), h.max(v)));
        format!("slices from {low:.0} to {high:.0}")
    };
    println!(
        "  throughput, median: bureau {with} {:.0} requests/s ({}); bureau {without} {:.0} requests/s ({})",
        median(&mut rates[0].clone()),
        spread(&rates[0]),
        median(&mut rates[1].clone()),
        spread(&rates[1])
    );
    let rate = median(&mut rate_ratios.clone());
    let (mean, margin) = mean_and_margin(&rate_ratios);
    println!(
        "  throughput ratio, median of the {} rounds: {rate:.3} (cost {:.1} %, bound 2 %); quartiles {}; mean {mean:.3} ± {margin:.3} (95 %), so the cost is at most {:.1} %",
        rate_ratios.len(),
        (1.0 - rate) * 100.0,
        quartiles(&rate_ratios),
        (1.0 - (mean - margin)) * 100.0,
    );
    println!(
        "  server CPU per request, median: {with} {:.1} µs; {without} {:.1} µs",
        median(&mut micros[0]),
        median(&mut micros[1])
    );
    let cpu = median(&mut cpu_ratios.clone());
    let (mean, margin) = mean_and_margin(&cpu_ratios);
    println!(
        "  CPU ratio, median of the {} rounds: {cpu:.3} (cost {:.1} %, bound 2 %); quartiles {}; mean {mean:.3} ± {margin:.3} (95 %), so the cost is at most {:.1} %",
        cpu_ratios.len(),
        (cpu - 1.0) * 100.0,
        quartiles(&cpu_ratios),
        (mean + margin - 1.0) * 100.0,
    );
    Ok(())
}

/// The office's admin, who switches the meter and reads what it counted.
struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    /// Turns counting on or off in the office settings.
    async fn switch(&self, on: bool) -> anyhow::Result<()> {
        let url = format!("{}/office/settings", self.base);
        let mut settings = self.json(self.http.get(&url)).await?;
        settings["metering"] = serde_json::Value::Bool(on);
        let saved = self.json(self.http.put(&url).json(&settings)).await?;
        if saved["metering"] != on {
            bail!("the office settings did not take metering = {on}");
        }
        Ok(())
    }

    /// Sends `request` as the admin; the JSON of a successful answer.
    async fn json(&self, request: reqwest::RequestBuilder) -> anyhow::Result<serde_json::Value> {
        Ok(request
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Every byte counted so far, everyone's, in and out.
    async fn counted(&self) -> anyhow::Result<u64> {
        let usage = self
            .json(self.http.get(format!("{}/office/usage", self.base)))
            .await?;
        let rows = usage["rows"]
            .as_array()
            .context("a usage report has rows")?;
        Ok(rows
            .iter()
            .map(|row| {
                row["bytes_in"].as_u64().unwrap_or(0) + row["bytes_out"].as_u64().unwrap_or(0)
            })
            .sum())
    }
}

/// The first and third quartiles of `values`, as `low to high`: how far
/// the rounds spread around their median.
fn quartiles(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    format!("{:.3} to {:.3}", at(0.25), at(0.75))
}

/// The mean of `values` and the half-width of its 95 % confidence
/// interval (normal approximation: 1.96 standard errors), which is what
/// says whether a cost is within a bound, not only its likeliest value.
fn mean_and_margin(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, 1.96 * (variance / n).sqrt())
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
