//! Behind a reverse proxy: which peers' `X-Forwarded-For` and `X-Forwarded-Proto` headers
//! are believed (`alcance serve --trusted-proxy ADDR[/PREFIX]`).
//!
//! Anyone can send those headers, so by default none is believed: the client is the TCP
//! peer, a request is over TLS only when the server speaks TLS itself, and a request
//! naming a proxy (`Forwarded`, `X-Forwarded-For`) is never taken as local by `/metrics`.
//! When the peer is a trusted proxy:
//!
//! - the client is the right-most `X-Forwarded-For` address that is not itself a trusted
//!   proxy (each proxy appends the address it saw, so everything left of that could be
//!   the client's own invention); without the header, the proxy itself. An entry that is
//!   not an address makes the client unknown (never local);
//! - `X-Forwarded-Proto: https` (its last value) means the request came over TLS:
//!   the session cookie is `Secure` and the answer carries HSTS.
//!
//! The client address feeds the sign-in rate limit (per address), the audit line of a
//! sign-in (`from …`) and the loopback check of `/metrics`. RFC 7239 `Forwarded` is not
//! read: configure the proxy to send `X-Forwarded-For` and `X-Forwarded-Proto`.

use axum::http::{header, HeaderMap};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The proxies whose forwarding headers are believed: addresses or CIDR blocks. Empty by
/// default (no header is believed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

/// A `--trusted-proxy` value that is not `IP` or `IP/PREFIX`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an address or a CIDR block (expected 10.0.0.5, 10.0.0.0/8, ::1 or fd00::/8)")]
pub struct BadProxy(pub String);

impl FromStr for TrustedProxies {
    type Err = BadProxy;

    /// One or more blocks separated by commas: `127.0.0.1`, `10.0.0.0/8,::1`.
    fn from_str(text: &str) -> Result<TrustedProxies, BadProxy> {
        let mut blocks = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bad = || BadProxy(item.to_string());
            let (address, prefix) = match item.split_once('/') {
                Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
                None => (item, None),
            };
            let ip: IpAddr = address.parse().map_err(|_| bad())?;
            let ip = ip.to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad());
            }
            blocks.push((ip, prefix));
        }
        if blocks.is_empty() {
            return Err(BadProxy(text.to_string()));
        }
        Ok(TrustedProxies(blocks))
    }
}

/// `true` when `ip` is in the block `net/prefix` (same address family).
fn in_block(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// An `X-Forwarded-For` entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

impl TrustedProxies {
    /// Several lists merged (repeated `--trusted-proxy` flags).
    pub fn merged(lists: impl IntoIterator<Item = TrustedProxies>) -> TrustedProxies {
        TrustedProxies(lists.into_iter().flat_map(|l| l.0).collect())
    }

    /// `true` when no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `true` when `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, prefix)| in_block(ip, *net, *prefix))
    }

    /// `true` when the peer is a trusted proxy.
    pub fn trusts(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|p| self.contains(p.ip()))
    }

    /// The client's address (see the module's rules); `None` when unknown (no peer, or a
    /// trusted proxy forwarded an entry that is not an address).
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.ip().to_canonical();
        if !self.contains(peer) {
            return Some(peer);
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            let ip = forwarded_address(entry)?;
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        Some(client)
    }

    /// `true` when a trusted proxy says the request came over TLS (`X-Forwarded-Proto:
    /// https`, its last value).
    pub fn forwarded_https(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
        self.trusts(peer)
            && headers
                .get_all("x-forwarded-proto")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    }

    /// `true` for a request from the loopback interface: without a trusted proxy, a
    /// loopback peer whose request names no proxy (`Forwarded`, `X-Forwarded-For`); through
    /// a trusted proxy, a client address ([`TrustedProxies::client`]) on loopback.
    pub fn local(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
        if self.trusts(peer) {
            return self.client(peer, headers).is_some_and(|ip| ip.is_loopback());
        }
        let proxied = headers.contains_key(header::FORWARDED) || headers.contains_key("x-forwarded-for");
        peer.is_some_and(|p| p.ip().to_canonical().is_loopback()) && !proxied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn blocks_parse_and_match() {
        let p: TrustedProxies = "10.0.0.0/8, ::1,192.168.1.7".parse().unwrap();
        assert!(p.contains("10.200.3.4".parse().unwrap()));
        assert!(!p.contains("11.0.0.1".parse().unwrap()));
        assert!(p.contains("::1".parse().unwrap()));
        assert!(p.contains("::ffff:10.1.1.1".parse().unwrap()), "IPv4-mapped");
        assert!(p.contains("192.168.1.7".parse().unwrap()));
        assert!(!p.contains("192.168.1.8".parse().unwrap()));
        let all: TrustedProxies = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy.example", "10.0.0/8", "10.0.0.1/x"] {
            assert!(bad.parse::<TrustedProxies>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_peers() {
        let none = TrustedProxies::default();
        let lo: TrustedProxies = "127.0.0.1".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.9, 203.0.113.7"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(none.client(peer("127.0.0.1"), &h), Some("127.0.0.1".parse().unwrap()));
        assert!(!none.forwarded_https(peer("127.0.0.1"), &h));
        assert!(!none.local(peer("127.0.0.1"), &h), "a proxied request is not local");
        assert_eq!(lo.client(peer("127.0.0.1"), &h), Some("203.0.113.7".parse().unwrap()));
        assert!(lo.forwarded_https(peer("127.0.0.1"), &h));
        assert!(!lo.local(peer("127.0.0.1"), &h));
        assert!(
            lo.local(peer("127.0.0.1"), &HeaderMap::new()),
            "the proxy's own request"
        );
        assert!(lo.local(peer("127.0.0.1"), &headers(&[("x-forwarded-for", "127.0.0.1")])));
        // An untrusted peer's headers are ignored, and its address is the client.
        assert_eq!(
            lo.client(peer("198.51.100.1"), &h),
            Some("198.51.100.1".parse().unwrap())
        );
        assert!(!lo.forwarded_https(peer("198.51.100.1"), &h));
        // A chain of trusted proxies is walked from the right; a forged left part is not read.
        let chain: TrustedProxies = "127.0.0.1,10.0.0.0/8".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "127.0.0.1, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            chain.client(peer("127.0.0.1"), &h),
            Some("203.0.113.7".parse().unwrap())
        );
        assert!(
            !chain.local(peer("127.0.0.1"), &h),
            "the forged loopback entry is not believed"
        );
        // Ports and brackets; garbage makes the client unknown, never local.
        let h = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(lo.client(peer("127.0.0.1"), &h), Some("2001:db8::1".parse().unwrap()));
        let h = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(lo.client(peer("127.0.0.1"), &h), None);
        assert!(!lo.local(peer("127.0.0.1"), &h));
        let h = headers(&[("x-forwarded-proto", "https, http")]);
        assert!(
            !lo.forwarded_https(peer("127.0.0.1"), &h),
            "the last hop's value counts"
        );
    }
}
