//! A shard: one thread that owns some rooms and every peer in them. Each
//! peer is one str0m `Rtc`; every call into it runs under `catch_unwind`, so
//! a bug in one connection drops that peer, never the room.

use std::collections::{HashMap, VecDeque};
use std::net::{SocketAddr, UdpSocket};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use str0m::bwe::BweKind;
use str0m::change::SdpOffer;
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, KeyframeRequestKind, MediaKind, Mid, Pt, Rid};
use str0m::net::{Protocol, Receive, TcpType};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite, SeqNo, Ssrc, Vp8Descriptor};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::sync::mpsc::UnboundedSender;

use super::net::{stun_local_ufrag, Datagram};
use super::rewrite::{In, Rewriter, SourceKey};
use super::select::{pick, Layer, Link, LinkWatch, Mode};
use super::tcp;
use super::{
    Command, Join, MediaStats, Offer, PeerEvent, Quality, Routes, ShardMessage, SlotFill, Source,
    Tile,
};

/// How often rooms are looked at again (slots, layers, speaker, quality).
const HOUSEKEEPING: Duration = Duration::from_millis(500);
/// A layer not seen for this long is not offered to receivers.
const LAYER_STALE: Duration = Duration::from_millis(1500);
/// At most one keyframe request per publisher layer in this time.
const KEYFRAME_INTERVAL: Duration = Duration::from_millis(300);
/// Limits on one offer.
const MAX_SOURCES: usize = 4;
const MAX_SLOTS: usize = 16;
const MAX_SDP_BYTES: usize = 64 * 1024;
/// The estimate a receiver starts with, before TWCC feedback says more.
const INITIAL_ESTIMATE_BPS: u64 = 1_500_000;
/// Bitrate kept for audio when sharing a receiver's estimate among videos.
const AUDIO_RESERVE_BPS: u64 = 100_000;

/// The order of simulcast layers, lowest first (the web app's rids).
fn layer_index(rid: Option<Rid>) -> usize {
    match rid.as_deref() {
        Some("q") | None => 0,
        Some("h") => 1,
        Some("f") => 2,
        Some(_) => 0,
    }
}

struct Slot {
    mid: Mid,
    pt: Option<Pt>,
    /// The publisher (peer key) and its m-line shown here.
    fill: Option<(u64, Mid)>,
    rewriter: Rewriter,
}

#[derive(Default)]
struct Seen {
    last: Option<Instant>,
    height: Option<u32>,
    window_bytes: u64,
    bits_per_second: u64,
}

struct Peer {
    key: u64,
    room: u64,
    participant: u64,
    rtc: Rtc,
    events: UnboundedSender<PeerEvent>,
    chosen: Mode,
    /// The mode the server applies: the chosen one, or stricter on a weak link.
    applied: Mode,
    link: LinkWatch,
    muted: bool,
    sources: HashMap<Mid, Source>,
    streams: HashMap<Ssrc, (Mid, Option<Rid>)>,
    layers: HashMap<(Mid, Option<Rid>), Seen>,
    keyframe_asked: HashMap<(Mid, Option<Rid>), Instant>,
    video_slots: Vec<Slot>,
    audio_slots: Vec<Slot>,
    tiles: Vec<Tile>,
    pinned: Option<u64>,
    estimate: Option<u64>,
    /// What its slots would take at the layers its tiles want (bit/s).
    desired: u64,
    loudness: f32,
    last_spoke: Option<Instant>,
    quality: Option<Quality>,
    deadline: Instant,
    ufrag: Option<String>,
    addresses: Vec<SocketAddr>,
    dead: bool,
    answered: bool,
    /// Bytes received from and sent to the peer (UDP payloads, or TCP
    /// frames with their 2-byte length), for the data meter.
    bytes_in: u64,
    bytes_out: u64,
}

pub struct Shard {
    index: usize,
    rx: mpsc::Receiver<ShardMessage>,
    local: SocketAddr,
    local_tcp: SocketAddr,
    routes: Arc<Routes>,
    out: Out,
    peers: HashMap<u64, Peer>,
    by_address: HashMap<SocketAddr, u64>,
    by_ufrag: HashMap<String, u64>,
    speakers: HashMap<u64, u64>,
    next_housekeeping: Instant,
}

/// Where every peer's output goes: the shared socket or a peer's TCP
/// connection, the counters, and the events waiting to be handled.
struct Out {
    socket: Arc<UdpSocket>,
    tcp: HashMap<SocketAddr, tcp::Writer>,
    stats: Arc<MediaStats>,
    pending: VecDeque<(u64, Event)>,
}

/// Runs `f` on a peer's `Rtc`; a panic marks the peer dead instead of
/// taking the shard down.
fn guarded<R>(peer: &mut Peer, stats: &MediaStats, f: impl FnOnce(&mut Rtc) -> R) -> Option<R> {
    if peer.dead {
        return None;
    }
    match catch_unwind(AssertUnwindSafe(|| f(&mut peer.rtc))) {
        Ok(value) => Some(value),
        Err(_) => {
            stats.peer_panics.fetch_add(1, Ordering::Relaxed);
            tracing::error!(peer = peer.key, "a media connection failed and was dropped");
            peer.dead = true;
            None
        }
    }
}

