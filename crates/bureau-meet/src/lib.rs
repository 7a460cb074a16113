//! Meetings: video calls for the team and with clients. [`Meet`] holds the
//! rules (who may enter which meeting, who hosts, guests in the lobby) over
//! the Store; [`calls::Calls`] holds who is in each call in this process
//! and speaks the signalling protocol; [`media`] is the SFU.
//!
//! **Architecture invariant:** who may enter a meeting is decided in one
//! place, [`Meet::reachable`] (members) and [`Meet::guest`] (guests with
//! the link); every entry and every host action goes through them. A person
//! who may not enter gets "not found", never "forbidden", so a private
//! channel's call is not confirmed to exist.

pub mod calls;
pub mod media;

use std::sync::Arc;

use bureau_accounts::secrets;
use bureau_accounts::Ports;
use bureau_core::{ChannelId, Error, Principal, Result, Role, UserId};
use bureau_store::{GuestRecord, MeetingRecord, NewMeeting};

pub use calls::{Calls, ClientMessage, Connection, DataMeter, Signal};

/// Longest meeting title and guest name, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_GUEST_NAME_CHARS: usize = 80;
/// Guests waiting in one lobby at most (a flood of knocks stops there).
pub const MAX_WAITING_GUESTS: usize = 50;

/// Who is in a call: a person with an account, or a guest from the link.
#[derive(Clone, Debug)]
pub enum Attendee {
    Member(Principal),
    Guest(GuestRecord),
}

/// Whom a host removes.
#[derive(Clone, Copy, Debug)]
pub enum Removal {
    Member(UserId),
    Guest(i64),
}

/// A new meeting: a call in a channel (`channel_id`) or a scheduled one.
pub struct NewCall<'a> {
    pub title: &'a str,
    pub channel_id: Option<ChannelId>,
    pub starts_at: Option<i64>,
    pub invitees: &'a [UserId],
}

pub struct Meet {
    ports: Ports,
    chat: Arc<bureau_chat::Chat>,
    public_url: String,
}

impl Meet {
    pub fn new(ports: Ports, chat: Arc<bureau_chat::Chat>, public_url: String) -> Meet {
        Meet {
            ports,
            chat,
            public_url,
        }
    }

    /// The link members open.
    pub fn url(&self, meeting: &MeetingRecord) -> String {
        format!(
            "{}/meet/{}",
            self.public_url.trim_end_matches('/'),
            meeting.id
        )
    }

    /// The link guests open: the key rides in the fragment, so it never
    /// reaches a server log or a Referer header.
    pub fn guest_url(&self, meeting: &MeetingRecord) -> String {
        format!(
            "{}/meet/{}/guest#k={}",
            self.public_url.trim_end_matches('/'),
            meeting.id,
            meeting.guest_key
        )
    }

