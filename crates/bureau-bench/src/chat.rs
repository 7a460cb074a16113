//! The `chat` benchmark.
//!
//! 1. Ceiling: simulated people, each with an event WebSocket and an HTTP
//!    client, act with Mattermost's load-test mix (mostly reading: switch
//!    channel, scroll, unread checks; some posting, reacting, searching,
//!    typing). Steps of more and more people; a step passes with average
//!    request time ≤ 100 ms, p99 ≤ 2 s and no error (Mattermost's ceiling
//!    criteria). On SQLite and on PostgreSQL.
//! 2. Delivery: one message into a 1,000-member channel with 1,000 sockets
//!    listening, post to delivery, p50 and p99.
//! 3. Search: p50 and p99 over 1,000,000 stored messages (SQLite).
//!
//! The office is seeded through bureau's own Store API before the server
//! starts (people without passwords and with API tokens, channels, history),
//! so that seeding does not spend the run hashing passwords. Everything
//! measured goes through the real server, over HTTP and WebSocket.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bureau_accounts::{Accounts, Ports};
use bureau_bus::Bus;
use bureau_core::{ChannelId, ChannelKind, Locale, Role, UserId};
use bureau_store::{Blobs, NewChannel, NewMessage, NewUser, Store};
use futures_util::{SinkExt, StreamExt};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::process::{self, Scratch, Server};

pub struct Options {
    pub bureau: PathBuf,
    /// PostgreSQL server for the second run (a fresh schema is made).
    pub postgres: Option<String>,
    /// Steps of simulated people, in order; the run stops at the first
    /// step that fails.
    pub steps: Vec<usize>,
    /// How long each step is measured, after its people are connected.
    pub step_time: Duration,
    /// Mean time between two actions of one person.
    pub think: Duration,
    pub search_messages: usize,
    /// A Python virtual environment with `matrix-synapse`, for the peer.
    pub synapse: Option<PathBuf>,
}

/// People per team channel; each person is in one team and in #general.
const TEAM: usize = 50;
const HISTORY_PER_CHANNEL: usize = 100;
const ALL_HANDS: usize = 1000;

/// Mattermost's action mix (REFERENCE.md), as relative weights.
const MIX: &[(Action, f64)] = &[
    (Action::SwitchChannel, 6.52),
    (Action::ScrollChannel, 1.99),
    (Action::UnreadCheck, 1.0),
    (Action::CreatePost, 1.0),
    (Action::OpenDm, 0.98),
    (Action::ViewThreads, 0.60),
    (Action::UpdateThreadRead, 0.32),
    (Action::ViewThread, 0.28),
    (Action::Reconnect, 0.144),
    (Action::AddReaction, 0.13),
    (Action::EditPost, 0.04),
    (Action::Search, 0.022),
];

#[derive(Clone, Copy, Debug)]
enum Action {
    SwitchChannel,
    ScrollChannel,
    UnreadCheck,
    CreatePost,
    OpenDm,
    ViewThreads,
    UpdateThreadRead,
    ViewThread,
    Reconnect,
    AddReaction,
    EditPost,
    Search,
}

const WORDS: &[&str] = &[
    "télétravail",
    "réunion",
    "projet",
    "client",
    "facture",
    "budget",
    "planning",
    "livraison",
    "incident",
    "serveur",
    "déploiement",
    "congés",
    "formation",
    "recrutement",
    "contrat",
    "meeting",
    "release",
    "deadline",
    "customer",
    "invoice",
    "roadmap",
    "design",
    "review",
    "support",
    "backup",
    "network",
    "laptop",
    "webcam",
    "connexion",
    "équipe",
    "lundi",
    "vendredi",
    "working",
    "shipping",
    "travaillons",
    "validé",
    "urgent",
    "question",
    "document",
    "procédure",
];

/// One seeded person.
#[derive(Clone)]
pub(crate) struct Person {
    id: i64,
    pub(crate) token: String,
    pub(crate) team: i64,
}

pub(crate) struct Office {
    pub(crate) people: Vec<Person>,
    pub(crate) general: i64,
    all_hands: i64,
}

