//! Typed ids, so a session id can never be passed where a user id is meant.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A person with an account (admin, member or guest).
    UserId;
    /// A named set of people, used for sharing and permissions.
    GroupId;
    /// One logged-in browser session.
    SessionId;
    /// One API token.
    TokenId;
    /// One invitation link.
    InvitationId;
    /// A chat conversation: a channel, an announcement channel or a DM.
    ChannelId;
    /// One chat message (a thread reply is a message too).
    MessageId;
}
