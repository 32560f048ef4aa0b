//! Credentials kept out of `Debug` and error messages: a URL's password, and the values of
//! `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and any header marked
//! sensitive, shown as `[redacted]`. A leaf: it imports nothing of the crate.

use std::fmt;

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
use http::HeaderMap;
use url::{Position, Url};

/// A URL with its password, if it has one, shown as `[redacted]` (`Display`, and `Debug` as a
/// quoted string).
pub(crate) struct RedactedUrl<'a>(pub(crate) &'a Url);

impl fmt::Display for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = self.0;
        if u.password().is_none() {
            return f.write_str(u.as_str());
        }
        let (before, after) = (&u[..Position::AfterUsername], &u[Position::AfterPassword..]);
        write!(f, "{before}:[redacted]{after}")
    }
}

/// A URL string that may not parse, for error messages: the password of its user info, if it
/// looks like it has one, shown as `[redacted]`.
pub(crate) struct RedactedStr<'a>(pub(crate) &'a str);

impl fmt::Debug for RedactedStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let start = s.find("://").map_or(0, |i| i + 3);
        let end = s[start..]
            .find(['/', '?', '#'])
            .map_or(s.len(), |i| start + i);
        let redacted = s[start..end].rfind('@').and_then(|at| {
            let colon = s[start..start + at].find(':')?;
            Some(format!(
                "{}:[redacted]{}",
                &s[..start + colon],
                &s[start + at..]
            ))
        });
        fmt::Debug::fmt(redacted.as_deref().unwrap_or(s), f)
    }
}

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Headers for `Debug`, with the values of credentials (`Authorization`,
/// `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any value marked sensitive) shown as
/// `[redacted]`.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE, SET_COOKIE];
        let entries = self.0.iter().map(|(name, value)| {
            let value: &dyn fmt::Debug = if value.is_sensitive() || secret.contains(name) {
                &"[redacted]"
            } else {
                value
            };
            (name, value)
        });
        f.debug_map().entries(entries).finish()
    }
}
