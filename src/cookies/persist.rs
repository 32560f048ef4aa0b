//! Saving a [`Jar`] as JSON and loading it back (features `cookies` and `json`).
//!
//! The format is `cookie_store`'s JSON (`cookie_store::serde::json`, the one
//! `reqwest_cookie_store` writes): one array of cookies, each with its `Set-Cookie` text
//! (`raw_cookie`), its path, domain and expiry.

use std::io::{Read, Write};

use cookie_store::{Cookie, CookieStore};

use super::Jar;
use crate::error::{Error, Result};

impl Jar {
    /// Writes the jar's persistent cookies as JSON: those with an `Expires` or `Max-Age` that
    /// has not passed. Session cookies (no expiry) are left out, as a browser forgets them when
    /// it closes and Python's `http.cookiejar` saves by default; to keep them too, use
    /// [`save_json_with_session_cookies`](Jar::save_json_with_session_cookies).
    ///
    /// The format is `cookie_store`'s JSON (`cookie_store::serde::json`, also written by
    /// `reqwest_cookie_store`): an array of cookies, each with its `Set-Cookie` text
    /// (`raw_cookie`), `path`, `domain` and `expires`. The file holds the cookies' values:
    /// treat it as a secret.
    ///
    /// ```
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let jar = anyfetch::Jar::new();
    /// let url = "https://example.com/".parse()?;
    /// jar.add_cookie_str("id=42; Max-Age=3600", &url)?;
    /// jar.add_cookie_str("tab=3", &url)?; // a session cookie: not saved
    /// let mut file = Vec::new(); // or std::fs::File::create("cookies.json")?
    /// jar.save_json(&mut file)?;
    /// let again = anyfetch::Jar::load_json(&file[..])?;
    /// assert_eq!(again.cookies(&url), [("id".to_string(), "42".to_string())]);
    /// # Ok(()) }
    /// # run().unwrap();
    /// ```
    ///
    /// # Errors
    /// The writer's error.
    pub fn save_json<W: Write>(&self, writer: W) -> std::io::Result<()> {
        self.write_json(writer, false)
    }

    /// As [`save_json`](Jar::save_json), session cookies included (those without `Expires`
    /// or `Max-Age`, often a login): for a tool that should stay logged in from one run to
    /// the next. They stay session cookies once loaded.
    ///
    /// # Errors
    /// The writer's error.
    pub fn save_json_with_session_cookies<W: Write>(&self, writer: W) -> std::io::Result<()> {
        self.write_json(writer, true)
    }

    fn write_json<W: Write>(&self, mut writer: W, session: bool) -> std::io::Result<()> {
        // Copied out so that the lock is not held while writing.
        let cookies: Vec<Cookie<'static>> = self
            .lock()
            .iter_unexpired()
            .filter(|c| session || c.is_persistent())
            .cloned()
            .collect();
        serde_json::to_writer_pretty(&mut writer, &cookies)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }

