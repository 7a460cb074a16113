//! Accounts: who may enter the office and as what. Users, roles, groups,
//! invitations, password login, sessions, API tokens and the audit log.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP or SQL. It
//! takes the Store, Bus and Blobs ports and returns domain records; every
//! permission rule of accounts is checked here, once.

mod limiter;
mod ports;
mod rules;
pub mod secrets;

use bureau_core::{
    kinds, time, Credential, Error, GroupId, InvitationId, Locale, NewEvent, Principal, Result,
    Role, Scope, SessionId, TokenId, UserId,
};
use bureau_store::{
    AuditRecord, GroupRecord, InvitationRecord, NewAudit, NewUser, SessionRecord, StatusRecord,
    TokenRecord, Tx, UserRecord,
};
use serde_json::json;

pub use limiter::Limiter;
pub use ports::{Ports, EVENTS_SUBJECT};
pub use rules::{
    hash_password, validate_display_name, validate_name, validate_password, verify_password,
};

/// How long a browser session lives without a new login.
pub const SESSION_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MS: i64 = 5 * 60_000;
const SETUP_KEY: &str = "setup_token_hash";
/// Largest avatar accepted, in bytes.
pub const AVATAR_MAX_BYTES: usize = 1024 * 1024;

/// Where a request came from, for sessions and the audit log.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// A new person's details, from setup, an invitation or the CLI.
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub email: Option<&'a str>,
    pub locale: Locale,
}

/// A successful login: the session and the secret that goes in the cookie.
pub struct LoggedIn {
    pub user: UserRecord,
    pub session: SessionRecord,
    pub secret: String,
}

pub struct ProfileChange<'a> {
    pub display_name: Option<&'a str>,
    pub email: Option<Option<&'a str>>,
    pub locale: Option<Locale>,
}

/// An account state an admin sets on someone.
pub struct AdminChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// How long a verified Basic password is remembered.
pub const BASIC_CACHE_SECS: i64 = 300;

pub struct Accounts {
    ports: Ports,
    limiter: Limiter,
    /// Verified Basic credentials: hash of (name, password) -> principal
    /// and when it was verified. Cleared when any password changes.
    basic_cache: std::sync::Mutex<std::collections::HashMap<String, (Principal, i64)>>,
}

impl Accounts {
    pub fn new(ports: Ports) -> Accounts {
        Accounts {
            ports,
            limiter: Limiter::default(),
            basic_cache: Default::default(),
        }
    }

    pub fn ports(&self) -> &Ports {
        &self.ports
    }

    // ---- first admin -------------------------------------------------

    pub async fn setup_needed(&self) -> Result<bool> {
        Ok(self.ports.store.user_count().await? == 0)
    }

    /// On an empty office, makes a new one-time setup secret (replacing any
    /// earlier one) and returns it; `None` once someone exists.
    pub async fn open_setup(&self) -> Result<Option<String>> {
        if !self.setup_needed().await? {
            return Ok(None);
        }
        let secret = secrets::new_secret("setup_");
        let mut tx = self.ports.store.begin().await?;
        tx.set_setting(SETUP_KEY, &secrets::hash(&secret)).await?;
        tx.commit().await?;
        Ok(Some(secret))
    }

    /// Creates the first admin with the setup secret, and logs them in.
    pub async fn complete_setup(
        &self,
        secret: &str,
        account: NewAccount<'_>,
        client: &Client,
    ) -> Result<LoggedIn> {
        self.limiter
            .check_attempt(&format!("setup:{}", client.ip))?;
        let password_hash = rules::checked_password_hash(&account).await?;
        let mut tx = self.ports.store.begin().await?;
        let valid = tx.take_setting(SETUP_KEY, &secrets::hash(secret)).await?;
        if !valid || tx.user_count().await? != 0 {
            return Err(Error::Forbidden(
                "this setup link is not valid any more: the first admin already exists".into(),
            ));
        }
        let user = insert_account(&mut tx, &account, Role::Admin, &password_hash).await?;
        audit(
            &mut tx,
            Some(user.id),
            "setup.completed",
            Some(user.id),
            json!({}),
            client,
        )
        .await?;
        let logged_in = open_session(&mut tx, user, client).await?;
        self.ports.commit(tx).await?;
        Ok(logged_in)
    }

