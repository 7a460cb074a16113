//! The Bus port: real-time fan-out of published messages between the parts
//! of one process (in-process) or between processes (NATS).
//!
//! The bus is at-most-once on both backends. What it promises instead is
//! that a subscriber *notices* when it may have missed something: it then
//! receives [`Delivery::Lagged`] and recovers from the Store, which is the
//! truth. In-process, that is the broadcast channel overflowing; on NATS,
//! the client reporting a slow consumer, or a dropped and restored link.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::broadcast;

/// How many messages a subscriber may fall behind before it is told it lagged.
const CAPACITY: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The URL names a backend this binary was built without, or none at all.
    #[error("{0}")]
    Unsupported(String),
    #[error("bus error: {0}")]
    Other(String),
}

pub type Result<T, E = BusError> = std::result::Result<T, E>;

/// What a subscriber receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Message(Bytes),
    /// Messages may have been lost since the last delivery.
    Lagged,
}

#[derive(Clone)]
pub struct Bus {
    namespace: String,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local(Arc<Mutex<HashMap<String, broadcast::Sender<Bytes>>>>),
    #[cfg(feature = "nats")]
    Nats {
        client: async_nats::Client,
        lagged: broadcast::Sender<()>,
    },
}

impl Bus {
    /// The in-process bus: one process, no network.
    pub fn local(namespace: &str) -> Bus {
        Bus {
            namespace: namespace.to_string(),
            backend: Backend::Local(Arc::default()),
        }
    }

    /// Connects to the bus named by `url`: empty or `local` for in-process,
    /// `nats://HOST:PORT` for NATS. Every subject is prefixed with
    /// `namespace`, so several offices (or tests) can share one NATS.
    pub async fn connect(url: &str, namespace: &str) -> Result<Bus> {
        if url.is_empty() || url == "local" {
            return Ok(Bus::local(namespace));
        }
        if url.starts_with("nats://") {
            return connect_nats(url, namespace).await;
        }
        Err(BusError::Unsupported(format!(
            "bus URL `{url}` is neither empty (in-process) nor `nats://...`"
        )))
    }

    pub fn is_local(&self) -> bool {
        matches!(self.backend, Backend::Local(_))
    }

    pub async fn publish(&self, subject: &str, payload: Bytes) -> Result<()> {
        let subject = format!("{}.{subject}", self.namespace);
        match &self.backend {
            Backend::Local(subjects) => {
                let sender = subjects.lock().expect("bus lock").get(&subject).cloned();
                if let Some(sender) = sender {
                    // No receiver is not an error: nobody listens yet.
                    let _ = sender.send(payload);
                }
                Ok(())
            }
            #[cfg(feature = "nats")]
            Backend::Nats { client, .. } => client
                .publish(subject, payload)
                .await
                .map_err(|e| BusError::Other(e.to_string())),
        }
    }

    /// Waits until everything published so far has left this process.
    pub async fn flush(&self) -> Result<()> {
        match &self.backend {
            Backend::Local(_) => Ok(()),
            #[cfg(feature = "nats")]
            Backend::Nats { client, .. } => client
                .flush()
                .await
                .map_err(|e| BusError::Other(e.to_string())),
        }
    }

    pub async fn subscribe(&self, subject: &str) -> Result<Subscription> {
        let subject = format!("{}.{subject}", self.namespace);
        match &self.backend {
            Backend::Local(subjects) => {
                let mut subjects = subjects.lock().expect("bus lock");
                let sender = subjects
                    .entry(subject)
                    .or_insert_with(|| broadcast::channel(CAPACITY).0);
                Ok(Subscription {
                    inner: SubscriptionInner::Local(sender.subscribe()),
                })
            }
            #[cfg(feature = "nats")]
            Backend::Nats { client, lagged } => {
                let lagged = lagged.subscribe();
                let subscriber = client
                    .subscribe(subject)
                    .await
                    .map_err(|e| BusError::Other(e.to_string()))?;
                server_round_trip(client).await?;
                Ok(Subscription {
                    inner: SubscriptionInner::Nats { subscriber, lagged },
                })
            }
        }
    }
}

