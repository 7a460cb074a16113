//! Who is in each call in this process, and the signalling protocol: one
//! WebSocket per participant (`GET /api/v1/meetings/{id}/signal`), JSON
//! messages in both directions. A [`Connection`] lives as long as its
//! socket; its end is the participant's leave.
//!
//! A room lives in the process where its people are connected; several
//! processes each hold their own rooms (a meeting whose people reach
//! different processes is split; see ARCHITECTURE.md).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bureau_core::{AccessChange, Credential, Error, Principal, Result, UserId};
use bureau_store::MeetingRecord;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::media::{self, Command, MediaServer, Mode, Peer, PeerEvent, PeerRef, Source};
use crate::{Attendee, Meet, Removal};

/// Longest in-meeting chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 2_000;
/// Messages a socket may send: a burst, then this many per second.
const BURST: f64 = 60.0;
const PER_SECOND: f64 = 20.0;

#[derive(Deserialize, Debug)]
pub struct SourceLabel {
    pub mid: String,
    pub source: String,
}

#[derive(Deserialize, Debug, Default)]
pub struct SlotMids {
    #[serde(default)]
    pub video: Vec<String>,
    #[serde(default)]
    pub audio: Vec<String>,
}

#[derive(Deserialize, Debug)]
pub struct TileWish {
    pub participant: u64,
    pub source: String,
    pub height: u32,
}

/// What a browser sends.
#[derive(Deserialize, Debug)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Join {
        #[serde(default)]
        mode: Option<String>,
    },
    Offer {
        sdp: String,
        #[serde(default)]
        sources: Vec<SourceLabel>,
        #[serde(default)]
        slots: SlotMids,
    },
    View {
        tiles: Vec<TileWish>,
        #[serde(default)]
        pinned: Option<u64>,
    },
    Mode {
        mode: String,
    },
    State {
        mic: bool,
        camera: bool,
        #[serde(default)]
        screen: bool,
        #[serde(default)]
        hand: bool,
    },
    Chat {
        text: String,
    },
    Admit {
        guest: i64,
    },
    Refuse {
        guest: i64,
    },
    Mute {
        participant: u64,
    },
    Remove {
        participant: u64,
    },
    Lock {
        locked: bool,
    },
    End,
    Leave,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct ParticipantView {
    pub id: u64,
    pub name: String,
    pub guest: bool,
    pub host: bool,
    pub mic: bool,
    pub camera: bool,
    pub screen: bool,
    pub hand: bool,
    pub quality: &'static str,
    pub mode: &'static str,
}

#[derive(Serialize, Clone, Debug)]
pub struct SlotView {
    pub mid: String,
    pub participant: u64,
    pub source: &'static str,
}

#[derive(Serialize, Clone, Debug)]
pub struct WaitingGuest {
    pub id: i64,
    pub name: String,
}

/// What the server sends.
#[derive(Serialize, Clone, Debug)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    Welcome {
        participant: u64,
        host: bool,
        title: String,
        locked: bool,
        /// Waiting in the lobby for a host (guests).
        waiting: bool,
    },
    Admitted,
    Refused,
    /// In the call's media; the browser sends its offer next.
    Joined {
        mode: &'static str,
    },
    Answer {
        sdp: String,
    },
    Slots {
        video: Vec<Option<SlotView>>,
        audio: Vec<Option<SlotView>>,
    },
    Participants {
        list: Vec<ParticipantView>,
    },
    Speaker {
        participant: u64,
    },
    Mode {
        mode: &'static str,
        /// chosen | bandwidth
        reason: &'static str,
    },
    LobbyWaiting {
        guests: Vec<WaitingGuest>,
    },
    Chat {
        from: u64,
        name: String,
        text: String,
        at: i64,
    },
    Locked {
        locked: bool,
    },
    MutedByHost,
    Removed,
    Ended,
    /// The session was signed out or the account deactivated.
    AccessEnded,
    Error {
        code: &'static str,
        message: String,
    },
}

struct Person {
    view: ParticipantView,
    user: Option<UserId>,
    /// How a member signed in (a revoked session ends their call).
    credential: Option<Credential>,
    guest: Option<i64>,
    /// Waiting in the lobby for a host.
    waiting: bool,
    in_call: bool,
    peer: Option<PeerRef>,
    tx: UnboundedSender<Signal>,
}

#[derive(Default)]
struct Room {
    people: BTreeMap<u64, Person>,
}

