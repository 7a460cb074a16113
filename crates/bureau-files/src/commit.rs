//! Group commit for the hot path of writes: files whose bytes are complete
//! at about the same time are recorded in one transaction, with one
//! statement for all their new rows.
//!
//! On SQLite every transaction queues for the one writer connection, and
//! each statement is a round trip to its thread; a small WebDAV PUT spent
//! most of its time waiting there. One task takes every write waiting,
//! records them all between one `BEGIN` and one `COMMIT`, touches each
//! folder once, and answers each write. Nothing waits on purpose: a batch
//! is whatever queued while the previous one committed, so a lone write
//! commits at once. PostgreSQL saves the same round trips.
//!
//! Each write is still checked as in [`crate::Writer::finish`]: recorded
//! only if its folder and the file it replaces are as it saw them, and
//! answered `None` otherwise, for the caller's slow path. A statement that
//! fails for another reason fails the batch, whose writes are then
//! recorded one transaction each, so no write fails for another's sake.

use std::sync::{Arc, Mutex};

use bureau_accounts::Ports;
use bureau_core::{Result, UserId};
use bureau_store::{Blob, Content, NewNode, NodeRecord, Tx};
use tokio::sync::{mpsc, oneshot};

use crate::{mime_of, Place, Seen};

/// Most writes recorded in one transaction.
const MAX_BATCH: usize = 128;

/// A write whose bytes are complete, waiting to be recorded.
pub(crate) struct Job {
    pub place: Place,
    pub seen: Seen,
    pub name: String,
    pub by: UserId,
    pub blob: Arc<Blob>,
    pub reply: oneshot::Sender<Result<Option<NodeRecord>>>,
}

/// The queue of writes to record, and the task that records them (started
/// with the first write, inside the runtime).
pub(crate) struct Committer {
    jobs: mpsc::UnboundedSender<Job>,
    waiting: Mutex<Option<(mpsc::UnboundedReceiver<Job>, Ports)>>,
}

impl Committer {
    pub fn new(ports: Ports) -> Committer {
        let (jobs, queue) = mpsc::unbounded_channel();
        Committer {
            jobs,
            waiting: Mutex::new(Some((queue, ports))),
        }
    }

    /// Records a write with whatever others are waiting; `None` when its
    /// folder or the file it replaces changed since it looked.
    pub async fn record(
        &self,
        place: Place,
        seen: Seen,
        name: String,
        by: UserId,
        blob: Arc<Blob>,
    ) -> Result<Option<NodeRecord>> {
        if let Some((queue, ports)) = self.waiting.lock().expect("committer lock").take() {
            tokio::spawn(run(queue, ports));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            place,
            seen,
            name,
            by,
            blob,
            reply,
        };
        self.jobs
            .send(job)
            .map_err(|_| bureau_core::Error::internal("the file committer stopped"))?;
        answer
            .await
            .map_err(|_| bureau_core::Error::internal("the file committer dropped a write"))?
    }
}

async fn run(mut queue: mpsc::UnboundedReceiver<Job>, ports: Ports) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match record_all(&ports, &batch).await {
            Ok(nodes) => {
                for (job, node) in batch.drain(..).zip(nodes) {
                    let _ = job.reply.send(Ok(node));
                }
            }
            Err(err) => {
                tracing::warn!(%err, writes = batch.len(), "files: a grouped commit failed; recording its writes one by one");
                for job in batch.drain(..) {
                    let answer = record_alone(&ports, &job).await;
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// One transaction for the whole batch: one statement for the small
/// blobs, one for the new files, one for their folders' time, and one or
/// three per replaced file.
async fn record_all(ports: &Ports, batch: &[Job]) -> Result<Vec<Option<NodeRecord>>> {
    let mut tx = ports.store.begin().await?;
    let nodes = record(&mut tx, batch).await?;
    tx.commit().await?;
    Ok(nodes)
}

async fn record_alone(ports: &Ports, job: &Job) -> Result<Option<NodeRecord>> {
    let mut tx = ports.store.begin().await?;
    let node = record(&mut tx, std::slice::from_ref(job)).await?.remove(0);
    if node.is_some() {
        tx.commit().await?;
    }
    Ok(node)
}

/// The statements of the writes of `batch`, in `tx`: each gets its node,
/// or `None` where its folder or the file it saw changed.
async fn record(tx: &mut Tx, batch: &[Job]) -> Result<Vec<Option<NodeRecord>>> {
    // Sorted only to drop repeats; `hold_spaces` takes them in id order.
    let mut spaces: Vec<i64> = batch.iter().map(|job| job.place.space.id).collect();
    spaces.sort_unstable();
    spaces.dedup();
    tx.hold_spaces(&spaces).await?;
    let blobs: Vec<&Blob> = batch.iter().map(|job| &*job.blob).collect();
    tx.keep_blobs(&blobs).await?;
    let mimes: Vec<String> = batch.iter().map(|job| mime_of(&job.name)).collect();
    let new_files: Vec<NewNode<'_>> = batch
        .iter()
        .zip(&mimes)
        .filter(|(job, _)| job.seen.existing.is_none())
        .map(|(job, mime)| NewNode {
            space_id: job.place.space.id,
            parent_id: job.seen.parent_id,
            path: &job.place.path,
            name: &job.name,
            is_dir: false,
            size: job.blob.size() as i64,
            blob_id: Some(job.blob.id().as_str()),
            mime,
            by: Some(job.by),
        })
        .collect();
    let mut inserted = tx.insert_files_under_live_parents(&new_files).await?;
    let mut folders: Vec<i64> = inserted.iter().filter_map(|node| node.parent_id).collect();
    folders.sort_unstable();
    folders.dedup();
    tx.touch_folders(&folders, bureau_core::time::now_ms())
        .await?;
    let mut nodes = Vec::with_capacity(batch.len());
    for (job, mime) in batch.iter().zip(&mimes) {
        let node = match &job.seen.existing {
            Some(existing) => {
                let content = Content {
                    blob_id: job.blob.id().as_str(),
                    size: job.blob.size() as i64,
                    mime,
                    by: Some(job.by),
                };
                tx.replace_content(existing, content).await?
            }
            None => inserted
                .iter()
                .position(|node| node.space_id == job.place.space.id && node.path == job.place.path)
                .map(|at| inserted.swap_remove(at)),
        };
        nodes.push(node);
    }
    Ok(nodes)
}
