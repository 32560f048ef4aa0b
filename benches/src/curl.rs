//! curl (the command line tool) as a peer: one `curl` process per run, every request of the
//! run on its command line, so it reuses its connections as the other clients do. `-w` prints
//! one line per finished transfer on stderr (unbuffered); the clock starts when the last
//! warm-up line arrives and stops at the last line, so curl's start-up, connection set-up and
//! warm-up are outside the timed part, as for the other clients.
//!
//! CPU: the process's total (from `wait4`) less what it had used by the end of the warm-up
//! (`/proc/PID/task/*/schedstat`, in ns). Peak RSS: `wait4`'s `ru_maxrss`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What one run of curl measured.
pub(crate) struct Measured {
    /// Seconds from the end of the warm-up to the last transfer.
    pub(crate) secs: f64,
    /// CPU µs over the same part.
    pub(crate) cpu_us: f64,
    pub(crate) rss_kb: u64,
    /// Connections curl opened (the sum of `%{num_connects}`).
    pub(crate) conns: u64,
}

/// One transfer as `-w` reports it.
struct Line {
    code: u16,
    size: u64,
    connects: u64,
    version: String,
}

fn parse(line: &str) -> Option<Line> {
    let mut f = line.strip_prefix("XFER ")?.split_whitespace();
    Some(Line {
        code: f.next()?.parse().ok()?,
        size: f.next()?.parse().ok()?,
        connects: f.next()?.parse().ok()?,
        version: f.next()?.to_string(),
    })
}

/// One run of curl.
pub(crate) struct Job<'a> {
    /// The protocol flags (`--http2`, ...).
    pub(crate) flags: &'a [&'a str],
    /// The CA file to trust.
    pub(crate) ca: Option<&'a str>,
    /// The URLs (a `[1-N]` glob may stand for many).
    pub(crate) urls: Vec<String>,
    /// How many transfers the URLs make, `warm` of them warm-up.
    pub(crate) total: usize,
    pub(crate) warm: usize,
    /// `--parallel-max`, for parallel transfers.
    pub(crate) parallel: Option<usize>,
    /// The body size transfer `i` (in completion order) must have.
    pub(crate) size: &'a dyn Fn(usize) -> u64,
    /// The HTTP version every transfer must use (`1.1` or `2`).
    pub(crate) version: &'a str,
}

/// Runs curl for `job`.
pub(crate) fn run(job: Job<'_>) -> Result<Measured, String> {
    let Job {
        flags,
        ca,
        urls,
        total,
        warm,
        parallel,
        size,
        version,
    } = job;
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--no-progress-meter"]);
    cmd.args(flags);
    if let Some(ca) = ca {
        cmd.args(["--cacert", ca]);
    }
    if let Some(n) = parallel {
        cmd.args(["--parallel", "--parallel-max", &n.to_string()]);
    }
    cmd.args([
        "-w",
        "%{stderr}XFER %{http_code} %{size_download} %{num_connects} %{http_version}\\n",
    ]);
    cmd.args(&urls);
    // Bodies go to stdout, which is /dev/null.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("curl (apt-get install curl): {e}"))?;
    let pid = child.id();
    let stderr = child.stderr.take().ok_or("no curl stderr")?;
    let (mut done, mut conns) = (0usize, 0u64);
    let mut start: Option<(Instant, f64)> = None;
    let mut end = None;
    let mut failure = None;
    let warm_point = |t: Instant| (t, schedstat_us(pid));
    if warm == 0 {
        start = Some(warm_point(Instant::now()));
    }
    for line in BufReader::new(stderr).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let now = Instant::now();
        let Some(x) = parse(&line) else {
            failure.get_or_insert(format!("curl: {line}"));
            continue;
        };
        if failure.is_none() {
            if x.code != 200 {
                failure = Some(format!("curl: status {}", x.code));
            } else if x.size != size(done) {
                failure = Some(format!(
                    "curl: transfer {done}: {} bytes, expected {}",
                    x.size,
                    size(done)
                ));
            } else if x.version != version {
                failure = Some(format!("curl: HTTP/{}, expected HTTP/{version}", x.version));
            }
        }
        done += 1;
        conns += x.connects;
        if done == warm {
            start = Some(warm_point(now));
        }
        if done == total {
            end = Some(now);
        }
    }
    let (status, ru) = wait4(pid)?;
    // std's handle is reaped already: forget it without waiting again.
    drop(child);
    if let Some(f) = failure {
        return Err(f);
    }
    if status != 0 {
        return Err(format!("curl exited with status {status}"));
    }
    let (Some((t0, cpu0)), Some(t1)) = (start, end) else {
        return Err(format!("curl finished {done} of {total} transfers"));
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    Ok(Measured {
        secs: (t1 - t0).as_secs_f64(),
        cpu_us: tv(ru.ru_utime) + tv(ru.ru_stime) - cpu0,
        rss_kb: ru.ru_maxrss as u64,
        conns,
    })
}

/// curl's version as (major, minor), e.g. (7, 88).
pub(crate) fn version() -> Option<(u32, u32)> {
    let out = Command::new("curl").arg("-V").output().ok()?;
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = s.split_whitespace().nth(1)?;
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// CPU time the process `pid` has used so far (every thread), in µs; 0 when unreadable.
fn schedstat_us(pid: u32) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e3
}

/// Reaps `pid`: its exit status and resource usage.
fn wait4(pid: u32) -> Result<(i32, libc::rusage), String> {
    let mut status = 0;
    // SAFETY: wait4 writes one rusage into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
    if r != pid as libc::pid_t {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, ru))
}