impl Room {
    fn participants(&self) -> Signal {
        Signal::Participants {
            list: self
                .people
                .values()
                .filter(|p| p.in_call)
                .map(|p| p.view.clone())
                .collect(),
        }
    }

    fn lobby(&self) -> Signal {
        Signal::LobbyWaiting {
            guests: self
                .people
                .values()
                .filter(|p| p.waiting)
                .filter_map(|p| {
                    p.guest.map(|id| WaitingGuest {
                        id,
                        name: p.view.name.clone(),
                    })
                })
                .collect(),
        }
    }

    fn to_call(&self, signal: &Signal) {
        for person in self.people.values().filter(|p| p.in_call) {
            let _ = person.tx.send(signal.clone());
        }
    }

    fn drop_people(&mut self, which: impl Fn(&Person) -> bool, signal: Signal) {
        for person in self.people.values_mut().filter(|p| which(p)) {
            if let Some(peer) = person.peer.take() {
                peer.send(Command::Leave);
            }
            person.in_call = false;
            let _ = person.tx.send(signal.clone());
        }
        let list = self.participants();
        self.to_call(&list);
    }

    fn to_hosts(&self, signal: &Signal) {
        for person in self.people.values().filter(|p| p.view.host) {
            let _ = person.tx.send(signal.clone());
        }
    }
}

/// The calls of this process.
pub struct Calls {
    media: MediaServer,
    rooms: Mutex<std::collections::HashMap<i64, Room>>,
    next: AtomicU64,
    meter: std::sync::OnceLock<Arc<dyn DataMeter>>,
}

/// What meetings need from the data meter (the office keeps it): the bytes
/// the media server moved for a member, and the strictest mode their data
/// plan allows now.
pub trait DataMeter: Send + Sync {
    fn count(&self, user: UserId, bytes_in: u64, bytes_out: u64);
    /// `None` when the person's plan does not constrain them.
    fn floor(&self, user: UserId) -> Option<Mode>;
}

impl Calls {
    pub fn new(media: MediaServer) -> Arc<Calls> {
        Arc::new(Calls {
            media,
            rooms: Mutex::new(Default::default()),
            next: AtomicU64::new(1),
            meter: Default::default(),
        })
    }

    /// Connects the data meter (once, when the server starts).
    pub fn set_meter(&self, meter: Arc<dyn DataMeter>) {
        let _ = self.meter.set(meter);
    }

    /// `asked`, or stricter when the member's data plan is nearly used up;
    /// and whether the plan made it stricter.
    fn capped(&self, user: Option<UserId>, asked: Mode) -> (Mode, bool) {
        let floor = user.zip(self.meter.get()).and_then(|(u, m)| m.floor(u));
        match floor {
            Some(floor) if floor.floor(asked) != asked => (floor.floor(asked), true),
            _ => (asked, false),
        }
    }

    pub fn media(&self) -> &MediaServer {
        &self.media
    }

    fn with_room<R>(&self, meeting: i64, f: impl FnOnce(&mut Room) -> R) -> R {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let room = rooms.entry(meeting).or_default();
        let result = f(room);
        if room.people.is_empty() {
            rooms.remove(&meeting);
        }
        result
    }

    /// Makes the calls of people whose data plan is now nearly used up
    /// stricter, and tells them why (the meter calls this each time it
    /// recomputes who is near their cap). A mode is only ever made
    /// stricter here; one the person chose stays when it already is.
    pub fn apply_caps(&self) {
        let Some(meter) = self.meter.get() else {
            return;
        };
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        for room in rooms.values_mut() {
            let mut changed = false;
            for person in room.people.values_mut().filter(|p| p.in_call) {
                let (Some(floor), Some(current)) = (
                    person.user.and_then(|user| meter.floor(user)),
                    Mode::parse(person.view.mode),
                ) else {
                    continue;
                };
                let mode = floor.floor(current);
                if mode == current {
                    continue;
                }
                if let Some(peer) = &person.peer {
                    peer.send(Command::Mode(mode));
                }
                person.view.mode = mode.as_str();
                let _ = person.tx.send(Signal::Mode {
                    mode: mode.as_str(),
                    reason: "data_cap",
                });
                changed = true;
            }
            if changed {
                let list = room.participants();
                room.to_call(&list);
            }
        }
    }

