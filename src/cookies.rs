//! The cookie jar: RFC 6265 rules (domain, path, secure, expiry) from `cookie_store`, shared by
//! every client given the same [`Jar`], saved and loaded as JSON (`persist`).

#[cfg(feature = "cookies")]
mod jar;
#[cfg(all(feature = "cookies", feature = "json"))]
mod persist;

#[cfg(feature = "cookies")]
pub use jar::Jar;

/// Without the `cookies` feature: a jar that keeps nothing.
#[cfg(not(feature = "cookies"))]
#[derive(Clone, Default)]
pub(crate) struct Jar;

#[cfg(not(feature = "cookies"))]
impl Jar {
    pub(crate) fn store(&self, _url: &url::Url, _headers: &http::HeaderMap) {}

    pub(crate) fn apply(&self, _url: &url::Url, _headers: &mut http::HeaderMap) {}

    pub(crate) fn cookies(&self, _url: &url::Url) -> Vec<(String, String)> {
        Vec::new()
    }
}
