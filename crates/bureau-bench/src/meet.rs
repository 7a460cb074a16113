//! `bureau-bench meet`: the SFU under load. One publisher sends a 720p VP8
//! stream (30 frames a second, about 1.2 Mbit/s, a keyframe every 2 s) and
//! Opus audio (50 packets a second) into a meeting; N receivers, each a
//! real WebRTC peer (str0m: ICE, DTLS, SRTP), take both. For each N the
//! bench reports the packets the SFU forwarded per second, per core of CPU
//! it used (from /proc), the loss the receivers saw (sequence gaps), the
//! delay from the publisher's send time to a receiver's arrival, and the
//! SFU's own time per forwarded copy (its /metrics histogram).
//!
//! Receivers are whole str0m peers: they decrypt and send the receiver
//! reports and transport-wide feedback the SFU's congestion control needs
//! (without that feedback its pacer would starve them). The generator
//! therefore spends about as much per packet as the server it measures,
//! on the same two cores.
//!
//! Janus (Debian's `janus`, VideoRoom plugin, [`crate::janus`]) takes the
//! same load from the same clients in the same run, step by step, and the
//! ratio of the two per-core figures is printed; LiveKit's published figure
//! is printed beside them. Forwarded packets are counted the same way for
//! both: by the receivers. The SFU's own time per copy and the delay are
//! bureau's only (Janus renumbers timestamps and has no such histogram).
//!
//! Looking into a run: `BENCH_BUREAU_LOG=bureau_meet=debug` sets the
//! server's log filter and `BENCH_DEBUG=1` keeps its log in
//! `/tmp/meet-bench-server.log` (and Janus's in `/tmp/meet-bench-janus.log`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{ExtensionValues, RtpWrite, SeqNo};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;

use crate::footprint::{bench_admin, start_bureau_media};
use crate::janus;
use crate::process::{self, Scratch};

pub struct Options {
    pub bureau: PathBuf,
    pub receivers: Vec<usize>,
    pub seconds: u64,
}

/// LiveKit's published forwarding rate per core (their benchmark page).
const LIVEKIT_PER_CORE: (u64, u64) = (38_000, 75_000);
const VIDEO_FPS: u64 = 30;
const VIDEO_FRAME_BYTES: usize = 5_000;
const KEYFRAME_BYTES: usize = 30_000;
const PACKET_PAYLOAD: usize = 1_100;

/// What the receivers counted.
#[derive(Default)]
struct Counts {
    /// Set while a step is measured (delays are kept only then).
    measuring: AtomicBool,
    /// Whether RTP timestamps are the publisher's (bureau keeps them).
    delays: AtomicBool,
    packets: AtomicU64,
    lost: AtomicU64,
    delays_micros: Mutex<Vec<u32>>,
}

struct Step {
    receivers: usize,
    forwarded_per_second: f64,
    cpu_cores: f64,
    loss: f64,
    delay_p50_ms: f64,
    delay_p99_ms: f64,
    sfu_p50_ms: f64,
    sfu_p99_ms: f64,
}

