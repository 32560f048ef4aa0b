//! The span `Trace` records, seen by a subscriber that keeps every field it is given.

use std::sync::{Arc, Mutex};

use http::Method;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use super::*;
use crate::MockTransport;

/// One span: its name and every `(field, value)` recorded on it, in order.
#[derive(Clone, Debug, Default)]
struct SpanRecord {
    name: String,
    fields: Vec<(String, String)>,
}

impl SpanRecord {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
    }
}

/// Keeps every span and every event field.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<(String, String)>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut spans = self.spans.lock().unwrap();
        let mut span = SpanRecord {
            name: attrs.metadata().name().to_owned(),
            ..SpanRecord::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        spans.push(span);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let span = &mut spans[id.into_u64() as usize - 1];
        values.record(&mut Fields(&mut span.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(&mut self.events.lock().unwrap()));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Makes and runs a future with `capture` as the subscriber.
fn traced<F: std::future::Future>(capture: &Capture, make: impl FnOnce() -> F) -> F::Output {
    tracing::subscriber::with_default(capture.clone(), || futures::executor::block_on(make()))
}

const PASSWORD: &str = "hunter2-pw";
const QUERY_TOKEN: &str = "qtok-81f3";
const AUTH_VALUE: &str = "Bearer hdr-secret-55";

#[test]
fn one_span_with_method_status_and_attempt_and_no_secret() {
    let capture = Capture::default();
    let transport = Trace::new(MockTransport::new(|req| async move {
        // The inner transport sees everything, unredacted.
        assert_eq!(req.url().password(), Some(PASSWORD));
        Ok(Response::new(201, "created"))
    }));
    let url = format!("https://ada:{PASSWORD}@api.test/items?token={QUERY_TOKEN}&page=2#frag");
    let mut request = Request::new(Method::POST, Url::parse(&url).unwrap());
    request
        .headers_mut()
        .insert("authorization", AUTH_VALUE.parse().unwrap());
    request
        .headers_mut()
        .insert("x-api-key", QUERY_TOKEN.parse().unwrap());
    request.extensions_mut().insert(RetryAttempt(2));

    let r = traced(&capture, || transport.send(request)).unwrap();
    assert_eq!(r.status(), 201);

    let spans = capture.spans.lock().unwrap();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    assert_eq!(span.name, "http.request");
    assert_eq!(span.get("http.request.method"), Some("POST"));
    assert_eq!(span.get("http.response.status_code"), Some("201"));
    assert_eq!(span.get("retry.attempt"), Some("2"));
    assert_eq!(
        span.get("url.full"),
        Some("https://api.test/items?token=REDACTED&page=REDACTED")
    );
    assert!(span.get("elapsed_ms").is_some());
    assert_eq!(span.get("error.kind"), None);

    let events = capture.events.lock().unwrap();
    let every_value = spans
        .iter()
        .flat_map(|s| s.fields.iter())
        .chain(events.iter())
        .map(|(k, v)| format!("{k}={v}"));
    for value in every_value {
        for secret in [PASSWORD, QUERY_TOKEN, AUTH_VALUE, "hdr-secret-55", "ada"] {
            assert!(!value.contains(secret), "{secret:?} leaked in {value:?}");
        }
    }
}

#[test]
fn errors_are_recorded_by_kind_only() {
    let capture = Capture::default();
    let transport = Trace::new(MockTransport::new(|req| async move {
        Err(crate::Error::new(ErrorKind::Connect)
            .with_message(format!("could not reach {}", req.url()))
            .with_url(req.url().clone()))
    }));
    let url = format!("http://u:{PASSWORD}@api.test/?token={QUERY_TOKEN}");
    let request = Request::new(Method::GET, Url::parse(&url).unwrap());
    let e = traced(&capture, || transport.send(request)).unwrap_err();
    assert!(e.is_connect());
    let spans = capture.spans.lock().unwrap();
    assert_eq!(spans[0].get("error.kind"), Some("connect"));
    assert_eq!(spans[0].get("retry.attempt"), Some("0"));
    assert_eq!(spans[0].get("http.response.status_code"), None);
    for (k, v) in &spans[0].fields {
        assert!(!v.contains(PASSWORD) && !v.contains(QUERY_TOKEN), "{k}={v}");
    }
}

#[test]
fn a_client_layer_makes_one_span_per_hop() {
    let capture = Capture::default();
    let client = crate::Client::builder()
        .transport(MockTransport::new(|req| async move {
            Ok(if req.url().path() == "/old" {
                Response::new(302, "").with_header("location", "/new")
            } else {
                Response::new(200, "here")
            })
        }))
        .layer(TraceLayer::new())
        .bearer_auth("client-bearer-secret")
        .follow_redirects(true)
        .build()
        .unwrap();
    let r = traced(&capture, || {
        client.get("http://api.test/old?key=v4lue").send()
    })
    .unwrap();
    assert_eq!(r.status(), 200);
    let spans = capture.spans.lock().unwrap();
    let statuses: Vec<_> = spans
        .iter()
        .map(|s| s.get("http.response.status_code"))
        .collect();
    assert_eq!(statuses, [Some("302"), Some("200")]);
    for (k, v) in spans.iter().flat_map(|s| s.fields.iter()) {
        assert!(
            !v.contains("client-bearer-secret") && !v.contains("v4lue"),
            "{k}={v}"
        );
    }
}

#[test]
fn redaction_keeps_names_and_drops_values_credentials_and_fragment() {
    let r = |s: &str| redacted(&Url::parse(s).unwrap());
    assert_eq!(r("http://u:p@h.test:8080/a/b"), "http://h.test:8080/a/b");
    assert_eq!(r("http://u@h.test/"), "http://h.test/");
    assert_eq!(
        r("https://h.test/p?a=1&b=&c&&d=x=y#t"),
        "https://h.test/p?a=REDACTED&b=REDACTED&REDACTED&d=REDACTED"
    );
    assert_eq!(r("https://h.test/p?"), "https://h.test/p?");
    assert_eq!(r("mailto:someone@h.test"), "mailto:someone@h.test");
}