    /// How many people are in a meeting's call now (in this process).
    pub fn in_call(&self, meeting: i64) -> usize {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(&meeting)
            .map(|r| r.people.values().filter(|p| p.in_call).count())
            .unwrap_or(0)
    }

    /// A guest a host decided on: their waiting socket is told, and hosts
    /// get the new lobby. (Hosts hear of a knock when the guest's socket
    /// opens, in `Connection::open`.)
    fn guest_decided(&self, meeting: i64, guest: i64, admitted: bool) {
        self.with_room(meeting, |room| {
            for person in room.people.values_mut().filter(|p| p.guest == Some(guest)) {
                person.waiting = false;
                let _ = person.tx.send(if admitted {
                    Signal::Admitted
                } else {
                    Signal::Refused
                });
            }
            let lobby = room.lobby();
            room.to_hosts(&lobby);
        });
    }

    /// A person removed by a host, or everyone when a meeting ends: their
    /// media stops at once, then their socket is told.
    fn drop_people(&self, meeting: i64, which: impl Fn(&Person) -> bool, signal: Signal) {
        self.with_room(meeting, |room| room.drop_people(which, signal));
    }

    /// A session signed out or an account deactivated: their calls end at
    /// once, in every meeting (`AccessChange::ends` is the rule).
    pub fn access_ended(&self, change: &AccessChange) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        for room in rooms.values_mut() {
            room.drop_people(
                |p| matches!((p.user, p.credential), (Some(user), Some(credential)) if change.ends(user, credential)),
                Signal::AccessEnded,
            );
        }
    }
}

/// One participant's signalling, alive as long as its socket.
pub struct Connection {
    meet: Arc<Meet>,
    calls: Arc<Calls>,
    meeting: MeetingRecord,
    attendee: Attendee,
    host: bool,
    participant: u64,
    name: String,
    peer: Option<Peer>,
    tx: UnboundedSender<Signal>,
    tokens: f64,
    refilled: Instant,
}

impl Connection {
    /// Opens a participant's signalling. Guests still waiting are put in
    /// the lobby; nobody new enters a locked meeting but its hosts.
    pub async fn open(
        meet: Arc<Meet>,
        calls: Arc<Calls>,
        meeting: MeetingRecord,
        attendee: Attendee,
        host: bool,
    ) -> Result<(Connection, UnboundedReceiver<Signal>)> {
        let waiting = matches!(&attendee, Attendee::Guest(g) if g.state == "waiting");
        if meeting.locked
            && !host
            && !matches!(&attendee, Attendee::Guest(g) if g.state == "admitted")
            && !waiting
        {
            return Err(Error::conflict(
                "locked",
                "a host locked this meeting: nobody new may enter",
            ));
        }
        meet.reopen(&meeting).await?;
        let name = match &attendee {
            Attendee::Member(p) => meet
                .ports
                .store
                .user_by_id(p.user_id)
                .await?
                .map(|u| {
                    if u.display_name.is_empty() {
                        u.name
                    } else {
                        u.display_name
                    }
                })
                .unwrap_or_else(|| p.name.clone()),
            Attendee::Guest(g) => g.name.clone(),
        };
        let participant = calls.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = unbounded_channel();
        let (user, credential, guest) = match &attendee {
            Attendee::Member(p) => (Some(p.user_id), Some(p.credential), None),
            Attendee::Guest(g) => (None, None, Some(g.id)),
        };
        let view = ParticipantView {
            id: participant,
            name: name.clone(),
            guest: guest.is_some(),
            host,
            mic: false,
            camera: false,
            screen: false,
            hand: false,
            quality: "good",
            mode: "normal",
        };
        let _ = tx.send(Signal::Welcome {
            participant,
            host,
            title: meeting.title.clone(),
            locked: meeting.locked,
            waiting,
        });
        calls.with_room(meeting.id, |room| {
            room.people.insert(
                participant,
                Person {
                    view,
                    user,
                    credential,
                    guest,
                    waiting,
                    in_call: false,
                    peer: None,
                    tx: tx.clone(),
                },
            );
            let list = room.participants();
            let _ = tx.send(list);
            if waiting {
                let lobby = room.lobby();
                room.to_hosts(&lobby);
            }
            if host {
                let _ = tx.send(room.lobby());
            }
        });
        let connection = Connection {
            meet,
            calls,
            meeting,
            attendee,
            host,
            participant,
            name,
            peer: None,
            tx,
            tokens: BURST,
            refilled: Instant::now(),
        };
        Ok((connection, rx))
    }

