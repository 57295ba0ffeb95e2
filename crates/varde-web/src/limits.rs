//! Rate limits per client, beside the per-account lock-out of `crate::auth` (which is in the
//! database, so it holds across servers): logging in (password spraying tries many accounts
//! from one client), requests without credentials (the public endpoints: `/healthz`, the login
//! page, and the public warnings and drug-checking lookups to come), and requests of logged-in
//! users. A client over its limit gets 429 with `Retry-After` (a problem document on the API,
//! a page elsewhere) and nothing else happens.
//!
//! The client is the peer address, or, behind a reverse proxy that sets it, the last address
//! of the configured header (`--client-ip-header X-Forwarded-For`). The limits are GCRA
//! (`governor`) per server: behind a load balancer with N servers a client gets up to N times
//! the rate, which is what a per-client limit is for (keeping one client from flooding), while
//! the account lock-out stays exact.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::SESSION_COOKIE;
use crate::error::WebError;

/// One limit: a client may send `burst` requests at once, and one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub every: Duration,
    pub burst: u32,
}

impl Rate {
    /// `n` a minute, `n` at once.
    pub fn per_minute(n: u32) -> Option<Rate> {
        (n > 0).then(|| Rate {
            every: Duration::from_secs(60) / n,
            burst: n,
        })
    }

    /// `n` a second, `burst` at once.
    pub fn per_second(n: u32, burst: u32) -> Option<Rate> {
        (n > 0).then(|| Rate {
            every: Duration::from_secs(1) / n,
            burst: burst.max(1),
        })
    }

    fn quota(self) -> Option<Quota> {
        Quota::with_period(self.every)
            .map(|q| q.allow_burst(NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN)))
    }
}

/// The limits of a server; `None` turns one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Login attempts (`POST /login`, `POST /api/v1/session`) per client.
    pub login: Option<Rate>,
    /// Requests without credentials (no session cookie, no bearer token) per client.
    pub anonymous: Option<Rate>,
    /// Requests with credentials per client.
    pub user: Option<Rate>,
    /// A header a trusted reverse proxy sets to the client's address (its last value is used);
    /// without one, the peer address.
    pub client_ip_header: Option<HeaderName>,
}

impl Default for Limits {
    /// 10 logins a minute, 10 anonymous requests a second (30 at once), 100 requests a second
    /// for a logged-in client (300 at once).
    fn default() -> Self {
        Limits {
            login: Rate::per_minute(10),
            anonymous: Rate::per_second(10, 30),
            user: Rate::per_second(100, 300),
            client_ip_header: None,
        }
    }
}

impl Limits {
    /// No limits (benchmarks, and tests that are not about them).
    pub fn off() -> Self {
        Limits {
            login: None,
            anonymous: None,
            user: None,
            client_ip_header: None,
        }
    }
}

type Limiter = DefaultKeyedRateLimiter<IpAddr>;

