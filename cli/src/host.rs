//! The command's I/O, the one part that differs by host: stdout and stderr (and whether each is
//! a terminal), files, standard input and the environment. Natively and as a WASI command
//! through `std` (and `wasi:cli` for the terminals); in the npm package through the JavaScript
//! host object that `js/bin/anyfetch.mjs` hands to [`crate::web::run`] (`node:fs`, `process`).

pub use imp::{
    create_file, env, read_file, read_stdin, stderr_is_terminal, stderr_write, stdout_flush,
    stdout_is_terminal, stdout_write,
};

/// Writes one line to stderr (`eprintln!`, on every host). A failing stderr is ignored: there
/// is nowhere left to say so.
pub fn say(line: &str) {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    let _ = stderr_write(&bytes);
}

/// `NO_COLOR` set and not empty: no colours anywhere (<https://no-color.org>).
pub fn no_color() -> bool {
    env("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Why there is no progress bar, for the one line stderr gets instead.
pub const NO_TERMINAL: &str = if cfg!(target_os = "wasi") {
    "stderr is not a terminal (the WASI host gives this component none)"
} else {
    "stderr is not a terminal"
};

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod imp {
    use std::io::{self, Read, Write};
    use std::path::Path;

    /// A file the command writes (a download).
    pub type File = io::BufWriter<std::fs::File>;

    /// Creates (or truncates) the file at `path`.
    pub fn create_file(path: &Path) -> io::Result<File> {
        Ok(io::BufWriter::with_capacity(
            256 * 1024,
            std::fs::File::create(path)?,
        ))
    }

    /// Reads the file at `path` whole.
    pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    /// Reads standard input to its end.
    pub fn read_stdin() -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// An environment variable, if set and Unicode.
    pub fn env(name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    /// Writes `bytes` to stdout.
    pub fn stdout_write(bytes: &[u8]) -> io::Result<()> {
        io::stdout().lock().write_all(bytes)
    }

    /// Flushes stdout.
    pub fn stdout_flush() -> io::Result<()> {
        io::stdout().flush()
    }

    /// Writes `bytes` to stderr.
    pub fn stderr_write(bytes: &[u8]) -> io::Result<()> {
        let mut stderr = io::stderr().lock();
        stderr.write_all(bytes)?;
        stderr.flush()
    }

    /// Whether stdout is a terminal.
    #[cfg(not(target_os = "wasi"))]
    pub fn stdout_is_terminal() -> bool {
        use std::io::IsTerminal;
        io::stdout().is_terminal()
    }

    /// Whether stderr is a terminal.
    #[cfg(not(target_os = "wasi"))]
    pub fn stderr_is_terminal() -> bool {
        use std::io::IsTerminal;
        io::stderr().is_terminal()
    }

    /// Whether the host gave the component a terminal for stdout (`wasi:cli/terminal-stdout`).
    #[cfg(target_os = "wasi")]
    pub fn stdout_is_terminal() -> bool {
        wasi::cli::terminal_stdout::get_terminal_stdout().is_some()
    }

    /// Whether the host gave the component a terminal for stderr (`wasi:cli/terminal-stderr`).
    #[cfg(target_os = "wasi")]
    pub fn stderr_is_terminal() -> bool {
        wasi::cli::terminal_stderr::get_terminal_stderr().is_some()
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod imp {
    //! Every call goes to a method of the host object (`js/bin/anyfetch.mjs`), synchronously:
    //! `write(fd, bytes)`, `readFile(path)`, `readStdin()`, `open(path)` (a file descriptor),
    //! `close(fd)`, `env(name)`, `isTerminal(fd)`. What a method throws becomes an
    //! [`io::Error`] with its `code` (`EPIPE`, `ENOENT`...) and message.

    use std::cell::RefCell;
    use std::io;
    use std::path::Path;

    use js_sys::{Function, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};

    thread_local! {
        static HOST: RefCell<JsValue> = const { RefCell::new(JsValue::UNDEFINED) };
    }

    /// Makes `host` the object every call goes to.
    pub fn set(host: JsValue) {
        HOST.with(|h| *h.borrow_mut() = host);
    }

    fn call(method: &str, args: &[JsValue]) -> io::Result<JsValue> {
        HOST.with(|h| {
            let host = h.borrow();
            let f: Function = Reflect::get(&host, &JsValue::from_str(method))
                .ok()
                .and_then(|f| f.dyn_into().ok())
                .ok_or_else(|| io::Error::other(format!("the host has no {method}()")))?;
            f.apply(&host, &args.iter().collect())
                .map_err(|e| to_io_error(&e))
        })
    }

    /// A Node error (`{ code, message }`) as an `io::Error` of the matching kind.
    fn to_io_error(e: &JsValue) -> io::Error {
        let field = |k: &str| {
            Reflect::get(e, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_string())
        };
        let code = field("code").unwrap_or_default();
        let message = field("message").unwrap_or_else(|| "failed".to_owned());
        let kind = match code.as_str() {
            "EPIPE" => io::ErrorKind::BrokenPipe,
            "ENOENT" => io::ErrorKind::NotFound,
            "EACCES" | "EPERM" => io::ErrorKind::PermissionDenied,
            "EEXIST" => io::ErrorKind::AlreadyExists,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, message)
    }

    fn write(fd: f64, bytes: &[u8]) -> io::Result<()> {
        call(
            "write",
            &[JsValue::from_f64(fd), Uint8Array::from(bytes).into()],
        )
        .map(drop)
    }

    /// A file the command writes (a download): a file descriptor of the host.
    pub struct File {
        fd: f64,
    }

    impl io::Write for File {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            write(self.fd, buf)?;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Drop for File {
        fn drop(&mut self) {
            let _ = call("close", &[JsValue::from_f64(self.fd)]);
        }
    }

    /// Creates (or truncates) the file at `path`.
    pub fn create_file(path: &Path) -> io::Result<File> {
        let fd = call("open", &[JsValue::from_str(&path.to_string_lossy())])?;
        let fd = fd
            .as_f64()
            .ok_or_else(|| io::Error::other("open() gave no file descriptor"))?;
        Ok(File { fd })
    }

    fn bytes(v: JsValue) -> io::Result<Vec<u8>> {
        v.dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .map_err(|_| io::Error::other("the host gave no bytes"))
    }

    /// Reads the file at `path` whole.
    pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
        bytes(call(
            "readFile",
            &[JsValue::from_str(&path.to_string_lossy())],
        )?)
    }

    /// Reads standard input to its end.
    pub fn read_stdin() -> io::Result<Vec<u8>> {
        bytes(call("readStdin", &[])?)
    }

    /// An environment variable, if set.
    pub fn env(name: &str) -> Option<String> {
        call("env", &[JsValue::from_str(name)]).ok()?.as_string()
    }

    /// Writes `bytes` to stdout.
    pub fn stdout_write(bytes: &[u8]) -> io::Result<()> {
        write(1.0, bytes)
    }

    /// Flushes stdout (each write is synchronous already).
    pub fn stdout_flush() -> io::Result<()> {
        Ok(())
    }

    /// Writes `bytes` to stderr.
    pub fn stderr_write(bytes: &[u8]) -> io::Result<()> {
        write(2.0, bytes)
    }

    fn is_terminal(fd: f64) -> bool {
        call("isTerminal", &[JsValue::from_f64(fd)])
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Whether stdout is a terminal.
    pub fn stdout_is_terminal() -> bool {
        is_terminal(1.0)
    }

    /// Whether stderr is a terminal.
    pub fn stderr_is_terminal() -> bool {
        is_terminal(2.0)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use imp::set;
