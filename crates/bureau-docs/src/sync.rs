//! Live co-editing: one actor per open page speaks the y-websocket
//! protocol (sync step 1 and 2, updates, awareness) with every connection
//! to that page.
//!
//! The actor owns the page's `yrs::Doc`; nothing else touches it, so
//! writes are serialised without locks. An update is applied, then
//! **appended to the Store before anyone else hears of it**: what another
//! client received survives a crash. Updates that arrive together are
//! merged and written as one row, and one writer per process stores the
//! rows of all pages waiting together by one statement (group commit). Relays skip the sender, and
//! a connection too slow to keep up is dropped (it reconnects and
//! resyncs) rather than buffered without bound.
//!
//! Several processes may hold the same page open: each publishes what it
//! persisted on the bus (`docs.<page>`), and the others apply and relay
//! it. Changes of rights are told on `docs.rights`, so each process
//! closes the sockets it holds to the pages concerned. The in-process bus
//! has no other process, so nothing is published. A room with nobody in it for [`IDLE_UNLOAD`] unloads.
//!
//! Versions: while a page is edited the room stores its whole state as an
//! automatic version every [`AUTO_VERSION_EVERY`], and once more when the
//! last person leaves. Restoring a version is a change like any other,
//! made by the room: everyone connected sees it live.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bureau_bus::{Bus, Delivery};
use bureau_core::{AccessChange, Credential, UserId};
use bureau_store::Store;
use bytes::Bytes;
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::types::text::YChange;
use yrs::types::Delta;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Any, Doc, Map, Out, ReadTxn, StateVector, Text, Transact, TransactionMut, Update, Xml,
    XmlElementPrelim, XmlFragment, XmlOut, XmlTextPrelim,
};

/// Close code for a message that is not the y-websocket protocol: final,
/// reconnecting would not help.
pub const CLOSE_MALFORMED: u16 = 4400;
/// Close code when what the person may do with the page changed: the
/// client reconnects and is checked again. (y-websocket takes codes 4400 to
/// 4499 as final and stops reconnecting; this one is outside that range.)
pub const CLOSE_RIGHTS_CHANGED: u16 = 4001;
/// Close code when the page's content could not be saved, or the client
/// could not keep up: it reconnects and resyncs.
pub const CLOSE_RETRY: u16 = 1013;

/// The bus subject on which processes tell each other of changes of
/// rights: the sender, a kind ([`RIGHTS_BELOW`] a page, [`RIGHTS_SPACE`])
/// and an id.
const RIGHTS_SUBJECT: &str = "docs.rights";
const RIGHTS_BELOW: u8 = 0;
const RIGHTS_SPACE: u8 = 1;

/// A room unloads after this long with nobody in it.
pub const IDLE_UNLOAD: Duration = Duration::from_secs(30);
/// Frames waiting for one connection before it is dropped as too slow.
const OUTGOING_QUEUE: usize = 1024;
/// Frames from all connections waiting for the actor.
const INCOMING_QUEUE: usize = 512;
/// Updates merged into one batch at most.
const BATCH: usize = 256;
/// Pages' batches written by one statement at most.
const GROUP: usize = 256;
/// Log rows after which a page's log is merged into one row.
const COMPACT_AFTER: usize = 500;
/// How often an automatic version is taken while a page is being edited.
pub const AUTO_VERSION_EVERY: Duration = Duration::from_secs(10 * 60);
/// The Yjs type holding a page's content (TipTap's and y-prosemirror's
/// default).
pub const CONTENT: &str = "default";

/// What the server sends down one connection.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Vec<u8>),
    Close { code: u16, reason: String },
}

/// The open pages of this process.
pub struct Rooms {
    store: Store,
    bus: Bus,
    /// This process, to recognise its own messages on the bus.
    process: u64,
    rooms: Mutex<HashMap<i64, Room>>,
    next: AtomicU64,
    /// Bumped by every change of who may do what (see [`Rooms::rights`]).
    rights: AtomicU64,
    /// The log writer, started with the first room.
    writer: OnceLock<mpsc::UnboundedSender<Append>>,
}

/// A page's batch for the log writer, and where to say it is stored.
struct Append {
    page: i64,
    /// Shared with the room, which relays and publishes it meanwhile.
    batch: Bytes,
    stored: oneshot::Sender<Result<i64, String>>,
}

struct Room {
    generation: u64,
    space: i64,
    control: mpsc::UnboundedSender<Control>,
    frames: mpsc::Sender<Incoming>,
}

/// A frame from a client. It carries the sender's rights so that it is
/// handled even if its connection already left: an update a client sent
/// just before closing is still stored and relayed.
struct Incoming {
    conn: u64,
    can_write: bool,
    frame: Vec<u8>,
}