pub async fn run(options: &Options) -> anyhow::Result<()> {
    let max_people = options
        .steps
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(ALL_HANDS);
    let limit = process::open_files_limit()?;
    if limit < max_people + 512 {
        bail!("{max_people} people need more open files than the {limit} allowed: run through `cargo xtask bench chat`");
    }
    let scratch = Scratch::create()?;
    let mut report = Vec::new();

    let mut backends = vec![("SQLite", None)];
    if let Some(url) = &options.postgres {
        backends.push(("PostgreSQL", Some(url.clone())));
    }
    for (label, postgres) in backends {
        let data = scratch.folder(&format!("ceiling-{label}"))?;
        let database = match &postgres {
            None => format!("sqlite:{}?mode=rwc", data.join("bureau.db").display()),
            Some(base) => fresh_schema(base, "bench_chat").await?,
        };
        println!("{label}: seeding {max_people} people...");
        let office = seed(&database, &data, max_people).await?;
        let server = start(&options.bureau, &data, &database, label, &[]).await?;
        let base = format!("http://{}", server.addr);
        let mut ceiling = None;
        for &people in &options.steps {
            let step = load_step(&base, &office, people, options).await?;
            println!(
                "{label}: {people:>5} people: {:>6.0} requests/s, average {:>6.1} ms, p99 {:>7.1} ms, {} errors, {} events received -> {}",
                step.requests as f64 / options.step_time.as_secs_f64(),
                step.average_ms,
                step.p99_ms,
                step.errors,
                step.events,
                if step.passed() { "pass" } else { "FAIL" },
            );
            if !step.passed() {
                break;
            }
            ceiling = Some((people, step));
        }
        let delivery = all_hands_delivery(&base, &office).await?;
        println!(
            "{label}: one message into a {ALL_HANDS}-member channel: post to delivery p50 {:.1} ms, p99 {:.1} ms",
            delivery.0, delivery.1
        );
        report.push((label, ceiling, delivery));
        server.stop().await;
    }

    let peer = match &options.synapse {
        Some(venv) => {
            println!("Synapse: the same fan-out, {ALL_HANDS} members listening...");
            match crate::synapse::fanout(venv, &scratch, ALL_HANDS, 20).await {
                Ok(figures) => Some(figures),
                Err(error) => {
                    println!("  Synapse could not be measured: {error:#}");
                    None
                }
            }
        }
        None => None,
    };

    println!(
        "Seeding {} messages for search (SQLite)...",
        options.search_messages
    );
    let search = search_latency(options, &scratch).await?;

    println!();
    println!("chat benchmark (2 cores shared by the server, its database and the load generator)");
    println!(
        "  load: one action per person every {:.0} s on average, Mattermost's mix; a step passes with average <= 100 ms, p99 <= 2 s, 0 errors",
        options.think.as_secs_f64()
    );
    for (label, ceiling, delivery) in &report {
        match ceiling {
            Some((people, step)) => println!(
                "  {label:<10} ceiling {people} people (average {:.1} ms, p99 {:.1} ms); 1,000-member fan-out p50 {:.1} ms, p99 {:.1} ms",
                step.average_ms, step.p99_ms, delivery.0, delivery.1
            ),
            None => println!("  {label:<10} no step passed; 1,000-member fan-out p50 {:.1} ms, p99 {:.1} ms", delivery.0, delivery.1),
        }
    }
    if let (Some((synapse_p50, synapse_p99)), Some((_, _, (p50, p99)))) = (peer, report.first()) {
        println!(
            "  fan-out into a {ALL_HANDS}-member room: bureau (SQLite) p50 {p50:.1} ms, p99 {p99:.1} ms; Synapse p50 {synapse_p50:.1} ms, p99 {synapse_p99:.1} ms; Synapse/bureau {:.1}x (p50), {:.1}x (p99)",
            synapse_p50 / p50,
            synapse_p99 / p99
        );
    } else {
        println!("  Synapse fan-out: not measured in this run");
    }
    println!(
        "  search over {} messages: p50 {:.1} ms, p99 {:.1} ms (index rebuilt in {:.0} s)",
        search.messages, search.p50_ms, search.p99_ms, search.index_secs
    );
    println!("  anchor (Mattermost's published ceiling tests): 217 users on one 2-vCPU app server with a separate 2-vCPU database");
    Ok(())
}

/// A fresh schema on the PostgreSQL server `base`, as a URL that uses it.
async fn fresh_schema(base: &str, label: &str) -> anyhow::Result<String> {
    let schema = format!("{label}_{}", std::process::id());
    let status = Command::new("psql")
        .arg(base)
        .args([
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
        ])
        .status()
        .await
        .context("running psql to make a schema for the benchmark")?;
    if !status.success() {
        bail!("psql could not create schema {schema} on {base}");
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}"
    ))
}

