//! The reachability check of the company's tools: can the server reach a
//! tool's address over HTTP? The server fetching an address an admin typed
//! is a way into the company's own network (server-side request forgery),
//! so the check keeps to public addresses: every address a name resolves
//! to, at every redirect hop, must be outside loopback, private, link-local,
//! shared (CGNAT), multicast and reserved ranges, unless the admin allowed
//! its network explicitly. The connection then goes to the address that
//! was checked (no second resolution), redirects are followed by hand (at
//! most 3), and the whole check takes at most its timeout.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use reqwest::{StatusCode, Url};

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 3;

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The tool answered over HTTP (any answer below 500: a login page
    /// is a reachable tool).
    Reachable(String),
    /// No answer, a failed connection or a server error.
    Unreachable(String),
    /// The address is one the check may not visit.
    Refused(String),
}

impl Outcome {
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Reachable(_) => "reachable",
            Outcome::Unreachable(_) => "unreachable",
            Outcome::Refused(_) => "refused",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Outcome::Reachable(d) | Outcome::Unreachable(d) | Outcome::Refused(d) => d,
        }
    }
}

pub struct Checker {
    /// Networks the admin allowed although they are private or local.
    pub allowed: Vec<IpNet>,
    pub timeout: Duration,
}

impl Checker {
    pub async fn check(&self, url: &str) -> Outcome {
        let deadline = Instant::now() + self.timeout;
        let Ok(mut url) = Url::parse(url) else {
            return Outcome::Refused("not a URL".into());
        };
        for _ in 0..=MAX_REDIRECTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return self.too_slow();
            }
            let address = match self.address(&url, left).await {
                Ok(address) => address,
                Err(outcome) => return outcome,
            };
            match tokio::time::timeout(left, fetch(&url, address, left)).await {
                Err(_) => return self.too_slow(),
                Ok(Err(error)) if error.is_timeout() => return self.too_slow(),
                Ok(Err(error)) => return Outcome::Unreachable(describe(&error)),
                Ok(Ok((status, location))) if status.is_redirection() => {
                    let Some(next) = location.and_then(|l| url.join(&l).ok()) else {
                        return Outcome::Unreachable(format!(
                            "HTTP {} without a place to go",
                            status.as_u16()
                        ));
                    };
                    url = next;
                }
                Ok(Ok((status, _))) if status.is_server_error() => {
                    return Outcome::Unreachable(format!("HTTP {}", status.as_u16()))
                }
                Ok(Ok((status, _))) => {
                    return Outcome::Reachable(format!("HTTP {}", status.as_u16()))
                }
            }
        }
        Outcome::Unreachable(format!("more than {MAX_REDIRECTS} redirects"))
    }

    fn too_slow(&self) -> Outcome {
        Outcome::Unreachable(format!("no answer within {} s", self.timeout.as_secs_f64()))
    }

    /// The address to connect to: every address the host has must be
    /// allowed, and the first is used.
    async fn address(&self, url: &Url, left: Duration) -> Result<SocketAddr, Outcome> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Outcome::Refused(format!(
                "{}: only http and https addresses are checked",
                url.scheme()
            )));
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let addresses: Vec<SocketAddr> = match url.host() {
            None => return Err(Outcome::Refused("the address names no host".into())),
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(url::Host::Domain(name)) => {
                match tokio::time::timeout(left, tokio::net::lookup_host((name, port))).await {
                    Err(_) => return Err(self.too_slow()),
                    Ok(Err(_)) => {
                        return Err(Outcome::Unreachable(format!("{name} has no address")))
                    }
                    Ok(Ok(found)) => found.collect(),
                }
            }
        };
        for address in &addresses {
            let ip = address.ip();
            if forbidden(ip) && !self.allowed.iter().any(|net| net.contains(&ip)) {
                let host = url.host_str().unwrap_or_default();
                let named = if host.trim_matches(['[', ']']) == ip.to_string() {
                    ip.to_string()
                } else {
                    format!("{host} ({ip})")
                };
                return Err(Outcome::Refused(format!(
                    "{named} is a private or local address: allow its network in the office settings to check it"
                )));
            }
        }
        addresses
            .first()
            .copied()
            .ok_or_else(|| Outcome::Unreachable("the host has no address".into()))
    }
}

/// One request to the checked address: HEAD, or GET when HEAD is not
/// allowed (its body is never read). The status and any Location.
async fn fetch(
    url: &Url,
    address: SocketAddr,
    left: Duration,
) -> reqwest::Result<(StatusCode, Option<String>)> {
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(left)
        .user_agent("bureau reachability check");
    if let Some(url::Host::Domain(name)) = url.host() {
        client = client.resolve(name, address);
    }
    let client = client.build()?;
    let mut response = client.head(url.clone()).send().await?;
    if matches!(
        response.status(),
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
    ) {
        response = client.get(url.clone()).send().await?;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok((response.status(), location))
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_connect() {
        "the connection was refused or could not be made".into()
    } else {
        "the answer was not HTTP".into()
    }
}

/// Addresses the check never visits unless allowed.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local fc00::/7, link-local fe80::/10.
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80
                // NAT64 64:ff9b::/96 reaches IPv4 addresses.
                || (v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                    && forbidden_v4(embedded_v4(v6)))
        }
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Ipv4Addr {
    let s = v6.segments();
    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8)
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // Shared address space (CGNAT) 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments 192.0.0.0/24, benchmarking
        // 198.18.0.0/15, reserved 240.0.0.0/4.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240
}

/// Parses the admin's list of allowed networks (`10.0.0.0/8`, or a single
/// address).
pub fn parse_networks(list: &[String]) -> Result<Vec<IpNet>, String> {
    list.iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{text}` is not a network like 10.0.0.0/8"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn networks_parse_or_say_what_is_wrong() {
        let nets = parse_networks(&["10.0.0.0/8".into(), "192.168.1.20".into()]).unwrap();
        assert!(nets[0].contains(&"10.9.9.9".parse::<IpAddr>().unwrap()));
        assert!(nets[1].contains(&"192.168.1.20".parse::<IpAddr>().unwrap()));
        assert!(!nets[1].contains(&"192.168.1.21".parse::<IpAddr>().unwrap()));
        let err = parse_networks(&["10.0.0.0/33".into()]).unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
    }

    #[tokio::test]
    async fn refused_before_any_connection() {
        let checker = Checker {
            allowed: vec![],
            timeout: Duration::from_secs(2),
        };
        for url in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://[::1]:9/",
            "http://169.254.169.254/latest/meta-data/",
            "ftp://example.com/",
        ] {
            let outcome = checker.check(url).await;
            assert_eq!(outcome.status(), "refused", "{url}: {outcome:?}");
        }
    }
}