enum Control {
    Join {
        conn: u64,
        out: mpsc::Sender<Outgoing>,
        who: Who,
    },
    /// Closes the connections of a revoked session or a deactivated
    /// account.
    AccessEnded(AccessChange),
    Leave {
        conn: u64,
    },
    /// Closes every connection: rights changed.
    CloseAll,
    /// Makes the page's content that of a stored state (a version).
    Restore {
        state: Vec<u8>,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// Marks something kept beside the content as changed (see
    /// [`Rooms::touch`]).
    Touch {
        key: &'static str,
    },
}

/// Who a connection acts as: whose account, by which credential.
#[derive(Clone, Copy, Debug)]
pub struct Who {
    pub user: UserId,
    pub credential: Credential,
}

/// One connection's place in a room. Dropping it leaves the room.
pub struct Session {
    conn: u64,
    can_write: bool,
    control: mpsc::UnboundedSender<Control>,
    frames: mpsc::Sender<Incoming>,
    pub outgoing: mpsc::Receiver<Outgoing>,
}

impl Session {
    /// Hands a frame from the client to the room; false once the room is
    /// gone (the connection should close).
    pub async fn receive(&self, frame: Vec<u8>) -> bool {
        let incoming = Incoming {
            conn: self.conn,
            can_write: self.can_write,
            frame,
        };
        self.frames.send(incoming).await.is_ok()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Leave { conn: self.conn });
    }
}

impl Rooms {
    pub fn new(store: Store, bus: Bus) -> Rooms {
        let mut seed = [0u8; 8];
        getrandom::getrandom(&mut seed).expect("the system has a source of randomness");
        Rooms {
            store,
            bus,
            process: u64::from_le_bytes(seed),
            rooms: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            rights: AtomicU64::new(0),
            writer: OnceLock::new(),
        }
    }

    /// The process's one writer of page logs: the batches of all pages
    /// that wait together are stored by one statement, so under load a
    /// commit serves many pages instead of each waiting its turn.
    fn writer(&self) -> mpsc::UnboundedSender<Append> {
        self.writer
            .get_or_init(|| {
                let (writer, appends) = mpsc::unbounded_channel();
                tokio::spawn(write_logs(self.store.clone(), appends));
                writer
            })
            .clone()
    }

    /// Where the changes of who may do what stand: read it before checking
    /// what a person may do with a page, and hand it to [`Rooms::join`].
    pub fn rights(&self) -> u64 {
        self.rights.load(Ordering::SeqCst)
    }

    /// Joins a page's room (opening it if needed). The caller has checked
    /// that the person may read the page; `can_write` says whether their
    /// updates are taken. `rights` is [`Rooms::rights`] from before that
    /// check: if rights changed since, the check may be stale, and the
    /// connection is closed at once as rights-changed (the client
    /// reconnects and is checked again). A change after the join closes
    /// it anyway.
    pub fn join(
        self: &Arc<Self>,
        page: i64,
        space: i64,
        who: Who,
        can_write: bool,
        rights: u64,
    ) -> Session {
        let conn = self.next.fetch_add(1, Ordering::Relaxed);
        let (out, outgoing) = mpsc::channel(OUTGOING_QUEUE);
        let mut rooms = self.rooms.lock().expect("rooms lock");
        if self.rights() != rights {
            let _ = out.try_send(Outgoing::Close {
                code: CLOSE_RIGHTS_CHANGED,
                reason: "what you may do with this page changed; reconnect".into(),
            });
        }
        loop {
            let room = rooms
                .entry(page)
                .or_insert_with(|| self.clone().open(page, space));
            let joined = room.control.send(Control::Join {
                conn,
                out: out.clone(),
                who,
            });
            if joined.is_ok() {
                return Session {
                    conn,
                    can_write,
                    control: room.control.clone(),
                    frames: room.frames.clone(),
                    outgoing,
                };
            }
            // The actor died (a panic): open the page afresh.
            rooms.remove(&page);
        }
    }

    fn open(self: Arc<Self>, page: i64, space: i64) -> Room {
        let generation = self.next.fetch_add(1, Ordering::Relaxed);
        let (control, control_rx) = mpsc::unbounded_channel();
        let (frames, frames_rx) = mpsc::channel(INCOMING_QUEUE);
        tokio::spawn(async move {
            let actor = Actor::new(&self, page, control_rx, frames_rx);
            let run = std::panic::AssertUnwindSafe(actor.run(&self, generation)).catch_unwind();
            if run.await.is_err() {
                tracing::error!(page, "a page's room panicked; its connections were closed");
                self.forget(page, generation);
            }
        });
        Room {
            generation,
            space,
            control,
            frames,
        }
    }

    fn forget(&self, page: i64, generation: u64) {
        let mut rooms = self.rooms.lock().expect("rooms lock");
        if rooms.get(&page).is_some_and(|r| r.generation == generation) {
            rooms.remove(&page);
        }
    }

    /// Closes the connections to `page` and to open pages below it, after
    /// a change of who may do what there, in every process.
    pub async fn rights_changed_below(&self, store: &Store, page: i64) {
        self.close_below(store, page).await;
        self.publish_rights(RIGHTS_BELOW, page).await;
    }

    /// Closes the connections to every open page of a space, after a
    /// change of its members, in every process.
    pub async fn rights_changed_in_space(&self, space: i64) {
        self.close_in_space(space);
        self.publish_rights(RIGHTS_SPACE, space).await;
    }

    /// Tells the other processes what changed (see [`Rooms::follow_rights`]).
    async fn publish_rights(&self, kind: u8, id: i64) {
        if self.bus.is_local() {
            return;
        }
        let mut payload = Vec::with_capacity(17);
        payload.extend_from_slice(&self.process.to_le_bytes());
        payload.push(kind);
        payload.extend_from_slice(&id.to_le_bytes());
        if let Err(err) = self.bus.publish(RIGHTS_SUBJECT, Bytes::from(payload)).await {
            tracing::warn!(%err, "docs: a change of rights was not told to other processes");
        }
    }