pub async fn run(options: &Options) -> anyhow::Result<()> {
    let scratch = Scratch::create()?;
    let data = scratch.folder("bureau-meet")?;
    let token = bench_admin(&options.bureau, &data).await?;
    // Janus gathers no loopback candidates: both servers and every client
    // use the machine's own address (delivered through the loopback
    // device all the same).
    let ip = machine_ip();
    let (server, _) = start_bureau_media(&options.bureau, &data, ip).await?;
    let janus_folder = scratch.folder("janus")?;
    let janus = janus::start(&janus_folder).await?;
    println!(
        "Meetings: one 720p publisher (VP8 ~1.2 Mbit/s, 30 fps, keyframe every 2 s, plus Opus) \
         and N receivers, {} s per step, on this machine.",
        options.seconds
    );
    println!(
        "{:>7} {:>9} {:>14} {:>9} {:>14} {:>7} {:>17} {:>17}",
        "server",
        "receivers",
        "forwarded/s",
        "SFU CPU",
        "per core",
        "loss",
        "delay p50/p99 ms",
        "in SFU p50/p99 ms"
    );
    let mut bureau = Held::default();
    let mut peer = Held::default();
    for &receivers in &options.receivers {
        if !bureau.stopped {
            let step = measure(&server, &token, receivers, options.seconds, ip).await?;
            bureau.record(&step, "bureau");
        }
        if let Some(janus) = janus.as_ref().filter(|_| !peer.stopped) {
            match measure_janus(janus, receivers, options.seconds, ip).await {
                Ok(step) => peer.record(&step, "janus"),
                Err(error) => {
                    println!("{:>7} {receivers:>9}  failed: {error:#}", "janus");
                    peer.stopped = true;
                }
            }
        }
        if bureau.stopped && (janus.is_none() || peer.stopped) {
            break;
        }
    }
    let (peak_per_core, worst_sfu_p99, best) = (bureau.per_core, bureau.worst_sfu_p99, bureau.best);
    println!();
    let janus_figure = match (&janus, peer.best) {
        (None, _) => "Janus not measured (no `janus` on this machine)".to_string(),
        (Some(_), None) => "Janus held no step".to_string(),
        (Some(_), Some(_)) => format!(
            "Janus (same run) {:.0}, ratio {:.2}x",
            peer.per_core,
            peak_per_core / peer.per_core
        ),
    };
    println!(
        "forwarded packets per second per core in the steps that held: bureau {peak_per_core:.0}; \
         {janus_figure}; LiveKit (published) {}-{}, ratio {:.2}x-{:.2}x (target >= 100,000)",
        LIVEKIT_PER_CORE.0,
        LIVEKIT_PER_CORE.1,
        peak_per_core / LIVEKIT_PER_CORE.1 as f64,
        peak_per_core / LIVEKIT_PER_CORE.0 as f64
    );
    let worst = if worst_sfu_p99.is_finite() {
        format!("{worst_sfu_p99:.3} ms")
    } else {
        "over 10 ms".into()
    };
    println!("p99 time inside the SFU, worst of those steps: {worst} (target <= 2 ms)");
    let held =
        |best: Option<usize>| best.map_or("none of the steps".to_string(), |n| n.to_string());
    println!(
        "most receivers of one 720p publisher at <= 1 % loss with >= 95 % delivered \
         (the largest step tried that held): \
         bureau {}, Janus {}",
        held(best),
        if janus.is_some() {
            held(peer.best)
        } else {
            "not measured".into()
        }
    );
    if let Some(janus) = janus {
        janus.stop().await;
    }
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let _ = std::fs::copy(data.with_extension("log"), "/tmp/meet-bench-server.log");
        let _ = std::fs::copy(janus_folder.join("janus.log"), "/tmp/meet-bench-janus.log");
    }
    server.stop().await;
    Ok(())
}

async fn measure(
    server: &process::Server,
    token: &str,
    receivers: usize,
    seconds: u64,
    ip: IpAddr,
) -> anyhow::Result<Step> {
    let (status, body) = process::send_json(
        server.addr,
        "POST",
        "/api/v1/meetings",
        token,
        &json!({"title": format!("Bench {receivers}")}).to_string(),
    )
    .await?;
    if status != 201 {
        bail!("creating a meeting: {status} {body}");
    }
    let meeting: Value = serde_json::from_str(&body)?;
    let id = meeting["id"].as_i64().context("a meeting id")?;
    let load = Load::new(true);
    let mut sockets = Vec::new();
    // The publisher first, then the receivers.
    let (publisher, socket) = connect(server.addr, token, id, Role::Publisher, ip).await?;
    sockets.push(socket);
    load.publish(publisher);
    for _ in 0..receivers {
        let (client, socket) = connect(server.addr, token, id, Role::Receiver, ip).await?;
        sockets.push(socket);
        load.receive(client);
    }
    let step = load.measure(server, seconds, Some(server.addr)).await;
    drop(sockets);
    let mut step = step?;
    step.receivers = receivers;
    Ok(step)
}

