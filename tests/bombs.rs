//! Decompression bombs: 256 MiB of zeros in each encoding, and nested, read with
//! `max_decoded_size` of 1 MiB. Reading must fail with `is_decode()`, and the heap must never
//! grow by more than the cap plus 2 MiB plus the window the format's stream declares, measured
//! by a counting global allocator (this binary's own, so no other test shares it).
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

#[test]
fn bombs_fail_at_the_cap_without_spending_the_memory() {
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