    /// Applies the changes of rights other processes make to this one's
    /// open pages, for as long as the process runs. Missed messages close
    /// every open page: its clients reconnect and are checked again.
    pub async fn follow_rights(self: Arc<Self>) {
        if self.bus.is_local() {
            return;
        }
        let mut subscription = match self.bus.subscribe(RIGHTS_SUBJECT).await {
            Ok(subscription) => Some(subscription),
            Err(err) => {
                tracing::error!(%err, "docs: other processes' changes of rights will not close sockets here");
                return;
            }
        };
        while let Some(delivery) = next_delivery(&mut subscription).await {
            match delivery {
                Delivery::Message(payload) => {
                    if payload.len() != 17 || payload[..8] == self.process.to_le_bytes() {
                        continue;
                    }
                    let id = i64::from_le_bytes(payload[9..17].try_into().expect("8 bytes"));
                    match payload[8] {
                        RIGHTS_BELOW => self.close_below(&self.store, id).await,
                        RIGHTS_SPACE => self.close_in_space(id),
                        _ => {}
                    }
                }
                Delivery::Lagged => {
                    self.rights.fetch_add(1, Ordering::SeqCst);
                    for page in self.open_pages() {
                        self.close_all(page);
                    }
                }
            }
        }
    }

    /// The pages this process has open.
    fn open_pages(&self) -> Vec<i64> {
        self.rooms
            .lock()
            .expect("rooms lock")
            .keys()
            .copied()
            .collect()
    }

    async fn close_below(&self, store: &Store, page: i64) {
        self.rights.fetch_add(1, Ordering::SeqCst);
        for id in self.open_pages() {
            let below = match store.page_chain(id).await {
                Ok(chain) => chain.iter().any(|p| p.id == page),
                Err(_) => true,
            };
            if below {
                self.close_all(id);
            }
        }
    }

    fn close_in_space(&self, space: i64) {
        self.rights.fetch_add(1, Ordering::SeqCst);
        let open: Vec<i64> = self
            .rooms
            .lock()
            .expect("rooms lock")
            .iter()
            .filter(|(_, room)| room.space == space)
            .map(|(id, _)| *id)
            .collect();
        for id in open {
            self.close_all(id);
        }
    }

    /// Closes, in every open page, the connections a deactivation or a
    /// session revocation ends (as rights-changed: the client's next
    /// attempt is refused, and the app sees the session is gone).
    pub fn access_ended(&self, change: &AccessChange) {
        if !matches!(
            change,
            AccessChange::UserDeactivated(_) | AccessChange::SessionRevoked(_)
        ) {
            return;
        }
        // A check in flight when this happened is stale too.
        self.rights.fetch_add(1, Ordering::SeqCst);
        for room in self.rooms.lock().expect("rooms lock").values() {
            let _ = room.control.send(Control::AccessEnded(change.clone()));
        }
    }

    fn close_all(&self, page: i64) {
        if let Some(room) = self.rooms.lock().expect("rooms lock").get(&page) {
            let _ = room.control.send(Control::CloseAll);
        }
    }

    /// Replaces the page's content by that of `state` (a whole Yjs
    /// state, as a version holds), as one change that is stored, then
    /// relayed to everyone on the page. Returns once it is stored.
    pub async fn restore(
        self: &Arc<Self>,
        page: i64,
        space: i64,
        state: Vec<u8>,
    ) -> bureau_core::Result<()> {
        let (done, stored) = oneshot::channel();
        self.send(page, space, Control::Restore { state, done });
        match stored.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(bureau_core::Error::internal(format!(
                "a version could not be restored: {err}"
            ))),
            Err(_) => Err(bureau_core::Error::internal(
                "the page's room stopped before the restore was stored",
            )),
        }
    }

    /// Tells everyone on the page that what `key` names changed (a
    /// database's rows): the page's document holds, in the map `bureau`,
    /// the time of the last change under `key`; editors watch it and read
    /// the rest again. The change is stored and relayed like an edit, so
    /// it reaches the people on the page through any process.
    pub fn touch(self: &Arc<Self>, page: i64, space: i64, key: &'static str) {
        self.send(page, space, Control::Touch { key });
    }

    /// Hands `control` to the page's room, opening it if needed.
    fn send(self: &Arc<Self>, page: i64, space: i64, mut control: Control) {
        let mut rooms = self.rooms.lock().expect("rooms lock");
        loop {
            let room = rooms
                .entry(page)
                .or_insert_with(|| self.clone().open(page, space));
            match room.control.send(control) {
                Ok(()) => return,
                Err(mpsc::error::SendError(back)) => {
                    control = back;
                    rooms.remove(&page);
                }
            }
        }
    }

    /// The page's content as stored.
    pub async fn snapshot(&self, page: i64) -> bureau_core::Result<Doc> {
        let doc = Doc::new();
        load(&self.store, page, &doc).await?;
        Ok(doc)
    }
}

/// Applies a page's stored log to `doc`.
async fn load(store: &Store, page: i64, doc: &Doc) -> bureau_core::Result<usize> {
    let rows = store.doc_updates(page).await?;
    let mut txn = doc.transact_mut();
    for (id, data) in &rows {
        match Update::decode_v1(data) {
            Ok(update) => {
                if let Err(err) = txn.apply_update(update) {
                    tracing::error!(page, row = id, %err, "a stored update does not apply");
                }
            }
            Err(err) => tracing::error!(page, row = id, %err, "a stored update does not decode"),
        }
    }
    Ok(rows.len())
}

