//! The SFU: media of every meeting, forwarded between browsers by str0m in
//! RTP mode. All peers share one UDP port; a reader thread tells them apart
//! by source address, then by STUN username, and hands each datagram to the
//! shard thread that holds the peer. Where UDP is blocked, browsers reach
//! the same shards over one TCP port ([`tcp`], ICE-TCP). A room lives on one shard, so
//! forwarding between its peers needs no lock; shards spread rooms over the
//! cores.
//!
//! **Architecture invariant:** this module knows nothing of the Store, the
//! Bus or JSON. It is handed a [`Join`] the domain issued, takes
//! [`Command`]s and answers with [`PeerEvent`]s; media flows socket, shard,
//! socket.
//!
//! Only the browser makes offers: it offers its own tracks plus a fixed set
//! of receive-only *slots*, and the server fills the slots with whoever
//! should be seen or heard, rewriting numbers ([`rewrite`]). People joining
//! and leaving never renegotiate.

mod net;
mod rewrite;
mod select;
mod shard;
mod tcp;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, RwLock};

pub use select::{Layer, Mode};

/// Where the media server listens and how many threads forward.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// The UDP address to bind (port 0 picks one).
    pub udp: SocketAddr,
    /// The TCP address to bind for ICE-TCP, where UDP is blocked (port 0
    /// picks one).
    pub tcp: SocketAddr,
    /// The address browsers are told to send to; needed when `udp` binds
    /// every interface.
    pub public_ip: Option<IpAddr>,
    /// Shard threads (rooms are spread over them).
    pub threads: usize,
}

/// What a source is, as the browser labels its m-lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Mic,
    Camera,
    Screen,
    ScreenAudio,
}

impl Source {
    pub fn is_video(self) -> bool {
        matches!(self, Source::Camera | Source::Screen)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Mic => "mic",
            Source::Camera => "camera",
            Source::Screen => "screen",
            Source::ScreenAudio => "screen-audio",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        Some(match text {
            "mic" => Source::Mic,
            "camera" => Source::Camera,
            "screen" => Source::Screen,
            "screen-audio" => Source::ScreenAudio,
            _ => return None,
        })
    }
}

/// Entering a room's media: issued by the domain once it let the person in.
#[derive(Clone, Debug)]
pub struct Join {
    /// The meeting, as a number only this module compares.
    pub room: u64,
    /// The participant, unique in the room (sent to others in `slots`).
    pub participant: u64,
    pub mode: Mode,
}

/// A browser's offer: the SDP and what its m-lines are.
#[derive(Clone, Debug, Default)]
pub struct Offer {
    pub sdp: String,
    /// Sending m-lines: mid and source.
    pub sources: Vec<(String, Source)>,
    /// Receive-only m-lines the server may fill: video, then audio.
    pub video_slots: Vec<String>,
    pub audio_slots: Vec<String>,
}

/// A receiver's wish for one tile: the participant's source at a height.
#[derive(Clone, Debug)]
pub struct Tile {
    pub participant: u64,
    pub source: Source,
    pub height: u32,
}

/// What a peer asks of its shard.
#[derive(Clone, Debug)]
pub enum Command {
    Offer(Offer),
    Mode(Mode),
    View {
        tiles: Vec<Tile>,
        pinned: Option<u64>,
    },
    /// Whether this peer's microphone is forwarded (a host's mute stops it
    /// on the server, whatever the browser keeps sending).
    Muted(bool),
    Leave,
}

/// What a slot shows, told to its receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotFill {
    pub mid: String,
    pub participant: u64,
    pub source: Source,
}

/// A connection's quality, from losses, round trip and bandwidth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quality {
    Good,
    Fair,
    Poor,
}

impl Quality {
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Fair => "fair",
            Quality::Poor => "poor",
        }
    }
}

/// What a shard tells a peer's signalling.
#[derive(Clone, Debug)]
pub enum PeerEvent {
    Answer(String),
    Slots {
        video: Vec<Option<SlotFill>>,
        audio: Vec<Option<SlotFill>>,
    },
    Connected,
    Speaker(u64),
    /// The mode the server applies (differs from the chosen one on a weak
    /// link), and whether the link forced it.
    Mode {
        mode: Mode,
        forced: bool,
    },
    Quality(Quality),
    /// Bytes received from and sent to this peer so far (for the data meter).
    Usage {
        bytes_in: u64,
        bytes_out: u64,
    },
    Error {
        code: &'static str,
        message: String,
    },
    Closed,
}

