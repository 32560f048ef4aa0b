//! `anyfetch-bench soak [TOTAL] [FAN_OUT]`: many requests through one client against the test
//! server (in its own process), checking that the client's memory and open descriptors stay
//! flat: resident memory after 10% of the requests and after all of them within 10% of each
//! other, and no descriptor growth. Exits non-zero when either grows.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

/// Resident memory of this process (VmRSS), in kB.
fn rss_kb() -> u64 {
    crate::proc_status_kb("VmRSS:")
}

/// Open file descriptors of this process.
fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

pub(crate) fn soak(base: &str, total: usize, fan_out: usize) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        // Defaults, as a user would have them: timeouts, cookies, decoding, a 20-connection
        // keep-alive pool.
        let client = anyfetch::Client::new();
        let urls: Vec<anyfetch::Url> = ["/get?x=1", "/gzip", "/bytes/2048", "/status/404", "/cookies/set?a=1"]
            .iter()
            .map(|p| format!("{base}{p}").parse().map_err(|e| format!("{p}: {e}")))
            .collect::<Result<_, String>>()?;
        let done = Arc::new(AtomicUsize::new(0));
        let checkpoint = total / 10;
        let mut at_checkpoint = None;
        let started = Instant::now();
        let mut next = 0usize;
        let mut stream = futures::stream::iter(0..total)
            .map(|i| {
                let (client, url, done) = (client.clone(), urls[i % urls.len()].clone(), done.clone());
                async move {
                    let mut r = client.get(url).await.map_err(|e| e.to_string())?;
                    let n = r.bytes().await.map_err(|e| e.to_string())?.len();
                    done.fetch_add(1, Ordering::Relaxed);
                    Ok::<usize, String>(n)
                }
            })
            .buffer_unordered(fan_out);
        let mut bytes = 0usize;
        while let Some(r) = stream.next().await {
            bytes += r?;
            next += 1;
            if next == checkpoint {
                at_checkpoint = Some((rss_kb(), fds()));
            }
        }
        let (rss_end, fds_end) = (rss_kb(), fds());
        let (rss_mid, fds_mid) = at_checkpoint.unwrap_or((rss_end, fds_end));
        let growth = rss_end as f64 / rss_mid.max(1) as f64;
        println!(
            "soak: {total} requests, fan-out {fan_out}, {:.1} s, {bytes} body bytes\n\
             resident memory after {checkpoint}: {rss_mid} kB; after {total}: {rss_end} kB (x{growth:.3})\n\
             open descriptors after {checkpoint}: {fds_mid}; after {total}: {fds_end}",
            started.elapsed().as_secs_f64()
        );
        if growth > 1.10 {
            return Err(format!("resident memory grew by {:.1}%", (growth - 1.0) * 100.0));
        }
        if fds_end > fds_mid {
            return Err(format!("open descriptors grew from {fds_mid} to {fds_end}"));
        }
        Ok(())
    })
}