struct Conn {
    out: mpsc::Sender<Outgoing>,
    who: Who,
    /// The awareness clients this connection announced.
    clients: HashSet<u64>,
}

struct Actor {
    page: i64,
    store: Store,
    writer: mpsc::UnboundedSender<Append>,
    bus: Option<Bus>,
    process: u64,
    doc: Doc,
    awareness: HashMap<u64, (u32, Arc<str>)>,
    conns: HashMap<u64, Conn>,
    control: mpsc::UnboundedReceiver<Control>,
    frames: mpsc::Receiver<Incoming>,
    /// Rows in the page's log since the last compaction, roughly.
    rows: usize,
    /// Updates applied but not yet stored: (sender, update).
    pending: Vec<(u64, Vec<u8>)>,
    /// Awareness frames to relay once pending updates are stored.
    relays: Vec<(u64, Vec<u8>)>,
    /// Sync step 1 messages to answer once pending updates are stored.
    answers: Vec<(u64, StateVector)>,
    /// Awareness queries to answer once pending updates are stored.
    queries: Vec<u64>,
    /// Restores to confirm once pending updates are stored.
    restores: Vec<oneshot::Sender<Result<(), String>>>,
    /// Whether the content changed since the last automatic version, and
    /// when that was taken.
    edited: bool,
    versioned_at: Instant,
}

impl Actor {
    fn new(
        rooms: &Rooms,
        page: i64,
        control: mpsc::UnboundedReceiver<Control>,
        frames: mpsc::Receiver<Incoming>,
    ) -> Actor {
        Actor {
            page,
            store: rooms.store.clone(),
            writer: rooms.writer(),
            bus: (!rooms.bus.is_local()).then(|| rooms.bus.clone()),
            process: rooms.process,
            doc: Doc::new(),
            awareness: HashMap::new(),
            conns: HashMap::new(),
            control,
            frames,
            rows: 0,
            pending: Vec::new(),
            relays: Vec::new(),
            answers: Vec::new(),
            queries: Vec::new(),
            restores: Vec::new(),
            edited: false,
            versioned_at: Instant::now(),
        }
    }