    // ---- login and credentials ---------------------------------------

    pub async fn login(&self, name: &str, password: &str, client: &Client) -> Result<LoggedIn> {
        let name = name.trim().to_lowercase();
        let user = match self.check_password(&name, password, client).await? {
            Ok(user) => user,
            Err(target) => {
                let mut tx = self.ports.store.begin().await?;
                audit(
                    &mut tx,
                    None,
                    "login.failed",
                    target,
                    json!({ "name": name }),
                    client,
                )
                .await?;
                tx.commit().await?;
                return Err(Error::Unauthenticated("wrong name or password".into()));
            }
        };
        let mut tx = self.ports.store.begin().await?;
        audit(
            &mut tx,
            Some(user.id),
            "login",
            Some(user.id),
            json!({}),
            client,
        )
        .await?;
        let logged_in = open_session(&mut tx, user, client).await?;
        self.ports.commit(tx).await?;
        Ok(logged_in)
    }

    /// Checks a password under the login limits (5 failures per name and
    /// 30 per address in 5 minutes): the active account it opens, or the
    /// account it named (for the audit log). Failures are counted; a
    /// success clears the name's count.
    async fn check_password(
        &self,
        name: &str,
        password: &str,
        client: &Client,
    ) -> Result<std::result::Result<UserRecord, Option<UserId>>> {
        let name_key = format!("login-name:{name}");
        let ip_key = format!("login-ip:{}", client.ip);
        self.limiter.check_failures(&name_key, 5)?;
        self.limiter.check_failures(&ip_key, 30)?;
        let user = self.ports.store.user_by_name(name).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = rules::verify_password(password, hash).await;
        match user {
            Some(user) if matches && user.active => {
                self.limiter.clear(&name_key);
                Ok(Ok(user))
            }
            other => {
                self.limiter.record_failure(&name_key);
                self.limiter.record_failure(&ip_key);
                Ok(Err(other.map(|u| u.id)))
            }
        }
    }

    /// The person behind a session cookie, with the session (for its CSRF
    /// token). Expired, revoked and deactivated all fail the same way.
    pub async fn authenticate_session(&self, secret: &str) -> Result<(Principal, SessionRecord)> {
        let now = time::now_ms();
        let session = self
            .ports
            .store
            .session_by_hash(&secrets::hash(secret))
            .await?
            .filter(|s| s.revoked_at.is_none() && s.expires_at > now)
            .ok_or_else(session_ended)?;
        let user = self
            .active_user(session.user_id)
            .await
            .map_err(|_| session_ended())?;
        if now - session.last_seen_at > TOUCH_EVERY_MS {
            self.ports.store.touch_session(session.id, now).await?;
        }
        Ok((principal(&user, Credential::Session(session.id)), session))
    }

    pub async fn authenticate_token(&self, secret: &str) -> Result<Principal> {
        let now = time::now_ms();
        let (token, user) = self
            .ports
            .store
            .token_with_user(&secrets::hash(secret))
            .await?
            .filter(|(t, _)| t.revoked_at.is_none() && t.expires_at.is_none_or(|at| at > now))
            .ok_or_else(|| Error::Unauthenticated("this API token is expired or revoked".into()))?;
        if !user.active {
            return Err(Error::Unauthenticated(
                "this API token's account is deactivated".into(),
            ));
        }
        if token
            .last_used_at
            .is_none_or(|at| now - at > TOUCH_EVERY_MS)
        {
            self.ports.store.touch_token(token.id, now).await?;
        }
        Ok(principal(&user, Credential::Token(token.id)))
    }

