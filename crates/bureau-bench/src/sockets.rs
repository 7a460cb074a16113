//! Many idle WebSocket clients, each noting when the message of a round
//! reaches it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{StreamExt, TryStreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Sockets being opened at once.
const CONCURRENCY: usize = 200;
/// A socket that is not open and greeted by then failed.
const OPEN_LIMIT: Duration = Duration::from_secs(30);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Tells which round a message announces, if any.
pub type Matcher = Arc<dyn Fn(&Message) -> Option<usize> + Send + Sync>;

/// Open sockets that listen for each round's message; closed when dropped.
pub struct Listeners {
    tasks: Vec<JoinHandle<()>>,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    closed: Arc<AtomicUsize>,
}

struct Delivery {
    round: usize,
    at: Instant,
}

/// Opens `count` sockets, at most [`CONCURRENCY`] at a time, and returns once
/// each has received its first message: by then the server has taken it in.
pub async fn listen(
    request: &Request,
    count: usize,
    matcher: Matcher,
) -> anyhow::Result<Listeners> {
    let (sender, deliveries) = mpsc::unbounded_channel();
    let closed = Arc::new(AtomicUsize::new(0));
    let tasks = futures_util::stream::iter(0..count)
        .map(|_| {
            let (matcher, sender, closed) = (matcher.clone(), sender.clone(), closed.clone());
            async move {
                let mut socket = open(request).await?;
                Ok::<_, anyhow::Error>(tokio::spawn(async move {
                    while let Some(Ok(message)) = socket.next().await {
                        let at = Instant::now();
                        if let Some(round) = matcher(&message) {
                            let _ = sender.send(Delivery { round, at });
                        }
                    }
                    closed.fetch_add(1, Ordering::Relaxed);
                }))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(Listeners {
        tasks,
        deliveries,
        closed,
    })
}

/// Opens one socket and waits for the server's first message.
pub async fn open(request: &Request) -> anyhow::Result<Socket> {
    // Small buffers: the bench's own memory is not measured, but 10,000
    // sockets with the default 128 KiB read buffer would be wasteful.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    tokio::time::timeout(OPEN_LIMIT, async {
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(request.clone(), Some(config), true)
                .await
                .with_context(|| format!("opening {}", request.uri()))?;
        match socket.next().await {
            Some(Ok(_)) => Ok(socket),
            Some(Err(error)) => Err(error).context("reading the server's first message"),
            None => bail!("the server closed a new socket before its first message"),
        }
    })
    .await
    .with_context(|| format!("a socket was not open and greeted within {OPEN_LIMIT:?}"))?
}

impl Listeners {
    /// Waits until every socket has received the message of `round`, sent at
    /// `sent`, and returns how long each took.
    pub async fn deliveries(
        &mut self,
        round: usize,
        sent: Instant,
        limit: Duration,
    ) -> anyhow::Result<Vec<Duration>> {
        let deadline = tokio::time::Instant::from_std(sent + limit);
        let mut latencies = Vec::with_capacity(self.tasks.len());
        while latencies.len() < self.tasks.len() {
            match tokio::time::timeout_at(deadline, self.deliveries.recv()).await {
                Ok(Some(delivery)) if delivery.round == round => {
                    latencies.push(delivery.at - sent)
                }
                // A straggler of an earlier round, which has already failed.
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => bail!(
                    "round {round}: {} of {} sockets received the message within {limit:?} ({} sockets were closed)",
                    latencies.len(),
                    self.tasks.len(),
                    self.closed.load(Ordering::Relaxed),
                ),
            }
        }
        Ok(latencies)
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
