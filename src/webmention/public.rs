//! Where `webmention send` may connect. A public page can name any endpoint, and
//! sending must not become a way for it to poke at the teacher's school network: names
//! are checked before sending, and again by the resolver on every connection.

use std::net::{IpAddr, ToSocketAddrs};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;
use url::{Host, Url};

/// Whether `url` points at this machine or a private network. A public page can name
/// any endpoint, and `send` must not become a way to poke at the teacher's school
/// network. Names are resolved; one private address is enough.
pub fn is_private(url: &Url) -> bool {
    let port = url.port_or_known_default().unwrap_or(80);
    match url.host() {
        Some(Host::Ipv4(ip)) => private_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => private_ip(IpAddr::V6(ip)),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
                || d.ends_with(".localhost")
                || (d.as_str(), port)
                    .to_socket_addrs()
                    .is_ok_and(|mut addrs| addrs.any(|a| private_ip(a.ip())))
        }
        None => true,
    }
}

fn private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                // Carrier-grade NAT, 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return private_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                // Unique local fc00::/7 and link-local fe80::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// A resolver that gives ureq only public addresses, so a name that resolved to a
/// public address when it was checked cannot connect to a private one later.
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
        // teacher's own choice: connecting to it is allowed (the proxy then connects
        // to the endpoint, which was checked by name before sending).
        if config
            .proxy()
            .is_some_and(|p| uri.host().is_some_and(|h| h.eq_ignore_ascii_case(p.host())))
        {
            return Ok(all);
        }
        let mut public = self.0.empty();
        for a in all.iter().filter(|a| !private_ip(a.ip())) {
            public.push(*a);
        }
        if public.is_empty() {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the address is private or local; --allow-private sends anyway",
            )));
        }
        Ok(public)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for private in [
            "http://127.0.0.1:8080/wm",
            "http://localhost/wm",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://100.64.0.1/",
        ] {
            assert!(is_private(&Url::parse(private).unwrap()), "{private}");
        }
        for public in ["https://93.184.216.34/wm", "https://[2606:4700::1]/"] {
            assert!(!is_private(&Url::parse(public).unwrap()), "{public}");
        }
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
        let config = ureq::Agent::config_builder()
            .proxy(Some(
                ureq::Proxy::new(&format!("http://127.0.0.1:{port}")).unwrap(),
            ))
            .build();
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
                .starts_with("CONNECT 93.184.216.34:80")
        );
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