    /// HTTP Basic authentication (WebDAV clients): the account's name with
    /// its password or with one of its API tokens. Checking a password costs
    /// an argon2 hash, too slow for every request of a client that sends
    /// its credentials each time, so a successful check is remembered for
    /// [`BASIC_CACHE_SECS`] under a hash of the pair; the account is still
    /// checked active on every request. Failures count like logins.
    pub async fn authenticate_basic(
        &self,
        name: &str,
        password: &str,
        client: &Client,
    ) -> Result<Principal> {
        let name = name.trim().to_lowercase();
        let key = secrets::hash(&format!("{name}\u{0}{password}"));
        let now = time::now_ms();
        let remembered = self
            .basic_cache
            .lock()
            .expect("basic cache lock")
            .get(&key)
            .filter(|(_, at)| now - at < BASIC_CACHE_SECS * 1000)
            .map(|(principal, _)| principal.clone());
        if let Some(principal) = remembered {
            self.active_user(principal.user_id).await?;
            return Ok(principal);
        }
        if let Ok(principal) = self.authenticate_token(password).await {
            if principal.name == name {
                return Ok(principal);
            }
        }
        match self.check_password(&name, password, client).await? {
            Ok(user) => {
                let principal = principal(&user, Credential::Password);
                let mut cache = self.basic_cache.lock().expect("basic cache lock");
                cache.retain(|_, (_, at)| now - *at < BASIC_CACHE_SECS * 1000);
                cache.insert(key, (principal.clone(), now));
                Ok(principal)
            }
            Err(_) => Err(Error::Unauthenticated("wrong name or password".into())),
        }
    }

    /// Ends the session the request came with.
    pub async fn logout(&self, who: &Principal) -> Result<()> {
        match who.credential {
            Credential::Session(id) => self.revoke_session(who, id).await,
            Credential::Token(_) => Err(Error::invalid(
                "credential",
                "an API token is not a session; revoke it instead",
            )),
            Credential::Password => Err(Error::invalid(
                "credential",
                "HTTP Basic authentication has no session to end",
            )),
        }
    }

    // ---- the person's own account --------------------------------------

    pub async fn me(&self, who: &Principal) -> Result<UserRecord> {
        self.active_user(who.user_id).await
    }

    pub async fn update_profile(
        &self,
        who: &Principal,
        change: ProfileChange<'_>,
    ) -> Result<UserRecord> {
        let current = self.active_user(who.user_id).await?;
        let display_name = match change.display_name {
            Some(name) => validate_display_name(name)?,
            None => current.display_name.clone(),
        };
        let email = match change.email {
            Some(email) => rules::validate_email(email)?,
            None => current.email.clone(),
        };
        let locale = change.locale.unwrap_or(current.locale);
        let mut tx = self.ports.store.begin().await?;
        let user = tx
            .update_profile(who.user_id, &display_name, email.as_deref(), locale)
            .await?;
        user_event(&mut tx, kinds::USER_UPDATED, &user).await?;
        self.ports.commit(tx).await?;
        Ok(user)
    }