    async fn run(mut self, rooms: &Rooms, generation: u64) {
        // Subscribed before loading: an update another process stores in
        // between arrives on the bus, none falls between the two.
        let subject = format!("docs.{}", self.page);
        let mut subscription = match &self.bus {
            Some(bus) => match bus.subscribe(&subject).await {
                Ok(sub) => Some(sub),
                Err(err) => {
                    tracing::warn!(%err, "docs: no bus subscription; other processes' edits arrive on reconnect");
                    None
                }
            },
            None => None,
        };
        match load(&self.store, self.page, &self.doc).await {
            Ok(rows) => self.rows = rows,
            Err(err) => {
                tracing::error!(page = self.page, %err, "a page could not be loaded");
                self.close_everyone(CLOSE_RETRY, "the page could not be loaded; retrying");
                rooms.forget(self.page, generation);
                return;
            }
        }
        let mut idle_since = Some(Instant::now());
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                // A connection's join is sent before its first frame:
                // handling control first keeps them in order.
                biased;
                control = self.control.recv() => match control {
                    Some(control) => self.on_control(control),
                    None => return,
                },
                incoming = self.frames.recv() => {
                    let Some(incoming) = incoming else { return };
                    self.on_frame(incoming);
                    let mut taken = 1;
                    while taken < BATCH {
                        let Ok(incoming) = self.frames.try_recv() else { break };
                        self.on_frame(incoming);
                        taken += 1;
                    }
                },
                delivery = next_delivery(&mut subscription) => match delivery {
                    Some(Delivery::Message(bytes)) => self.on_remote(&bytes),
                    Some(Delivery::Lagged) => self.reload().await,
                    None => subscription = None,
                },
                _ = tick.tick() => {}
            }
            if !self.flush(&subject).await {
                rooms.forget(self.page, generation);
                return;
            }
            if self.edited
                && (self.conns.is_empty() || self.versioned_at.elapsed() >= AUTO_VERSION_EVERY)
            {
                self.auto_version().await;
            }
            if self.conns.is_empty() {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= IDLE_UNLOAD {
                    // Decided under the rooms lock, which every join takes:
                    // no join can slip in between the check and the exit.
                    let mut map = rooms.rooms.lock().expect("rooms lock");
                    if self.control.is_empty() {
                        if map
                            .get(&self.page)
                            .is_some_and(|r| r.generation == generation)
                        {
                            map.remove(&self.page);
                        }
                        return;
                    }
                }
            } else {
                idle_since = None;
            }
        }
    }

    fn on_control(&mut self, control: Control) {
        match control {
            Control::Join { conn, out, who } => {
                // The server speaks first: its state vector (step 1), and
                // who else is here.
                let sv = self.doc.transact().state_vector();
                let _ = out.try_send(Outgoing::Frame(
                    Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1(),
                ));
                if !self.awareness.is_empty() {
                    let _ = out.try_send(Outgoing::Frame(self.awareness_of()));
                }
                self.conns.insert(
                    conn,
                    Conn {
                        out,
                        who,
                        clients: HashSet::new(),
                    },
                );
            }
            Control::AccessEnded(change) => {
                let ended: Vec<u64> = self
                    .conns
                    .iter()
                    .filter(|(_, c)| change.ends(c.who.user, c.who.credential))
                    .map(|(id, _)| *id)
                    .collect();
                for conn in ended {
                    if let Some(c) = self.conns.get(&conn) {
                        let _ = c.out.try_send(Outgoing::Close {
                            code: CLOSE_RIGHTS_CHANGED,
                            reason: "your session ended".into(),
                        });
                    }
                    self.drop_conn(conn);
                }
            }
            Control::Leave { conn } => self.drop_conn(conn),
            Control::CloseAll => {
                self.close_everyone(
                    CLOSE_RIGHTS_CHANGED,
                    "what you may do with this page changed; reconnect",
                );
            }
            Control::Restore { state, done } => match restore_into(&self.doc, &state) {
                Ok(update) => {
                    self.pending.push((0, update));
                    self.restores.push(done);
                }
                Err(err) => {
                    let _ = done.send(Err(err));
                }
            },
            Control::Touch { key } => {
                let update = touched(&self.doc, key);
                self.pending.push((MARKER, update));
            }
        }
    }

    /// Stores the page's whole state as an automatic version.
    async fn auto_version(&mut self) {
        let state = self
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        match self
            .store
            .insert_doc_version(self.page, None, None, &state)
            .await
        {
            Ok(_) => {
                self.edited = false;
                self.versioned_at = Instant::now();
            }
            Err(err) => {
                tracing::warn!(page = self.page, %err, "docs: an automatic version was not stored")
            }
        }
    }

    fn close_everyone(&mut self, code: u16, reason: &str) {
        for (_, conn) in self.conns.drain() {
            let _ = conn.out.try_send(Outgoing::Close {
                code,
                reason: reason.into(),
            });
        }
        self.awareness.clear();
    }

    /// Forgets a connection and tells the others its cursors are gone.
    fn drop_conn(&mut self, conn: u64) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        if gone.clients.is_empty() {
            return;
        }
        let mut clients = HashMap::new();
        for client in gone.clients {
            if let Some((clock, _)) = self.awareness.remove(&client) {
                clients.insert(
                    yrs::block::ClientID::new(client),
                    AwarenessUpdateEntry {
                        clock: clock + 1,
                        json: Arc::from("null"),
                    },
                );
            }
        }
        if !clients.is_empty() {
            let frame = Message::Awareness(AwarenessUpdate { clients }).encode_v1();
            self.relays.push((conn, frame));
        }
    }

    fn on_frame(&mut self, incoming: Incoming) {
        let Incoming {
            conn,
            can_write,
            frame,
        } = incoming;
        // y-websocket sends one message per frame; anything that does not
        // decode as one, truncated messages included, is refused.
        let message = match Message::decode_v1(&frame) {
            Ok(message) => message,
            Err(err) => {
                self.refuse(conn, &format!("malformed message: {err}"));
                return;
            }
        };
        match message {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                // Answered once pending updates are stored: nobody hears
                // of content that could still be lost.
                self.answers.push((conn, sv));
            }
            Message::Sync(SyncMessage::SyncStep2(data) | SyncMessage::Update(data)) => {
                let update = match Update::decode_v1(&data) {
                    Ok(update) => update,
                    Err(err) => {
                        self.refuse(conn, &format!("malformed update: {err}"));
                        return;
                    }
                };
                if update.is_empty() {
                    return;
                }
                if !can_write {
                    // A reader's step 2 repeats the deletions it knows:
                    // only new content is a refused edit.
                    let sv = self.doc.transact().state_vector();
                    if update.extends(&sv) {
                        self.send(
                            conn,
                            Message::Auth(Some("this page is read-only for you".into()))
                                .encode_v1(),
                        );
                    }
                    return;
                }
                let applied = self.doc.transact_mut().apply_update(update);
                if let Err(err) = applied {
                    self.refuse(conn, &format!("the update does not apply: {err}"));
                    return;
                }
                self.pending.push((conn, data));
            }
            Message::Awareness(update) => {
                if !self.conns.contains_key(&conn) {
                    return; // Its cursor left with it.
                }
                let mut changed = HashMap::new();
                for (client, entry) in update.clients {
                    let id = client.get();
                    let newer = match self.awareness.get(&id) {
                        Some((clock, _)) => entry.clock > *clock || entry.json.as_ref() == "null",
                        None => true,
                    };
                    if !newer {
                        continue;
                    }
                    if entry.json.as_ref() == "null" {
                        self.awareness.remove(&id);
                    } else {
                        self.awareness.insert(id, (entry.clock, entry.json.clone()));
                    }
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.clients.insert(id);
                    }
                    changed.insert(client, entry);
                }
                if !changed.is_empty() {
                    let frame =
                        Message::Awareness(AwarenessUpdate { clients: changed }).encode_v1();
                    self.relays.push((conn, frame));
                }
            }
            Message::AwarenessQuery => {
                // Also answered once pending updates are stored: an answer
                // tells the client that all it sent before is kept.
                self.queries.push(conn);
            }
            Message::Auth(_) | Message::Custom(..) => {}
        }
    }

    /// Every awareness state, as one message.
    fn awareness_of(&self) -> Vec<u8> {
        let clients = self
            .awareness
            .iter()
            .map(|(id, (clock, json))| {
                (
                    yrs::block::ClientID::new(*id),
                    AwarenessUpdateEntry {
                        clock: *clock,
                        json: json.clone(),
                    },
                )
            })
            .collect();
        Message::Awareness(AwarenessUpdate { clients }).encode_v1()
    }

    fn send(&mut self, conn: u64, frame: Vec<u8>) {
        let full = match self.conns.get(&conn) {
            Some(c) => c.out.try_send(Outgoing::Frame(frame)).is_err(),
            None => false,
        };
        if full {
            self.too_slow(conn);
        }
    }

    fn too_slow(&mut self, conn: u64) {
        if let Some(c) = self.conns.get(&conn) {
            // The queue is full: the close cannot be queued either, so the
            // connection notices its queue was dropped.
            let _ = c.out.try_send(Outgoing::Close {
                code: CLOSE_RETRY,
                reason: "this connection fell behind; reconnect".into(),
            });
        }
        self.drop_conn(conn);
    }

    fn refuse(&mut self, conn: u64, reason: &str) {
        tracing::info!(
            page = self.page,
            reason,
            "docs: a client's message was refused"
        );
        if let Some(c) = self.conns.get(&conn) {
            let _ = c.out.try_send(Outgoing::Close {
                code: CLOSE_MALFORMED,
                reason: truncate_reason(reason),
            });
        }
        self.drop_conn(conn);
    }

    /// Stores pending updates, then relays them, answers sync step 1s and
    /// relays awareness frames. False when storing failed: the room closes.
    async fn flush(&mut self, subject: &str) -> bool {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            // A batch is stored as one row, the merge of its updates.
            let batch = match merge(pending.iter().map(|(_, u)| u.as_slice())) {
                Ok(batch) => Bytes::from(batch),
                Err(err) => {
                    tracing::error!(page = self.page, %err, "docs: a batch did not merge");
                    self.close_everyone(CLOSE_RETRY, "the page could not be saved; reconnecting");
                    return false;
                }
            };
            let last = match self.append(batch.clone()).await {
                Ok(last) => last,
                Err(err) => {
                    tracing::error!(page = self.page, %err, "docs: updates could not be stored");
                    self.close_everyone(CLOSE_RETRY, "the page could not be saved; reconnecting");
                    for done in self.restores.drain(..) {
                        let _ = done.send(Err("the page could not be saved".into()));
                    }
                    return false;
                }
            };
            self.rows += 1;
            // A mark alone is no edit: it makes no automatic version.
            self.edited |= pending.iter().any(|(from, _)| *from != MARKER);
            for done in self.restores.drain(..) {
                let _ = done.send(Ok(()));
            }
            // Each run of updates from one sender goes to everyone else as
            // one frame: nobody is sent back their own edits.
            let mut start = 0;
            while start < pending.len() {
                let from = pending[start].0;
                let end = pending[start..]
                    .iter()
                    .position(|(c, _)| *c != from)
                    .map_or(pending.len(), |n| start + n);
                // One sender's run is often the whole batch: no second merge.
                let run = if start == 0 && end == pending.len() {
                    batch.to_vec()
                } else {
                    merge(pending[start..end].iter().map(|(_, u)| u.as_slice()))
                        .unwrap_or_else(|_| batch.to_vec())
                };
                let frame = Message::Sync(SyncMessage::Update(run)).encode_v1();
                self.relay(from, &frame);
                start = end;
            }
            if let Some(bus) = &self.bus {
                let mut payload = Vec::with_capacity(9 + batch.len());
                payload.extend_from_slice(&self.process.to_le_bytes());
                payload.push(0);
                payload.extend_from_slice(&batch);
                if let Err(err) = bus.publish(subject, Bytes::from(payload)).await {
                    tracing::warn!(%err, "docs: an update was not published to other processes");
                }
            }
            if self.rows >= COMPACT_AFTER {
                self.compact(last).await;
            }
        }
        for (conn, sv) in std::mem::take(&mut self.answers) {
            let diff = self.doc.transact().encode_diff_v1(&sv);
            self.send(
                conn,
                Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1(),
            );
        }
        if !self.queries.is_empty() {
            let frame = self.awareness_of();
            for conn in std::mem::take(&mut self.queries) {
                self.send(conn, frame.clone());
            }
        }
        let relays = std::mem::take(&mut self.relays);
        for (from, frame) in &relays {
            self.relay(*from, frame);
            if let (Some(bus), Some(Message::Awareness(_))) = (&self.bus, decode_one(frame)) {
                let mut payload = Vec::with_capacity(9 + frame.len());
                payload.extend_from_slice(&self.process.to_le_bytes());
                payload.push(1);
                payload.extend_from_slice(frame);
                let _ = bus.publish(subject, Bytes::from(payload)).await;
            }
        }
        true
    }

    /// Stores a batch through the log writer; returns its row's id.
    async fn append(&self, batch: Bytes) -> Result<i64, String> {
        let (stored, done) = oneshot::channel();
        let append = Append {
            page: self.page,
            batch,
            stored,
        };
        if self.writer.send(append).is_err() {
            return Err("the log writer stopped".into());
        }
        done.await
            .unwrap_or_else(|_| Err("the log writer stopped".into()))
    }

    /// Sends a frame to every connection but its sender.
    fn relay(&mut self, from: u64, frame: &[u8]) {
        let mut slow = Vec::new();
        for (id, conn) in &self.conns {
            if *id != from && conn.out.try_send(Outgoing::Frame(frame.to_vec())).is_err() {
                slow.push(*id);
            }
        }
        for id in slow {
            self.too_slow(id);
        }
    }

    async fn compact(&mut self, upto: i64) {
        let merged = self
            .store
            .compact_doc_updates(self.page, upto, |rows| yrs::merge_updates_v1(&rows))
            .await;
        match merged {
            Ok(Ok(())) => self.rows = 1,
            Ok(Err(err)) => {
                tracing::error!(page = self.page, %err, "docs: the log could not be merged")
            }
            Err(err) => {
                tracing::warn!(page = self.page, %err, "docs: the log could not be compacted")
            }
        }
    }

    /// An update or awareness frame another process stored or received.
    fn on_remote(&mut self, payload: &[u8]) {
        if payload.len() < 9 || payload[..8] == self.process.to_le_bytes() {
            return;
        }
        let body = &payload[9..];
        match payload[8] {
            0 => {
                let Ok(update) = Update::decode_v1(body) else {
                    return;
                };
                if self.doc.transact_mut().apply_update(update).is_ok() {
                    let frame = Message::Sync(SyncMessage::Update(body.to_vec())).encode_v1();
                    self.relay(0, &frame);
                }
            }
            1 => {
                if let Some(Message::Awareness(update)) = decode_one(body) {
                    for (client, entry) in update.clients {
                        if entry.json.as_ref() == "null" {
                            self.awareness.remove(&client.get());
                        } else {
                            self.awareness
                                .insert(client.get(), (entry.clock, entry.json));
                        }
                    }
                    self.relay(0, body);
                }
            }
            _ => {}
        }
    }

    /// After missed bus messages: reads the log again and relays what was
    /// new.
    async fn reload(&mut self) {
        let before = self.doc.transact().state_vector();
        if load(&self.store, self.page, &self.doc).await.is_ok() {
            let diff = self.doc.transact().encode_diff_v1(&before);
            let frame = Message::Sync(SyncMessage::Update(diff)).encode_v1();
            self.relay(0, &frame);
        }
    }
}

