//! The UDP reader: one thread reads the media port and routes each datagram
//! to the shard holding its peer, by source address, else by the STUN
//! username of a connectivity check. Anything else is dropped here, before
//! any shard spends time on it.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use str0m::net::Protocol;

use super::{MediaStats, Routes, ShardMessage};

/// One datagram, as read.
pub struct Datagram {
    pub at: Instant,
    /// UDP, or TCP for a packet that came down an ICE-TCP connection.
    pub proto: Protocol,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub bytes: Vec<u8>,
}

pub struct Reader {
    pub socket: Arc<UdpSocket>,
    /// The address peers send to (what str0m's candidate names).
    pub local: SocketAddr,
    pub routes: Arc<Routes>,
    pub shards: Vec<mpsc::Sender<ShardMessage>>,
    pub stats: Arc<MediaStats>,
    pub stop: Arc<AtomicBool>,
}

/// The server's ICE username fragment in a STUN binding request, if the
/// datagram is one.
pub fn stun_local_ufrag(bytes: &[u8]) -> Option<&str> {
    if bytes.first().is_none_or(|b| *b > 1) {
        return None;
    }
    let message = str0m::ice::StunMessage::parse(bytes).ok()?;
    let (local, _) = message.split_username()?;
    // Borrowed from `bytes`: find it again to hand back a slice of the input.
    let start = bytes
        .windows(local.len())
        .position(|w| w == local.as_bytes())?;
    std::str::from_utf8(&bytes[start..start + local.len()]).ok()
}

impl Reader {
    pub fn run(self) {
        let mut buf = vec![0u8; 2048];
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let (len, source) = match self.socket.recv_from(&mut buf) {
                Ok(read) => read,
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::Interrupted
                            | std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                // ICMP "port unreachable" from a peer that left surfaces
                // here on Linux; nothing to do but read on.
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => continue,
                Err(error) => {
                    tracing::error!(%error, "the media port can no longer be read");
                    return;
                }
            };
            let at = Instant::now();
            let bytes = &buf[..len];
            let shard = self.shard_for(source, bytes);
            let Some(shard) = shard else {
                self.stats.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let datagram = Datagram {
                at,
                proto: Protocol::Udp,
                source,
                destination: self.local,
                bytes: bytes.to_vec(),
            };
            let _ = self.shards[shard].send(ShardMessage::Datagram(datagram));
        }
    }

    fn shard_for(&self, source: SocketAddr, bytes: &[u8]) -> Option<usize> {
        let known = self
            .routes
            .addresses
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&source)
            .copied();
        if known.is_some() {
            return known;
        }
        self.routes.shard_of_check(bytes)
    }
}