pub struct Subscription {
    inner: SubscriptionInner,
}

enum SubscriptionInner {
    Local(broadcast::Receiver<Bytes>),
    #[cfg(feature = "nats")]
    Nats {
        subscriber: async_nats::Subscriber,
        lagged: broadcast::Receiver<()>,
    },
}

impl Subscription {
    /// The next delivery; `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Delivery> {
        match &mut self.inner {
            SubscriptionInner::Local(receiver) => match receiver.recv().await {
                Ok(bytes) => Some(Delivery::Message(bytes)),
                Err(broadcast::error::RecvError::Lagged(_)) => Some(Delivery::Lagged),
                Err(broadcast::error::RecvError::Closed) => None,
            },
            #[cfg(feature = "nats")]
            SubscriptionInner::Nats { subscriber, lagged } => {
                use futures_util::StreamExt;
                tokio::select! {
                    biased;
                    notice = lagged.recv() => match notice {
                        Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => Some(Delivery::Lagged),
                        Err(broadcast::error::RecvError::Closed) => None,
                    },
                    message = subscriber.next() => message.map(|m| Delivery::Message(m.payload)),
                }
            }
        }
    }
}

/// Returns once the NATS server has processed everything this client sent
/// before, so a subscription made before it receives any message published
/// after it, from any client. (`Client::flush` only empties the local
/// buffer.) The server handles one connection's operations in order, so
/// receiving our own message on a fresh inbox proves the earlier ones done.
#[cfg(feature = "nats")]
async fn server_round_trip(client: &async_nats::Client) -> Result<()> {
    use futures_util::StreamExt;
    let other = |e: &dyn std::fmt::Display| BusError::Other(e.to_string());
    let inbox = client.new_inbox();
    let mut echo = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| other(&e))?;
    client
        .publish(inbox, Bytes::new())
        .await
        .map_err(|e| other(&e))?;
    match tokio::time::timeout(std::time::Duration::from_secs(10), echo.next()).await {
        Ok(Some(_)) => Ok(()),
        _ => Err(BusError::Other(
            "the NATS server did not answer within 10 s".into(),
        )),
    }
}

#[cfg(feature = "nats")]
async fn connect_nats(url: &str, namespace: &str) -> Result<Bus> {
    let (lagged, _) = broadcast::channel(16);
    let notices = lagged.clone();
    let disconnected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = async_nats::ConnectOptions::new()
        .name("bureau")
        .subscription_capacity(CAPACITY)
        .event_callback(move |event| {
            let notices = notices.clone();
            let disconnected = disconnected.clone();
            async move {
                use std::sync::atomic::Ordering;
                let lost = match event {
                    async_nats::Event::SlowConsumer(_) => true,
                    async_nats::Event::Disconnected => {
                        disconnected.store(true, Ordering::Release);
                        true
                    }
                    // Only a reconnection: the first connection lost nothing.
                    async_nats::Event::Connected => disconnected.swap(false, Ordering::AcqRel),
                    _ => false,
                };
                if lost {
                    tracing::warn!(%event, "bus may have dropped messages");
                    let _ = notices.send(());
                } else {
                    tracing::debug!(%event, "bus event");
                }
            }
        })
        .connect(url)
        .await
        .map_err(|e| BusError::Other(format!("connecting to {url}: {e}")))?;
    Ok(Bus {
        namespace: namespace.to_string(),
        backend: Backend::Nats { client, lagged },
    })
}

#[cfg(not(feature = "nats"))]
async fn connect_nats(_url: &str, _namespace: &str) -> Result<Bus> {
    Err(BusError::Unsupported(
        "this bureau was built without NATS; rebuild with the cargo feature `nats`".into(),
    ))
}
