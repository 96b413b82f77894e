//! Which addresses staffroom may reach. A public page or feed can name, or redirect
//! to, any address, and following it must not become a way to poke at the teacher's
//! school network (or a cloud machine's metadata service): one rule, [`Reach`], is
//! applied to every hop of every request, and the resolver of [`PublicOnly`] applies it
//! again to every connection, so a name that resolves elsewhere a moment later (DNS
//! rebinding) does not get through either, with or without a proxy.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use ureq::Proxy;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;
use url::{Host, Url};

/// Which addresses a chain of requests (one fetch and its redirects) may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Any address (`webmention send --allow-private`).
    Anywhere,
    /// The teacher's own address is on a private network (a school intranet blog):
    /// private addresses are fine until a hop reaches a public one, and from there on
    /// only public ones, so a public server cannot send the request back inside.
    Intranet,
    /// Public addresses only, on every hop and for every connection.
    Public,
}

impl Reach {
    /// The reach of a chain that starts at `url`, an address the teacher chose.
    pub fn from_teacher(url: &Url) -> Reach {
        if is_private(url) {
            Reach::Intranet
        } else {
            Reach::Public
        }
    }

    /// Whether this chain may request `url`; if so, the reach of the hops after it.
    pub fn step(self, url: &Url) -> Option<Reach> {
        match self {
            Reach::Anywhere => Some(Reach::Anywhere),
            Reach::Intranet if is_private(url) => Some(Reach::Intranet),
            Reach::Public if is_private(url) => None,
            Reach::Intranet | Reach::Public => Some(Reach::Public),
        }
    }
}

/// Where a `status` redirect from `current` to `location` leads, and the chain's
/// reach after it, or why it is not followed.
pub fn next_hop(
    current: &Url,
    reach: Reach,
    status: u16,
    location: &str,
) -> Result<(Url, Reach), String> {
    let next = current
        .join(location)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("HTTP {status} redirect to an unusable address `{location}`"))?;
    match reach.step(&next) {
        Some(after) => Ok((next, after)),
        None => Err(format!(
            "HTTP {status} redirect to `{next}`, which {}; a public address may not lead there, so it was not followed",
            REFUSED
        )),
    }
}

/// What every refusal says, after the address it refused.
pub const REFUSED: &str = "is on a private or local network";

/// Whether `url` points at this machine or a private network. Names are resolved,
/// and one private address is enough. The host is the one `url` parsed, so every
/// spelling of an IPv4 address (`2130706433`, `0x7f.1`, `127.1`) is the address it
/// means; a name that cannot be resolved here is not private, and is refused later
/// by [`PublicOnly`] when it cannot be resolved there either.
pub fn is_private(url: &Url) -> bool {
    let port = url.port_or_known_default().unwrap_or(80);
    match url.host() {
        Some(Host::Ipv4(ip)) => private_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => private_ip(IpAddr::V6(ip)),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d.is_empty()
                || d == "localhost"
                || d.ends_with(".localhost")
                || lookup(d, port).iter().any(|ip| private_ip(*ip))
        }
        None => true,
    }
}

/// Longest wait for a name to resolve while checking it: a hostile page could name a
/// host whose DNS never answers, hop after hop.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The addresses `host` resolves to, or none if it does not resolve in time (the
/// request is then refused by [`PublicOnly`] when it cannot resolve either).
fn lookup(host: String, port: u16) -> Vec<IpAddr> {
    let (tx, rx) = mpsc::sync_channel(1);
    // The system resolver cannot be interrupted; a late answer is simply dropped.
    std::thread::spawn(move || {
        let addrs: Vec<IpAddr> = (host.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.map(|a| a.ip()).collect())
            .unwrap_or_default();
        let _ = tx.send(addrs);
    });
    rx.recv_timeout(LOOKUP_TIMEOUT).unwrap_or_default()
}

/// IPv4 blocks that are not the public internet (IANA's special-purpose registry).
const V4_NOT_PUBLIC: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network", 0.0.0.0
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // carrier-grade NAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local, cloud metadata
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relays
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, broadcast
];

/// IPv6 blocks that are not the public internet. Blocks that carry an IPv4 address
/// (mapped, NAT64, 6to4) are judged by that address instead.
const V6_NOT_PUBLIC: &[(Ipv6Addr, u8)] = &[
    // Unspecified, loopback and the old IPv4-compatible `::a.b.c.d`.
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),     // discard
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),    // IETF assignments, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),    // documentation
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),     // unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),    // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),    // old site-local
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),     // multicast
];

/// Whether `ip` is anything but a public internet address.
pub fn private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => V4_NOT_PUBLIC.iter().any(|&(net, len)| {
            let shift = 32 - u32::from(len);
            u32::from(v4) >> shift == u32::from(net) >> shift
        }),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return private_ip(IpAddr::V4(v4));
            }
            V6_NOT_PUBLIC.iter().any(|&(net, len)| {
                let shift = 128 - u32::from(len);
                u128::from(v6) >> shift == u128::from(net) >> shift
            })
        }
    }
}

/// The IPv4 address an IPv6 one leads to: IPv4-mapped `::ffff:a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d` (how an IPv6-only network reaches IPv4 sites) and 6to4
/// `2002:AABB:CCDD::`.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = v6.to_ipv4_mapped() {
        Some(v4)
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        Some(v4(s[6], s[7]))
    } else if s[0] == 0x2002 {
        Some(v4(s[1], s[2]))
    } else {
        None
    }
}