/// Writes the batches handed to it, those waiting together by one
/// statement, and tells each sender its row's id.
async fn write_logs(store: Store, mut appends: mpsc::UnboundedReceiver<Append>) {
    let mut group = Vec::with_capacity(GROUP);
    while appends.recv_many(&mut group, GROUP).await > 0 {
        let updates: Vec<(i64, &[u8])> = group
            .iter()
            .map(|append: &Append| (append.page, append.batch.as_ref()))
            .collect();
        match store.append_doc_updates(&updates).await {
            Ok(ids) => {
                for (append, id) in group.drain(..).zip(ids) {
                    let _ = append.stored.send(Ok(id));
                }
            }
            // One bad row (a page deleted meanwhile) fails the statement:
            // each is tried alone, so only its own page hears of it.
            Err(_) if group.len() > 1 => {
                for append in group.drain(..) {
                    let one = [(append.page, append.batch.as_ref())];
                    let stored = match store.append_doc_updates(&one).await {
                        Ok(ids) => Ok(ids[0]),
                        Err(err) => Err(err.to_string()),
                    };
                    let _ = append.stored.send(stored);
                }
            }
            Err(err) => {
                for append in group.drain(..) {
                    let _ = append.stored.send(Err(err.to_string()));
                }
            }
        }
    }
}

