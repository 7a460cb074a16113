//! ICE-TCP, for networks that block UDP: one TCP port where browsers
//! connect as the active side of a passive candidate (RFC 6544), each
//! packet framed by a 2-byte length (RFC 4571). A connection is routed once,
//! by the STUN username of its first frame, to the shard holding the peer;
//! from then on its frames reach that shard like datagrams, and what the
//! shard transmits to the connection's address goes back down it.
//!
//! A connection that does not start with a connectivity check for a known
//! peer within a few seconds is closed; so is one that sends a frame larger
//! than any packet a browser sends.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use str0m::net::Protocol;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::net::Datagram;
use super::{MediaStats, Routes, ShardMessage};

/// The first frame must arrive within this.
const FIRST_FRAME: Duration = Duration::from_secs(5);
/// Frames larger than this are not from a browser (an MTU-sized packet is
/// at most about 1,500 bytes).
const MAX_FRAME: usize = 4096;
/// Open connections at most; more are closed at once.
const MAX_CONNECTIONS: usize = 2048;
/// Frames waiting to be written to one connection; more are dropped, like
/// datagrams on a congested link.
pub const WRITE_QUEUE: usize = 512;

/// Where a shard writes a TCP peer's packets (already framed).
pub type Writer = tokio::sync::mpsc::Sender<Vec<u8>>;

pub struct Acceptor {
    pub listener: TcpListener,
    /// The address the TCP candidate names.
    pub local: SocketAddr,
    pub routes: Arc<Routes>,
    pub shards: Vec<mpsc::Sender<ShardMessage>>,
    pub stats: Arc<MediaStats>,
    /// Ends when the media server is dropped.
    pub closed: tokio::sync::watch::Receiver<()>,
}

/// A packet with its RFC 4571 length prefix.
pub fn frame(contents: &[u8]) -> Option<Vec<u8>> {
    let length = u16::try_from(contents.len()).ok()?;
    let mut framed = Vec::with_capacity(contents.len() + 2);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(contents);
    Some(framed)
}

impl Acceptor {
    pub async fn run(self) {
        let open = Arc::new(AtomicUsize::new(0));
        let this = Arc::new(self);
        let mut closed = this.closed.clone();
        loop {
            let (stream, source) = tokio::select! {
                accepted = this.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::debug!(%error, "a media TCP connection could not be accepted");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = closed.changed() => return,
            };
            if open.fetch_add(1, Ordering::Relaxed) >= MAX_CONNECTIONS {
                open.fetch_sub(1, Ordering::Relaxed);
                continue;
            }
            let _ = stream.set_nodelay(true);
            let this = this.clone();
            let open = open.clone();
            tokio::spawn(async move {
                this.serve(stream, source).await;
                open.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }

    async fn serve(&self, stream: TcpStream, source: SocketAddr) {
        let (mut reader, mut writer) = stream.into_split();
        let first = match tokio::time::timeout(FIRST_FRAME, read_frame(&mut reader)).await {
            Ok(Some(first)) => first,
            _ => return self.refused(),
        };
        let Some(shard) = self.routes.shard_of_check(&first) else {
            return self.refused();
        };
        let shard = &self.shards[shard];
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
        if shard
            .send(ShardMessage::TcpOpened { source, writer: tx })
            .is_err()
        {
            return;
        }
        let datagram = |bytes: Vec<u8>| {
            ShardMessage::Datagram(Datagram {
                at: Instant::now(),
                proto: Protocol::Tcp,
                source,
                destination: self.local,
                bytes,
            })
        };
        let _ = shard.send(datagram(first));
        let reading = async {
            while let Some(bytes) = read_frame(&mut reader).await {
                if shard.send(datagram(bytes)).is_err() {
                    return;
                }
            }
        };
        // Ends when the shard drops the writer (the peer left) or the
        // browser stops reading.
        let writing = async {
            while let Some(framed) = rx.recv().await {
                if writer.write_all(&framed).await.is_err() {
                    return;
                }
            }
        };
        let mut closed = self.closed.clone();
        tokio::select! {
            _ = reading => {},
            _ = writing => {},
            _ = closed.changed() => {},
        }
        let _ = shard.send(ShardMessage::TcpClosed { source });
    }

    fn refused(&self) {
        self.stats.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
    }
}

/// The next frame, or `None` at the end of the stream, on an error, or on a
/// frame no browser sends (empty or too large).
async fn read_frame(reader: &mut (impl AsyncReadExt + Unpin)) -> Option<Vec<u8>> {
    let mut length = [0u8; 2];
    reader.read_exact(&mut length).await.ok()?;
    let length = usize::from(u16::from_be_bytes(length));
    if length == 0 || length > MAX_FRAME {
        return None;
    }
    let mut bytes = vec![0u8; length];
    reader.read_exact(&mut bytes).await.ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_bad_lengths_end_the_stream() {
        let mut wire = frame(b"hello").unwrap();
        wire.extend(frame(&[7u8; 1200]).unwrap());
        let mut reader = &wire[..];
        assert_eq!(read_frame(&mut reader).await.unwrap(), b"hello");
        assert_eq!(read_frame(&mut reader).await.unwrap(), vec![7u8; 1200]);
        assert!(read_frame(&mut reader).await.is_none(), "end of stream");

        let empty = [0u8, 0];
        assert!(read_frame(&mut &empty[..]).await.is_none());
        let mut huge = (MAX_FRAME as u16 + 1).to_be_bytes().to_vec();
        huge.extend(vec![0u8; MAX_FRAME + 1]);
        assert!(read_frame(&mut &huge[..]).await.is_none());
        let cut = [0u8, 10, 1, 2, 3];
        assert!(
            read_frame(&mut &cut[..]).await.is_none(),
            "a frame cut short"
        );
        assert!(
            frame(&vec![0u8; 70_000]).is_none(),
            "longer than a length says"
        );
    }
}
