//! Whether stdout and stderr are terminals: the defaults of `--print` and `--pretty`, and
//! whether a progress bar can be drawn.

/// Whether stdout is a terminal.
#[cfg(not(target_os = "wasi"))]
pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// Whether stderr is a terminal.
#[cfg(not(target_os = "wasi"))]
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
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

/// Why there is no progress bar, for the one line stderr gets instead.
pub const NO_TERMINAL: &str = if cfg!(target_os = "wasi") {
    "stderr is not a terminal (the WASI host gives this component none)"
} else {
    "stderr is not a terminal"
};