/// The same load on Janus: a room, the publisher, then the receivers, each
/// a subscriber of the publisher's feed.
async fn measure_janus(
    janus: &process::Server,
    receivers: usize,
    seconds: u64,
    ip: IpAddr,
) -> anyhow::Result<Step> {
    let session = janus::Session::create(janus.addr).await?;
    let keep_alive = session.keep_alive();
    let outcome = async {
        let load = Load::new(false);
        // A new room each step, even when a step size repeats.
        static ROOMS: AtomicU64 = AtomicU64::new(1000);
        let room = ROOMS.fetch_add(1, Ordering::Relaxed);
        let handle = session.attach().await?;
        session
            .message(
                handle,
                json!({"request": "create", "room": room, "publishers": 1, "bitrate": 0}),
                None,
            )
            .await?;
        let (rtc, socket, local) = peer(ip)?;
        let mut rtc = rtc;
        let mut change = rtc.sdp_api();
        let audio = change.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
        let video = change.add_media(MediaKind::Video, Direction::SendOnly, None, None, None);
        let (offer, pending) = change.apply().context("an offer")?;
        session
            .message(
                handle,
                json!({"request": "joinandconfigure", "room": room, "ptype": "publisher",
                       "display": "publisher", "audio": true, "video": true}),
                Some(json!({"type": "offer", "sdp": offer.to_sdp_string()})),
            )
            .await?;
        session.candidates_done(handle).await?;
        let joined = session.jsep_for(handle).await?;
        let feed = joined["plugindata"]["data"]["id"]
            .as_u64()
            .context("the publisher's feed id")?;
        let answer =
            SdpAnswer::from_sdp_string(joined["jsep"]["sdp"].as_str().context("Janus's answer")?)?;
        rtc.sdp_api().accept_answer(pending, answer)?;
        load.publish(client(rtc, socket, local, audio, video, Role::Publisher)?);
        // A feed can be subscribed to once its media flows.
        let mut publishing = false;
        for _ in 0..100 {
            let listed = session
                .message(
                    handle,
                    json!({"request": "listparticipants", "room": room}),
                    None,
                )
                .await?;
            let participants = &listed["plugindata"]["data"]["participants"];
            if participants[0]["publisher"] == json!(true) {
                publishing = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !publishing {
            bail!("the publisher's media never reached Janus");
        }
        for _ in 0..receivers {
            let handle = session.attach().await?;
            session
                .message(
                    handle,
                    json!({"request": "join", "room": room, "ptype": "subscriber",
                           "streams": [{"feed": feed}]}),
                    None,
                )
                .await?;
            let offered = session.jsep_for(handle).await?;
            let offer = SdpOffer::from_sdp_string(
                offered["jsep"]["sdp"].as_str().context("Janus's offer")?,
            )?;
            let (mut rtc, socket, local) = peer(ip)?;
            let answer = rtc.sdp_api().accept_offer(offer)?;
            session
                .message(
                    handle,
                    json!({"request": "start", "room": room}),
                    Some(json!({"type": "answer", "sdp": answer.to_sdp_string()})),
                )
                .await?;
            session.candidates_done(handle).await?;
            let (audio, video) = (Mid::from("0"), Mid::from("1"));
            load.receive(client(rtc, socket, local, audio, video, Role::Receiver)?);
        }
        let mut step = load.measure(janus, seconds, None).await?;
        step.receivers = receivers;
        anyhow::Ok(step)
    }
    .await;
    keep_alive.abort();
    session.destroy().await;
    outcome
}

/// Steps held so far by one server, and the best figures among them.
#[derive(Default)]
struct Held {
    best: Option<usize>,
    per_core: f64,
    worst_sfu_p99: f64,
    /// A step did not hold: larger steps are not tried.
    stopped: bool,
}

impl Held {
    fn record(&mut self, step: &Step, server: &str) {
        let per_core = step.forwarded_per_second / step.cpu_cores.max(0.01);
        let pair = |a: f64, b: f64, digits: usize| {
            if a.is_nan() {
                format!("{:>8}/{:<8}", "-", "-")
            } else {
                format!("{a:>8.digits$}/{b:<8.digits$}")
            }
        };
        println!(
            "{server:>7} {:>9} {:>14.0} {:>8.2}c {:>14.0} {:>6.2}% {} {}",
            step.receivers,
            step.forwarded_per_second,
            step.cpu_cores,
            per_core,
            step.loss * 100.0,
            pair(step.delay_p50_ms, step.delay_p99_ms, 2),
            pair(step.sfu_p50_ms, step.sfu_p99_ms, 3),
        );
        // Held: at most 1 % lost, and on average at least 95 % of what the
        // publisher sent reached each receiver during the step (a server
        // that queues instead of dropping loses nothing, only late).
        let delivered = step.forwarded_per_second / (step.receivers as f64 * sent_per_second());
        if step.loss <= 0.01 && delivered >= 0.95 {
            self.best = Some(step.receivers);
            self.per_core = self.per_core.max(per_core);
            if !step.sfu_p99_ms.is_nan() {
                self.worst_sfu_p99 = self.worst_sfu_p99.max(step.sfu_p99_ms);
            }
        } else {
            self.stopped = true;
        }
    }
}

/// Packets per second the publisher sends: video frames of
/// `VIDEO_FRAME_BYTES`, a keyframe of `KEYFRAME_BYTES` every 2 s, and Opus
/// every 20 ms.
fn sent_per_second() -> f64 {
    let frame = VIDEO_FRAME_BYTES.div_ceil(PACKET_PAYLOAD) as f64;
    let keyframe = KEYFRAME_BYTES.div_ceil(PACKET_PAYLOAD) as f64;
    let frames = 2.0 * VIDEO_FPS as f64;
    ((frames - 1.0) * frame + keyframe) / 2.0 + 50.0
}

/// A publisher and its receivers, each on its own thread, counting what
/// arrives.
struct Load {
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
    base: Instant,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

/// A load given up half-way (a step that failed) stops its threads.
impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Load {
    fn new(delays: bool) -> Load {
        let counts = Counts::default();
        counts.delays.store(delays, Ordering::Relaxed);
        Load {
            stop: Arc::new(AtomicBool::new(false)),
            counts: Arc::new(counts),
            base: Instant::now(),
            threads: Mutex::new(Vec::new()),
        }
    }

    fn publish(&self, client: Client) {
        let (stop, base) = (self.stop.clone(), self.base);
        let thread = std::thread::spawn(move || publish(client, stop, base));
        self.threads.lock().unwrap().push(thread);
    }

    fn receive(&self, client: Client) {
        let (stop, counts, base) = (self.stop.clone(), self.counts.clone(), self.base);
        let thread = std::thread::spawn(move || receive(client, stop, counts, base));
        self.threads.lock().unwrap().push(thread);
    }

    /// Lets the load settle, then measures for `seconds`: what the
    /// receivers got and the server's CPU (and, for bureau, its histogram).
    async fn measure(
        self,
        server: &process::Server,
        seconds: u64,
        histogram: Option<SocketAddr>,
    ) -> anyhow::Result<Step> {
        let counts = self.counts.clone();
        let outcome = Self::measured(server, seconds, histogram, &counts).await;
        self.stop.store(true, Ordering::Relaxed);
        for thread in std::mem::take(&mut *self.threads.lock().unwrap()) {
            let _ = thread.join();
        }
        let ((packets, lost, elapsed), cpu_cores, sfu) = outcome?;
        let mut delays = std::mem::take(&mut *counts.delays_micros.lock().unwrap());
        delays.sort_unstable();
        let quantile = |q: f64| {
            delays
                .get(((delays.len() as f64 * q) as usize).min(delays.len().saturating_sub(1)))
                .map(|d| *d as f64 / 1000.0)
                .unwrap_or(f64::NAN)
        };
        let (sfu_p50_ms, sfu_p99_ms) = match sfu {
            Some(sfu) => (
                histogram_quantile(&sfu, 0.5),
                histogram_quantile(&sfu, 0.99),
            ),
            None => (f64::NAN, f64::NAN),
        };
        Ok(Step {
            receivers: 0,
            forwarded_per_second: packets as f64 / elapsed,
            cpu_cores,
            loss: lost as f64 / (packets + lost).max(1) as f64,
            delay_p50_ms: quantile(0.5),
            delay_p99_ms: quantile(0.99),
            sfu_p50_ms,
            sfu_p99_ms,
        })
    }

    /// Packets received and lost and seconds measured, CPU cores used, and
    /// the server's histogram over the window.
    async fn measured(
        server: &process::Server,
        seconds: u64,
        histogram: Option<SocketAddr>,
        counts: &Counts,
    ) -> anyhow::Result<((u64, u64, f64), f64, Option<Vec<u64>>)> {
        // Settle: DTLS done, the first keyframe through, the receivers'
        // bandwidth estimates grown to what they receive.
        tokio::time::sleep(Duration::from_secs(8)).await;
        let sfu_before = match histogram {
            Some(addr) => Some(sfu_histogram(addr).await?),
            None => None,
        };
        let cpu_before = cpu_seconds(server.pid)?;
        counts.packets.store(0, Ordering::Relaxed);
        counts.lost.store(0, Ordering::Relaxed);
        counts.delays_micros.lock().unwrap().clear();
        counts.measuring.store(true, Ordering::Relaxed);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = (cpu_seconds(server.pid)? - cpu_before) / elapsed;
        let packets = counts.packets.load(Ordering::Relaxed);
        let lost = counts.lost.load(Ordering::Relaxed);
        counts.measuring.store(false, Ordering::Relaxed);
        let sfu = match (histogram, sfu_before) {
            (Some(addr), Some(before)) => {
                let after = sfu_histogram(addr).await?;
                Some(after.iter().zip(&before).map(|(a, b)| a - b).collect())
            }
            _ => None,
        };
        Ok(((packets, lost, elapsed), cpu, sfu))
    }
}

/// The SFU's per-copy times: counts per 50 µs bucket (cumulative in /metrics).
async fn sfu_histogram(addr: SocketAddr) -> anyhow::Result<Vec<u64>> {
    let (_, text) = process::get(addr, "/metrics").await?;
    let cumulative: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with("bureau_meet_forward_micros_bucket"))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    let mut counts = Vec::with_capacity(cumulative.len());
    let mut previous = 0;
    for value in cumulative {
        counts.push(value - previous);
        previous = value;
    }
    Ok(counts)
}

/// The upper bound (ms) of the bucket holding quantile `q`; infinite when
/// it is in the last bucket (10 ms and more).
fn histogram_quantile(counts: &[u64], q: f64) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let wanted = (total as f64 * q).ceil() as u64;
    let mut seen = 0;
    for (i, count) in counts.iter().enumerate() {
        seen += count;
        if seen >= wanted {
            if i + 1 == counts.len() {
                return f64::INFINITY;
            }
            return (i as f64 + 1.0) * 0.05;
        }
    }
    f64::INFINITY
}

/// The address this machine's default route leaves from (no packet is
/// sent to find it), or loopback when it has none.
fn machine_ip() -> IpAddr {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            socket.connect("198.51.100.1:9")?;
            socket.local_addr()
        })
        .map(|addr| addr.ip())
        .unwrap_or(Ipv4Addr::LOCALHOST.into())
}