    pub fn participant(&self) -> u64 {
        self.participant
    }

    fn say(&self, signal: Signal) {
        let _ = self.tx.send(signal);
    }

    fn refuse(&self, code: &'static str, message: impl Into<String>) {
        self.say(Signal::Error {
            code,
            message: message.into(),
        });
    }

    /// Takes one message's worth from the socket's budget; `false` when
    /// the socket floods (the caller closes it).
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.refilled = now;
        self.tokens = (self.tokens + elapsed * PER_SECOND).min(BURST);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }

    fn user(&self) -> Option<UserId> {
        match &self.attendee {
            Attendee::Member(p) => Some(p.user_id),
            Attendee::Guest(_) => None,
        }
    }

    fn host_principal(&self) -> Option<&Principal> {
        match &self.attendee {
            Attendee::Member(p) if self.host => Some(p),
            _ => None,
        }
    }

    /// Handles one message. Errors a person can fix are answered with an
    /// `error` signal and the socket stays open.
    pub async fn handle(&mut self, message: ClientMessage) {
        let outcome = self.dispatch(message).await;
        if let Err(error) = outcome {
            let code = match &error {
                Error::Invalid { .. } => "invalid",
                Error::Forbidden(_) => "forbidden",
                Error::NotFound(_) => "not_found",
                Error::Conflict { code, .. } => code,
                _ => "failed",
            };
            self.refuse(code, error.to_string());
        }
    }

    async fn dispatch(&mut self, message: ClientMessage) -> Result<()> {
        match message {
            ClientMessage::Join { mode } => self.join(mode.as_deref()),
            ClientMessage::Offer {
                sdp,
                sources,
                slots,
            } => {
                let Some(peer) = &self.peer else {
                    return Err(Error::conflict(
                        "not_in_call",
                        "join the call before sending an offer",
                    ));
                };
                let mut labelled = Vec::new();
                for label in sources {
                    let source = Source::parse(&label.source).ok_or_else(|| {
                        Error::invalid("sources", format!("unknown source {:?}", label.source))
                    })?;
                    labelled.push((label.mid, source));
                }
                peer.send(Command::Offer(media::Offer {
                    sdp,
                    sources: labelled,
                    video_slots: slots.video,
                    audio_slots: slots.audio,
                }));
                Ok(())
            }
            ClientMessage::View { tiles, pinned } => {
                let Some(peer) = &self.peer else {
                    return Ok(());
                };
                let tiles = tiles
                    .into_iter()
                    .filter_map(|t| {
                        Some(media::Tile {
                            participant: t.participant,
                            source: Source::parse(&t.source)?,
                            height: t.height.min(4320),
                        })
                    })
                    .take(32)
                    .collect();
                peer.send(Command::View { tiles, pinned });
                Ok(())
            }
            ClientMessage::Mode { mode } => {
                let mode = Mode::parse(&mode).ok_or_else(|| {
                    Error::invalid("mode", "a mode is normal, data-saver or audio-only")
                })?;
                let (mode, capped) = self.calls.capped(self.user(), mode);
                if let Some(peer) = &self.peer {
                    peer.send(Command::Mode(mode));
                }
                self.update(|view| view.mode = mode.as_str());
                if capped {
                    self.say(Signal::Mode {
                        mode: mode.as_str(),
                        reason: "data_cap",
                    });
                }
                Ok(())
            }
            ClientMessage::State {
                mic,
                camera,
                screen,
                hand,
            } => {
                let participant = self.participant;
                let mut unmuted = false;
                self.calls.with_room(self.meeting.id, |room| {
                    if let Some(person) = room.people.get_mut(&participant) {
                        unmuted = mic && !person.view.mic;
                        person.view.mic = mic;
                        person.view.camera = camera;
                        person.view.screen = screen;
                        person.view.hand = hand;
                    }
                    let list = room.participants();
                    room.to_call(&list);
                });
                if unmuted {
                    if let Some(peer) = &self.peer {
                        peer.send(Command::Muted(false));
                    }
                }
                Ok(())
            }
            ClientMessage::Chat { text } => {
                if self.peer.is_none() {
                    return Err(Error::conflict(
                        "not_in_call",
                        "join the call to chat in it",
                    ));
                }
                let text = text.trim();
                if text.is_empty() || text.chars().count() > MAX_CHAT_CHARS {
                    return Err(Error::invalid(
                        "text",
                        format!("a message has 1 to {MAX_CHAT_CHARS} characters"),
                    ));
                }
                let signal = Signal::Chat {
                    from: self.participant,
                    name: self.name.clone(),
                    text: text.to_owned(),
                    at: bureau_core::time::now_ms(),
                };
                self.calls
                    .with_room(self.meeting.id, |room| room.to_call(&signal));
                Ok(())
            }
            ClientMessage::Admit { guest } => self.decide(guest, true).await,
            ClientMessage::Refuse { guest } => self.decide(guest, false).await,
            ClientMessage::Mute { participant } => {
                self.host_principal()
                    .ok_or_else(|| Error::Forbidden("only a host may mute others".into()))?;
                self.calls.with_room(self.meeting.id, |room| {
                    if let Some(person) = room.people.get_mut(&participant) {
                        person.view.mic = false;
                        if let Some(peer) = &person.peer {
                            peer.send(Command::Muted(true));
                        }
                        let _ = person.tx.send(Signal::MutedByHost);
                    }
                    let list = room.participants();
                    room.to_call(&list);
                });
                Ok(())
            }
            ClientMessage::Remove { participant } => self.remove(participant).await,
            ClientMessage::Lock { locked } => {
                let host = self
                    .host_principal()
                    .ok_or_else(|| Error::Forbidden("only a host may lock the meeting".into()))?;
                self.meet.lock(host, self.meeting.id, locked).await?;
                self.calls.with_room(self.meeting.id, |room| {
                    for person in room.people.values() {
                        let _ = person.tx.send(Signal::Locked { locked });
                    }
                });
                Ok(())
            }
            ClientMessage::End => {
                let host = self.host_principal().ok_or_else(|| {
                    Error::Forbidden("only a host may end the meeting for all".into())
                })?;
                self.meet.end(host, self.meeting.id).await?;
                self.calls
                    .drop_people(self.meeting.id, |_| true, Signal::Ended);
                self.peer = None;
                Ok(())
            }
            ClientMessage::Leave => {
                self.leave_call();
                Ok(())
            }
        }
    }

    fn update(&self, change: impl FnOnce(&mut ParticipantView)) {
        let participant = self.participant;
        self.calls.with_room(self.meeting.id, |room| {
            if let Some(person) = room.people.get_mut(&participant) {
                change(&mut person.view);
            }
            let list = room.participants();
            room.to_call(&list);
        });
    }

    fn join(&mut self, mode: Option<&str>) -> Result<()> {
        if self.peer.is_some() {
            return Ok(());
        }
        let mode = match mode {
            None => Mode::Normal,
            Some(text) => Mode::parse(text).ok_or_else(|| {
                Error::invalid("mode", "a mode is normal, data-saver or audio-only")
            })?,
        };
        let (mode, capped) = self.calls.capped(self.user(), mode);
        let participant = self.participant;
        let (still_waiting, removed) = self.calls.with_room(self.meeting.id, |room| {
            room.people
                .get(&participant)
                .map(|p| (p.waiting, false))
                .unwrap_or((false, true))
        });
        if removed {
            return Err(Error::Forbidden("you are no longer in this meeting".into()));
        }
        if still_waiting {
            return Err(Error::conflict("waiting", "a host has not let you in yet"));
        }
        let (peer, events) = self.calls.media.join(media::Join {
            room: self.meeting.id as u64,
            participant,
            mode,
        });
        let handle = peer.handle();
        self.peer = Some(peer);
        self.calls.with_room(self.meeting.id, |room| {
            if let Some(person) = room.people.get_mut(&participant) {
                person.in_call = true;
                person.peer = Some(handle);
                person.view.mode = mode.as_str();
            }
            let list = room.participants();
            room.to_call(&list);
        });
        tokio::spawn(pump(
            self.calls.clone(),
            self.meeting.id,
            participant,
            self.user(),
            events,
            self.tx.clone(),
        ));
        self.say(Signal::Joined {
            mode: mode.as_str(),
        });
        if capped {
            self.say(Signal::Mode {
                mode: mode.as_str(),
                reason: "data_cap",
            });
        }
        Ok(())
    }

    async fn decide(&mut self, guest: i64, admit: bool) -> Result<()> {
        let host = self
            .host_principal()
            .ok_or_else(|| Error::Forbidden("only a host may let guests in".into()))?
            .clone();
        self.meet
            .decide(&host, self.meeting.id, guest, admit)
            .await?;
        self.calls.guest_decided(self.meeting.id, guest, admit);
        Ok(())
    }

    async fn remove(&mut self, participant: u64) -> Result<()> {
        let host = self
            .host_principal()
            .ok_or_else(|| Error::Forbidden("only a host may remove people".into()))?
            .clone();
        if participant == self.participant {
            return Err(Error::invalid("participant", "to leave, hang up"));
        }
        let target = self.calls.with_room(self.meeting.id, |room| {
            room.people.get(&participant).map(|p| (p.user, p.guest))
        });
        let Some((user, guest)) = target else {
            return Err(Error::NotFound("no such participant".into()));
        };
        let target = match (user, guest) {
            (_, Some(guest)) => Removal::Guest(guest),
            (Some(user), None) => Removal::Member(user),
            (None, None) => return Err(Error::NotFound("no such participant".into())),
        };
        self.meet.remove(&host, self.meeting.id, target).await?;
        self.calls.drop_people(
            self.meeting.id,
            |p| p.view.id == participant,
            Signal::Removed,
        );
        Ok(())
    }

    fn leave_call(&mut self) {
        if self.peer.take().is_none() {
            return;
        }
        let participant = self.participant;
        self.calls.with_room(self.meeting.id, |room| {
            if let Some(person) = room.people.get_mut(&participant) {
                person.in_call = false;
                person.peer = None;
            }
            let list = room.participants();
            room.to_call(&list);
        });
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.peer = None;
        let participant = self.participant;
        self.calls.with_room(self.meeting.id, |room| {
            let was_waiting = room.people.remove(&participant).is_some_and(|p| p.waiting);
            let list = room.participants();
            room.to_call(&list);
            if was_waiting {
                let lobby = room.lobby();
                room.to_hosts(&lobby);
            }
        });
    }
}

