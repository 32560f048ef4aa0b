//! [`Jar`]: the cookies of one or more clients, behind an `Arc`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use cookie_store::{CookieError, CookieStore};
use http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use url::Url;

use crate::error::{Error, Result};

/// A cookie jar: the cookies servers set, kept by RFC 6265 rules (domain, path, `Secure`,
/// expiry) and sent back on the requests they match (httpx `Cookies`).
///
/// Cheap to clone: clones share the same cookies. Give one jar to several clients with
/// [`ClientBuilder::cookie_jar`](crate::ClientBuilder::cookie_jar) and each sees the cookies the
/// others received; keep a clone to read, save or clear the cookies after the clients are gone.
/// A client built without a jar makes its own, reachable with
/// [`Client::cookie_jar`](crate::Client::cookie_jar).
///
/// With the `json` feature (on by default) a jar is saved with [`save_json`](Jar::save_json)
/// and read back with [`load_json`](Jar::load_json).
///
/// Where it applies: natively, on WASI and in Node. In browsers the browser keeps cookies and
/// hides `Set-Cookie`, so no jar is used there (see
/// [`ClientBuilder::cookie_jar`](crate::ClientBuilder::cookie_jar)).
///
/// **Public suffixes**: with the `psl` feature the jar refuses a cookie whose `Domain` is a
/// public suffix (`Set-Cookie: id=1; Domain=co.uk` from `shop.co.uk`), by the public suffix
/// list compiled into the `psl` crate; a `Domain` equal to the host itself is kept as a
/// host-only cookie, as RFC 6265 §5.3 says. Without the feature no list is consulted: such a
/// cookie is kept (for `co.uk` and every host under it) whenever the host that set it is under
/// that domain, as `cookie_store` does without a list, so do not share a jar between mutually
/// distrustful sites.
///
/// `Debug` shows how many cookies the jar holds, never their values.
///
/// ```
/// # fn run() -> anyfetch::Result<()> {
/// let jar = anyfetch::Jar::new();
/// let url: anyfetch::Url = "https://example.com/".parse().unwrap();
/// jar.add_cookie_str("session=abc; Path=/", &url)?;
/// let a = anyfetch::Client::builder().cookie_jar(jar.clone()).build()?;
/// let b = anyfetch::Client::builder().cookie_jar(jar.clone()).build()?;
/// // `a` and `b` both send `Cookie: session=abc` to example.com, and share what they receive.
/// assert_eq!(jar.cookies(&url), [("session".to_string(), "abc".to_string())]);
/// # drop((a, b)); Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Jar {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    store: Mutex<CookieStore>,
    /// Set once a cookie has been stored: until then a request skips the lock and the lookup.
    used: AtomicBool,
}

impl Jar {
    /// An empty jar.
    pub fn new() -> Jar {
        Jar::default()
    }