pub(crate) fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Publisher,
    Receiver,
}

struct Client {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    audio: Mid,
    video: Mid,
    /// When str0m next wants the clock (feedback, reports, retransmissions).
    next: Instant,
}

type Signal =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Joins the meeting through its signalling socket and negotiates: the
/// publisher sends audio and video, a receiver offers one slot of each.
async fn connect(
    addr: SocketAddr,
    token: &str,
    meeting: i64,
    role: Role,
    ip: IpAddr,
) -> anyhow::Result<(Client, Signal)> {
    let mut request =
        format!("ws://{addr}/api/v1/meetings/{meeting}/signal").into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
    ws.send(Ws::Text(json!({"type": "join"}).to_string().into()))
        .await?;
    wait_for(&mut ws, "joined").await?;

    let (mut rtc, socket, local) = peer(ip)?;
    let direction = if role == Role::Publisher {
        Direction::SendOnly
    } else {
        Direction::RecvOnly
    };
    let mut change = rtc.sdp_api();
    let audio = change.add_media(MediaKind::Audio, direction, None, None, None);
    let video = change.add_media(MediaKind::Video, direction, None, None, None);
    let (offer, pending): (_, SdpPendingOffer) = change.apply().context("an offer")?;
    let message = if role == Role::Publisher {
        json!({"type": "offer", "sdp": offer.to_sdp_string(), "sources": [
            {"mid": audio.to_string(), "source": "mic"},
            {"mid": video.to_string(), "source": "camera"}]})
    } else {
        json!({"type": "offer", "sdp": offer.to_sdp_string(), "sources": [],
               "slots": {"video": [video.to_string()], "audio": [audio.to_string()]}})
    };
    ws.send(Ws::Text(message.to_string().into())).await?;
    let answer = wait_for(&mut ws, "answer").await?;
    let answer = SdpAnswer::from_sdp_string(answer["sdp"].as_str().context("an answer")?)?;
    rtc.sdp_api().accept_answer(pending, answer)?;
    if role == Role::Receiver {
        // Ask for the tallest layer: the tile is 720 px.
        ws.send(Ws::Text(
            json!({"type": "view", "tiles": [{"participant": 1, "source": "camera", "height": 720}]}).to_string().into(),
        ))
        .await?;
    }
    Ok((client(rtc, socket, local, audio, video, role)?, ws))
}

