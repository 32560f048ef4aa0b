//! The download's progress bar (indicatif) on stderr, when stderr is a terminal. In the npm
//! package there is none: indicatif reads `std::time::Instant`, which that target lacks.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::host;

/// A live bar: bytes so far, the total from `Content-Length` when known, the rate, the time
/// left. `None` inside when stderr is not a terminal (then stderr says so once).
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for a body of `total` bytes on the wire, if known.
    pub fn new(total: Option<u64>) -> Progress {
        if !host::stderr_is_terminal() {
            host::say(&format!("anyfetch: no progress bar: {}", host::NO_TERMINAL));
            return Progress(None);
        }
        if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
            host::say("anyfetch: no progress bar: this JavaScript runtime gives the command no clock for one");
            return Progress(None);
        }
        let (template, bar) = match total {
            Some(total) => (
                "{bar:40.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                ProgressBar::with_draw_target(Some(total), draw_target()),
            ),
            None => (
                "{spinner} {bytes} {binary_bytes_per_sec}",
                ProgressBar::with_draw_target(None, draw_target()),
            ),
        };
        // The templates are constants: a bad one is a bug that the tests would show.
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress(Some(bar))
    }

    /// `bytes` have arrived.
    pub fn set(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(bytes);
        }
    }

    /// The download ended (the bar stays, complete).
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish();
            host::say(""); // indicatif leaves the cursor after the finished bar
        }
    }
}

#[cfg(not(target_os = "wasi"))]
fn draw_target() -> ProgressDrawTarget {
    ProgressDrawTarget::stderr()
}

/// indicatif's own terminal check sees no terminal on WASI; the host said it gave one
/// (`wasi:cli/terminal-stderr`), so the bar is drawn with ANSI escapes on stderr, coloured
/// unless `NO_COLOR` says otherwise, as wide as `COLUMNS` says (80 without it: `wasi:cli` tells
/// no terminal size, and `wasmtime run` passes `COLUMNS` only when told to, `--env COLUMNS`).
#[cfg(target_os = "wasi")]
fn draw_target() -> ProgressDrawTarget {
    // indicatif's styles ask console whether stdout takes colours: the bar is on stderr, which
    // the host says is a terminal.
    let colors = !crate::args::no_color();
    console::set_colors_enabled(colors);
    console::set_colors_enabled_stderr(colors);
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w >= 20)
        .unwrap_or(80);
    ProgressDrawTarget::term_like(Box::new(wasi_term::Stderr { width }))
}

#[cfg(target_os = "wasi")]
mod wasi_term {
    use std::io::{self, Write};

    #[derive(Debug)]
    pub struct Stderr {
        /// The terminal's width in columns.
        pub width: u16,
    }

    fn put(s: &str) -> io::Result<()> {
        io::stderr().write_all(s.as_bytes())
    }

    impl indicatif::TermLike for Stderr {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, n: usize) -> io::Result<()> {
            if n > 0 {
                put(&format!("\x1b[{n}A"))
            } else {
                Ok(())
            }
        }
        fn move_cursor_down(&self, n: usize) -> io::Result<()> {
            if n > 0 {
                put(&format!("\x1b[{n}B"))
            } else {
                Ok(())
            }
        }
        fn move_cursor_right(&self, n: usize) -> io::Result<()> {
            if n > 0 {
                put(&format!("\x1b[{n}C"))
            } else {
                Ok(())
            }
        }
        fn move_cursor_left(&self, n: usize) -> io::Result<()> {
            if n > 0 {
                put(&format!("\x1b[{n}D"))
            } else {
                Ok(())
            }
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            put(s)?;
            put("\n")
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            put(s)
        }
        fn clear_line(&self) -> io::Result<()> {
            put("\r\x1b[2K")
        }
        fn flush(&self) -> io::Result<()> {
            io::stderr().flush()
        }
    }
}
