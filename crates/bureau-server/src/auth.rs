//! Who is calling: a session cookie (browsers, with CSRF protection on
//! writes) or `Authorization: Bearer <token>` (tools).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use bureau_accounts::Client;
use bureau_core::Principal;

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "bureau_session";
pub const CSRF_COOKIE: &str = "bureau_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated request.
pub struct Auth {
    pub principal: Principal,
    /// Set when the request came with a session cookie.
    pub csrf_token: Option<String>,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "the Authorization header must be `Bearer <token>`",
                    )
                })?;
            let principal = state.accounts.authenticate_token(token.trim()).await?;
            metered(parts, &principal);
            return Ok(Auth {
                principal,
                csrf_token: None,
            });
        }
        let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "log in first: no session cookie or bearer token came with the request",
            )
        })?;
        let (principal, session) = state.accounts.authenticate_session(secret).await?;
        metered(parts, &principal);
        if !is_safe(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(session.csrf_token.as_str()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "this write lacks the X-CSRF-Token header of your session",
                ));
            }
        }
        Ok(Auth {
            principal,
            csrf_token: Some(session.csrf_token),
        })
    }
}

/// Tells the data meter whose request this is.
fn metered(parts: &Parts, principal: &Principal) {
    if let Some(slot) = parts.extensions.get::<crate::meter::Metered>() {
        slot.set(principal.user_id);
    }
}

/// Where a request came from, for sessions and the audit log.
pub struct Origin(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Origin, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_default();
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok(Origin(Client { ip, user_agent }))
    }
}

pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The value of cookie `name` in the request's Cookie headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The Set-Cookie values that open a session.
pub fn session_cookies(secret: &str, csrf: &str, secure: bool) -> [String; 2] {
    let max_age = bureau_accounts::SESSION_DAYS * 86_400;
    let secure = if secure { "; Secure" } else { "" };
    [
        format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ),
        format!("{CSRF_COOKIE}={csrf}; Path=/; SameSite=Lax; Max-Age={max_age}{secure}"),
    ]
}

/// The Set-Cookie values that end a session in the browser.
pub fn cleared_cookies(secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        format!("{CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0{secure}"),
    ]
}
