//! Limits on attempts at something an attacker would repeat: a password, an invitation code, a public
//! form. Each [`Limit`] counts attempts per key (a username, a client address, an area) within a
//! window; an attempt is reserved before the secret is checked (in the same transaction as the count,
//! `Store::reserve_attempts`), so parallel attempts cannot all pass, and a successful one is given back.
//! The client's address is [`ClientAddr`]: the connection's, or with `--behind-proxy` the address the
//! proxy says it forwarded for.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use chrono::Duration;

use crate::AppState;

/// At most `max` attempts per key within `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Its name in the database.
    pub scope: &'static str,
    pub max: u32,
    pub window_minutes: i64,
    /// What the person is told when they reach it (the wait is added).
    pub message: &'static str,
}

impl Limit {
    pub fn window(&self) -> Duration {
        Duration::minutes(self.window_minutes)
    }
}

/// Wrong passwords for one username.
pub const SIGN_IN_PER_USERNAME: Limit = Limit {
    scope: "sign_in.username",
    max: 5,
    window_minutes: 15,
    message: "Too many wrong passwords for this username.",
};

/// Wrong passwords from one client, whatever the usernames (one address trying many accounts).
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    scope: "sign_in.client",
    max: 30,
    window_minutes: 15,
    message: "Too many wrong sign-ins from this connection.",
};

/// Wrong or used invitation codes from one client.
pub const INVITE_PER_CLIENT: Limit = Limit {
    scope: "invite.client",
    max: 10,
    window_minutes: 15,
    message: "Too many invitation codes that were not right from this connection.",
};

/// Wrong or used password reset codes from one client.
pub const RESET_PER_CLIENT: Limit = Limit {
    scope: "reset.client",
    max: 10,
    window_minutes: 15,
    message: "Too many reset codes that were not right from this connection.",
};

/// Self-referrals from one client: a family may send one for each child, not a flood.
pub const SELF_REFERRAL_PER_CLIENT: Limit = Limit {
    scope: "self_referral.client",
    max: 5,
    window_minutes: 60,
    message: "Several referrals have been sent from this connection in the last hour. If you need to send another, \
              phone your area's DSR team, or",
};

/// Self-referrals to one area from everyone: a ceiling far above any real day, against a flood from many
/// addresses.
pub const SELF_REFERRAL_PER_AREA: Limit = Limit {
    scope: "self_referral.area",
    max: 200,
    window_minutes: 10,
    message: "This area's referral form is receiving an unusual number of referrals. Phone your area's DSR team, or",
};

/// Checks of a self-referral (reference and date of birth) from one client that found nothing: a family
/// mistyping a few times, not someone trying references.
pub const SELF_REFERRAL_STATUS_PER_CLIENT: Limit = Limit {
    scope: "self_referral_status.client",
    max: 10,
    window_minutes: 60,
    message: "Too many checks that found nothing from this connection. Phone your area's DSR team, or",
};

/// Every limit, the longest window first (attempts older than it are deleted).
pub const ALL: [Limit; 7] = [
    SELF_REFERRAL_PER_CLIENT,
    SELF_REFERRAL_STATUS_PER_CLIENT,
    SIGN_IN_PER_USERNAME,
    SIGN_IN_PER_CLIENT,
    INVITE_PER_CLIENT,
    RESET_PER_CLIENT,
    SELF_REFERRAL_PER_AREA,
];

/// The message for a reached limit, with the wait in minutes.
pub fn throttled_message(limit: &Limit, retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let wait = if minutes == 1 { "1 minute".to_string() } else { format!("{minutes} minutes") };
    format!("{} Try again in {wait}.", limit.message).replace(", or Try", ", or try")
}

/// The attempts a request reserved, given back when it succeeds (or could not check the secret).
#[derive(Debug, Default)]
#[must_use = "a reservation is kept (a failed attempt) or released (a success)"]
pub struct Reservation {
    pub(crate) ids: Vec<i64>,
}

/// Where a request came from, as a key for limits: an IPv4 address, or an IPv6 address's /64 network
/// (one household or device is given a whole /64). `unknown` when the server cannot tell (tests
/// calling the router directly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    pub fn of(ip: IpAddr) -> ClientAddr {
        match ip {
            IpAddr::V4(v4) => ClientAddr(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddr(v4.to_string()),
                None => {
                    let s = v6.segments();
                    ClientAddr(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.behind_proxy {
            // The proxy appends the address it received the request from: the last entry is the one
            // it vouches for (earlier ones the client may have written itself).
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|v| v.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientAddr::of(ip));
            }
        }
        Ok(parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| ClientAddr("unknown".into()), |ConnectInfo(addr)| ClientAddr::of(addr.ip())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_keyed_by_their_network_and_mapped_ipv4_as_ipv4() {
        let key = |s: &str| ClientAddr::of(s.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))).0;
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }

    #[test]
    fn messages_say_how_long_to_wait() {
        assert_eq!(
            throttled_message(&SIGN_IN_PER_USERNAME, 61),
            "Too many wrong passwords for this username. Try again in 2 minutes."
        );
        let referral = throttled_message(&SELF_REFERRAL_PER_CLIENT, 30);
        assert!(referral.ends_with("DSR team, or try again in 1 minute."), "{referral}");
        assert!(ALL.windows(2).all(|w| w[0].window_minutes >= w[1].window_minutes));
    }
}