    #[cfg(feature = "json")]
    pub(crate) fn from_store(store: CookieStore) -> Jar {
        let used = store.iter_any().next().is_some();
        Jar {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                used: AtomicBool::new(used),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, CookieStore> {
        self.inner.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a cookie as if the server at `url` had sent `Set-Cookie: <cookie>`: the same rules
    /// apply (its `Domain` must match `url`'s host, `Path` defaults to `url`'s directory,
    /// `Max-Age=0` deletes it). Seeds a jar with a cookie obtained elsewhere.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error when the cookie does not parse or the rules
    /// refuse it (a `Domain` that does not match `url`, an `HttpOnly` cookie for a non-HTTP
    /// URL, with the `psl` feature a public suffix). The message never repeats the cookie's
    /// value.
    pub fn add_cookie_str(&self, cookie: &str, url: &Url) -> Result<()> {
        let raw = cookie::Cookie::parse(cookie)
            .map_err(|e| Error::builder("invalid cookie").with_source(e))?;
        match insert(&mut self.lock(), &raw, url) {
            Ok(_) | Err(Refused::Rule(CookieError::Expired)) => {
                self.inner.used.store(true, Ordering::Release);
                Ok(())
            }
            Err(Refused::Rule(e)) => Err(Error::builder(format!("cookie refused: {e}"))),
            #[cfg(feature = "psl")]
            Err(Refused::PublicSuffix) => Err(Error::builder(
                "cookie refused: its Domain is a public suffix",
            )),
        }
    }

    /// The cookies the jar would send to `url`, as `(name, value)` pairs, in the order of the
    /// `Cookie` header.
    pub fn cookies(&self, url: &Url) -> Vec<(String, String)> {
        if !self.inner.used.load(Ordering::Acquire) {
            return Vec::new();
        }
        self.lock()
            .get_request_values(url)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Removes every cookie.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Keeps every valid `Set-Cookie` of a response to `url`; invalid or refused ones are
    /// ignored, as browsers do.
    pub(crate) fn store(&self, url: &Url, headers: &HeaderMap) {
        let mut cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter_map(|s| cookie::Cookie::parse(s).ok())
            .peekable();
        if cookies.peek().is_none() {
            return;
        }
        self.inner.used.store(true, Ordering::Release);
        let mut store = self.lock();
        for c in cookies {
            let _ = insert(&mut store, &c, url);
        }
    }

    /// The `Cookie` header for a request to `url`, if the jar has cookies for it.
    pub(crate) fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        let pairs = self.cookies(url);
        if pairs.is_empty() {
            return None;
        }
        let s = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        HeaderValue::from_str(&s).ok()
    }

    /// Adds the jar's cookies to `headers` unless the request already sets `Cookie` itself.
    pub(crate) fn apply(&self, url: &Url, headers: &mut HeaderMap) {
        if !headers.contains_key(COOKIE) {
            if let Some(v) = self.header_for(url) {
                headers.insert(COOKIE, v);
            }
        }
    }
}

impl std::fmt::Debug for Jar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jar")
            .field("cookies", &self.lock().iter_unexpired().count())
            .finish()
    }
}

/// Why a cookie was not stored.
enum Refused {
    /// RFC 6265's rules, as `cookie_store` applies them.
    Rule(CookieError),
    /// Its `Domain` is a public suffix (feature `psl`).
    #[cfg(feature = "psl")]
    PublicSuffix,
}

/// Inserts a cookie received from `url` by RFC 6265 §5.3, refusing (with the `psl` feature) a
/// `Domain` that is a public suffix.
fn insert(
    store: &mut CookieStore,
    raw: &cookie::Cookie<'_>,
    url: &Url,
) -> std::result::Result<cookie_store::StoreAction, Refused> {
    let cookie = cookie_store::Cookie::try_from_raw_cookie(raw, url)
        .map_err(Refused::Rule)?
        .into_owned();
    #[cfg(feature = "psl")]
    let cookie = public_suffix::check(cookie, url).ok_or(Refused::PublicSuffix)?;
    store.insert(cookie, url).map_err(Refused::Rule)
}

/// The public suffix rule of RFC 6265 §5.3 step 5, by the list compiled into the `psl` crate.
#[cfg(feature = "psl")]
pub(crate) mod public_suffix {
    use cookie_store::{Cookie, CookieDomain};
    use psl::Psl;
    use url::Url;

    /// Whether `domain` (canonical: lowercase ASCII, no leading dot) is listed as a public
    /// suffix. Only listed suffixes count, not unknown top-level names (as curl and
    /// `cookie_store` do), so `Domain=localhost` or an intranet name still works.
    pub(crate) fn is_public_suffix(domain: &str) -> bool {
        psl::List
            .suffix(domain.as_bytes())
            .is_some_and(|s| s.is_known() && s.as_bytes() == domain.as_bytes())
    }

