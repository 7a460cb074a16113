//! bureau's vocabulary: ids, roles, the people who act, the events every
//! state change leaves behind, and the errors domain services return.
//!
//! **Architecture invariant:** this crate does no IO (no network, no disk, no
//! database). Everything above it speaks these types.

mod error;
mod event;
mod ids;
pub mod metrics;
pub mod mime;
mod principal;
pub mod time;

pub use error::{Error, Result};
pub use event::{kinds, AccessChange, BusHeader, Event, NewEvent, Scope, Viewer};
pub use ids::{ChannelId, GroupId, InvitationId, MessageId, SessionId, TokenId, UserId};
pub use principal::{ChannelKind, Credential, Locale, NotifyLevel, Principal, Role};