/// A WebRTC peer (str0m, RTP mode, Opus and VP8) on its own UDP socket.
fn peer(ip: IpAddr) -> anyhow::Result<(Rtc, UdpSocket, SocketAddr)> {
    let socket = UdpSocket::bind(SocketAddr::new(ip, 0))?;
    let local = socket.local_addr()?;
    let mut rtc = Rtc::builder()
        .set_rtp_mode(true)
        .clear_codecs()
        .enable_opus(true)
        .enable_vp8(true)
        .build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp")?);
    Ok((rtc, socket, local))
}

fn client(
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    audio: Mid,
    video: Mid,
    role: Role,
) -> anyhow::Result<Client> {
    // The publisher keeps time to the millisecond; receivers only answer.
    let tick = if role == Role::Publisher { 1 } else { 20 };
    socket.set_read_timeout(Some(Duration::from_millis(tick)))?;
    Ok(Client {
        rtc,
        socket,
        local,
        audio,
        video,
        next: Instant::now(),
    })
}

async fn wait_for(ws: &mut Signal, kind: &str) -> anyhow::Result<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .with_context(|| format!("no `{kind}` from the server within 10 s"))?
            .context("the signalling socket closed")??;
        if let Ws::Text(text) = frame {
            let value: Value = serde_json::from_str(text.as_str())?;
            if value["type"] == kind {
                return Ok(value);
            }
            if value["type"] == "error" {
                bail!("the server refused: {value}");
            }
        }
    }
}