    /// A cookie whose `Domain` is a public suffix: dropped, unless it is the request's host
    /// itself, then kept as host-only.
    pub(crate) fn check(mut cookie: Cookie<'static>, url: &Url) -> Option<Cookie<'static>> {
        if let CookieDomain::Suffix(d) = &cookie.domain {
            if is_public_suffix(d) {
                if !url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(d)) {
                    return None;
                }
                cookie.domain = CookieDomain::host_only(url).ok()?;
            }
        }
        Some(cookie)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(jar: &Jar, url: &str, cookies: &[&str]) {
        let mut h = HeaderMap::new();
        for c in cookies {
            h.append(SET_COOKIE, c.parse().unwrap());
        }
        jar.store(&url.parse().unwrap(), &h);
    }

    fn get(jar: &Jar, url: &str) -> Option<String> {
        jar.header_for(&url.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_string())
    }

    #[test]
    fn rfc6265_rules() {
        let jar = Jar::default();
        set(
            &jar,
            "http://example.com/a/b",
            &[
                "plain=1",
                "scoped=2; Path=/a",
                "other=3; Path=/z",
                "sec=4; Secure",
                "gone=5; Max-Age=0",
                "dom=6; Domain=example.com",
                "evil=7; Domain=attacker.com",
            ],
        );
        let h = get(&jar, "http://example.com/a/c").unwrap();
        for want in ["plain=1", "scoped=2", "dom=6"] {
            assert!(h.contains(want), "{h}");
        }
        for not in ["other=3", "sec=4", "gone=5", "evil=7"] {
            assert!(!h.contains(not), "{h}");
        }
        assert!(get(&jar, "https://example.com/a/")
            .unwrap()
            .contains("sec=4"));
        assert!(get(&jar, "http://sub.example.com/a/")
            .unwrap()
            .contains("dom=6"));
        assert_eq!(
            get(&jar, "http://sub.example.com/"),
            None,
            "default path is /a"
        );
        assert!(!get(&jar, "http://sub.example.com/a/")
            .unwrap()
            .contains("plain"));
        assert_eq!(get(&jar, "http://attacker.com/"), None);
    }

    #[test]
    fn deletion_by_expiry() {
        let jar = Jar::default();
        set(&jar, "http://h/", &["a=1"]);
        assert_eq!(get(&jar, "http://h/").as_deref(), Some("a=1"));
        set(&jar, "http://h/", &["a=; Max-Age=0"]);
        assert_eq!(get(&jar, "http://h/"), None);
    }

    #[test]
    fn add_cookie_str_follows_the_same_rules_and_hides_the_value() {
        let jar = Jar::new();
        let url: Url = "http://example.com/".parse().unwrap();
        jar.add_cookie_str("a=hidden", &url).unwrap();
        assert_eq!(
            get(&jar, "http://example.com/").as_deref(),
            Some("a=hidden")
        );
        assert_eq!(format!("{jar:?}"), "Jar { cookies: 1 }");
        let e = jar
            .add_cookie_str("b=s3cret; Domain=other.com", &url)
            .unwrap_err();
        assert!(e.is_builder(), "{e:?}");
        assert!(!e.display_chain().to_string().contains("s3cret"), "{e}");
        assert!(jar.add_cookie_str("=", &url).unwrap_err().is_builder());
        // Max-Age=0 for a cookie the jar does not hold deletes nothing and is no error.
        jar.add_cookie_str("c=; Max-Age=0", &url).unwrap();
        jar.clear();
        assert_eq!(get(&jar, "http://example.com/"), None);
    }

    /// Without the `psl` feature no list is consulted: a `Domain=co.uk` cookie from a host
    /// under `co.uk` is kept and sent to every `.co.uk` site (the documented behaviour).
    #[cfg(not(feature = "psl"))]
    #[test]
    fn public_suffix_domain_kept_without_psl() {
        let jar = Jar::new();
        set(&jar, "http://shop.co.uk/", &["id=1; Domain=co.uk"]);
        assert_eq!(get(&jar, "http://other.co.uk/").as_deref(), Some("id=1"));
    }

    /// With `psl`: a cookie for a public suffix is refused, the same name on the suffix's own
    /// host is kept host-only, a registrable domain is still fine.
    #[cfg(feature = "psl")]
    #[test]
    fn public_suffix_domain_refused_with_psl() {
        let jar = Jar::new();
        set(
            &jar,
            "http://shop.co.uk/",
            &["id=1; Domain=co.uk", "ok=2; Domain=shop.co.uk"],
        );
        assert_eq!(get(&jar, "http://other.co.uk/"), None);
        assert_eq!(get(&jar, "http://www.shop.co.uk/").as_deref(), Some("ok=2"));
        set(&jar, "http://co.uk/", &["self=3; Domain=co.uk"]);
        assert_eq!(get(&jar, "http://co.uk/").as_deref(), Some("self=3"));
        assert_eq!(get(&jar, "http://x.co.uk/"), None, "host-only");
        let e = jar
            .add_cookie_str("id=1; Domain=com", &"http://example.com/".parse().unwrap())
            .unwrap_err();
        assert!(e.is_builder(), "{e:?}");
        assert!(public_suffix::is_public_suffix("co.uk"));
        assert!(!public_suffix::is_public_suffix("example.co.uk"));
        assert!(!public_suffix::is_public_suffix("localhost"));
    }
}