    /// Changes the person's password; their other sessions end.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        client: &Client,
    ) -> Result<()> {
        let key = format!("password:{}", who.user_id);
        self.limiter.check_failures(&key, 5)?;
        let user = self.active_user(who.user_id).await?;
        if !rules::verify_password(current, user.password_hash.clone()).await {
            self.limiter.record_failure(&key);
            return Err(Error::invalid(
                "current_password",
                "the current password is wrong",
            ));
        }
        validate_password(new)?;
        let hash = rules::hash_password(new).await?;
        let keep = match who.credential {
            Credential::Session(id) => Some(id),
            Credential::Token(_) | Credential::Password => None,
        };
        let mut tx = self.ports.store.begin().await?;
        tx.set_password_hash(who.user_id, &hash).await?;
        self.basic_cache.lock().expect("basic cache lock").clear();
        revoke_sessions(&mut tx, who.user_id, keep).await?;
        audit(
            &mut tx,
            Some(who.user_id),
            "password.changed",
            Some(who.user_id),
            json!({}),
            client,
        )
        .await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Sets what the person says they are up to ("In a meeting", "Focus"),
    /// until a time or until changed; `None` clears it.
    pub async fn set_status(
        &self,
        who: &Principal,
        status: Option<StatusRecord>,
    ) -> Result<UserRecord> {
        if let Some(status) = &status {
            if status.text.chars().count() > 100 || status.text.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "text",
                    "a status has at most 100 characters on one line",
                ));
            }
            if status.emoji.len() > 32 || status.emoji.chars().any(char::is_whitespace) {
                return Err(Error::invalid("emoji", "a status emoji is one emoji"));
            }
            if status.text.trim().is_empty() && status.emoji.is_empty() {
                return Err(Error::invalid("text", "a status needs a text or an emoji"));
            }
            if status.until.is_some_and(|until| until <= time::now_ms()) {
                return Err(Error::invalid("until", "a status ends in the future"));
            }
        }
        let mut tx = self.ports.store.begin().await?;
        let user = tx.set_status(who.user_id, status.as_ref()).await?;
        user_event(&mut tx, kinds::USER_UPDATED, &user).await?;
        self.ports.commit(tx).await?;
        Ok(user)
    }

    /// Stores a new avatar image (PNG, JPEG, WebP or GIF, checked by its
    /// first bytes, not by what the client claims).
    pub async fn set_avatar(&self, who: &Principal, bytes: Vec<u8>) -> Result<UserRecord> {
        if bytes.len() > AVATAR_MAX_BYTES {
            return Err(Error::invalid("avatar", "the picture is larger than 1 MiB"));
        }
        if rules::image_type(&bytes).is_none() {
            return Err(Error::invalid(
                "avatar",
                "the picture must be a PNG, JPEG, WebP or GIF image",
            ));
        }
        let blob = self.ports.blobs.put(bytes).await?;
        let mut tx = self.ports.store.begin().await?;
        let user = tx.set_avatar(who.user_id, Some(blob.as_str())).await?;
        user_event(&mut tx, kinds::USER_UPDATED, &user).await?;
        self.ports.commit(tx).await?;
        Ok(user)
    }

    /// Someone's avatar image and its media type. Any signed-in person may
    /// see any avatar of the directory, like their name.
    pub async fn avatar(&self, who: &Principal, user: UserId) -> Result<(Vec<u8>, &'static str)> {
        let target = self.visible_user(who, user).await?;
        let no_avatar = || Error::NotFound("this person has no picture".into());
        let blob = target
            .avatar
            .as_deref()
            .and_then(bureau_store::BlobId::parse)
            .ok_or_else(no_avatar)?;
        let bytes = self.ports.blobs.get(&blob).await?.ok_or_else(no_avatar)?;
        let media_type = rules::image_type(&bytes).ok_or_else(no_avatar)?;
        Ok((bytes, media_type))
    }

    pub async fn sessions(&self, who: &Principal) -> Result<Vec<SessionRecord>> {
        Ok(self
            .ports
            .store
            .live_sessions_of(who.user_id, time::now_ms())
            .await?)
    }

    /// Ends one of the person's own sessions. Someone else's is not found.
    pub async fn revoke_session(&self, who: &Principal, id: SessionId) -> Result<()> {
        let mut tx = self.ports.store.begin().await?;
        if !tx.revoke_session(who.user_id, id).await? {
            return Err(Error::NotFound("no such session".into()));
        }
        session_revoked_event(&mut tx, who.user_id, id).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    pub async fn tokens(&self, who: &Principal) -> Result<Vec<TokenRecord>> {
        Ok(self.ports.store.tokens_of(who.user_id).await?)
    }

    /// Creates an API token for the person; the secret is shown only now.
    pub async fn create_token(
        &self,
        who: &Principal,
        name: &str,
        expires_in_days: Option<u32>,
        client: &Client,
    ) -> Result<(TokenRecord, String)> {
        self.active_user(who.user_id).await?;
        let name = rules::validate_label("name", name)?;
        let expires_at = match expires_in_days {
            Some(0) | Some(3651..) => {
                return Err(Error::invalid(
                    "expires_in_days",
                    "a token expires after 1 to 3650 days, or never",
                ))
            }
            Some(days) => Some(time::now_ms() + i64::from(days) * DAY_MS),
            None => None,
        };
        let mut tx = self.ports.store.begin().await?;
        let (token, secret) = insert_token(&mut tx, who.user_id, &name, expires_at).await?;
        audit(
            &mut tx,
            Some(who.user_id),
            "token.created",
            Some(who.user_id),
            json!({ "token": token.id.0, "name": name }),
            client,
        )
        .await?;
        self.ports.commit(tx).await?;
        Ok((token, secret))
    }

    pub async fn revoke_token(&self, who: &Principal, id: TokenId, client: &Client) -> Result<()> {
        let mut tx = self.ports.store.begin().await?;
        if !tx.revoke_token(who.user_id, id).await? {
            return Err(Error::NotFound("no such token".into()));
        }
        audit(
            &mut tx,
            Some(who.user_id),
            "token.revoked",
            Some(who.user_id),
            json!({ "token": id.0 }),
            client,
        )
        .await?;
        tx.append_event(NewEvent {
            kind: "token.revoked",
            scope: Scope::User(who.user_id),
            data: json!({ "id": id.0 }),
        })
        .await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    // ---- the directory -------------------------------------------------

    /// Everyone in the office, for members and admins. Guests see no
    /// directory: they only know the people they meet.
    pub async fn users(&self, who: &Principal) -> Result<Vec<UserRecord>> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden(
                "guests cannot browse the directory".into(),
            ));
        }
        Ok(self.ports.store.users().await?)
    }

    pub async fn user(&self, who: &Principal, id: UserId) -> Result<UserRecord> {
        self.visible_user(who, id).await
    }

    // ---- administration ------------------------------------------------

    /// Changes someone's role or active state. Deactivation ends their
    /// sessions and tokens at once. The last active admin stays one.
    pub async fn administer(
        &self,
        admin: &Principal,
        id: UserId,
        change: AdminChange,
        client: &Client,
    ) -> Result<UserRecord> {
        require_admin(admin)?;
        let mut tx = self.ports.store.begin().await?;
        let mut user = tx
            .user_by_id(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such person".into()))?;
        let loses_admin = user.role == Role::Admin
            && user.active
            && (change.role.is_some_and(|r| r != Role::Admin) || change.active == Some(false));
        if loses_admin && tx.active_admin_count().await? <= 1 {
            return Err(Error::conflict(
                "last_admin",
                "this is the last active admin; make someone else admin first",
            ));
        }
        if let Some(role) = change.role.filter(|r| *r != user.role) {
            user = tx.set_role(id, role).await?;
            audit(
                &mut tx,
                Some(admin.user_id),
                "role.changed",
                Some(id),
                json!({ "role": role.as_str() }),
                client,
            )
            .await?;
            user_event(&mut tx, kinds::USER_UPDATED, &user).await?;
        }
        if let Some(active) = change.active.filter(|a| *a != user.active) {
            user = tx.set_active(id, active).await?;
            if active {
                audit(
                    &mut tx,
                    Some(admin.user_id),
                    "user.reactivated",
                    Some(id),
                    json!({}),
                    client,
                )
                .await?;
                user_event(&mut tx, "user.reactivated", &user).await?;
            } else {
                tx.revoke_sessions_of(id, None).await?;
                tx.revoke_tokens_of(id).await?;
                audit(
                    &mut tx,
                    Some(admin.user_id),
                    "user.deactivated",
                    Some(id),
                    json!({}),
                    client,
                )
                .await?;
                user_event(&mut tx, kinds::USER_DEACTIVATED, &user).await?;
            }
        }
        self.ports.commit(tx).await?;
        Ok(user)
    }

    /// Sets a new password for someone who lost theirs; their sessions end.
    pub async fn reset_password(
        &self,
        admin: &Principal,
        id: UserId,
        password: &str,
        client: &Client,
    ) -> Result<()> {
        require_admin(admin)?;
        validate_password(password)?;
        let hash = rules::hash_password(password).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.user_by_id(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such person".into()))?;
        tx.set_password_hash(id, &hash).await?;
        self.basic_cache.lock().expect("basic cache lock").clear();
        revoke_sessions(&mut tx, id, None).await?;
        audit(
            &mut tx,
            Some(admin.user_id),
            "password.reset",
            Some(id),
            json!({}),
            client,
        )
        .await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    pub async fn audit_log(
        &self,
        admin: &Principal,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>> {
        require_admin(admin)?;
        Ok(self.ports.store.audit(before, limit.clamp(1, 500)).await?)
    }

    // ---- invitations ---------------------------------------------------

    /// A single-use invitation link for a new person with `role`.
    pub async fn invite(
        &self,
        admin: &Principal,
        role: Role,
        note: &str,
        expires_in_hours: u32,
        client: &Client,
    ) -> Result<(InvitationRecord, String)> {
        require_admin(admin)?;
        self.limiter
            .check_attempt(&format!("invite:{}", admin.user_id))?;
        if !(1..=24 * 90).contains(&expires_in_hours) {
            return Err(Error::invalid(
                "expires_in_hours",
                "an invitation expires after 1 hour to 90 days",
            ));
        }
        let note = rules::validate_note(note)?;
        let secret = secrets::new_secret("inv_");
        let expires_at = time::now_ms() + i64::from(expires_in_hours) * 3_600_000;
        let mut tx = self.ports.store.begin().await?;
        let invitation = tx
            .insert_invitation(
                &secrets::hash(&secret),
                role,
                &note,
                admin.user_id,
                expires_at,
            )
            .await?;
        audit(
            &mut tx,
            Some(admin.user_id),
            "invitation.created",
            None,
            json!({ "invitation": invitation.id.0, "role": role.as_str() }),
            client,
        )
        .await?;
        invitation_event(&mut tx, "invitation.created", &invitation).await?;
        self.ports.commit(tx).await?;
        Ok((invitation, secret))
    }

    pub async fn invitations(&self, admin: &Principal) -> Result<Vec<InvitationRecord>> {
        require_admin(admin)?;
        Ok(self.ports.store.invitations().await?)
    }

    pub async fn revoke_invitation(
        &self,
        admin: &Principal,
        id: InvitationId,
        client: &Client,
    ) -> Result<()> {
        require_admin(admin)?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.revoke_invitation(id).await? {
            return Err(Error::NotFound("no open invitation with this id".into()));
        }
        audit(
            &mut tx,
            Some(admin.user_id),
            "invitation.revoked",
            None,
            json!({ "invitation": id.0 }),
            client,
        )
        .await?;
        tx.append_event(NewEvent {
            kind: "invitation.revoked",
            scope: Scope::Admins,
            data: json!({ "id": id.0 }),
        })
        .await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// What an invitation link offers, for the page that accepts it.
    pub async fn invitation(&self, secret: &str, client: &Client) -> Result<InvitationRecord> {
        self.limiter
            .check_attempt(&format!("invitation:{}", client.ip))?;
        let invitation = self
            .ports
            .store
            .invitation_by_hash(&secrets::hash(secret))
            .await?
            .ok_or_else(|| Error::NotFound("this invitation link is not valid".into()))?;
        rules::check_open(&invitation, time::now_ms())?;
        Ok(invitation)
    }

    /// Creates the invited person's account and logs them in.
    pub async fn accept_invitation(
        &self,
        secret: &str,
        account: NewAccount<'_>,
        client: &Client,
    ) -> Result<LoggedIn> {
        let invitation = self.invitation(secret, client).await?;
        let password_hash = rules::checked_password_hash(&account).await?;
        let mut tx = self.ports.store.begin().await?;
        let user = insert_account(&mut tx, &account, invitation.role, &password_hash).await?;
        if !tx
            .use_invitation(invitation.id, user.id, time::now_ms())
            .await?
        {
            return Err(Error::conflict(
                "invitation_used",
                "this invitation link was used already",
            ));
        }
        audit(
            &mut tx,
            Some(user.id),
            "invitation.accepted",
            Some(user.id),
            json!({ "invitation": invitation.id.0 }),
            client,
        )
        .await?;
        tx.append_event(NewEvent {
            kind: "invitation.used",
            scope: Scope::Admins,
            data: json!({ "id": invitation.id.0, "user_id": user.id.0 }),
        })
        .await?;
        let logged_in = open_session(&mut tx, user, client).await?;
        self.ports.commit(tx).await?;
        Ok(logged_in)
    }

    // ---- groups --------------------------------------------------------

    pub async fn groups(&self, who: &Principal) -> Result<Vec<GroupRecord>> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests cannot browse groups".into()));
        }
        Ok(self.ports.store.groups().await?)
    }

    pub async fn create_group(&self, admin: &Principal, name: &str) -> Result<GroupRecord> {
        require_admin(admin)?;
        let name = rules::validate_label("name", name)?;
        let mut tx = self.ports.store.begin().await?;
        let group = tx.insert_group(&name).await.map_err(|e| match e {
            bureau_store::StoreError::Conflict(_) => Error::conflict(
                "group_exists",
                format!("a group named `{name}` exists already"),
            ),
            other => other.into(),
        })?;
        group_event(&mut tx, "group.created", group.id, json!({ "name": name })).await?;
        self.ports.commit(tx).await?;
        Ok(group)
    }

    pub async fn delete_group(&self, admin: &Principal, id: GroupId) -> Result<()> {
        require_admin(admin)?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.delete_group(id).await? {
            return Err(Error::NotFound("no such group".into()));
        }
        group_event(&mut tx, "group.deleted", id, json!({})).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Adds (`member = true`) or removes someone from a group.
    pub async fn set_group_member(
        &self,
        admin: &Principal,
        group: GroupId,
        user: UserId,
        member: bool,
    ) -> Result<()> {
        require_admin(admin)?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.group_exists(group).await? {
            return Err(Error::NotFound("no such group".into()));
        }
        if tx.user_by_id(user).await?.is_none() {
            return Err(Error::NotFound("no such person".into()));
        }
        let changed = if member {
            tx.add_group_member(group, user).await?
        } else {
            tx.remove_group_member(group, user).await?
        };
        if changed {
            let kind = if member {
                "group.member_added"
            } else {
                "group.member_removed"
            };
            group_event(&mut tx, kind, group, json!({ "user_id": user.0 })).await?;
        }
        self.ports.commit(tx).await?;
        Ok(())
    }

    // ---- offline administration (the CLI) ----------------------------

    /// Creates an account without anyone logged in: `bureau admin create-user`.
    pub async fn create_user_offline(
        &self,
        account: NewAccount<'_>,
        role: Role,
    ) -> Result<UserRecord> {
        let password_hash = rules::checked_password_hash(&account).await?;
        let mut tx = self.ports.store.begin().await?;
        let user = insert_account(&mut tx, &account, role, &password_hash).await?;
        audit(
            &mut tx,
            None,
            "user.created_offline",
            Some(user.id),
            json!({ "role": role.as_str() }),
            &Client {
                ip: "cli".into(),
                user_agent: String::new(),
            },
        )
        .await?;
        self.ports.commit(tx).await?;
        Ok(user)
    }

    /// Creates an API token for `name` without anyone logged in.
    pub async fn create_token_offline(&self, name: &str, label: &str) -> Result<String> {
        let user = self
            .ports
            .store
            .user_by_name(&name.to_lowercase())
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::NotFound(format!("no active account named `{name}`")))?;
        let mut tx = self.ports.store.begin().await?;
        let (token, secret) = insert_token(&mut tx, user.id, label, None).await?;
        audit(
            &mut tx,
            None,
            "token.created",
            Some(user.id),
            json!({ "token": token.id.0, "name": label }),
            &Client {
                ip: "cli".into(),
                user_agent: String::new(),
            },
        )
        .await?;
        self.ports.commit(tx).await?;
        Ok(secret)
    }

    async fn active_user(&self, id: UserId) -> Result<UserRecord> {
        self.ports
            .store
            .user_by_id(id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::Unauthenticated("this account is deactivated".into()))
    }

    /// Members and admins see everyone; a guest sees only themselves.
    async fn visible_user(&self, who: &Principal, id: UserId) -> Result<UserRecord> {
        let hidden = || Error::NotFound("no such person".into());
        if who.role == Role::Guest && who.user_id != id {
            return Err(hidden());
        }
        self.ports.store.user_by_id(id).await?.ok_or_else(hidden)
    }
}

/// The public view of a person, as events carry it.
pub fn user_json(user: &UserRecord) -> serde_json::Value {
    json!({
        "id": user.id.0,
        "name": user.name,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale.as_str(),
        "role": user.role.as_str(),
        "active": user.active,
        "has_avatar": user.avatar.is_some(),
        "status": user.status.as_ref().map(|status| json!({
            "text": status.text,
            "emoji": status.emoji,
            "until": status.until.map(time::rfc3339),
        })),
    })
}

fn require_admin(who: &Principal) -> Result<()> {
    if who.is_admin() {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin may do this".into()))
    }
}

fn session_ended() -> Error {
    Error::Unauthenticated("your session has ended; log in again".into())
}

fn principal(user: &UserRecord, credential: Credential) -> Principal {
    Principal {
        user_id: user.id,
        name: user.name.clone(),
        role: user.role,
        credential,
    }
}

async fn insert_account(
    tx: &mut Tx,
    account: &NewAccount<'_>,
    role: Role,
    password_hash: &str,
) -> Result<UserRecord> {
    let name = validate_name(account.name)?;
    let display_name = validate_display_name(account.display_name)?;
    let email = rules::validate_email(account.email)?;
    let user = tx
        .insert_user(NewUser {
            name: &name,
            display_name: &display_name,
            email: email.as_deref(),
            locale: account.locale,
            role,
            password_hash: Some(password_hash),
        })
        .await
        .map_err(|e| match e {
            bureau_store::StoreError::Conflict(_) => Error::conflict(
                "name_taken",
                format!("the name `{name}` is taken; choose another"),
            ),
            other => other.into(),
        })?;
    user_event(tx, "user.created", &user).await?;
    Ok(user)
}

async fn open_session(tx: &mut Tx, user: UserRecord, client: &Client) -> Result<LoggedIn> {
    let secret = secrets::new_secret("s_");
    let csrf = secrets::new_secret("");
    let expires_at = time::now_ms() + SESSION_DAYS * DAY_MS;
    let session = tx
        .insert_session(
            user.id,
            &secrets::hash(&secret),
            &csrf,
            &client.user_agent.chars().take(300).collect::<String>(),
            &client.ip,
            expires_at,
        )
        .await?;
    Ok(LoggedIn {
        user,
        session,
        secret,
    })
}

async fn insert_token(
    tx: &mut Tx,
    user: UserId,
    name: &str,
    expires_at: Option<i64>,
) -> Result<(TokenRecord, String)> {
    let secret = secrets::new_secret("bureau_");
    let token = tx
        .insert_token(user, name, &secrets::hash(&secret), expires_at)
        .await?;
    tx.append_event(NewEvent {
        kind: "token.created",
        scope: Scope::User(user),
        data: json!({ "id": token.id.0, "name": name }),
    })
    .await?;
    Ok((token, secret))
}

/// Revokes a person's sessions (all, or all but `keep`), each with its event
/// so their open connections end.
async fn revoke_sessions(tx: &mut Tx, user: UserId, keep: Option<SessionId>) -> Result<()> {
    let live = tx.live_session_ids(user, time::now_ms()).await?;
    tx.revoke_sessions_of(user, keep).await?;
    for id in live.into_iter().filter(|id| Some(*id) != keep) {
        session_revoked_event(tx, user, id).await?;
    }
    Ok(())
}

async fn session_revoked_event(tx: &mut Tx, user: UserId, id: SessionId) -> Result<()> {
    tx.append_event(NewEvent {
        kind: kinds::SESSION_REVOKED,
        scope: Scope::User(user),
        data: json!({ "id": id.0 }),
    })
    .await?;
    Ok(())
}

async fn user_event(tx: &mut Tx, kind: &'static str, user: &UserRecord) -> Result<()> {
    tx.append_event(NewEvent {
        kind,
        scope: Scope::Members,
        data: user_json(user),
    })
    .await?;
    Ok(())
}

async fn group_event(
    tx: &mut Tx,
    kind: &'static str,
    group: GroupId,
    mut data: serde_json::Value,
) -> Result<()> {
    data["id"] = json!(group.0);
    tx.append_event(NewEvent {
        kind,
        scope: Scope::Members,
        data,
    })
    .await?;
    Ok(())
}

async fn invitation_event(
    tx: &mut Tx,
    kind: &'static str,
    invitation: &InvitationRecord,
) -> Result<()> {
    tx.append_event(NewEvent {
        kind,
        scope: Scope::Admins,
        data: json!({ "id": invitation.id.0, "role": invitation.role.as_str(), "expires_at": time::rfc3339(invitation.expires_at) }),
    })
    .await?;
    Ok(())
}

async fn audit(
    tx: &mut Tx,
    actor: Option<UserId>,
    action: &str,
    target: Option<UserId>,
    detail: serde_json::Value,
    client: &Client,
) -> Result<()> {
    tx.audit(NewAudit {
        actor,
        action,
        target,
        detail,
        ip: &client.ip,
    })
    .await?;
    Ok(())
}