/// Feeds one datagram and the clock to str0m and sends what it says;
/// RTP packets received go to `on_rtp`.
fn pump(
    client: &mut Client,
    datagram: Option<(&[u8], SocketAddr)>,
    on_rtp: &mut dyn FnMut(&str0m::rtp::RtpPacket),
) -> bool {
    let now = Instant::now();
    if let Some((bytes, source)) = datagram {
        if let Ok(receive) = Receive::new(Protocol::Udp, source, client.local, bytes) {
            let _ = client.rtc.handle_input(Input::Receive(now, receive));
        }
    } else {
        let _ = client.rtc.handle_input(Input::Timeout(now));
    }
    loop {
        match client.rtc.poll_output() {
            Ok(Output::Timeout(at)) => {
                client.next = at;
                return true;
            }
            Ok(Output::Transmit(t)) => {
                let _ = client.socket.send_to(&t.contents, t.destination);
            }
            Ok(Output::Event(Event::RtpPacket(packet))) => on_rtp(&packet),
            Ok(Output::Event(_)) => {}
            Err(_) => return false,
        }
    }
}

fn pt_of(rtc: &Rtc, mid: Mid, codec: Codec) -> Option<Pt> {
    let media = rtc.media(mid)?;
    media.remote_pts().iter().copied().find(|pt| {
        rtc.codec_config()
            .params()
            .iter()
            .any(|p| p.pt() == *pt && p.spec().codec == codec)
    })
}