/// Drains a peer's output after a change: sends what it transmits,
/// collects its events, notes its next timeout.
fn drive(peer: &mut Peer, out: &mut Out) {
    let key = peer.key;
    let mut deadline = None;
    let Out {
        socket,
        tcp,
        stats,
        pending,
    } = out;
    let mut bytes_out = 0u64;
    let failed = guarded(peer, stats, |rtc| loop {
        match rtc.poll_output() {
            Ok(Output::Timeout(at)) => {
                deadline = Some(at);
                return false;
            }
            Ok(Output::Transmit(transmit)) => match transmit.proto {
                Protocol::Udp => {
                    if socket
                        .send_to(&transmit.contents, transmit.destination)
                        .is_ok()
                    {
                        bytes_out += transmit.contents.len() as u64;
                    }
                }
                Protocol::Tcp => {
                    let sent = tcp
                        .get(&transmit.destination)
                        .zip(tcp::frame(&transmit.contents))
                        .is_some_and(|(writer, framed)| writer.try_send(framed).is_ok());
                    if sent {
                        bytes_out += transmit.contents.len() as u64 + 2;
                    } else {
                        stats.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
                    }
                }
                _ => {}
            },
            Ok(Output::Event(event)) => pending.push_back((key, event)),
            Err(error) => {
                tracing::debug!(%error, "media connection ended");
                return true;
            }
        }
    });
    peer.bytes_out += bytes_out;
    if let Some(at) = deadline {
        peer.deadline = at;
    }
    if failed != Some(false) {
        peer.dead = true;
    }
}

/// Width and height from the start of a VP8 keyframe (after the payload
/// descriptor: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit
/// width and height).
fn keyframe_height(payload: &[u8]) -> Option<u32> {
    let start = payload
        .windows(3)
        .take(24)
        .position(|w| w == [0x9d, 0x01, 0x2a])?;
    let height = payload.get(start + 5..start + 7)?;
    Some(u32::from(
        u16::from_le_bytes([height[0], height[1]]) & 0x3fff,
    ))
}

fn random_u16() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::getrandom(&mut bytes);
    u16::from_le_bytes(bytes) % 10_000 + 1
}

impl Shard {
    pub fn new(
        index: usize,
        rx: mpsc::Receiver<ShardMessage>,
        socket: Arc<UdpSocket>,
        (local, local_tcp): (SocketAddr, SocketAddr),
        routes: Arc<Routes>,
        stats: Arc<MediaStats>,
    ) -> Shard {
        Shard {
            index,
            rx,
            local,
            local_tcp,
            routes,
            out: Out {
                socket,
                tcp: HashMap::new(),
                stats,
                pending: VecDeque::new(),
            },
            peers: HashMap::new(),
            by_address: HashMap::new(),
            by_ufrag: HashMap::new(),
            speakers: HashMap::new(),
            next_housekeeping: Instant::now() + HOUSEKEEPING,
        }
    }