async fn ports(database: &str, data: &std::path::Path) -> anyhow::Result<Ports> {
    let store = Store::connect(database).await?;
    let blobs = Blobs::open(
        data.join("blobs").to_str().context("a UTF-8 path")?,
        store.clone(),
    )?;
    Ok(Ports {
        store,
        bus: Bus::local("bench-seed"),
        blobs,
    })
}

/// People with tokens, team channels of 50, #general with everyone, an
/// all-hands channel of the first 1,000, and history in every channel.
pub(crate) async fn seed(
    database: &str,
    data: &std::path::Path,
    people: usize,
) -> anyhow::Result<Office> {
    let ports = ports(database, data).await?;
    let store = ports.store.clone();
    let accounts = Accounts::new(ports);
    let mut ids = Vec::with_capacity(people);
    for chunk in (0..people).collect::<Vec<_>>().chunks(500) {
        let mut tx = store.begin().await?;
        for i in chunk {
            let name = format!("p{i:05}");
            let user = tx
                .insert_user(NewUser {
                    name: &name,
                    display_name: &format!("Person {i}"),
                    email: None,
                    locale: if i % 2 == 0 { Locale::Fr } else { Locale::En },
                    role: if *i == 0 { Role::Admin } else { Role::Member },
                    password_hash: None,
                })
                .await?;
            ids.push(user.id);
        }
        tx.commit().await?;
    }
    let mut tokens = Vec::with_capacity(people);
    for i in 0..people {
        tokens.push(
            accounts
                .create_token_offline(&format!("p{i:05}"), "bench")
                .await?,
        );
    }
    let mut tx = store.begin().await?;
    let general = tx.insert_channel(public_channel("general", ids[0])).await?;
    let all_hands = tx
        .insert_channel(public_channel("all-hands", ids[0]))
        .await?;
    let mut teams = Vec::new();
    for team in 0..people.div_ceil(TEAM) {
        teams.push(
            tx.insert_channel(public_channel(&format!("team-{team}"), ids[0]))
                .await?,
        );
    }
    tx.commit().await?;
    for (i, user) in ids.iter().enumerate() {
        let mut tx = store.begin().await?;
        tx.add_member(general, *user, false).await?;
        tx.add_member(teams[i / TEAM], *user, false).await?;
        if i < ALL_HANDS {
            tx.add_member(all_hands, *user, false).await?;
        }
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    for (t, team) in teams.iter().enumerate() {
        for n in 0..HISTORY_PER_CHANNEL {
            let author = ids[(t * TEAM + n % TEAM).min(ids.len() - 1)];
            let text = sentence(t * HISTORY_PER_CHANNEL + n);
            tx.insert_message(new_message(*team, author, &text)).await?;
        }
    }
    tx.commit().await?;
    store.close().await;
    Ok(Office {
        people: ids
            .iter()
            .zip(tokens)
            .enumerate()
            .map(|(i, (id, token))| Person {
                id: id.0,
                token,
                team: teams[i / TEAM].0,
            })
            .collect(),
        general: general.0,
        all_hands: all_hands.0,
    })
}

fn public_channel(name: &str, creator: UserId) -> NewChannel<'_> {
    NewChannel {
        kind: ChannelKind::Channel,
        name: Some(name),
        private: false,
        topic: "",
        purpose: "",
        dm_key: None,
        created_by: creator,
    }
}

fn new_message(channel: ChannelId, author: UserId, text: &str) -> NewMessage<'_> {
    NewMessage {
        channel_id: channel,
        author_id: author,
        via: None,
        thread_id: None,
        also_in_channel: false,
        text,
        mentions_all: false,
        has_file: false,
    }
}

/// A deterministic sentence of 6 to 14 words, with a ticket code now and then.
fn sentence(seed: usize) -> String {
    let mut state = seed as u64 * 6364136223846793005 + 1442695040888963407;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let length = 6 + next() % 9;
    let mut words: Vec<String> = (0..length)
        .map(|_| WORDS[next() % WORDS.len()].to_string())
        .collect();
    if next() % 5 == 0 {
        words.push(format!("PLT-{}", next() % 10_000));
    }
    words.join(" ")
}