/// A VP8 payload: descriptor (15-bit picture id, TL0PICIDX, temporal layer
/// 0, as Chrome's simulcast sends), then bytes; a keyframe's first packet
/// carries the start code and 1280×720.
fn vp8_packet(first: bool, keyframe: bool, picture_id: u16, tl0: u8, size: usize) -> Vec<u8> {
    let mut payload = Vec::with_capacity(size + 6);
    payload.push(if first { 0x90 } else { 0x80 });
    payload.push(0xe0);
    payload.push(0x80 | ((picture_id >> 8) as u8 & 0x7f));
    payload.push(picture_id as u8);
    payload.push(tl0);
    payload.push(0x20);
    if first {
        // Frame tag: bit 0 = 0 for a keyframe.
        payload.extend_from_slice(&[if keyframe { 0x10 } else { 0x11 }, 0x02, 0x00]);
        if keyframe {
            payload.extend_from_slice(&[0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02]);
        }
    }
    payload.resize(size + 6, 0x5a);
    payload
}

fn publish(mut client: Client, stop: Arc<AtomicBool>, base: Instant) {
    let mut buf = vec![0u8; 2048];
    let (mut video_seq, mut audio_seq) = (1u64, 1u64);
    let mut picture_id: u16 = 0;
    let mut frame: u64 = 0;
    let mut audio_packet: u64 = 0;
    let mut started = false;
    let mut first_frame = 0;
    while !stop.load(Ordering::Relaxed) {
        match client.socket.recv_from(&mut buf) {
            Ok((n, source)) => {
                let bytes = buf[..n].to_vec();
                if !pump(&mut client, Some((&bytes, source)), &mut |_| {}) {
                    return;
                }
            }
            Err(_) => {
                if !pump(&mut client, None, &mut |_| {}) {
                    return;
                }
            }
        }
        if !client.rtc.is_connected() {
            continue;
        }
        let (Some(vp8), Some(opus)) = (
            pt_of(&client.rtc, client.video, Codec::Vp8),
            pt_of(&client.rtc, client.audio, Codec::Opus),
        ) else {
            continue;
        };
        let elapsed = base.elapsed();
        if !started {
            // Media starts now, not at `base`: no burst of late frames.
            started = true;
            frame = elapsed.as_micros() as u64 * VIDEO_FPS / 1_000_000 + 1;
            first_frame = frame;
            audio_packet = elapsed.as_micros() as u64 / 20_000 + 1;
        }
        // Video frames due.
        while frame * 1_000_000 / VIDEO_FPS <= elapsed.as_micros() as u64 {
            let keyframe = (frame - first_frame) % (2 * VIDEO_FPS) == 0;
            let bytes = if keyframe {
                KEYFRAME_BYTES
            } else {
                VIDEO_FRAME_BYTES
            };
            let packets = bytes.div_ceil(PACKET_PAYLOAD);
            let timestamp = (frame * 90_000 / VIDEO_FPS) as u32;
            let at = base + Duration::from_micros(frame * 1_000_000 / VIDEO_FPS);
            for i in 0..packets {
                let payload = vp8_packet(
                    i == 0,
                    keyframe,
                    picture_id,
                    (frame % 256) as u8,
                    PACKET_PAYLOAD,
                );
                let write = RtpWrite::new(vp8, SeqNo::from(video_seq), timestamp, at, payload)
                    .marker(i + 1 == packets)
                    .nackable(true);
                if let Some(stream) = client.rtc.direct_api().stream_tx_by_mid(client.video, None) {
                    stream.write_rtp(write);
                }
                video_seq += 1;
            }
            picture_id = (picture_id + 1) & 0x7fff;
            frame += 1;
        }
        while audio_packet * 20_000 <= elapsed.as_micros() as u64 {
            let timestamp = (audio_packet * 960) as u32;
            let at = base + Duration::from_micros(audio_packet * 20_000);
            let ext = ExtensionValues {
                audio_level: Some(-30),
                ..Default::default()
            };
            let write = RtpWrite::new(
                opus,
                SeqNo::from(audio_seq),
                timestamp,
                at,
                vec![0x7bu8; 80],
            )
            .ext_vals(ext);
            if let Some(stream) = client.rtc.direct_api().stream_tx_by_mid(client.audio, None) {
                stream.write_rtp(write);
            }
            audio_seq += 1;
            audio_packet += 1;
        }
        if !pump(&mut client, None, &mut |_| {}) {
            return;
        }
    }
}

