/// What a domain service tells its caller went wrong. Only the variants a
/// caller acts on differently; each carries a sentence a person can read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong; `field` names what to fix.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// No valid credentials, or they expired or were revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// The person is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the person may not know it exists.
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state; `code` names the clash
    /// (`name_taken`, `last_admin`, `invitation_used`, ...) for clients.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts, try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The space's quota is full (WebDAV answers 507).
    #[error("{0}")]
    QuotaExceeded(String),
    /// A WebDAV lock held by someone else stands in the way (423).
    #[error("{0}")]
    Locked(String),
    /// The body is larger than this operation accepts (413).
    #[error("{0}")]
    TooLarge(String),
    /// A fault of ours or of a backend; the message is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Error {
        Error::Internal(cause.to_string())
    }
}
