//! Who may use the desk, decided before any page is made.
//!
//! - **Address.** Loopback by default; any other address needs a password
//!   ([`need_password`]), or the desk does not start.
//! - **Host.** On loopback, a request must name the desk's own address
//!   (`127.0.0.1:8686`, `localhost:8686`): a page elsewhere that makes its
//!   own name resolve to 127.0.0.1 (DNS rebinding) is refused.
//! - **Origin.** A request that changes something (any method but GET and
//!   HEAD) must come from the desk's own pages: a browser says where a
//!   request comes from (`Origin`, `Sec-Fetch-Site`), and a page of another
//!   site cannot hide it; a request that says neither is refused.
//! - **Password.** HTTP Basic (the browser asks once), compared in constant
//!   time on SHA-256 digests, so neither the password's characters nor its
//!   length show in the time taken.

use std::net::{IpAddr, SocketAddr};

use axum::http::{header, HeaderMap, Method};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The environment variable that may hold the password.
pub const PASSWORD_ENV: &str = "KHUYENCONG_MAT_KHAU";

/// Whether the desk on `ip` can be reached from other machines, and so
/// needs a password.
pub fn need_password(ip: IpAddr) -> bool {
    !ip.is_loopback()
}

/// The rules for one running desk.
pub struct Access {
    /// `Host` values accepted; None: any (another address, behind a password).
    hosts: Option<Vec<String>>,
    password: Option<[u8; 32]>,
}

/// Why a request is turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` is not the desk's own address.
    Host,
    /// A change asked by a page of another site.
    Origin,
    /// No password, or a wrong one.
    Password,
}

impl Access {
    /// The rules for a desk listening on `addr`.
    pub fn new(addr: SocketAddr, password: Option<&str>) -> Access {
        let port = addr.port();
        let hosts = addr.ip().is_loopback().then(|| {
            let ip = match addr.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            };
            let mut hosts = vec![format!("{ip}:{port}"), format!("localhost:{port}")];
            if port == 80 {
                hosts.extend([ip, "localhost".into()]);
            }
            hosts
        });
        Access {
            hosts,
            password: password.map(digest),
        }
    }

    /// Whether a request with these headers may go on.
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
        let host = text(headers, header::HOST.as_str()).unwrap_or_default();
        if let Some(hosts) = &self.hosts {
            if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                return Err(Refusal::Host);
            }
        }
        if let Some(expected) = &self.password {
            let given = text(headers, header::AUTHORIZATION.as_str())
                .and_then(basic_password)
                .map(|p| digest(&p));
            let same = given.is_some_and(|g| bool::from(g.ct_eq(expected)));
            if !same {
                return Err(Refusal::Password);
            }
        }
        if method != Method::GET && method != Method::HEAD {
            let site = text(headers, "sec-fetch-site");
            let origin = text(headers, header::ORIGIN.as_str());
            // A change must show where it comes from: every browser the
            // desk serves sends one of the two on a POST; a request with
            // neither cannot be told from a forged one.
            if site.is_none() && origin.is_none() {
                return Err(Refusal::Origin);
            }
            if site.is_some_and(|s| s != "same-origin") {
                return Err(Refusal::Origin);
            }
            if origin.is_some_and(|o| !o.eq_ignore_ascii_case(&format!("http://{host}"))) {
                return Err(Refusal::Origin);
            }
        }
        Ok(())
    }
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn digest(password: &str) -> [u8; 32] {
    Sha256::digest(password.as_bytes()).into()
}

/// The password of `Basic base64(user:password)`; the user name is not
/// asked for.
fn basic_password(value: &str) -> Option<String> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (_, password) = decoded.split_once(':')?;
    Some(password.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn basic(user_password: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_password)
        )
    }

    #[test]
    fn loopback_accepts_its_own_names_only() {
        let access = Access::new("127.0.0.1:8686".parse().unwrap(), None);
        for host in ["127.0.0.1:8686", "localhost:8686", "LOCALHOST:8686"] {
            assert_eq!(
                access.check(&Method::GET, &headers(&[("host", host)])),
                Ok(())
            );
        }
        for host in ["evil.example:8686", "127.0.0.1:8687", "localhost", ""] {
            assert_eq!(
                access.check(&Method::GET, &headers(&[("host", host)])),
                Err(Refusal::Host),
                "{host}"
            );
        }
        let v6 = Access::new("[::1]:9000".parse().unwrap(), None);
        assert_eq!(
            v6.check(&Method::GET, &headers(&[("host", "[::1]:9000")])),
            Ok(())
        );
    }

    #[test]
    fn changes_come_from_the_desk_pages_only() {
        let access = Access::new("127.0.0.1:8686".parse().unwrap(), None);
        let host = ("host", "127.0.0.1:8686");
        let post = |extra: &[(&'static str, &str)]| {
            let mut all = vec![host];
            all.extend_from_slice(extra);
            access.check(&Method::POST, &headers(&all))
        };
        assert_eq!(post(&[("origin", "http://127.0.0.1:8686")]), Ok(()));
        assert_eq!(
            post(&[
                ("origin", "http://127.0.0.1:8686"),
                ("sec-fetch-site", "same-origin")
            ]),
            Ok(())
        );
        assert_eq!(
            post(&[("origin", "http://evil.example")]),
            Err(Refusal::Origin)
        );
        assert_eq!(post(&[("origin", "null")]), Err(Refusal::Origin));
        // Neither header: where it comes from cannot be shown.
        assert_eq!(post(&[]), Err(Refusal::Origin));
        assert_eq!(
            post(&[("sec-fetch-site", "cross-site")]),
            Err(Refusal::Origin)
        );
        assert_eq!(
            post(&[("sec-fetch-site", "same-site")]),
            Err(Refusal::Origin)
        );
        // A link followed from elsewhere only reads.
        assert_eq!(
            access.check(
                &Method::GET,
                &headers(&[host, ("sec-fetch-site", "cross-site")])
            ),
            Ok(())
        );
    }

    #[test]
    fn another_address_needs_the_password() {
        assert!(need_password("0.0.0.0".parse().unwrap()));
        assert!(need_password("192.168.1.5".parse().unwrap()));
        assert!(!need_password("127.0.0.1".parse().unwrap()));
        assert!(!need_password("::1".parse().unwrap()));
        let access = Access::new("0.0.0.0:8686".parse().unwrap(), Some("bí mật"));
        let with = |auth: Option<String>| {
            let mut h = headers(&[("host", "192.168.1.5:8686")]);
            if let Some(a) = auth {
                h.insert("authorization", a.parse().unwrap());
            }
            access.check(&Method::GET, &h)
        };
        assert_eq!(with(Some(basic("van-thu:bí mật"))), Ok(()));
        assert_eq!(with(Some(basic(":bí mật"))), Ok(()));
        assert_eq!(with(Some(basic("van-thu:bí mậT"))), Err(Refusal::Password));
        assert_eq!(with(Some(basic("van-thu:bí mật "))), Err(Refusal::Password));
        assert_eq!(with(Some("Basic !!!".into())), Err(Refusal::Password));
        assert_eq!(with(Some("Bearer bi-mat".into())), Err(Refusal::Password));
        assert_eq!(with(None), Err(Refusal::Password));
    }
}
