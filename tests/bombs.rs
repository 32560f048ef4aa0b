//! Decompression bombs: 256 MiB of zeros in each encoding, and nested, read with
//! `max_decoded_size` of 1 MiB. Reading must fail with `is_decode()`, and the heap must never
//! grow by more than the cap plus 2 MiB plus the window the format's stream declares, measured
//! by a counting global allocator (this binary's own, so no other test shares it; its tests
//! take `SERIAL` so they do not count each other's memory). And an endless line read with
//! `lines()`. And chunks of a slowly sent body, kept: each must cost about its bytes.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyfetch::{Body, Client, MockTransport, Response};
use bytes::Bytes;

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1 << 20;
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn bombs_fail_at_the_cap_without_spending_the_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let zeros = vec![0u8; 256 * MIB];
    let enc = |e: &str, data: &[u8]| anyfetch_testserver::compress(e, data).unwrap();
    let gz = enc("gzip", &zeros);
    // (encoding header, body, the window its stream declares)
    let bombs = [
        ("gzip", gz.clone(), 32 << 10),
        ("deflate", enc("deflate", &zeros), 32 << 10),
        ("br", enc("br", &zeros), 4 * MIB),
        ("zstd", enc("zstd", &zeros), 8 * MIB),
        ("gzip, gzip", enc("gzip", &gz), 64 << 10),
    ];
    drop(zeros);
    for (name, body, window) in bombs {
        let body = Bytes::from(body);
        let client = Client::builder()
            .max_decoded_size(MIB as u64)
            .transport(MockTransport::new(move |_| {
                let body = body.clone();
                async move {
                    // Sent in 64 KiB chunks, as a network would.
                    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..body.len())
                        .step_by(64 << 10)
                        .map(|i| Ok(body.slice(i..(i + (64 << 10)).min(body.len()))))
                        .collect();
                    Ok(
                        Response::new(200, Body::from_stream(futures::stream::iter(chunks)))
                            .with_header("content-encoding", name),
                    )
                }
            }))
            .build()
            .unwrap();
        let baseline = CURRENT.load(Ordering::Relaxed);
        PEAK.store(baseline, Ordering::Relaxed);
        let result = futures::executor::block_on(async {
            let mut r = client.get("http://bomb.test/").await?;
            r.bytes().await
        });
        let grew = PEAK.load(Ordering::Relaxed) - baseline;
        let e = result.unwrap_err();
        assert!(e.is_decode(), "{name}: {e}");
        let bound = MIB + 2 * MIB + window;
        println!(
            "{name}: the heap grew by {:.2} MiB at most (bound {:.2} MiB)",
            grew as f64 / MIB as f64,
            bound as f64 / MIB as f64
        );
        assert!(
            grew < bound,
            "{name}: the heap grew by {grew} bytes, over {bound}"
        );
    }
}

/// 128 MiB without a line ending, made as it is sent: `lines()` must fail with `is_decode()` at
/// its 16 MiB line limit, and the heap grow by less than twice that (a `String` doubles its
/// capacity) plus 4 MiB, rather than hold the whole body.
#[test]
fn an_endless_line_fails_at_the_line_limit_without_spending_the_memory() {
    use futures::StreamExt;
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let client = Client::builder()
        .transport(MockTransport::new(|_| async {
            let chunk = Bytes::from(vec![b'a'; 64 << 10]);
            let chunks = futures::stream::repeat(chunk)
                .take(128 * MIB / (64 << 10))
                .map(Ok::<_, std::io::Error>);
            let body =
                futures::stream::once(async { Ok(Bytes::from_static(b"first\n")) }).chain(chunks);
            Ok(Response::new(200, Body::from_stream(body)))
        }))
        .build()
        .unwrap();
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let (first, end, after) = futures::executor::block_on(async {
        let mut r = client.get("http://line.test/").await.unwrap();
        let mut lines = Box::pin(r.lines());
        let first = lines.next().await;
        let end = lines.next().await;
        (first, end, lines.next().await.is_none())
    });
    let grew = PEAK.load(Ordering::Relaxed) - baseline;
    assert_eq!(first.unwrap().unwrap(), "first");
    let e = end.expect("an error, not the end").unwrap_err();
    assert!(e.is_decode(), "{e}");
    assert!(e.to_string().contains("line.test"), "{e}");
    assert!(after, "the stream ends after the error");
    println!(
        "an endless line: the heap grew by {:.2} MiB at most",
        grew as f64 / MIB as f64
    );
    assert!(grew < 36 * MIB, "the heap grew by {grew} bytes");
}

/// 600 one-byte writes, each flushed on its own, over a real socket to the native backend: the
/// chunks come back small and are all kept. A chunk that kept the read buffer it was cut from
/// (hyper's are 8 KiB and more; one per read would be 4.8 MiB here) would hold far more than its
/// byte. Once the client, its connection and its runtime are gone, what the kept chunks hold
/// must be under 256 bytes per chunk (the `Vec` and `Bytes` themselves) plus 64 KiB. Twice:
/// read directly, and after 512 KiB sent at once, read by the pump that takes over a large
/// body (where hyper's read buffer has grown to hundreds of KiB).
#[test]
fn held_chunks_of_a_dripped_body_cost_about_their_bytes() {
    use futures::TryStreamExt;
    use std::io::Write;
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const N: usize = 600;
    for bulk in [0, 512 << 10] {
        let baseline = CURRENT.load(Ordering::Relaxed);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_nodelay(true).unwrap();
            let mut head = [0u8; 1024];
            let _ = std::io::Read::read(&mut s, &mut head).unwrap();
            write!(s, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", bulk + N).unwrap();
            s.write_all(&vec![b'b'; bulk]).unwrap();
            for _ in 0..N {
                s.write_all(b"x").unwrap();
                s.flush().unwrap();
                std::thread::sleep(std::time::Duration::from_micros(500));
            }
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = Client::new();
        let chunks = runtime.block_on(async {
            let mut r = client.get(format!("http://{addr}/drip")).await.unwrap();
            let mut stream = r.bytes_stream();
            // The bulk is read and let go; of the chunk that ends it, a copy of the rest is kept.
            let mut chunks: Vec<Bytes> = Vec::new();
            let mut skipped = 0;
            while skipped < bulk {
                let c = stream.try_next().await.unwrap().unwrap();
                skipped += c.len();
                if skipped > bulk {
                    chunks.push(Bytes::copy_from_slice(&c[c.len() - (skipped - bulk)..]));
                }
            }
            while let Some(c) = stream.try_next().await.unwrap() {
                chunks.push(c);
            }
            chunks
        });
        drop(client);
        drop(runtime);
        server.join().unwrap();
        let held = CURRENT.load(Ordering::Relaxed) as isize - baseline as isize;
        assert!(chunks.iter().flatten().all(|b| *b == b'x'));
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), N);
        assert!(
            chunks.len() >= 60,
            "{} chunks: the writes were merged",
            chunks.len()
        );
        let bound = chunks.len() * 256 + (64 << 10);
        println!(
            "after {bulk} bytes: {} chunks of {N} bytes held, and {held} bytes of heap (bound {bound})",
            chunks.len()
        );
        assert!(
            held < bound as isize,
            "after {bulk} bytes: {} chunks of {N} bytes hold {held} bytes of heap",
            chunks.len()
        );
    }
}