    /// A jar with the cookies `reader` holds, as [`save_json`](Jar::save_json) writes them
    /// (any file in `cookie_store`'s JSON format). Cookies that have expired since are
    /// skipped; with the `psl` feature so are cookies for a public suffix.
    ///
    /// # Errors
    /// An [`is_decode`](Error::is_decode) error when the text is not such JSON (its message
    /// gives the line and column, never a cookie's value) or the reader fails (the
    /// [`std::io::Error`] is its [`source`](std::error::Error::source)).
    pub fn load_json<R: Read>(mut reader: R) -> Result<Jar> {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(|e| Error::decode("cannot read the cookie jar").with_source(e))?;
        // serde_json's error is not kept as the source: it may quote a cookie's text.
        let cookies: Vec<Cookie<'static>> = serde_json::from_slice(&text).map_err(|e| {
            Error::decode(format!(
                "malformed cookie jar JSON at line {}, column {}",
                e.line(),
                e.column()
            ))
        })?;
        #[cfg(feature = "psl")]
        let cookies = cookies.into_iter().filter(|c| match &c.domain {
            cookie_store::CookieDomain::Suffix(d) => {
                !super::jar::public_suffix::is_public_suffix(d)
            }
            _ => true,
        });
        let store = CookieStore::from_cookies(
            cookies.into_iter().map(Ok::<_, std::convert::Infallible>),
            false,
        )
        .unwrap_or_else(|never| match never {});
        Ok(Jar::from_store(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn url() -> Url {
        "https://example.com/".parse().unwrap()
    }

    fn round_trip(jar: &Jar, session: bool) -> Jar {
        let mut buf = Vec::new();
        if session {
            jar.save_json_with_session_cookies(&mut buf).unwrap();
        } else {
            jar.save_json(&mut buf).unwrap();
        }
        Jar::load_json(&buf[..]).unwrap()
    }

    fn names(jar: &Jar) -> Vec<String> {
        let mut v: Vec<String> = jar.cookies(&url()).into_iter().map(|(k, _)| k).collect();
        v.sort();
        v
    }

    #[test]
    fn persistent_cookies_saved_session_ones_only_on_request() {
        let jar = Jar::new();
        jar.add_cookie_str("kept=1; Max-Age=3600", &url()).unwrap();
        jar.add_cookie_str("dated=2; Expires=Wed, 01 Jan 2200 00:00:00 GMT", &url())
            .unwrap();
        jar.add_cookie_str("session=3", &url()).unwrap();
        assert_eq!(names(&round_trip(&jar, false)), ["dated", "kept"]);
        let all = round_trip(&jar, true);
        assert_eq!(names(&all), ["dated", "kept", "session"]);
        // Still a session cookie once loaded: a plain save leaves it out again.
        assert_eq!(names(&round_trip(&all, false)), ["dated", "kept"]);
    }

    #[test]
    fn expired_cookies_are_not_saved_nor_loaded() {
        // A file that holds a cookie that expired in 2001: loading skips it.
        let old = r#"[{"raw_cookie":"old=1; Path=/; Expires=Mon, 01 Jan 2001 00:00:00 GMT",
            "path":["/",true],"domain":{"HostOnly":"example.com"},
            "expires":{"AtUtc":"2001-01-01T00:00:00Z"}},
            {"raw_cookie":"new=2; Path=/; Expires=Wed, 01 Jan 2200 00:00:00 GMT",
            "path":["/",true],"domain":{"HostOnly":"example.com"},
            "expires":{"AtUtc":"2200-01-01T00:00:00Z"}}]"#;
        let jar = Jar::load_json(old.as_bytes()).unwrap();
        assert_eq!(names(&jar), ["new"]);
        // A cookie the server expired stays in the store, marked expired: not saved.
        jar.add_cookie_str("gone=3; Max-Age=3600", &url()).unwrap();
        jar.add_cookie_str("gone=; Max-Age=0", &url()).unwrap();
        for session in [false, true] {
            let mut buf = Vec::new();
            if session {
                jar.save_json_with_session_cookies(&mut buf).unwrap();
            } else {
                jar.save_json(&mut buf).unwrap();
            }
            let text = String::from_utf8(buf).unwrap();
            assert!(text.contains("new=2"), "{text}");
            assert!(!text.contains("old=") && !text.contains("gone="), "{text}");
        }
    }

    #[test]
    fn malformed_json_is_a_decode_error_without_the_values() {
        for bad in [
            &b""[..],
            b"{",
            b"not json",
            b"{\"raw_cookie\": 1}",
            br#"[{"raw_cookie":"=s3cret","path":["/",true],"domain":{"HostOnly":"a"},"expires":"SessionEnd"}]"#,
        ] {
            let e = Jar::load_json(bad).unwrap_err();
            assert!(e.is_decode(), "{e:?}");
            assert!(!e.display_chain().to_string().contains("s3cret"), "{e}");
        }
    }

    #[test]
    fn read_failure_is_a_decode_error_with_the_io_error() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let e = Jar::load_json(Failing).unwrap_err();
        assert!(e.is_decode());
        let io = std::error::Error::source(&e).unwrap();
        assert!(io.downcast_ref::<std::io::Error>().is_some());
    }

    #[cfg(feature = "psl")]
    #[test]
    fn loading_drops_public_suffix_cookies_with_psl() {
        let text = r#"[{"raw_cookie":"id=1; Domain=co.uk; Path=/","path":["/",true],
            "domain":{"Suffix":"co.uk"},"expires":"SessionEnd"}]"#;
        let jar = Jar::load_json(text.as_bytes()).unwrap();
        assert!(jar.cookies(&"http://a.co.uk/".parse().unwrap()).is_empty());
    }
}