/// Makes `live`'s content a copy of the content in `state`, in one
/// transaction, and returns that transaction's update. The copy keeps
/// attribute and mark values as they are (numbers stay numbers: a
/// heading's level, a to-do's checkbox).
/// The sender of the server's marks: no connection has this number, so
/// every connection is sent them.
const MARKER: u64 = u64::MAX;

/// The map of a page's document where the server notes changes kept
/// beside the content.
pub const MARKS: &str = "bureau";

/// Notes the time of a change under `key` in [`MARKS`] (in ms).
fn touched(live: &Doc, key: &'static str) -> Vec<u8> {
    // Root types are fetched before any transaction: yrs would deadlock.
    let marks = live.get_or_insert_map(MARKS);
    let mut txn = live.transact_mut();
    // Always later than the last mark, even within one millisecond.
    let last = match marks.get(&txn, key) {
        Some(Out::Any(Any::Number(n))) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    };
    marks.insert(
        &mut txn,
        key,
        (bureau_core::time::now_ms() as f64).max(last + 1.0),
    );
    txn.encode_update_v1()
}

fn restore_into(live: &Doc, state: &[u8]) -> Result<Vec<u8>, String> {
    let old = Doc::new();
    let update = Update::decode_v1(state).map_err(|err| err.to_string())?;
    old.transact_mut()
        .apply_update(update)
        .map_err(|err| err.to_string())?;
    // Root types are fetched before any transaction: yrs would deadlock.
    let from = old.get_or_insert_xml_fragment(CONTENT);
    let to = live.get_or_insert_xml_fragment(CONTENT);
    let src = old.transact();
    let mut dst = live.transact_mut();
    let len = to.len(&dst);
    if len > 0 {
        to.remove_range(&mut dst, 0, len);
    }
    copy_children(&src, from.children(&src).collect(), &to, &mut dst);
    Ok(dst.encode_update_v1())
}