/// Starts bureau on `database`, with `env` beside its usual environment.
pub(crate) async fn start(
    bureau: &std::path::Path,
    data: &std::path::Path,
    database: &str,
    label: &str,
    env: &[(&str, &str)],
) -> anyhow::Result<Server> {
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
        .arg(data)
        .args(["--database-url", database])
        .env("BUREAU_LOG", "warn")
        .envs(env.iter().copied());
    let log = data.join(format!("server-{label}.log"));
    let (server, _) = Server::start(command, addr, "/healthz", &log).await?;
    Ok(server)
}

/// What one step measured.
struct Step {
    requests: u64,
    errors: u64,
    events: u64,
    average_ms: f64,
    p99_ms: f64,
}

impl Step {
    fn passed(&self) -> bool {
        self.errors == 0 && self.average_ms <= 100.0 && self.p99_ms <= 2000.0
    }
}

#[derive(Default)]
struct Tally {
    latencies: Mutex<Vec<Duration>>,
    errors: AtomicU64,
    events: AtomicU64,
    measuring: std::sync::atomic::AtomicBool,
}

impl Tally {
    fn record(&self, started: Instant, ok: bool) {
        if !self.measuring.load(Ordering::Relaxed) {
            return;
        }
        if ok {
            self.latencies
                .lock()
                .expect("tally lock")
                .push(started.elapsed());
        } else {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn load_step(
    base: &str,
    office: &Office,
    people: usize,
    options: &Options,
) -> anyhow::Result<Step> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(10))
        .build()?;
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let connected = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (i, person) in office.people.iter().take(people).enumerate() {
        let person = person.clone();
        let context = Simulated {
            base: base.to_string(),
            http: http.clone(),
            tally: tally.clone(),
            general: office.general,
            others: people,
            think: options.think,
            first_id: office.people[0].id,
        };
        let stop = stop.clone();
        let connected = connected.clone();
        tasks.push(tokio::spawn(async move {
            // Spread the connections out as people arrive in the morning.
            tokio::time::sleep(Duration::from_millis((i as u64 * 3) % 5000)).await;
            context.live(person, i as u64, &stop, &connected).await;
        }));
    }
    let ramp = Instant::now();
    while connected.load(Ordering::Relaxed) < people {
        if ramp.elapsed() > Duration::from_secs(120) {
            bail!(
                "only {} of {people} people connected within 2 minutes",
                connected.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    tally.measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(options.step_time).await;
    tally.measuring.store(false, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }
    let mut latencies = std::mem::take(&mut *tally.latencies.lock().expect("tally lock"));
    latencies.sort();
    let requests = latencies.len() as u64;
    let average_ms = if latencies.is_empty() {
        0.0
    } else {
        latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .sum::<f64>()
            / latencies.len() as f64
    };
    let p99_ms = latencies
        .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    // Let the server drop the sockets before the next step.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(Step {
        requests,
        errors: tally.errors.load(Ordering::Relaxed),
        events: tally.events.load(Ordering::Relaxed),
        average_ms,
        p99_ms,
    })
}

struct Simulated {
    base: String,
    http: reqwest::Client,
    tally: Arc<Tally>,
    general: i64,
    others: usize,
    think: Duration,
    first_id: i64,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Simulated {
    async fn live(
        &self,
        person: Person,
        seed: u64,
        stop: &std::sync::atomic::AtomicBool,
        connected: &AtomicUsize,
    ) {
        let mut random = Random(seed * 7919 + 17);
        let mut socket = match self.socket(&person, None).await {
            Ok(socket) => socket,
            Err(_) => {
                self.tally.errors.fetch_add(1, Ordering::Relaxed);
                connected.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        connected.fetch_add(1, Ordering::Relaxed);
        let mut last_seq = 0i64;
        let mut channel = person.team;
        let mut seen: Vec<i64> = Vec::new();
        let mut mine: Vec<i64> = Vec::new();
        let total: f64 = MIX.iter().map(|(_, w)| w).sum();
        let mut next_action = tokio::time::Instant::now() + self.think.mul_f64(random.unit() * 2.0);
        while !stop.load(Ordering::Relaxed) {
            tokio::select! {
                frame = socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.tally.events.fetch_add(1, Ordering::Relaxed);
                        if let Some(seq) = seq_of(text.as_str()) {
                            last_seq = seq;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => {
                        self.tally.errors.fetch_add(1, Ordering::Relaxed);
                        match self.socket(&person, Some(last_seq)).await {
                            Ok(fresh) => socket = fresh,
                            Err(_) => return,
                        }
                    }
                },
                _ = tokio::time::sleep_until(next_action) => {
                    let mut pick = random.unit() * total;
                    let action = MIX.iter().find(|(_, w)| { pick -= w; pick <= 0.0 }).map_or(Action::SwitchChannel, |(a, _)| *a);
                    if let Action::Reconnect = action {
                        let started = Instant::now();
                        let _ = socket.close(None).await;
                        match self.socket(&person, Some(last_seq)).await {
                            Ok(fresh) => {
                                socket = fresh;
                                self.tally.record(started, true);
                            }
                            Err(_) => {
                                self.tally.record(started, false);
                                return;
                            }
                        }
                    } else {
                        if let Action::CreatePost = action {
                            let typing = format!(r#"{{"type":"typing","channel_id":{channel}}}"#);
                            let _ = socket.send(Message::Text(typing.into())).await;
                        }
                        self.act(action, &person, &mut random, &mut channel, &mut seen, &mut mine).await;
                    }
                    // Exponential think times around the mean.
                    let wait = self.think.mul_f64(-(1.0 - random.unit()).ln());
                    next_action = tokio::time::Instant::now() + wait;
                }
            }
        }
    }

    async fn socket(&self, person: &Person, since: Option<i64>) -> anyhow::Result<Socket> {
        let query = since.map(|s| format!("?since={s}")).unwrap_or_default();
        let url = format!(
            "{}/api/v1/events{query}",
            self.base.replace("http://", "ws://")
        );
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {}", person.token).parse()?);
        let (mut socket, _) = tokio::time::timeout(
            Duration::from_secs(20),
            tokio_tungstenite::connect_async(request),
        )
        .await??;
        // Up to `ready`.
        while let Some(frame) = tokio::time::timeout(Duration::from_secs(20), socket.next()).await?
        {
            if let Message::Text(text) = frame? {
                if text.as_str().contains(r#""kind":"ready""#) {
                    return Ok(socket);
                }
            }
        }
        bail!("the socket closed before ready")
    }

    async fn act(
        &self,
        action: Action,
        person: &Person,
        random: &mut Random,
        channel: &mut i64,
        seen: &mut Vec<i64>,
        mine: &mut Vec<i64>,
    ) {
        let api = |path: String| format!("{}/api/v1{path}", self.base);
        match action {
            Action::SwitchChannel => {
                *channel = if random.unit() < 0.7 {
                    person.team
                } else {
                    self.general
                };
                if let Some(messages) = self
                    .get(
                        person,
                        api(format!("/channels/{channel}/messages?limit=50")),
                    )
                    .await
                {
                    remember(seen, &messages);
                    if let Some(last) = messages
                        .as_array()
                        .and_then(|m| m.last())
                        .and_then(|m| m["id"].as_i64())
                    {
                        self.send(
                            person,
                            reqwest::Method::POST,
                            api(format!("/channels/{channel}/read")),
                            Some(serde_json::json!({ "last_read_id": last })),
                        )
                        .await;
                    }
                }
            }
            Action::ScrollChannel => {
                let before = seen.iter().min().copied().unwrap_or(i64::MAX / 2);
                if let Some(messages) = self
                    .get(
                        person,
                        api(format!(
                            "/channels/{channel}/messages?before={before}&limit=50"
                        )),
                    )
                    .await
                {
                    remember(seen, &messages);
                }
            }
            // bureau has no separate list of followed threads: viewing
            // them reads the conversations with their counts, as the
            // unread check does.
            Action::UnreadCheck | Action::ViewThreads => {
                self.get(person, api("/channels".into())).await;
            }
            Action::CreatePost => {
                let text = sentence(random.next() as usize);
                let body = serde_json::json!({ "text": text });
                if let Some(posted) = self
                    .send(
                        person,
                        reqwest::Method::POST,
                        api(format!("/channels/{channel}/messages")),
                        Some(body),
                    )
                    .await
                {
                    if let Some(id) = posted["id"].as_i64() {
                        mine.push(id);
                        seen.push(id);
                    }
                }
            }
            Action::OpenDm => {
                let other = self.first_id + (random.next() % self.others as u64) as i64;
                if other != person.id {
                    if let Some(dm) = self
                        .send(
                            person,
                            reqwest::Method::POST,
                            api("/dms".into()),
                            Some(serde_json::json!({ "user_ids": [other] })),
                        )
                        .await
                    {
                        if let Some(id) = dm["id"].as_i64() {
                            self.get(person, api(format!("/channels/{id}/messages?limit=50")))
                                .await;
                        }
                    }
                }
            }
            Action::UpdateThreadRead => {
                if let Some(id) = seen.last() {
                    self.send(
                        person,
                        reqwest::Method::POST,
                        api(format!("/channels/{channel}/read")),
                        Some(serde_json::json!({ "last_read_id": id })),
                    )
                    .await;
                }
            }
            Action::ViewThread => {
                if let Some(id) = pick(seen, random) {
                    self.get(person, api(format!("/messages/{id}/thread")))
                        .await;
                }
            }
            Action::AddReaction => {
                if let Some(id) = pick(seen, random) {
                    self.send(
                        person,
                        reqwest::Method::PUT,
                        api(format!("/messages/{id}/reactions/%F0%9F%91%8D")),
                        None,
                    )
                    .await;
                }
            }
            Action::EditPost => {
                if let Some(id) = mine.last() {
                    let body = serde_json::json!({ "text": sentence(random.next() as usize) });
                    self.send(
                        person,
                        reqwest::Method::PATCH,
                        api(format!("/messages/{id}")),
                        Some(body),
                    )
                    .await;
                }
            }
            Action::Search => {
                let word = WORDS[random.next() as usize % WORDS.len()];
                self.get(
                    person,
                    api(format!("/search?q={}", process::urlencode(word))),
                )
                .await;
            }
            Action::Reconnect => {}
        }
    }

    async fn get(&self, person: &Person, url: String) -> Option<serde_json::Value> {
        self.send(person, reqwest::Method::GET, url, None).await
    }

    async fn send(
        &self,
        person: &Person,
        method: reqwest::Method,
        url: String,
        body: Option<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        let started = Instant::now();
        let mut request = self.http.request(method, url).bearer_auth(&person.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = match request.send().await {
            Ok(response) if response.status().is_success() => {
                let bytes = response.bytes().await.ok();
                self.tally.record(started, bytes.is_some());
                bytes
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .or(Some(serde_json::Value::Null))
            }
            _ => {
                self.tally.record(started, false);
                None
            }
        };
        answer
    }
}

fn remember(seen: &mut Vec<i64>, messages: &serde_json::Value) {
    for m in messages.as_array().into_iter().flatten() {
        if let Some(id) = m["id"].as_i64() {
            seen.push(id);
        }
    }
    if seen.len() > 200 {
        seen.drain(..seen.len() - 200);
    }
}

fn pick(seen: &[i64], random: &mut Random) -> Option<i64> {
    (!seen.is_empty()).then(|| seen[random.next() as usize % seen.len()])
}

fn seq_of(text: &str) -> Option<i64> {
    let start = text.find(r#""seq":"#)? + 6;
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// A small deterministic generator (a 64-bit LCG), enough to vary people.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// Post-to-delivery in the all-hands channel, 1,000 sockets listening:
/// p50 and p99 in ms over 20 messages.
async fn all_hands_delivery(base: &str, office: &Office) -> anyhow::Result<(f64, f64)> {
    let simulated = Simulated {
        base: base.to_string(),
        http: reqwest::Client::new(),
        tally: Arc::default(),
        general: office.general,
        others: 0,
        think: Duration::from_secs(3600),
        first_id: 0,
    };
    let (send, mut received) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let mut listeners = Vec::new();
    let ready = Arc::new(AtomicUsize::new(0));
    for person in office.people.iter().take(ALL_HANDS) {
        let mut socket = simulated.socket(person, None).await?;
        let send = send.clone();
        let ready = ready.clone();
        ready.fetch_add(1, Ordering::Relaxed);
        listeners.push(tokio::spawn(async move {
            while let Some(Ok(frame)) = socket.next().await {
                if let Message::Text(text) = frame {
                    if let Some(round) = text.as_str().split("all-hands round ").nth(1) {
                        let digits: String =
                            round.chars().take_while(|c| c.is_ascii_digit()).collect();
                        if let Ok(round) = digits.parse() {
                            let _ = send.send((round, Instant::now()));
                        }
                    }
                }
            }
        }));
    }
    let poster = &office.people[0];
    let url = format!("{base}/api/v1/channels/{}/messages", office.all_hands);
    let mut latencies = Vec::new();
    for round in 0..20usize {
        let sent = Instant::now();
        let response = simulated
            .http
            .post(&url)
            .bearer_auth(&poster.token)
            .json(&serde_json::json!({ "text": format!("all-hands round {round}") }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "posting into the all-hands channel failed: {}",
                response.status()
            );
        }
        await_round(&mut received, round, ALL_HANDS, sent, &mut latencies).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for listener in listeners {
        listener.abort();
    }
    Ok(p50_p99(&mut latencies))
}

/// Waits until `listeners` clients have reported message `round`, sent at
/// `sent`, adding their delivery times to `latencies`.
pub(crate) async fn await_round(
    received: &mut tokio::sync::mpsc::UnboundedReceiver<(usize, Instant)>,
    round: usize,
    listeners: usize,
    sent: Instant,
    latencies: &mut Vec<Duration>,
) -> anyhow::Result<()> {
    let mut got = 0;
    while got < listeners {
        let (r, at) = tokio::time::timeout(Duration::from_secs(60), received.recv())
            .await
            .with_context(|| format!("round {round}: {got} of {listeners} deliveries within 60 s"))?
            .context("the listeners ended")?;
        if r == round {
            latencies.push(at - sent);
            got += 1;
        }
    }
    Ok(())
}

/// The median and 99th percentile, in milliseconds.
pub(crate) fn p50_p99(latencies: &mut [Duration]) -> (f64, f64) {
    latencies.sort();
    let at = |q: usize| {
        latencies
            .get((latencies.len() * q / 100).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    (at(50), at(99))
}

struct SearchFigures {
    messages: usize,
    index_secs: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Search latency over many stored messages, on SQLite.
async fn search_latency(options: &Options, scratch: &Scratch) -> anyhow::Result<SearchFigures> {
    let data = scratch.folder("search")?;
    let database = format!("sqlite:{}?mode=rwc", data.join("bureau.db").display());
    let office = seed(&database, &data, 100).await?;
    let store = Store::connect(&database).await?;
    let authors: Vec<UserId> = office.people.iter().map(|p| UserId(p.id)).collect();
    let channels: Vec<ChannelId> = office
        .people
        .iter()
        .map(|p| ChannelId(p.team))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let seeding = Instant::now();
    let batch = 20_000;
    let mut written = 0;
    while written < options.search_messages {
        let mut tx = store.begin().await?;
        for n in written..(written + batch).min(options.search_messages) {
            let text = if n + 1 == options.search_messages {
                "zzlastmessage of the benchmark".to_string()
            } else {
                sentence(1_000_000 + n)
            };
            tx.insert_message(new_message(
                channels[n % channels.len()],
                authors[n % authors.len()],
                &text,
            ))
            .await?;
        }
        tx.commit().await?;
        written = (written + batch).min(options.search_messages);
    }
    store.close().await;
    println!(
        "  {} messages written in {:.0} s",
        options.search_messages,
        seeding.elapsed().as_secs_f64()
    );
    let server = start(&options.bureau, &data, &database, "search", &[]).await?;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let searcher = &office.people[1];
    let started = Instant::now();
    loop {
        let found: serde_json::Value = http
            .get(format!("{base}/api/v1/search?q=zzlastmessage"))
            .bearer_auth(&searcher.token)
            .send()
            .await?
            .json()
            .await?;
        if found.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the search index was not rebuilt within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let index_secs = started.elapsed().as_secs_f64();
    let mut random = Random(42);
    let mut latencies = Vec::new();
    for i in 0..300 {
        let word = WORDS[random.next() as usize % WORDS.len()];
        let query = match i % 6 {
            0 => word.to_string(),
            1 => word.chars().take(4).collect(),
            2 => format!("PLT-{}", random.next() % 10_000),
            3 => format!("{word} {}", WORDS[random.next() as usize % WORDS.len()]),
            4 => format!("{word} in:#team-{}", random.next() % 2),
            _ => format!("{word} from:@p{:05}", random.next() % 100),
        };
        let begun = Instant::now();
        let response = http
            .get(format!(
                "{base}/api/v1/search?q={}",
                process::urlencode(&query)
            ))
            .bearer_auth(&searcher.token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("search `{query}` failed: {}", response.status());
        }
        response.bytes().await?;
        latencies.push(begun.elapsed());
    }
    server.stop().await;
    let (p50_ms, p99_ms) = p50_p99(&mut latencies);
    Ok(SearchFigures {
        messages: options.search_messages,
        index_secs,
        p50_ms,
        p99_ms,
    })
}