/// A resolver that gives ureq only public addresses: a name with any private
/// address is refused, so a name that resolved to a public address when it was
/// checked cannot connect to a private one later. Used with
/// [`proxy_resolving_here`], it also checks the address a proxy is asked to reach.
#[derive(Debug, Default)]
pub struct PublicOnly(DefaultResolver);

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = self.0.resolve(uri, config, timeout)?;
        // A school's HTTP proxy is usually on a private address, and it is the
        // teacher's own choice. ureq resolves the proxy with the very `Uri` its
        // config holds, so comparing addresses (not host names) tells the proxy from
        // a target that merely names the same host.
        if config.proxy().is_some_and(|p| std::ptr::eq(p.uri(), uri)) {
            return Ok(all);
        }
        if all.is_empty() || all.iter().any(|a| private_ip(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the address is private or local",
            )));
        }
        Ok(all)
    }
}

/// The proxy the environment names (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` and
/// `NO_PROXY`, read as ureq reads them), told to connect to the address resolved
/// and checked here rather than to resolve the name itself.
pub fn proxy_resolving_here() -> Option<Proxy> {
    let env = Proxy::try_from_env()?;
    let mut b = Proxy::builder(env.protocol())
        .host(env.host())
        .port(env.port())
        .resolve_target(true);
    if let Some(user) = env.username() {
        b = b.username(user);
    }
    if let Some(password) = env.password() {
        b = b.password(password);
    }
    if let Some(list) = ["NO_PROXY", "no_proxy"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
    {
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            b = b.no_proxy(entry);
        }
    }
    // A proxy ureq read but cannot rebuild is still used as it was: every hop's name
    // is checked here first, only the rebinding check through it is lost.
    Some(b.build().unwrap_or(env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for private in [
            "http://127.0.0.1:8080/wm",
            "http://localhost/wm",
            "http://localhost./wm",
            "http://LocalHost/",
            "http://school.localhost/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://0/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://[::1]/",
            "http://[::]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::10.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:a00:1::1]/",
            "http://[2002:7f00:1::]/",
            "http://[2001::1]/",
        ] {
            assert!(is_private(&Url::parse(private).unwrap()), "{private}");
        }
        for public in [
            "https://93.184.216.34/wm",
            "https://[2606:4700::1]/",
            "http://[64:ff9b::5db8:d822]/",
            "http://[2002:5db8:d822::1]/",
            "http://[::ffff:93.184.216.34]/",
        ] {
            assert!(!is_private(&Url::parse(public).unwrap()), "{public}");
        }
    }

    #[test]
    fn a_chain_from_a_public_address_stays_public() {
        let u = |s: &str| Url::parse(s).unwrap();
        let (public, private) = (u("http://93.184.216.34/"), u("http://10.0.0.1/"));
        assert_eq!(Reach::from_teacher(&public), Reach::Public);
        assert_eq!(Reach::Public.step(&private), None);
        assert_eq!(Reach::Public.step(&public), Some(Reach::Public));
        assert_eq!(Reach::from_teacher(&private), Reach::Intranet);
        assert_eq!(Reach::Intranet.step(&private), Some(Reach::Intranet));
        assert_eq!(Reach::Intranet.step(&public), Some(Reach::Public));
        assert_eq!(Reach::Anywhere.step(&private), Some(Reach::Anywhere));
    }

    #[test]
    fn a_proxy_on_a_private_address_is_still_used() {
        use std::io::{Read, Write};
        let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = proxy.local_addr().unwrap().port();
        let answer = std::thread::spawn(move || {
            let (mut s, _) = proxy.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            // The tunnel itself is not the point: refusing it ends the request.
            s.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
            String::from_utf8_lossy(&got).into_owned()
        });
        // Resolved here, as `proxy_resolving_here` asks: the proxy is told the address.
        let proxy = Proxy::builder(ureq::ProxyProtocol::Http)
            .host("127.0.0.1")
            .port(port)
            .resolve_target(true)
            .build()
            .unwrap();
        let config = ureq::Agent::config_builder().proxy(Some(proxy)).build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly::default(),
        );
        let err = agent
            .post("http://93.184.216.34/wm")
            .send("source=a")
            .unwrap_err();
        assert!(!err.to_string().contains("private or local"), "{err}");
        // The proxy was reached, and asked for the public endpoint.
        assert!(
            answer
                .join()
                .unwrap()
                .starts_with("CONNECT 93.184.216.34:80 HTTP/1.1\r\n")
        );
    }

    #[test]
    fn through_a_proxy_a_private_name_is_refused_before_the_proxy_is_asked() {
        let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = proxy.local_addr().unwrap().port();
        let proxy_config = Proxy::builder(ureq::ProxyProtocol::Http)
            .host("127.0.0.1")
            .port(port)
            .resolve_target(true)
            .build()
            .unwrap();
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder()
                .proxy(Some(proxy_config))
                // Were the proxy asked, it would never answer: fail, not hang.
                .timeout_global(Some(Duration::from_secs(5)))
                .build(),
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly::default(),
        );
        // A name that would pass a check by name alone cannot reach the proxy
        // unless its addresses are public: `localhost` stands for a rebound name.
        let err = agent.get("http://localhost:9/").call().unwrap_err();
        assert!(err.to_string().contains("private or local"), "{err}");
        proxy.set_nonblocking(true).unwrap();
        assert!(proxy.accept().is_err(), "the proxy was asked");
    }

    #[test]
    fn the_resolver_refuses_private_addresses() {
        let agent: ureq::Agent = ureq::Agent::with_parts(
            Config::default(),
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly::default(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://localhost:{}/wm",
            listener.local_addr().unwrap().port()
        );
        let err = agent.post(&url).send("source=a").unwrap_err();
        assert!(err.to_string().contains("private or local"), "{err}");
    }
}