/// Turns one peer's media events into signals for its socket.
async fn pump(
    calls: Arc<Calls>,
    meeting: i64,
    participant: u64,
    user: Option<UserId>,
    mut events: UnboundedReceiver<PeerEvent>,
    tx: UnboundedSender<Signal>,
) {
    // The peer's byte counts already given to the meter.
    let mut counted = (0u64, 0u64);
    while let Some(event) = events.recv().await {
        let signal = match event {
            PeerEvent::Answer(sdp) => Signal::Answer { sdp },
            PeerEvent::Slots { video, audio } => {
                let view = |fills: Vec<Option<media::SlotFill>>| {
                    fills
                        .into_iter()
                        .map(|f| {
                            f.map(|f| SlotView {
                                mid: f.mid,
                                participant: f.participant,
                                source: f.source.as_str(),
                            })
                        })
                        .collect()
                };
                Signal::Slots {
                    video: view(video),
                    audio: view(audio),
                }
            }
            PeerEvent::Speaker(participant) => Signal::Speaker { participant },
            PeerEvent::Mode { mode, forced } => {
                calls.with_room(meeting, |room| {
                    if let Some(person) = room.people.get_mut(&participant) {
                        person.view.mode = mode.as_str();
                    }
                    let list = room.participants();
                    room.to_call(&list);
                });
                Signal::Mode {
                    mode: mode.as_str(),
                    reason: if forced { "bandwidth" } else { "chosen" },
                }
            }
            PeerEvent::Quality(quality) => {
                calls.with_room(meeting, |room| {
                    if let Some(person) = room.people.get_mut(&participant) {
                        person.view.quality = quality.as_str();
                    }
                    let list = room.participants();
                    room.to_call(&list);
                });
                continue;
            }
            PeerEvent::Usage {
                bytes_in,
                bytes_out,
            } => {
                // The last counts come after the person left the room:
                // they are counted all the same.
                let moved = (
                    bytes_in.saturating_sub(counted.0),
                    bytes_out.saturating_sub(counted.1),
                );
                counted = (bytes_in.max(counted.0), bytes_out.max(counted.1));
                if let (Some(user), Some(meter)) = (user, calls.meter.get()) {
                    meter.count(user, moved.0, moved.1);
                }
                continue;
            }
            PeerEvent::Error { code, message } => Signal::Error { code, message },
            PeerEvent::Connected | PeerEvent::Closed => continue,
        };
        if tx.send(signal).is_err() {
            return;
        }
    }
}