/// Counters the metrics endpoint and the benchmark read.
#[derive(Default)]
pub struct MediaStats {
    pub forwarded_packets: AtomicU64,
    pub dropped_datagrams: AtomicU64,
    pub peer_panics: AtomicU64,
    pub peers: AtomicU64,
    /// Time a packet spends in the SFU, once per receiver it goes to: from
    /// the moment the reader took it off the socket to the moment its copy
    /// was handed to the socket (or to str0m's pacer) for that receiver.
    pub forward_time: ForwardTimes,
}

/// A fine histogram of forwarding times: 50 µs buckets up to 10 ms, then
/// one for everything slower. Fine enough to read a p99 near 2 ms.
pub struct ForwardTimes {
    buckets: [AtomicU64; FORWARD_BUCKETS + 1],
    sum_micros: AtomicU64,
}

pub const FORWARD_BUCKET_MICROS: u64 = 50;
pub const FORWARD_BUCKETS: usize = 200;

impl Default for ForwardTimes {
    fn default() -> Self {
        ForwardTimes {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_micros: AtomicU64::new(0),
        }
    }
}

impl ForwardTimes {
    pub fn record(&self, elapsed: std::time::Duration) {
        let micros = elapsed.as_micros() as u64;
        let index = (micros / FORWARD_BUCKET_MICROS) as usize;
        self.buckets[index.min(FORWARD_BUCKETS)].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The sum of all times recorded, in microseconds.
    pub fn sum_micros(&self) -> u64 {
        self.sum_micros.load(Ordering::Relaxed)
    }

    /// Counts per bucket: bucket `i` holds times below `(i + 1) × 50 µs`;
    /// the last holds everything from 10 ms.
    pub fn counts(&self) -> Vec<u64> {
        self.buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect()
    }
}

enum ShardMessage {
    Datagram(net::Datagram),
    /// A TCP connection was routed to this shard: packets for `source` go
    /// to `writer`.
    TcpOpened {
        source: SocketAddr,
        writer: tcp::Writer,
    },
    TcpClosed {
        source: SocketAddr,
    },
    Join {
        key: u64,
        join: Join,
        events: tokio::sync::mpsc::UnboundedSender<PeerEvent>,
    },
    Command(u64, Command),
}

/// Which shard holds which ICE username and address.
#[derive(Default)]
struct Routes {
    ufrags: RwLock<HashMap<String, usize>>,
    addresses: RwLock<HashMap<SocketAddr, usize>>,
}

impl Routes {
    /// The shard of the peer a STUN connectivity check names, if `bytes`
    /// is one and the peer is known.
    fn shard_of_check(&self, bytes: &[u8]) -> Option<usize> {
        let ufrag = net::stun_local_ufrag(bytes)?;
        self.ufrags
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(ufrag)
            .copied()
    }
}

struct Inner {
    shards: Vec<mpsc::Sender<ShardMessage>>,
    advertised: SocketAddr,
    advertised_tcp: SocketAddr,
    next_key: AtomicU64,
    /// Room to (shard, peers in it).
    rooms: Mutex<HashMap<u64, (usize, usize)>>,
    stats: Arc<MediaStats>,
    /// Set when the server is dropped: the reader stops, then the shards.
    stop: Arc<AtomicBool>,
    /// Dropped with the server: the TCP acceptor and its connections end.
    _closed: tokio::sync::watch::Sender<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The running SFU. Cheap to clone.
#[derive(Clone)]
pub struct MediaServer {
    inner: Arc<Inner>,
}

impl MediaServer {
    /// Binds the UDP and TCP ports and starts the reader and shard threads
    /// and the TCP acceptor (on the current tokio runtime).
    pub fn start(config: MediaConfig) -> io::Result<MediaServer> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| io::Error::other("the media server starts inside a tokio runtime"))?;
        let socket = UdpSocket::bind(config.udp)?;
        let listener = TcpListener::bind(config.tcp)?;
        listener.set_nonblocking(true)?;
        socket.set_read_timeout(Some(std::time::Duration::from_millis(250)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let bound = socket.local_addr()?;
        let ip = match config.public_ip {
            Some(ip) => ip,
            None if bound.ip().is_unspecified() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the media port binds every interface: set media_public_ip to the address browsers reach",
                ))
            }
            None => bound.ip(),
        };
        let advertised = SocketAddr::new(ip, bound.port());
        let advertised_tcp = SocketAddr::new(ip, listener.local_addr()?.port());
        let socket = Arc::new(socket);
        let routes = Arc::new(Routes::default());
        let stats = Arc::new(MediaStats::default());
        let threads = config.threads.max(1);
        let mut shards = Vec::with_capacity(threads);
        for index in 0..threads {
            let (tx, rx) = mpsc::channel();
            shards.push(tx);
            let shard = shard::Shard::new(
                index,
                rx,
                socket.clone(),
                (advertised, advertised_tcp),
                routes.clone(),
                stats.clone(),
            );
            std::thread::Builder::new()
                .name(format!("meet-shard-{index}"))
                .spawn(move || shard.run())?;
        }
        let reader = net::Reader {
            socket,
            local: advertised,
            routes: routes.clone(),
            shards: shards.clone(),
            stats: stats.clone(),
            stop: stop.clone(),
        };
        std::thread::Builder::new()
            .name("meet-udp".into())
            .spawn(move || reader.run())?;
        let (closed_tx, closed) = tokio::sync::watch::channel(());
        let acceptor = tcp::Acceptor {
            listener: {
                let _entered = runtime.enter();
                tokio::net::TcpListener::from_std(listener)?
            },
            local: advertised_tcp,
            routes,
            shards: shards.clone(),
            stats: stats.clone(),
            closed,
        };
        runtime.spawn(acceptor.run());
        Ok(MediaServer {
            inner: Arc::new(Inner {
                shards,
                advertised,
                advertised_tcp,
                next_key: AtomicU64::new(1),
                rooms: Mutex::new(HashMap::new()),
                stats,
                stop,
                _closed: closed_tx,
            }),
        })
    }

    /// The address browsers send media to.
    pub fn address(&self) -> SocketAddr {
        self.inner.advertised
    }

    /// The address browsers connect to when UDP does not get through.
    pub fn tcp_address(&self) -> SocketAddr {
        self.inner.advertised_tcp
    }

    pub fn stats(&self) -> &MediaStats {
        &self.inner.stats
    }

    /// Puts a participant in a room's media. The peer lives until its
    /// [`Peer`] is dropped (its signalling socket closed).
    pub fn join(&self, join: Join) -> (Peer, tokio::sync::mpsc::UnboundedReceiver<PeerEvent>) {
        let key = self.inner.next_key.fetch_add(1, Ordering::Relaxed);
        let shard = {
            let mut rooms = self.inner.rooms.lock().unwrap_or_else(|e| e.into_inner());
            let load = |index: usize| rooms.values().filter(|(s, _)| *s == index).count();
            let least = (0..self.inner.shards.len())
                .min_by_key(|index| load(*index))
                .unwrap_or(0);
            let entry = rooms.entry(join.room).or_insert((least, 0));
            entry.1 += 1;
            entry.0
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let room = join.room;
        let _ = self.inner.shards[shard].send(ShardMessage::Join {
            key,
            join,
            events: tx,
        });
        let peer = Peer {
            key,
            room,
            shard,
            server: self.clone(),
        };
        (peer, rx)
    }

    fn left(&self, room: u64) {
        let mut rooms = self.inner.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = rooms.get_mut(&room) {
            entry.1 = entry.1.saturating_sub(1);
            if entry.1 == 0 {
                rooms.remove(&room);
            }
        }
    }
}

/// One participant's media, alive while this handle is.
pub struct Peer {
    key: u64,
    room: u64,
    shard: usize,
    server: MediaServer,
}

impl Peer {
    pub fn send(&self, command: Command) {
        self.handle().send(command);
    }

    /// A handle others can use to reach this peer (a host muting or
    /// removing it); it does not keep the peer alive.
    pub fn handle(&self) -> PeerRef {
        PeerRef {
            key: self.key,
            shard: self.server.inner.shards[self.shard].clone(),
        }
    }
}

/// Reaches a peer without owning it.
#[derive(Clone)]
pub struct PeerRef {
    key: u64,
    shard: mpsc::Sender<ShardMessage>,
}

impl PeerRef {
    pub fn send(&self, command: Command) {
        let _ = self.shard.send(ShardMessage::Command(self.key, command));
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.send(Command::Leave);
        self.server.left(self.room);
    }
}