/// The client of a request, the address every limiter counts by: the last address of the
/// trusted proxy's `header` when one is configured and present, else the peer.
pub(crate) fn client_ip(
    header: Option<&HeaderName>,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<IpAddr> {
    if let Some(name) = header {
        let forwarded = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The running limiters of a server.
pub struct Limiters {
    login: Option<Limiter>,
    anonymous: Option<Limiter>,
    user: Option<Limiter>,
    client_ip_header: Option<HeaderName>,
    checks: AtomicU64,
    clock: DefaultClock,
}

impl Limiters {
    pub fn new(limits: &Limits) -> Limiters {
        let make = |r: Option<Rate>| r.and_then(Rate::quota).map(Limiter::dashmap);
        Limiters {
            login: make(limits.login),
            anonymous: make(limits.anonymous),
            user: make(limits.user),
            client_ip_header: limits.client_ip_header.clone(),
            checks: AtomicU64::new(0),
            clock: DefaultClock::default(),
        }
    }

    fn client(&self, req: &Request) -> Option<IpAddr> {
        client_ip(
            self.client_ip_header.as_ref(),
            req.headers(),
            req.extensions(),
        )
    }

    /// The limiter a request counts against.
    fn limiter_for(&self, req: &Request) -> Option<&Limiter> {
        let path = req.uri().path();
        let login = req.method() == Method::POST && (path == "/login" || path == "/api/v1/session");
        if login {
            return self.login.as_ref();
        }
        let headers = req.headers();
        let credentials = headers.contains_key(header::AUTHORIZATION)
            || crate::auth::cookie(headers, SESSION_COOKIE).is_some();
        if credentials {
            self.user.as_ref()
        } else {
            self.anonymous.as_ref()
        }
    }

    /// `Err(wait)` when the request's client is over its limit.
    fn check(&self, req: &Request) -> Result<(), Duration> {
        let (Some(limiter), Some(client)) = (self.limiter_for(req), self.client(req)) else {
            return Ok(());
        };
        // Forget clients that are back at full allowance now and then, so the map stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for l in [&self.login, &self.anonymous, &self.user]
                .into_iter()
                .flatten()
            {
                l.retain_recent();
            }
        }
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// Middleware of the whole application: a request over its client's limit is answered 429.
pub async fn middleware(
    State(limiters): State<Arc<Limiters>>,
    req: Request,
    next: Next,
) -> Response {
    match limiters.check(&req) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(&req, wait),
    }
}

fn too_many(req: &Request, wait: Duration) -> Response {
    let path = req.uri().path();
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let e = WebError::too_many_requests(secs);
    let mut res = if path.starts_with("/api/") {
        e.into_response()
    } else {
        e.page(crate::i18n::Lang::of(req.headers()))
    };
    *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str, cookie: Option<&str>) -> Request {
        let mut b = axum::http::Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let mut req = b.body(axum::body::Body::empty()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
        req
    }

    #[test]
    fn a_client_over_its_limit_waits_and_others_do_not() {
        let limits = Limits {
            login: Rate::per_minute(3),
            ..Limits::off()
        };
        let l = Limiters::new(&limits);
        for _ in 0..3 {
            assert!(l.check(&request(Method::POST, "/login", None)).is_ok());
        }
        let wait = l.check(&request(Method::POST, "/login", None)).unwrap_err();
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Another client, and requests that are not logins, are not held back.
        let mut other = request(Method::POST, "/api/v1/session", None);
        other
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 5000))));
        assert!(l.check(&other).is_ok());
        assert!(l.check(&request(Method::GET, "/login", None)).is_ok());
    }

    #[test]
    fn credentials_choose_the_limit_and_a_proxy_header_names_the_client() {
        let limits = Limits {
            anonymous: Rate::per_second(1, 1),
            user: None,
            client_ip_header: Some(HeaderName::from_static("x-forwarded-for")),
            ..Limits::off()
        };
        let l = Limiters::new(&limits);
        assert!(l.check(&request(Method::GET, "/healthz", None)).is_ok());
        assert!(l.check(&request(Method::GET, "/healthz", None)).is_err());
        // With a session cookie: the user limit (off here).
        assert!(l
            .check(&request(Method::GET, "/persons", Some("varde_session=x")))
            .is_ok());
        // Behind the proxy, each forwarded client has its own allowance.
        let mut r = request(Method::GET, "/healthz", None);
        r.headers_mut().insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        assert!(l.check(&r).is_ok());
        assert_eq!(
            l.client(&r),
            Some("198.51.100.7".parse::<IpAddr>().unwrap())
        );
    }

    #[test]
    fn rates() {
        assert_eq!(Rate::per_minute(0), None);
        assert_eq!(Rate::per_minute(10).unwrap().every, Duration::from_secs(6));
        assert_eq!(Rate::per_second(100, 300).unwrap().burst, 300);
    }
}
