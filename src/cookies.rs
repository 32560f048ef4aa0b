//! The client's cookie jar: RFC 6265 rules (domain, path, secure, expiry) from `cookie_store`.

use http::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use url::Url;

#[cfg(feature = "cookies")]
use std::sync::Mutex;

/// A cookie jar shared by a client and its clones.
#[derive(Default)]
pub(crate) struct Jar {
    #[cfg(feature = "cookies")]
    store: Mutex<cookie_store::CookieStore>,
    /// Set once a cookie has been stored: until then a request skips the lock and the lookup.
    #[cfg(feature = "cookies")]
    used: std::sync::atomic::AtomicBool,
}

impl Jar {
    /// Keeps every valid `Set-Cookie` of a response to `url`; invalid ones are ignored, as
    /// browsers do.
    pub(crate) fn store(&self, url: &Url, headers: &HeaderMap) {
        #[cfg(feature = "cookies")]
        {
            let cookies: Vec<cookie::Cookie<'static>> = headers
                .get_all(SET_COOKIE)
                .iter()
                .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
                .filter_map(|s| cookie::Cookie::parse(s.to_owned()).ok())
                .collect();
            if !cookies.is_empty() {
                self.used.store(true, std::sync::atomic::Ordering::Release);
                let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
                store.store_response_cookies(cookies.into_iter(), url);
            }
        }
        #[cfg(not(feature = "cookies"))]
        let _ = (url, headers, SET_COOKIE);
    }

    /// The `Cookie` header for a request to `url`, if the jar has cookies for it.
    pub(crate) fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        let pairs = self.cookies_for(url);
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

    pub(crate) fn cookies_for(&self, url: &Url) -> Vec<(String, String)> {
        #[cfg(feature = "cookies")]
        {
            if !self.used.load(std::sync::atomic::Ordering::Acquire) {
                return Vec::new();
            }
            let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
            store
                .get_request_values(url)
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        }
        #[cfg(not(feature = "cookies"))]
        {
            let _ = url;
            Vec::new()
        }
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

#[cfg(all(test, feature = "cookies"))]
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
}
