use bureau_bus::Bus;
use bureau_core::{Event, Result};
use bureau_store::{Blobs, Store, Tx};

/// The subject every event is published on.
pub const EVENTS_SUBJECT: &str = "events";

/// The ports a domain service works through.
#[derive(Clone)]
pub struct Ports {
    pub store: Store,
    pub bus: Bus,
    pub blobs: Blobs,
}

impl Ports {
    /// Commits a transaction, then publishes its events on the bus. An event
    /// that fails to publish is still durable: subscribers find it in the
    /// Store when they notice the gap in sequence numbers.
    pub async fn commit(&self, tx: Tx) -> Result<Vec<Event>> {
        let events = tx.commit().await?;
        for event in &events {
            let message = bytes::Bytes::from(event.to_bus_message());
            if let Err(err) = self.bus.publish(EVENTS_SUBJECT, message).await {
                tracing::warn!(seq = event.seq, %err, "event not published; subscribers will recover it");
            }
        }
        Ok(events)
    }
}