fn copy_children<T: ReadTxn>(
    src: &T,
    children: Vec<XmlOut>,
    into: &impl XmlFragment,
    dst: &mut TransactionMut,
) {
    for child in children {
        let index = into.len(dst);
        match child {
            XmlOut::Element(element) => {
                let copy = into.insert(dst, index, XmlElementPrelim::empty(element.tag().clone()));
                for (key, value) in element.attributes(src) {
                    if let Out::Any(value) = value {
                        copy.insert_attribute(dst, key, value);
                    }
                }
                copy_children(src, element.children(src).collect(), &copy, dst);
            }
            XmlOut::Text(text) => {
                let copy = into.insert(dst, index, XmlTextPrelim::new(""));
                for (key, value) in text.attributes(src) {
                    if let Out::Any(value) = value {
                        copy.insert_attribute(dst, key, value);
                    }
                }
                let delta: Vec<Delta<Any>> = text
                    .diff(src, YChange::identity)
                    .into_iter()
                    .filter_map(|chunk| match chunk.insert {
                        Out::Any(value) => Some(Delta::Inserted(value, chunk.attributes)),
                        _ => None,
                    })
                    .collect();
                copy.apply_delta(dst, delta);
            }
            XmlOut::Fragment(fragment) => {
                copy_children(src, fragment.children(src).collect(), into, dst);
            }
        }
    }
}

/// One update made of several (Yjs merges them without a document).
fn merge<'a>(updates: impl Iterator<Item = &'a [u8]>) -> Result<Vec<u8>, String> {
    let updates: Vec<&[u8]> = updates.collect();
    match updates.as_slice() {
        [one] => Ok(one.to_vec()),
        many => yrs::merge_updates_v1(many).map_err(|err| err.to_string()),
    }
}

async fn next_delivery(subscription: &mut Option<bureau_bus::Subscription>) -> Option<Delivery> {
    match subscription {
        Some(sub) => sub.next().await,
        None => std::future::pending().await,
    }
}

fn decode_one(frame: &[u8]) -> Option<Message> {
    Message::decode_v1(frame).ok()
}

/// WebSocket close reasons are at most 123 bytes.
fn truncate_reason(reason: &str) -> String {
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{GetString, Text};

    /// Typing with backspaces, merged in batches as the actor stores and
    /// relays them, rebuilds the same text.
    #[test]
    fn merged_batches_rebuild_the_text() {
        let doc = Doc::with_client_id(7);
        let text = doc.get_or_insert_text("content");
        let mut updates = Vec::new();
        for i in 0..3000u32 {
            let mut txn = doc.transact_mut();
            let len = text.len(&txn);
            if i % 7 == 3 && len > 0 {
                text.remove_range(&mut txn, len - 1, 1);
            } else if i % 31 == 5 {
                text.insert(&mut txn, len / 2, "x");
            } else {
                text.insert(&mut txn, len, "ab");
            }
            updates.push(txn.encode_update_v1());
        }
        let copy = Doc::new();
        for batch in updates.chunks(256) {
            let merged = merge(batch.iter().map(Vec::as_slice)).unwrap();
            let update = Update::decode_v1(&merged).unwrap();
            copy.transact_mut().apply_update(update).unwrap();
        }
        let expected = text.get_string(&doc.transact());
        let got = copy
            .get_or_insert_text("content")
            .get_string(&copy.transact());
        assert_eq!(got, expected);
    }

    /// A restore replaces the content by the version's, keeping typed
    /// attributes and marks; a peer that applies the restore's update
    /// reaches the same content.
    #[test]
    fn a_restore_brings_back_the_versions_content() {
        let old = Doc::new();
        let root = old.get_or_insert_xml_fragment(CONTENT);
        {
            let mut txn = old.transact_mut();
            let heading = root.push_back(&mut txn, XmlElementPrelim::empty("heading"));
            heading.insert_attribute(&mut txn, "level", Any::from(3_i64));
            let text = heading.push_back(&mut txn, XmlTextPrelim::new(""));
            text.insert(&mut txn, 0, "Plan");
            let tasks = root.push_back(&mut txn, XmlElementPrelim::empty("taskList"));
            let item = tasks.push_back(&mut txn, XmlElementPrelim::empty("taskItem"));
            item.insert_attribute(&mut txn, "checked", Any::Bool(true));
            let para = item.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            let text = para.push_back(&mut txn, XmlTextPrelim::new(""));
            text.insert(&mut txn, 0, "done ");
            let bold = yrs::types::Attrs::from([(Arc::from("bold"), Any::Map(Default::default()))]);
            text.insert_with_attributes(&mut txn, 5, "well", bold);
        }
        let version = old
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let expected = crate::to_markdown("T", &old);

        let live = Doc::new();
        let content = live.get_or_insert_xml_fragment(CONTENT);
        {
            let mut txn = live.transact_mut();
            let para = content.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            para.push_back(&mut txn, XmlTextPrelim::new("written after"));
        }
        let peer = Doc::new();
        let before = live
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        peer.transact_mut()
            .apply_update(Update::decode_v1(&before).unwrap())
            .unwrap();

        let update = restore_into(&live, &version).unwrap();
        assert_eq!(crate::to_markdown("T", &live), expected);
        peer.transact_mut()
            .apply_update(Update::decode_v1(&update).unwrap())
            .unwrap();
        assert_eq!(crate::to_markdown("T", &peer), expected);
        assert!(expected.contains("### Plan"), "{expected}");
        assert!(expected.contains("- [x] done **well**"), "{expected}");
    }
}