/// A receiver: a whole WebRTC peer (it decrypts, and sends receiver
/// reports, NACKs and the transport-wide feedback the SFU's congestion
/// control needs), counting what arrives.
fn receive(mut client: Client, stop: Arc<AtomicBool>, counts: Arc<Counts>, base: Instant) {
    let mut buf = vec![0u8; 2048];
    let mut last_seq: std::collections::HashMap<u32, u64> = Default::default();
    let mut delays = Vec::new();
    let mut on_rtp = |packet: &str0m::rtp::RtpPacket| {
        counts.packets.fetch_add(1, Ordering::Relaxed);
        let seq = *packet.seq_no;
        if let Some(previous) = last_seq.insert(*packet.header.ssrc, seq) {
            if seq > previous + 1 && seq - previous < 1000 {
                counts.lost.fetch_add(seq - previous - 1, Ordering::Relaxed);
            }
        }
        // The publisher sent it at base + RTP time (the SFU keeps a new
        // slot's timestamps).
        let clock = if packet.header.payload_type == Pt::from(111) {
            48_000
        } else {
            90_000
        };
        let sent = Duration::from_micros(u64::from(packet.header.timestamp) * 1_000_000 / clock);
        let arrived = packet.timestamp.saturating_duration_since(base);
        if counts.measuring.load(Ordering::Relaxed)
            && counts.delays.load(Ordering::Relaxed)
            && arrived > sent
            && delays.len() < 200_000
        {
            delays.push((arrived - sent).as_micros().min(u128::from(u32::MAX)) as u32);
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let alive = match client.socket.recv_from(&mut buf) {
            Ok((n, source)) => {
                let bytes = buf[..n].to_vec();
                // Feedback goes out on time even while packets keep
                // coming (the sender's bandwidth estimate depends on it).
                pump(&mut client, Some((&bytes, source)), &mut on_rtp)
                    && (Instant::now() < client.next || pump(&mut client, None, &mut on_rtp))
            }
            Err(_) => pump(&mut client, None, &mut on_rtp),
        };
        if !alive {
            break;
        }
    }
    drop(on_rtp);
    counts.delays_micros.lock().unwrap().append(&mut delays);
}
