//! The cookie jar against the project's own server: saved to a file in one run, loaded in the
//! next, shared by two clients. (Its rules are tested through `MockTransport` in
//! `tests/mock_policies.rs` and in `src/cookies/`.)
#![cfg(all(
    feature = "native",
    feature = "cookies",
    feature = "json",
    not(target_arch = "wasm32")
))]

use std::path::PathBuf;
use std::sync::OnceLock;

use anyfetch::{Client, Jar};
use anyfetch_testserver::TestServer;
use serde_json::{json, Value};

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(TestServer::start)
}

/// A directory of this test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "anyfetch-{name}-{}-{}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asks the server to set `cookie` (any `Set-Cookie` text).
async fn set(client: &Client, cookie: &str) {
    let r = client
        .get(server().url("/response-headers"))
        .query(&[("Set-Cookie", cookie)])
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The cookies the server received, as `/cookies` reports them.
async fn received(client: &Client) -> Value {
    let mut r = client.get(server().url("/cookies")).await.unwrap();
    r.json::<Value>().await.unwrap()["cookies"].clone()
}

fn save(jar: &Jar, path: &std::path::Path, session: bool) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    if session {
        jar.save_json_with_session_cookies(file).unwrap();
    } else {
        jar.save_json(file).unwrap();
    }
}

fn load(path: &std::path::Path) -> Jar {
    Jar::load_json(std::fs::File::open(path).unwrap()).unwrap()
}

#[tokio::test]
async fn a_cookie_saved_to_a_file_is_sent_by_the_next_run() {
    let dir = TempDir::new("jar-save");
    let path = dir.0.join("cookies.json");
    {
        // The first run: the server sets a cookie, the client's own jar is saved at the end.
        let client = Client::new();
        set(&client, "id=42; Max-Age=3600; Path=/").await;
        save(client.cookie_jar().unwrap(), &path, false);
    }
    // The next run: a new client given the loaded jar sends the cookie.
    let client = Client::builder().cookie_jar(load(&path)).build().unwrap();
    assert_eq!(received(&client).await, json!({"id": "42"}));
    // A client without it sends nothing: the cookie came from the file.
    assert_eq!(received(&Client::new()).await, json!({}));
}

#[tokio::test]
async fn session_cookies_are_saved_only_when_asked() {
    let dir = TempDir::new("jar-session");
    let client = Client::new();
    set(&client, "kept=1; Max-Age=3600; Path=/").await;
    // `/cookies/set` sets session cookies (no Expires, no Max-Age).
    client
        .get(server().url("/cookies/set/session/2"))
        .await
        .unwrap();
    let jar = client.cookie_jar().unwrap();
    assert_eq!(jar.cookies(&server().url("/").parse().unwrap()).len(), 2);

    let persistent = dir.0.join("persistent.json");
    save(jar, &persistent, false);
    let next = Client::builder()
        .cookie_jar(load(&persistent))
        .build()
        .unwrap();
    assert_eq!(received(&next).await, json!({"kept": "1"}));

    let all = dir.0.join("all.json");
    save(jar, &all, true);
    let next = Client::builder().cookie_jar(load(&all)).build().unwrap();
    assert_eq!(received(&next).await, json!({"kept": "1", "session": "2"}));
}

#[tokio::test]
async fn two_clients_share_one_jar() {
    let jar = Jar::new();
    let a = Client::builder().cookie_jar(jar.clone()).build().unwrap();
    let b = Client::builder().cookie_jar(jar.clone()).build().unwrap();
    a.get(server().url("/cookies/set/from_a/1")).await.unwrap();
    b.get(server().url("/cookies/set/from_b/2")).await.unwrap();
    assert_eq!(received(&a).await, json!({"from_a": "1", "from_b": "2"}));
    assert_eq!(received(&b).await, json!({"from_a": "1", "from_b": "2"}));
    // The server deletes one through `b`: `a` stops sending it too.
    b.get(server().url("/cookies/delete?from_a")).await.unwrap();
    assert_eq!(received(&a).await, json!({"from_b": "2"}));
}

#[tokio::test]
async fn a_malformed_file_is_a_decode_error() {
    let dir = TempDir::new("jar-bad");
    let path = dir.0.join("cookies.json");
    std::fs::write(&path, "{ not json").unwrap();
    let e = Jar::load_json(std::fs::File::open(&path).unwrap()).unwrap_err();
    assert!(e.is_decode(), "{e:?}");
    assert!(e.to_string().contains("line 1"), "{e}");
}