    pub fn run(mut self) {
        loop {
            let now = Instant::now();
            let next = self
                .peers
                .values()
                .filter(|p| !p.dead)
                .map(|p| p.deadline)
                .min()
                .unwrap_or(now + HOUSEKEEPING)
                .min(self.next_housekeeping);
            let wait = next.saturating_duration_since(now);
            match self.rx.recv_timeout(wait) {
                Ok(message) => {
                    self.handle(message);
                    for _ in 0..64 {
                        match self.rx.try_recv() {
                            Ok(message) => self.handle(message),
                            Err(_) => break,
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
            self.timeouts(Instant::now());
            self.process_events();
            if Instant::now() >= self.next_housekeeping {
                self.housekeeping(Instant::now());
                self.process_events();
            }
        }
    }

    fn handle(&mut self, message: ShardMessage) {
        match message {
            ShardMessage::Datagram(datagram) => self.datagram(datagram),
            ShardMessage::Join { key, join, events } => self.join(key, join, events),
            ShardMessage::Command(key, command) => self.command(key, command),
            ShardMessage::TcpOpened { source, writer } => {
                self.out.tcp.insert(source, writer);
            }
            ShardMessage::TcpClosed { source } => {
                self.out.tcp.remove(&source);
            }
        }
        self.process_events();
    }

    fn join(&mut self, key: u64, join: Join, events: UnboundedSender<PeerEvent>) {
        let now = Instant::now();
        let mut config = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            .clear_codecs()
            .enable_vp8(true)
            .enable_bwe(Some(str0m::bwe::Bitrate::bps(INITIAL_ESTIMATE_BPS)))
            .set_stats_interval(Some(Duration::from_secs(2)));
        // Opus with DTX: a silent microphone sends almost nothing, which is
        // most of a meeting's audio on a capped 4G plan.
        config.codec_config().add_config(
            Pt::from(111),
            None,
            Codec::Opus,
            Frequency::FORTY_EIGHT_KHZ,
            Some(2),
            FormatParams {
                min_p_time: Some(10),
                use_inband_fec: Some(true),
                use_dtx: Some(true),
                ..Default::default()
            },
        );
        let mut rtc = config.build(now);
        if let Ok(candidate) = Candidate::host(self.local, "udp") {
            rtc.add_local_candidate(candidate);
        }
        // Lower priority than UDP by the ICE rules: used only when UDP
        // does not get through.
        let tcp = Candidate::builder()
            .tcp()
            .host(self.local_tcp)
            .tcptype(TcpType::Passive)
            .build();
        if let Ok(candidate) = tcp {
            rtc.add_local_candidate(candidate);
        }
        let peer = Peer {
            key,
            room: join.room,
            participant: join.participant,
            rtc,
            events,
            chosen: join.mode,
            applied: join.mode,
            link: LinkWatch::default(),
            muted: false,
            sources: HashMap::new(),
            streams: HashMap::new(),
            layers: HashMap::new(),
            keyframe_asked: HashMap::new(),
            video_slots: Vec::new(),
            audio_slots: Vec::new(),
            tiles: Vec::new(),
            pinned: None,
            estimate: None,
            desired: 0,
            loudness: 0.0,
            last_spoke: None,
            quality: None,
            deadline: now,
            ufrag: None,
            addresses: Vec::new(),
            dead: false,
            answered: false,
            bytes_in: 0,
            bytes_out: 0,
        };
        self.peers.insert(key, peer);
        self.out.stats.peers.fetch_add(1, Ordering::Relaxed);
    }

    fn command(&mut self, key: u64, command: Command) {
        match command {
            Command::Offer(offer) => self.offer(key, offer),
            Command::Mode(mode) => {
                let Some(peer) = self.peers.get_mut(&key) else {
                    return;
                };
                peer.chosen = mode;
                let room = peer.room;
                self.apply_mode(key, false);
                self.assign(room);
            }
            Command::View { tiles, pinned } => {
                let Some(peer) = self.peers.get_mut(&key) else {
                    return;
                };
                peer.tiles = tiles;
                peer.pinned = pinned;
                let room = peer.room;
                self.assign(room);
            }
            Command::Muted(muted) => {
                if let Some(peer) = self.peers.get_mut(&key) {
                    peer.muted = muted;
                }
            }
            Command::Leave => self.remove(key),
        }
    }

    fn offer(&mut self, key: u64, offer: Offer) {
        let (peers, out) = (&mut self.peers, &mut self.out);
        let Some(peer) = peers.get_mut(&key) else {
            return;
        };
        let refuse = |peer: &Peer, code: &'static str, message: String| {
            let _ = peer.events.send(PeerEvent::Error { code, message });
        };
        if offer.sdp.len() > MAX_SDP_BYTES {
            return refuse(peer, "bad_sdp", "the offer is larger than 64 KiB".into());
        }
        if offer.sources.len() > MAX_SOURCES
            || offer.video_slots.len() > MAX_SLOTS
            || offer.audio_slots.len() > MAX_SLOTS
        {
            return refuse(
                peer,
                "too_many_sources",
                format!("at most {MAX_SOURCES} sources and {MAX_SLOTS} slots of each kind"),
            );
        }
        let parsed = match SdpOffer::from_sdp_string(&offer.sdp) {
            Ok(parsed) => parsed,
            Err(error) => {
                return refuse(
                    peer,
                    "bad_sdp",
                    format!("the offer is not valid SDP: {error}"),
                )
            }
        };
        let answer = match guarded(peer, &out.stats, |rtc| rtc.sdp_api().accept_offer(parsed)) {
            Some(Ok(answer)) => answer,
            Some(Err(error)) => {
                return refuse(
                    peer,
                    "bad_sdp",
                    format!("the offer cannot be answered: {error}"),
                )
            }
            None => return,
        };
        peer.answered = true;

        // Sources: only m-lines the offer really has, of the right kind.
        let mut sources = HashMap::new();
        for (mid, source) in &offer.sources {
            let mid = Mid::from(mid.as_str());
            let Some(media) = peer.rtc.media(mid) else {
                continue;
            };
            let video = media.kind() == MediaKind::Video;
            if video == source.is_video()
                && matches!(media.direction(), Direction::RecvOnly | Direction::SendRecv)
            {
                sources.insert(mid, *source);
            }
        }
        peer.sources = sources;
        peer.video_slots = slots_for(
            &peer.rtc,
            &offer.video_slots,
            MediaKind::Video,
            std::mem::take(&mut peer.video_slots),
        );
        peer.audio_slots = slots_for(
            &peer.rtc,
            &offer.audio_slots,
            MediaKind::Audio,
            std::mem::take(&mut peer.audio_slots),
        );

        let ufrag = peer.rtc.direct_api().local_ice_credentials().ufrag;
        if peer.ufrag.as_deref() != Some(ufrag.as_str()) {
            let mut ufrags = self
                .routes
                .ufrags
                .write()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(old) = peer.ufrag.take() {
                ufrags.remove(&old);
                self.by_ufrag.remove(&old);
            }
            ufrags.insert(ufrag.clone(), self.index);
            self.by_ufrag.insert(ufrag.clone(), key);
            peer.ufrag = Some(ufrag);
        }
        tracing::debug!(
            peer = key,
            sources = peer.sources.len(),
            video_slots = peer.video_slots.len(),
            audio_slots = peer.audio_slots.len(),
            "offer answered"
        );
        let _ = peer.events.send(PeerEvent::Answer(answer.to_sdp_string()));
        drive(peer, out);
        let room = peer.room;
        self.assign(room);
    }

    fn datagram(&mut self, datagram: Datagram) {
        let key = match self.by_address.get(&datagram.source) {
            Some(key) => *key,
            None => match stun_local_ufrag(&datagram.bytes).and_then(|u| self.by_ufrag.get(u)) {
                Some(key) => *key,
                None => {
                    self.out
                        .stats
                        .dropped_datagrams
                        .fetch_add(1, Ordering::Relaxed);
                    return;
                }
            },
        };
        let (peers, out) = (&mut self.peers, &mut self.out);
        let Some(peer) = peers.get_mut(&key) else {
            return;
        };
        let Ok(receive) = Receive::new(
            datagram.proto,
            datagram.source,
            datagram.destination,
            &datagram.bytes,
        ) else {
            out.stats.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let input = Input::Receive(datagram.at, receive);
        if !peer.rtc.accepts(&input) {
            out.stats.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
            return;
        }
        peer.bytes_in += datagram.bytes.len() as u64
            + if datagram.proto == Protocol::Tcp {
                2
            } else {
                0
            };
        if !peer.addresses.contains(&datagram.source) {
            peer.addresses.push(datagram.source);
            self.by_address.insert(datagram.source, key);
            // A TCP connection is routed once, when it opens.
            if datagram.proto == Protocol::Udp {
                self.routes
                    .addresses
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(datagram.source, self.index);
            }
        }
        let result = guarded(peer, &out.stats, |rtc| rtc.handle_input(input));
        if let Some(Err(error)) = result {
            tracing::debug!(%error, "a media datagram was refused");
        }
        drive(peer, out);
    }

    fn timeouts(&mut self, now: Instant) {
        let (peers, out) = (&mut self.peers, &mut self.out);
        for peer in peers.values_mut() {
            if peer.deadline <= now && !peer.dead {
                let _ = guarded(peer, &out.stats, |rtc| {
                    rtc.handle_input(Input::Timeout(now))
                });
                drive(peer, out);
            }
        }
    }

    fn process_events(&mut self) {
        while let Some((key, event)) = self.out.pending.pop_front() {
            match event {
                Event::RtpPacket(packet) => self.forward(key, packet),
                Event::Connected => {
                    if let Some(peer) = self.peers.get(&key) {
                        let _ = peer.events.send(PeerEvent::Connected);
                    }
                }
                Event::KeyframeRequest(request) => self.keyframe_wanted(key, request.mid),
                Event::EgressBitrateEstimate(BweKind::Twcc(bitrate)) => {
                    tracing::debug!(
                        peer = key,
                        estimate = bitrate.as_u64(),
                        "bandwidth estimate"
                    );
                    if let Some(peer) = self.peers.get_mut(&key) {
                        peer.estimate = Some(bitrate.as_u64());
                    }
                }
                Event::PeerStats(stats) => {
                    let Some(peer) = self.peers.get_mut(&key) else {
                        continue;
                    };
                    let _ = peer.events.send(PeerEvent::Usage {
                        bytes_in: peer.bytes_in,
                        bytes_out: peer.bytes_out,
                    });
                    let loss = stats
                        .egress_loss_fraction
                        .unwrap_or(0.0)
                        .max(stats.ingress_loss_fraction.unwrap_or(0.0));
                    let rtt = stats.rtt.unwrap_or_default();
                    let quality = if loss < 0.02 && rtt < Duration::from_millis(300) {
                        Quality::Good
                    } else if loss < 0.08 && rtt < Duration::from_millis(800) {
                        Quality::Fair
                    } else {
                        Quality::Poor
                    };
                    if peer.quality != Some(quality) {
                        peer.quality = Some(quality);
                        let _ = peer.events.send(PeerEvent::Quality(quality));
                    }
                }
                _ => {}
            }
        }
    }

    /// A packet from publisher `from`: to every slot that shows it.
    fn forward(&mut self, from: u64, packet: RtpPacket) {
        let (peers, out) = (&mut self.peers, &mut self.out);
        let Some(publisher) = peers.get_mut(&from) else {
            return;
        };
        let ssrc = packet.header.ssrc;
        let (mid, rid) = match publisher.streams.get(&ssrc) {
            Some(known) => *known,
            None => {
                let mut api = publisher.rtc.direct_api();
                let Some(stream) = api.stream_rx(&ssrc) else {
                    return;
                };
                let found = (stream.mid(), stream.rid());
                publisher.streams.insert(ssrc, found);
                found
            }
        };
        let Some(source) = publisher.sources.get(&mid).copied() else {
            tracing::debug!(%mid, "a packet of an m-line the offer did not label");
            return;
        };
        let video = source.is_video();
        // A publisher's own choice stops its video; a mode forced by its
        // download estimate does not (that says nothing of its upload).
        if (video && publisher.chosen == Mode::AudioOnly)
            || (source == Source::Mic && publisher.muted)
        {
            return;
        }
        let at = packet.timestamp;
        let descriptor = if video {
            Vp8Descriptor::parse(&packet.payload).ok()
        } else {
            None
        };
        let keyframe = match descriptor {
            Some(d) => d.starts_keyframe(&packet.payload),
            None => !video,
        };
        if video {
            let seen = publisher.layers.entry((mid, rid)).or_default();
            seen.last = Some(at);
            seen.window_bytes += packet.payload.len() as u64 + 40;
            if keyframe {
                if let Some(height) = keyframe_height(&packet.payload) {
                    seen.height = Some(height);
                }
            }
        } else if source == Source::Mic {
            if let Some(level) = packet.header.ext_vals.audio_level {
                // 0 is the loudest, -127 silence.
                let loudness = f32::from(127i16.saturating_add(i16::from(level)).max(0) as u8);
                publisher.loudness = publisher.loudness * 0.9 + loudness * 0.1;
                if loudness > 70.0 {
                    publisher.last_spoke = Some(at);
                }
            }
        }
        let room = publisher.room;
        let participant = publisher.participant;
        let input = In {
            source: (from, mid, rid),
            seq: *packet.seq_no,
            timestamp: packet.header.timestamp,
            keyframe,
            picture_id: descriptor.and_then(|d| d.picture_id()),
            tl0: descriptor.and_then(|d| d.tl0_pic_idx()),
            at,
        };
        for receiver in peers.values_mut() {
            if receiver.room != room || receiver.key == from || receiver.dead {
                continue;
            }
            let slots = if video {
                &mut receiver.video_slots
            } else {
                &mut receiver.audio_slots
            };
            let mut writes = Vec::new();
            for slot in slots.iter_mut() {
                if slot.fill != Some((from, mid)) {
                    continue;
                }
                let (Some(out), Some(pt)) = (slot.rewriter.rewrite(&input), slot.pt) else {
                    continue;
                };
                let mut write = RtpWrite::new(
                    pt,
                    SeqNo::from(out.seq),
                    out.timestamp,
                    at,
                    packet.payload.clone(),
                )
                .marker(packet.header.marker)
                .nackable(video);
                if let Some(d) = descriptor {
                    let mut patch = d.patch();
                    if let Some(pid) = out.picture_id {
                        patch = patch.picture_id(pid);
                    }
                    if let Some(tl0) = out.tl0 {
                        patch = patch.tl0_pic_idx(tl0);
                    }
                    if let Ok(patch) = patch.build() {
                        write = write.vp8_patch(patch);
                    }
                } else {
                    let ext = ExtensionValues {
                        audio_level: packet.header.ext_vals.audio_level,
                        voice_activity: packet.header.ext_vals.voice_activity,
                        ..Default::default()
                    };
                    let csrc = [participant as u32];
                    write = write.ext_vals(ext).csrc(&csrc);
                }
                writes.push((slot.mid, write));
            }
            if writes.is_empty() {
                continue;
            }
            let count = writes.len() as u64;
            let wrote = guarded(receiver, &out.stats, |rtc| {
                for (slot_mid, write) in writes {
                    if let Some(stream) = rtc.direct_api().stream_tx_by_mid(slot_mid, None) {
                        stream.write_rtp(write);
                    }
                }
            });
            if wrote.is_some() {
                drive(receiver, out);
                out.stats
                    .forwarded_packets
                    .fetch_add(count, Ordering::Relaxed);
                out.stats.forward_time.record(at.elapsed());
            }
        }
    }

    /// A receiver lost a picture in a slot: ask the publisher it shows.
    fn keyframe_wanted(&mut self, key: u64, slot_mid: Mid) {
        let Some(receiver) = self.peers.get(&key) else {
            return;
        };
        let source = receiver
            .video_slots
            .iter()
            .find(|s| s.mid == slot_mid)
            .and_then(|s| s.rewriter.current().or(s.rewriter.target()));
        if let Some((publisher, mid, rid)) = source {
            self.ask_keyframe(publisher, mid, rid, Instant::now());
        }
    }

    fn ask_keyframe(&mut self, publisher: u64, mid: Mid, rid: Option<Rid>, now: Instant) {
        let (peers, out) = (&mut self.peers, &mut self.out);
        let Some(peer) = peers.get_mut(&publisher) else {
            return;
        };
        if let Some(last) = peer.keyframe_asked.get(&(mid, rid)) {
            if now.duration_since(*last) < KEYFRAME_INTERVAL {
                return;
            }
        }
        peer.keyframe_asked.insert((mid, rid), now);
        let _ = guarded(peer, &out.stats, |rtc| {
            if let Some(stream) = rtc.direct_api().stream_rx_by_mid(mid, rid) {
                stream.request_keyframe(KeyframeRequestKind::Pli);
            }
        });
        drive(peer, out);
    }

    fn remove(&mut self, key: u64) {
        let Some(mut peer) = self.peers.remove(&key) else {
            return;
        };
        self.out.stats.peers.fetch_sub(1, Ordering::Relaxed);
        let _ = guarded(&mut peer, &self.out.stats, |rtc| rtc.disconnect());
        {
            let mut addresses = self
                .routes
                .addresses
                .write()
                .unwrap_or_else(|e| e.into_inner());
            for address in &peer.addresses {
                addresses.remove(address);
                self.by_address.remove(address);
                // Dropping the writer closes the TCP connection.
                self.out.tcp.remove(address);
            }
        }
        if let Some(ufrag) = &peer.ufrag {
            self.routes
                .ufrags
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(ufrag);
            self.by_ufrag.remove(ufrag);
        }
        // The last counts, then the end.
        let _ = peer.events.send(PeerEvent::Usage {
            bytes_in: peer.bytes_in,
            bytes_out: peer.bytes_out,
        });
        let _ = peer.events.send(PeerEvent::Closed);
        let room = peer.room;
        if self.speakers.get(&room) == Some(&peer.participant) {
            self.speakers.remove(&room);
        }
        self.assign(room);
    }

    /// The mode a peer gets: its choice, made stricter while its link is
    /// weak ([`LinkWatch::mode`]); the peer is told when it changes.
    fn apply_mode(&mut self, key: u64, tell_anyway: bool) {
        let Some(peer) = self.peers.get_mut(&key) else {
            return;
        };
        let link = Link {
            estimate: peer.estimate,
            desired: peer.desired,
            congested: peer.quality.is_some_and(|q| q != Quality::Good),
        };
        let wanted = peer
            .link
            .mode(link, peer.chosen, peer.applied, Instant::now());
        if wanted != peer.applied || tell_anyway {
            peer.applied = wanted;
            let _ = peer.events.send(PeerEvent::Mode {
                mode: wanted,
                forced: wanted != peer.chosen,
            });
        }
    }

    fn housekeeping(&mut self, now: Instant) {
        self.next_housekeeping = now + HOUSEKEEPING;
        // Dead peers (a panic, or a connection str0m closed) leave.
        let dead: Vec<u64> = self
            .peers
            .values()
            .filter(|p| p.dead || (p.answered && !p.rtc.is_alive()))
            .map(|p| p.key)
            .collect();
        for key in dead {
            if let Some(peer) = self.peers.get(&key) {
                let _ = peer.events.send(PeerEvent::Error {
                    code: "media_failed",
                    message: "the media connection was lost".into(),
                });
            }
            self.remove(key);
        }
        // Layer bitrates over the last window.
        let window = HOUSEKEEPING.as_secs_f64();
        for peer in self.peers.values_mut() {
            for seen in peer.layers.values_mut() {
                seen.bits_per_second = (seen.window_bytes as f64 * 8.0 / window) as u64;
                seen.window_bytes = 0;
            }
        }
        let keys: Vec<u64> = self.peers.keys().copied().collect();
        for key in keys {
            self.apply_mode(key, false);
        }
        let mut rooms: Vec<u64> = self.peers.values().map(|p| p.room).collect();
        rooms.sort_unstable();
        rooms.dedup();
        for room in rooms {
            self.speaker(room, now);
            self.assign(room);
        }
        // Slots still waiting for a keyframe ask again.
        let waiting: Vec<SourceKey> = self
            .peers
            .values()
            .flat_map(|p| p.video_slots.iter())
            .filter(|s| s.rewriter.switching())
            .filter_map(|s| s.rewriter.target())
            .collect();
        for (publisher, mid, rid) in waiting {
            self.ask_keyframe(publisher, mid, rid, now);
        }
    }

    /// The room's active speaker: the loudest recent speaker, changed only
    /// when someone else is clearly louder.
    fn speaker(&mut self, room: u64, now: Instant) {
        let current = self.speakers.get(&room).copied();
        let recent = |p: &&Peer| {
            p.room == room
                && !p.muted
                && p.last_spoke
                    .is_some_and(|t| now.duration_since(t) < Duration::from_secs(2))
        };
        let loudest = self
            .peers
            .values()
            .filter(recent)
            .max_by(|a, b| a.loudness.total_cmp(&b.loudness));
        let Some(loudest) = loudest else { return };
        let current_loudness = self
            .peers
            .values()
            .filter(recent)
            .find(|p| Some(p.participant) == current)
            .map(|p| p.loudness)
            .unwrap_or(0.0);
        if Some(loudest.participant) != current && loudest.loudness > current_loudness * 1.25 {
            let speaker = loudest.participant;
            self.speakers.insert(room, speaker);
            for peer in self.peers.values().filter(|p| p.room == room) {
                let _ = peer.events.send(PeerEvent::Speaker(speaker));
            }
        }
    }

    /// Fills every receiver's slots in a room and picks their layers; tells
    /// receivers whose slots changed, and asks publishers for keyframes
    /// where a slot switches.
    fn assign(&mut self, room: u64) {
        let speaker = self.speakers.get(&room).copied();
        struct Feed {
            key: u64,
            participant: u64,
            mid: Mid,
            source: Source,
            spoke: Option<Instant>,
        }
        let mut videos = Vec::new();
        let mut audios = Vec::new();
        for peer in self.peers.values().filter(|p| p.room == room && !p.dead) {
            for (mid, source) in &peer.sources {
                let feed = Feed {
                    key: peer.key,
                    participant: peer.participant,
                    mid: *mid,
                    source: *source,
                    spoke: peer.last_spoke,
                };
                if source.is_video() {
                    if peer.chosen != Mode::AudioOnly {
                        videos.push(feed);
                    }
                } else {
                    audios.push(feed);
                }
            }
        }
        // Screens first, then the speaker, then who spoke last, then who
        // came first.
        videos.sort_by_key(|f| {
            (
                f.source != Source::Screen,
                Some(f.participant) != speaker,
                std::cmp::Reverse(f.spoke),
                f.key,
            )
        });
        audios.sort_by_key(|f| (std::cmp::Reverse(f.spoke), f.key));

        let now = Instant::now();
        let mut keyframes = Vec::new();
        let receivers: Vec<u64> = self
            .peers
            .values()
            .filter(|p| p.room == room)
            .map(|p| p.key)
            .collect();
        for key in receivers {
            // Layers each publisher sends now, read before borrowing the receiver.
            let Some(receiver) = self.peers.get(&key) else {
                continue;
            };
            let pinned = receiver.pinned;
            let mut wanted_video: Vec<&Feed> = videos.iter().filter(|f| f.key != key).collect();
            if let Some(pinned) = pinned {
                wanted_video.sort_by_key(|f| f.participant != pinned);
            }
            let cap = receiver
                .video_slots
                .len()
                .min(receiver.applied.max_videos());
            wanted_video.truncate(cap);
            let mut wanted_audio: Vec<&Feed> = audios.iter().filter(|f| f.key != key).collect();
            wanted_audio.truncate(receiver.audio_slots.len());

            let budget = receiver
                .estimate
                .unwrap_or(INITIAL_ESTIMATE_BPS)
                .saturating_mul(9)
                / 10;
            let budget =
                budget.saturating_sub(AUDIO_RESERVE_BPS) / (wanted_video.len().max(1) as u64);
            let mut layer_of = HashMap::new();
            let mut desired = AUDIO_RESERVE_BPS;
            for feed in &wanted_video {
                let Some(publisher) = self.peers.get(&feed.key) else {
                    continue;
                };
                let mut layers: Vec<(Option<Rid>, Layer)> = publisher
                    .layers
                    .iter()
                    .filter(|((mid, _), seen)| {
                        *mid == feed.mid
                            && seen
                                .last
                                .is_some_and(|t| now.duration_since(t) < LAYER_STALE)
                    })
                    .map(|((_, rid), seen)| {
                        (
                            *rid,
                            Layer {
                                index: layer_index(*rid),
                                height: seen.height,
                                bits_per_second: seen.bits_per_second,
                            },
                        )
                    })
                    .collect();
                layers.sort_by_key(|(_, l)| l.index);
                let plain: Vec<Layer> = layers.iter().map(|(_, l)| *l).collect();
                let tile = receiver
                    .tiles
                    .iter()
                    .find(|t| t.participant == feed.participant && t.source == feed.source)
                    .map(|t| t.height)
                    .unwrap_or(if feed.source == Source::Screen {
                        1080
                    } else {
                        360
                    });
                let chosen = pick(&plain, receiver.applied, tile, budget)
                    .and_then(|index| layers.iter().find(|(_, l)| l.index == index))
                    .map(|(rid, _)| *rid);
                tracing::trace!(receiver = key, layers = ?plain, mode = ?receiver.applied, tile, budget, ?chosen, "layer picked");
                layer_of.insert((feed.key, feed.mid), chosen);
                // What this tile would take with no limit on bandwidth.
                desired += pick(&plain, receiver.applied, tile, u64::MAX)
                    .and_then(|index| plain.iter().find(|l| l.index == index))
                    .map_or(0, |l| l.bits_per_second);
            }

            let video_fill: Vec<(u64, Mid)> = wanted_video.iter().map(|f| (f.key, f.mid)).collect();
            let audio_fill: Vec<(u64, Mid)> = wanted_audio.iter().map(|f| (f.key, f.mid)).collect();
            let describe = |fill: &(u64, Mid), feeds: &[Feed]| {
                feeds
                    .iter()
                    .find(|f| (f.key, f.mid) == *fill)
                    .map(|f| (f.participant, f.source))
            };
            let Some(receiver) = self.peers.get_mut(&key) else {
                continue;
            };
            if receiver.desired != desired {
                // str0m probes up to this, so the estimate can grow to it.
                receiver.desired = desired;
                let _ = guarded(receiver, &self.out.stats, |rtc| {
                    rtc.bwe()
                        .set_desired_bitrate(str0m::bwe::Bitrate::bps(desired))
                });
            }
            let changed_video = refill(&mut receiver.video_slots, &video_fill);
            let changed_audio = refill(&mut receiver.audio_slots, &audio_fill);
            for slot in &mut receiver.video_slots {
                let target = slot.fill.and_then(|(publisher, mid)| {
                    layer_of
                        .get(&(publisher, mid))
                        .copied()
                        .flatten()
                        .map(|rid| (publisher, mid, rid))
                });
                if slot.rewriter.want(target) {
                    tracing::debug!(receiver = key, slot = %slot.mid, ?target, "slot wants another source");
                    if let Some(source) = target {
                        keyframes.push(source);
                    }
                }
            }
            for slot in &mut receiver.audio_slots {
                slot.rewriter
                    .want(slot.fill.map(|(publisher, mid)| (publisher, mid, None)));
            }
            if changed_video || changed_audio {
                tracing::debug!(
                    receiver = key,
                    video = ?receiver.video_slots.iter().map(|s| (s.fill, s.rewriter.target())).collect::<Vec<_>>(),
                    audio = ?receiver.audio_slots.iter().map(|s| s.fill).collect::<Vec<_>>(),
                    "slots filled"
                );
                let tell = |slots: &[Slot], feeds: &[Feed]| {
                    slots
                        .iter()
                        .map(|s| {
                            s.fill.and_then(|fill| describe(&fill, feeds)).map(
                                |(participant, source)| SlotFill {
                                    mid: s.mid.to_string(),
                                    participant,
                                    source,
                                },
                            )
                        })
                        .collect()
                };
                let event = PeerEvent::Slots {
                    video: tell(&receiver.video_slots, &videos),
                    audio: tell(&receiver.audio_slots, &audios),
                };
                let _ = receiver.events.send(event);
            }
        }
        for (publisher, mid, rid) in keyframes {
            self.ask_keyframe(publisher, mid, rid, now);
        }
    }
}

/// Keeps slots whose feed is still wanted, empties the others, and gives
/// the wanted feeds not shown yet to empty slots. Returns whether anything
/// changed.
fn refill(slots: &mut [Slot], wanted: &[(u64, Mid)]) -> bool {
    let mut changed = false;
    for slot in slots.iter_mut() {
        if slot.fill.is_some_and(|fill| !wanted.contains(&fill)) {
            slot.fill = None;
            changed = true;
        }
    }
    for fill in wanted {
        if slots.iter().any(|s| s.fill == Some(*fill)) {
            continue;
        }
        if let Some(slot) = slots.iter_mut().find(|s| s.fill.is_none()) {
            slot.fill = Some(*fill);
            changed = true;
        }
    }
    changed
}

/// The receive slots an offer declares, keeping the numbering of slots
/// that were already there (a renegotiation must not restart them).
fn slots_for(rtc: &Rtc, mids: &[String], kind: MediaKind, mut old: Vec<Slot>) -> Vec<Slot> {
    let clock = if kind == MediaKind::Video {
        90_000
    } else {
        48_000
    };
    let wanted_codec = if kind == MediaKind::Video {
        Codec::Vp8
    } else {
        Codec::Opus
    };
    let mut slots = Vec::new();
    for mid in mids {
        let mid = Mid::from(mid.as_str());
        let Some(media) = rtc.media(mid) else {
            continue;
        };
        if media.kind() != kind
            || !matches!(media.direction(), Direction::SendOnly | Direction::SendRecv)
        {
            continue;
        }
        let pt = media.remote_pts().iter().copied().find(|pt| {
            rtc.codec_config()
                .params()
                .iter()
                .any(|p| p.pt() == *pt && p.spec().codec == wanted_codec)
        });
        match old.iter().position(|s| s.mid == mid) {
            Some(index) => {
                let mut slot = old.swap_remove(index);
                slot.pt = pt;
                slots.push(slot);
            }
            None => slots.push(Slot {
                mid,
                pt,
                fill: None,
                rewriter: Rewriter::new(clock, random_u16()),
            }),
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn shard() -> Shard {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").unwrap());
        let local = socket.local_addr().unwrap();
        let (_, rx) = mpsc::channel();
        Shard::new(
            0,
            rx,
            socket,
            (local, local),
            Arc::new(Routes::default()),
            Arc::new(MediaStats::default()),
        )
    }

    fn events(rx: &mut tokio::sync::mpsc::UnboundedReceiver<PeerEvent>) -> Vec<PeerEvent> {
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    #[test]
    fn a_panic_in_one_connection_drops_that_peer_and_nobody_else() {
        let mut shard = shard();
        let mut receivers = Vec::new();
        for key in 1..=3 {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let join = Join {
                room: 7,
                participant: key,
                mode: Mode::Normal,
            };
            shard.join(key, join, tx);
            receivers.push(rx);
        }
        let stats = shard.out.stats.clone();
        let broken = shard.peers.get_mut(&2).unwrap();
        let outcome = guarded(broken, &stats, |_| -> u32 {
            panic!("a bug in one connection")
        });
        assert_eq!(outcome, None);
        assert!(broken.dead);
        assert_eq!(stats.peer_panics.load(Ordering::Relaxed), 1);
        // A dead peer's `Rtc` is never called again.
        assert_eq!(guarded(broken, &stats, |_| 1), None);

        shard.housekeeping(Instant::now());
        assert_eq!(
            shard.peers.keys().copied().collect::<HashSet<_>>(),
            HashSet::from([1, 3])
        );
        assert_eq!(stats.peers.load(Ordering::Relaxed), 2);
        let told = events(&mut receivers[1]);
        assert!(
            matches!(
                told.as_slice(),
                [
                    ..,
                    PeerEvent::Error {
                        code: "media_failed",
                        ..
                    },
                    PeerEvent::Usage { .. },
                    PeerEvent::Closed
                ]
            ),
            "the broken peer is told, with its last byte counts: {told:?}"
        );
        for other in [0, 2] {
            let seen = events(&mut receivers[other]);
            assert!(
                !seen
                    .iter()
                    .any(|e| matches!(e, PeerEvent::Closed | PeerEvent::Error { .. })),
                "the others stay: {seen:?}"
            );
        }
        // The others still take commands and answer.
        shard.command(1, Command::Mode(Mode::DataSaver));
        assert!(events(&mut receivers[0]).iter().any(|e| matches!(
            e,
            PeerEvent::Mode {
                mode: Mode::DataSaver,
                ..
            }
        )));
    }
}