    /// Starts a call in a channel (anyone who may post there), or schedules
    /// a meeting with invitees. Guests create nothing.
    pub async fn create(&self, who: &Principal, new: NewCall<'_>) -> Result<MeetingRecord> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests cannot start meetings".into()));
        }
        let title = new.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::invalid(
                "title",
                format!("a meeting title has 1 to {MAX_TITLE_CHARS} characters"),
            ));
        }
        if new.invitees.len() > 500 {
            return Err(Error::invalid("invitees", "at most 500 invitees"));
        }
        if let Some(channel) = new.channel_id {
            self.chat.postable(who, channel).await?;
        }
        for invitee in new.invitees {
            let user = self.ports.store.user_by_id(*invitee).await?;
            if user.is_none_or(|u| !u.active) {
                return Err(Error::invalid(
                    "invitees",
                    format!("no active person has id {invitee}"),
                ));
            }
        }
        let key = secrets::new_secret("");
        let kind = if new.channel_id.is_none() && new.starts_at.is_some() {
            "scheduled"
        } else {
            "call"
        };
        let mut tx = self.ports.store.begin().await?;
        let meeting = tx
            .insert_meeting(&NewMeeting {
                kind,
                title,
                channel_id: new.channel_id,
                personal_of: None,
                created_by: who.user_id,
                starts_at: new.starts_at,
                guest_key: &key[..32],
            })
            .await?;
        for invitee in new.invitees {
            tx.add_meeting_invitee(meeting.id, *invitee).await?;
        }
        self.ports.commit(tx).await?;
        // The meeting shows in chat as a message with its link (and its
        // time, when scheduled): in its channel, or else in a DM from the
        // organiser to each invitee.
        let text = match new.starts_at {
            Some(ms) => {
                let at = bureau_core::time::rfc3339(ms);
                format!(
                    "📅 {title} · {} {} UTC\n{}",
                    &at[..10],
                    &at[11..16],
                    self.url(&meeting)
                )
            }
            None => format!("📞 {title}\n{}", self.url(&meeting)),
        };
        let post = || bureau_chat::Post {
            text: &text,
            thread_id: None,
            also_in_channel: false,
            attachments: &[],
        };
        if let Some(channel) = new.channel_id {
            self.chat.post(who, channel, post()).await?;
        } else {
            for invitee in new.invitees.iter().filter(|i| **i != who.user_id) {
                // The meeting exists now: an invitation that fails is
                // logged, not turned into a failed creation.
                let sent = async {
                    let dm = self.chat.open_dm(who, &[*invitee]).await?;
                    self.chat.post(who, dm.id, post()).await
                };
                if let Err(error) = sent.await {
                    tracing::warn!(%error, meeting = meeting.id, invitee = %invitee, "an invitation was not sent");
                }
            }
        }
        Ok(meeting)
    }

    /// The person's own room, made on first use; always open to every
    /// member of the company, and to guests with its link.
    pub async fn personal_room(&self, who: &Principal) -> Result<MeetingRecord> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests have no personal room".into()));
        }
        if let Some(room) = self.ports.store.personal_meeting(who.user_id).await? {
            return Ok(room);
        }
        let key = secrets::new_secret("");
        let title = who.name.clone();
        let mut tx = self.ports.store.begin().await?;
        let room = tx
            .insert_meeting(&NewMeeting {
                kind: "personal",
                title: &title,
                channel_id: None,
                personal_of: Some(who.user_id),
                created_by: who.user_id,
                starts_at: None,
                guest_key: &key[..32],
            })
            .await?;
        self.ports.commit(tx).await?;
        Ok(room)
    }

    /// Meetings the person created or was invited to, still open.
    pub async fn list(&self, who: &Principal) -> Result<Vec<MeetingRecord>> {
        Ok(self.ports.store.meetings_of(who.user_id).await?)
    }

    /// A meeting the person may enter, and whether they host it. The one
    /// rule: a channel's call is for whoever reads the channel; a personal
    /// room for every member (not account guests); any other meeting for
    /// its creator and invitees; admins reach every meeting. Others, and a
    /// meeting that ended, get "not found"; someone a host removed gets
    /// "forbidden" until the meeting ends.
    pub async fn reachable(&self, who: &Principal, id: i64) -> Result<(MeetingRecord, bool)> {
        let not_found = || Error::NotFound("no such meeting".into());
        let meeting = self.ports.store.meeting(id).await?.ok_or_else(not_found)?;
        let host = meeting.created_by == who.user_id || who.is_admin();
        let allowed = if host {
            true
        } else if let Some(channel) = meeting.channel_id {
            self.chat.readable(who, channel).await.is_ok()
        } else if meeting.kind == "personal" {
            who.role != Role::Guest
        } else {
            self.ports.store.is_meeting_invitee(id, who.user_id).await?
        };
        if !allowed {
            return Err(not_found());
        }
        if meeting.ended_at.is_some() && meeting.kind == "scheduled" {
            return Err(Error::NotFound("this meeting has ended".into()));
        }
        if !host && self.ports.store.is_meeting_banned(id, who.user_id).await? {
            return Err(Error::Forbidden(
                "a host removed you from this meeting".into(),
            ));
        }
        Ok((meeting, host))
    }

    /// A host action's check: the meeting as its host sees it.
    pub async fn hosted(&self, who: &Principal, id: i64) -> Result<MeetingRecord> {
        let (meeting, host) = self.reachable(who, id).await?;
        if !host {
            return Err(Error::Forbidden(
                "only a host of this meeting may do that".into(),
            ));
        }
        Ok(meeting)
    }

    /// A guest with the link asks to come in: they wait in the lobby until
    /// a host decides. Returns the guest and their pass (a secret for their
    /// cookie). A wrong key is "not found".
    pub async fn knock(&self, id: i64, key: &str, name: &str) -> Result<(GuestRecord, String)> {
        let not_found = || Error::NotFound("no such meeting".into());
        let meeting = self.ports.store.meeting(id).await?.ok_or_else(not_found)?;
        if !constant_time_eq(meeting.guest_key.as_bytes(), key.as_bytes()) {
            return Err(not_found());
        }
        if meeting.ended_at.is_some() && meeting.kind == "scheduled" {
            return Err(Error::NotFound("this meeting has ended".into()));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_GUEST_NAME_CHARS {
            return Err(Error::invalid(
                "name",
                format!("a name has 1 to {MAX_GUEST_NAME_CHARS} characters"),
            ));
        }
        if self.ports.store.meeting_lobby(id).await?.len() >= MAX_WAITING_GUESTS {
            return Err(Error::conflict(
                "lobby_full",
                "too many people are waiting to enter this meeting; try again later",
            ));
        }
        let pass = secrets::new_secret("mg_");
        let mut tx = self.ports.store.begin().await?;
        let guest = tx
            .insert_meeting_guest(id, name, &secrets::hash(&pass))
            .await?;
        self.ports.commit(tx).await?;
        Ok((guest, pass))
    }

    /// The guest holding this pass, if still waiting or admitted.
    pub async fn guest(&self, id: i64, pass: &str) -> Result<(MeetingRecord, GuestRecord)> {
        let not_found = || Error::NotFound("no such meeting".into());
        let meeting = self.ports.store.meeting(id).await?.ok_or_else(not_found)?;
        let guest = self
            .ports
            .store
            .meeting_guest_by_pass(id, &secrets::hash(pass))
            .await?
            .ok_or_else(|| Error::Unauthenticated("this guest pass is not valid".into()))?;
        match guest.state.as_str() {
            "waiting" | "admitted" => Ok((meeting, guest)),
            "refused" => Err(Error::Forbidden("a host did not let you in".into())),
            _ => Err(Error::Forbidden("you are no longer in this meeting".into())),
        }
    }

    /// Guests waiting in the lobby (hosts only).
    pub async fn lobby(&self, who: &Principal, id: i64) -> Result<Vec<GuestRecord>> {
        self.hosted(who, id).await?;
        Ok(self.ports.store.meeting_lobby(id).await?)
    }

    /// Lets a waiting guest in, or turns them away.
    pub async fn decide(
        &self,
        who: &Principal,
        id: i64,
        guest: i64,
        admit: bool,
    ) -> Result<GuestRecord> {
        self.hosted(who, id).await?;
        let to = if admit { "admitted" } else { "refused" };
        let mut tx = self.ports.store.begin().await?;
        let changed = tx
            .decide_meeting_guest(id, guest, &["waiting"], to, who.user_id)
            .await?;
        if !changed {
            return Err(Error::NotFound("no such guest is waiting".into()));
        }
        self.ports.commit(tx).await?;
        self.ports
            .store
            .meeting_guest(id, guest)
            .await?
            .ok_or_else(|| Error::NotFound("no such guest".into()))
    }

    /// Removes a guest (for good) or a member (until the meeting ends).
    pub async fn remove(&self, who: &Principal, id: i64, target: Removal) -> Result<()> {
        let meeting = self.hosted(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        match target {
            Removal::Guest(guest) => {
                tx.decide_meeting_guest(
                    id,
                    guest,
                    &["waiting", "admitted"],
                    "removed",
                    who.user_id,
                )
                .await?;
            }
            Removal::Member(user) => {
                if user == meeting.created_by || user == who.user_id {
                    return Err(Error::conflict(
                        "host",
                        "a host cannot be removed from their meeting",
                    ));
                }
                tx.ban_from_meeting(id, user).await?;
            }
        }
        self.ports.commit(tx).await?;
        Ok(())
    }

    pub async fn lock(&self, who: &Principal, id: i64, locked: bool) -> Result<()> {
        self.hosted(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.set_meeting_locked(id, locked).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Ends the meeting for everyone: guests' passes stop working and
    /// removals are forgotten. A channel call or a personal room can be
    /// started again; a scheduled meeting is over.
    pub async fn end(&self, who: &Principal, id: i64) -> Result<()> {
        self.hosted(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.end_meeting(id).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Opens an ended meeting again when someone enters it (channel calls
    /// and personal rooms).
    pub async fn reopen(&self, meeting: &MeetingRecord) -> Result<()> {
        if meeting.ended_at.is_some() && meeting.kind != "scheduled" {
            let mut tx = self.ports.store.begin().await?;
            tx.reopen_meeting(meeting.id).await?;
            self.ports.commit(tx).await?;
        }
        Ok(())
    }

    pub async fn is_locked(&self, id: i64) -> Result<bool> {
        Ok(self
            .ports
            .store
            .meeting(id)
            .await?
            .is_some_and(|m| m.locked))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
