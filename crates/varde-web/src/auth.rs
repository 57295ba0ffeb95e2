//! Authentication: Argon2id passwords, login with back-off, sessions stored by token hash,
//! and the [`CurrentUser`] extractor (cookie session for browsers, bearer token for API
//! clients).
//!
//! The design leaves room for OpenID Connect (HelseID, ID-porten): a login, whatever its
//! source, ends in [`start_session`] for a known user, and everything after works on the
//! session.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::{Digest, Sha256};
use varde_core::org::Principal;
use varde_store::User;

use crate::error::WebError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "varde_session";
/// The header a cookie-authenticated client sends the session's CSRF token in, to write
/// through the JSON API (a Bearer client needs none).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Marks a request to the JSON API (set by the API router): there, a write authenticated by the
/// session cookie alone — which a hostile page can make a browser send — is refused unless it
/// carries the session's CSRF token in [`CSRF_HEADER`].
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest;
pub const LOGIN_CSRF_COOKIE: &str = "varde_login_csrf";

/// Failed logins allowed before back-off starts.
pub const FREE_ATTEMPTS: i64 = 5;
/// The longest lock-out.
pub const MAX_LOCK_SECS: i64 = 15 * 60;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("password hashing failed")]
    Hash,
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// SHA-256 of a token, as stored (the token itself is never stored).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password_blocking(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AuthError::Hash)
}

pub fn verify_password_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Hashes on the blocking pool (Argon2 takes tens of milliseconds on purpose).
pub async fn hash_password(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|_| WebError::internal("hashing task failed"))?
        .map_err(|_| WebError::internal("hashing failed"))
}

/// Back-off after `failures` consecutive failures: none for the first few, then doubling
/// from 30 seconds up to 15 minutes.
pub fn lockout_after(failures: i64) -> Option<SignedDuration> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let exp = (failures - FREE_ATTEMPTS).min(10);
    Some(SignedDuration::from_secs((30i64 << exp).min(MAX_LOCK_SECS)))
}

/// Checks a username and password. Every failure gives the same error, and an unknown user
/// costs the same Argon2 verification as a known one.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<User, WebError> {
    let user = state.store.user_by_username(username.trim()).await?;
    let now = state.clock.now();
    let (phc, locked) = match &user {
        Some(u) => {
            let locked = u
                .locked_until
                .as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok())
                .is_some_and(|t| t > now);
            (u.password_hash.clone(), locked)
        }
        None => (state.dummy_hash.clone(), false),
    };
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password_blocking(&pw, &phc))
        .await
        .map_err(|_| WebError::internal("verification task failed"))?;
    match user {
        Some(u) if ok && !locked && !u.disabled && u.role().is_some() => {
            state.store.record_login_success(u.id).await?;
            tracing::info!(target: "security", user_id = u.id.0, "login succeeded");
            Ok(u)
        }
        Some(u) => {
            if !ok {
                let until = lockout_after(u.failed_logins + 1).map(|d| now + d);
                state.store.record_login_failure(u.id, until).await?;
            }
            tracing::warn!(target: "security", user_id = u.id.0, locked, "login failed");
            Err(WebError::login_failed())
        }
        None => {
            tracing::warn!(target: "security", "login failed for an unknown username");
            Err(WebError::login_failed())
        }
    }
}

/// Starts a fresh session for `user` (a new token at every login). Returns the token.
pub async fn start_session(state: &AppState, user: &User) -> Result<(String, Timestamp), WebError> {
    let token = random_token();
    let now = state.clock.now();
    let ttl =
        SignedDuration::try_from(state.config.session_ttl).unwrap_or(SignedDuration::from_hours(8));
    let expires = now + ttl;
    state
        .store
        .create_session(&token_hash(&token), user.id, &random_token(), now, expires)
        .await?;
    Ok((token, expires))
}

/// The `Set-Cookie` value for a session token.
pub fn session_cookie(token: &str, secure: bool, max_age_secs: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

pub fn clear_cookie(name: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Reads one cookie from a request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The principal a user acts as: identity, organisation, role and recorded qualification
/// (`None` for a user whose stored role is unknown: such a user cannot act).
pub fn principal_of(user: &User) -> Option<Principal> {
    Some(Principal {
        user: user.id,
        username: user.username.clone(),
        org: user.org_id,
        role: user.role()?,
        qualification: user.qualification(),
        org_kind: user.org_kind.parse().ok(),
    })
}

/// How the request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub principal: Principal,
    pub csrf_token: String,
    pub token_hash: String,
    pub via: Via,
}

impl CurrentUser {
    /// Checks a form's CSRF token (constant-time). Bearer clients need none.
    pub fn check_csrf(&self, given: &str) -> Result<(), WebError> {
        if self.via == Via::Bearer {
            return Ok(());
        }
        let a = Sha256::digest(given.as_bytes());
        let b = Sha256::digest(self.csrf_token.as_bytes());
        if a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
        {
            Ok(())
        } else {
            Err(WebError::csrf())
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Several extractors of one request need the user (the page frame, the access
        // extractors): resolve the session once and keep it with the request.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (token, via) = match (bearer, cookie(&parts.headers, SESSION_COOKIE)) {
            (Some(t), _) => (t, Via::Bearer),
            (None, Some(t)) => (t, Via::Cookie),
            (None, None) => return Err(WebError::unauthenticated()),
        };
        let hash = token_hash(token);
        let session = state
            .store
            .session(&hash, state.clock.now())
            .await?
            .ok_or_else(WebError::unauthenticated)?;
        let principal = principal_of(&session.user).ok_or_else(WebError::unauthenticated)?;
        let user = CurrentUser {
            principal,
            csrf_token: session.csrf_token,
            token_hash: hash,
            via,
        };
        let api_write = parts.extensions.get::<ApiRequest>().is_some() && !parts.method.is_safe();
        if api_write {
            let given = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            user.check_csrf(given)?;
        }
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_caps() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(SignedDuration::from_secs(30)));
        assert_eq!(lockout_after(6), Some(SignedDuration::from_secs(60)));
        assert_eq!(
            lockout_after(40),
            Some(SignedDuration::from_secs(MAX_LOCK_SECS))
        );
    }

    #[test]
    fn password_round_trip() {
        let h = hash_password_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password_blocking("correct horse battery", &h));
        assert!(!verify_password_blocking("wrong", &h));
        assert!(!verify_password_blocking("x", "not a hash"));
    }
}
