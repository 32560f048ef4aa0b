//! The command line (clap), and what it means once checked: [`Args::parse_from`] → [`Plan`].

use std::path::PathBuf;

use anyfetch::{Method, Url};
use clap::{ArgAction, Parser, ValueEnum};

use crate::format::Style;

/// An httpx-style HTTP client on anyfetch: native, as a WASI command, or through npx.
#[derive(Debug, Parser)]
#[command(name = "anyfetch", version, about, max_term_width = 100)]
#[command(override_usage = "anyfetch [OPTIONS] [METHOD] <URL>")]
// As curl and HTTPie: an option given again replaces the earlier value.
#[command(args_override_self = true)]
// Every option's value is the next argument, even one that starts with `-`, as in curl: `--timeout -1` is a bad timeout, `-H X-Skew -5` a header (`allow_hyphen_values`).
#[command(
    after_help = "Exit codes: 0 a response arrived; 1 the request failed; 2 a usage error; \
3, 4, 5 with --check-status: a 3xx, 4xx or 5xx status.\n\
Examples:\n  anyfetch :8000/json\n  anyfetch POST :8000/post --json '{\"name\": \"ada\"}'\n  \
anyfetch :8000/bytes/100000000 --download big.bin"
)]
pub struct Args {
    /// [METHOD] URL: `:PORT/path` means http://localhost:PORT/path; a URL without a scheme
    /// gets http://
    #[arg(value_name = "URL", num_args = 1..=2, required = true)]
    pub target: Vec<String>,

    /// The request method [default: GET, or POST with a body option]
    #[arg(short, long, value_name = "METHOD", allow_hyphen_values = true)]
    pub method: Option<String>,

    /// A query parameter (repeatable)
    #[arg(short, long = "params", num_args = 2, value_names = ["NAME", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true)]
    pub params: Vec<String>,

    /// A request header (repeatable)
    #[arg(short = 'H', long = "headers", num_args = 2, value_names = ["NAME", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true)]
    pub headers: Vec<String>,

    /// A cookie to send (repeatable)
    #[arg(long, num_args = 2, value_names = ["NAME", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true)]
    pub cookies: Vec<String>,

    /// A JSON body, sent as written
    #[arg(short, long, value_name = "TEXT", allow_hyphen_values = true)]
    pub json: Option<String>,

    /// An urlencoded form field (repeatable)
    #[arg(short = 'd', long = "form", visible_alias = "data", num_args = 2, value_names = ["NAME", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true)]
    pub form: Vec<String>,

    /// A file as a multipart part (repeatable)
    #[arg(short, long, num_args = 2, value_names = ["NAME", "PATH"], action = ArgAction::Append, allow_hyphen_values = true)]
    pub files: Vec<String>,

    /// A raw body; @PATH sends the file at PATH, @- standard input
    #[arg(short, long, value_name = "TEXT", allow_hyphen_values = true)]
    pub content: Option<String>,

    /// Basic auth (Digest with --digest)
    #[arg(long, num_args = 2, value_names = ["USER", "PASS"], allow_hyphen_values = true)]
    pub auth: Vec<String>,

    /// Answer a Digest challenge with --auth
    #[arg(long, requires = "auth")]
    pub digest: bool,

    /// Authorization: Bearer TOKEN
    #[arg(
        long,
        value_name = "TOKEN",
        conflicts_with = "auth",
        allow_hyphen_values = true
    )]
    pub bearer: Option<String>,

    /// Follow 3xx redirects
    #[arg(long)]
    pub follow_redirects: bool,

    /// The redirect limit with --follow-redirects
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = whole("--max-redirects"), allow_hyphen_values = true)]
    pub max_redirects: u32,

    /// Connect, read, write and pool timeout in seconds; 0 turns it off
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = seconds, allow_hyphen_values = true)]
    pub timeout: f64,

    /// Offer HTTP/2 (native; on WASI and Node the host chooses)
    #[arg(long)]
    pub http2: bool,

    /// Retry up to N times on connection errors and on 429, 502, 503, 504
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = whole("--retry"), allow_hyphen_values = true)]
    pub retry: u32,

    /// Write the body to FILE, with a progress bar on a terminal
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub download: Option<PathBuf>,

    /// Print the request head too (--print Hhb)
    #[arg(short, long)]
    pub verbose: bool,

    /// What to print: H request head, h response head, b response body [default: hb on a
    /// terminal, b when piped]
    #[arg(long, value_name = "WHAT", allow_hyphen_values = true)]
    pub print: Option<String>,

    /// Formatting and colours [default: all on a terminal, none when piped]
    #[arg(long, value_enum, value_name = "STYLE", allow_hyphen_values = true)]
    pub pretty: Option<Pretty>,

    /// Exit with 3, 4 or 5 for a 3xx, 4xx or 5xx status
    #[arg(long)]
    pub check_status: bool,

    /// Do not verify the server's TLS certificate (native only)
    #[arg(long)]
    pub no_verify: bool,

    /// Also trust the PEM certificates in FILE (native only)
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub cacert: Option<PathBuf>,

    /// Send through this proxy: http://, socks5:// (native only)
    #[arg(long, value_name = "URL", allow_hyphen_values = true)]
    pub proxy: Option<String>,
}

/// `--pretty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pretty {
    /// Format and colours.
    All,
    /// Format only.
    Format,
    /// Colours only.
    Colors,
    /// The bytes as they came.
    None,
}

/// What to print (`--print`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Print {
    /// `H`: the request head.
    pub request_head: bool,
    /// `h`: the response head.
    pub response_head: bool,
    /// `b`: the response body.
    pub body: bool,
}

/// The request body the options asked for (at most one kind).
#[derive(Debug)]
pub enum BodyArg {
    /// `--json`.
    Json(String),
    /// `--form` without `--files`.
    Form(Vec<(String, String)>),
    /// `--files`, with any `--form` fields.
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<(String, PathBuf)>,
    },
    /// `--content`.
    Content(Vec<u8>),
}

/// The checked command line.
#[derive(Debug)]
pub struct Plan {
    pub method: Method,
    pub url: Url,
    pub body: Option<BodyArg>,
    pub print: Print,
    pub style: Style,
}

fn pairs(flat: &[String]) -> Vec<(String, String)> {
    flat.chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect()
}

/// A `--cookies` pair that goes into the `Cookie` header as `NAME=VALUE` and means just that:
/// a `;` would start another cookie, an `=` in the name would move the split, and whitespace
/// around the name is trimmed by servers.
fn check_cookie(name: &str, value: &str) -> Result<(), String> {
    let bad_name = name.is_empty()
        || name.bytes().any(|b| {
            b == b'=' || b == b';' || b == b',' || b.is_ascii_whitespace() || b.is_ascii_control()
        });
    if bad_name {
        return Err(format!("invalid cookie name {name:?}"));
    }
    if value.bytes().any(|b| b == b';' || b.is_ascii_control()) {
        return Err(format!(
            "invalid value for cookie {name}: {value:?} (a `;` would start another cookie)"
        ));
    }
    Ok(())
}

impl Args {
    /// The query parameters.
    pub fn param_pairs(&self) -> Vec<(String, String)> {
        pairs(&self.params)
    }
    /// The headers.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        pairs(&self.headers)
    }
    /// The cookies.
    pub fn cookie_pairs(&self) -> Vec<(String, String)> {
        pairs(&self.cookies)
    }

    /// Checks what clap cannot: the URL, the method, one kind of body, `--print`. The terminal
    /// flag picks the defaults of `--print` and `--pretty`.
    pub fn plan(&self, stdout_is_terminal: bool) -> Result<Plan, String> {
        let (method, url) = match self.target.as_slice() {
            [url] => (self.method.clone(), url),
            [m, url] if self.method.is_none() => (Some(m.clone()), url),
            _ => return Err("give the method once: before the URL or with --method".into()),
        };
        let url = parse_url(url)?;

        let body = self.body()?;
        let method = match method {
            Some(m) => Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("invalid method {m:?}"))?,
            None if body.is_some() => Method::POST,
            None => Method::GET,
        };

        let print = match &self.print {
            Some(what) => {
                if what.is_empty() || !what.chars().all(|c| matches!(c, 'H' | 'h' | 'b')) {
                    return Err(format!(
                        "--print takes letters of H (request head), h (response head), b (body), not {what:?}"
                    ));
                }
                Print {
                    request_head: what.contains('H'),
                    response_head: what.contains('h'),
                    body: what.contains('b'),
                }
            }
            None => Print {
                request_head: self.verbose,
                response_head: self.verbose || stdout_is_terminal,
                body: true,
            },
        };
        let pretty = self.pretty.unwrap_or(if stdout_is_terminal && !no_color() {
            Pretty::All
        } else if stdout_is_terminal {
            Pretty::Format
        } else {
            Pretty::None
        });
        let style = Style {
            format: matches!(pretty, Pretty::All | Pretty::Format),
            colors: matches!(pretty, Pretty::All | Pretty::Colors),
        };
        for (name, value) in self.cookie_pairs() {
            check_cookie(&name, &value)?;
        }
        Ok(Plan {
            method,
            url,
            body,
            print,
            style,
        })
    }

    fn body(&self) -> Result<Option<BodyArg>, String> {
        let kinds = [
            self.json.is_some(),
            !self.form.is_empty() || !self.files.is_empty(),
            self.content.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() > 1 {
            return Err(
                "give one body: --json, --form, --files or --content (only --form and --files combine)"
                    .into(),
            );
        }
        if let Some(text) = &self.json {
            serde_json::from_str::<serde::de::IgnoredAny>(text)
                .map_err(|e| format!("--json is not JSON: {e}"))?;
            return Ok(Some(BodyArg::Json(text.clone())));
        }
        if !self.files.is_empty() {
            let files = pairs(&self.files)
                .into_iter()
                .map(|(n, p)| (n, PathBuf::from(p)))
                .collect();
            return Ok(Some(BodyArg::Multipart {
                fields: pairs(&self.form),
                files,
            }));
        }
        if !self.form.is_empty() {
            return Ok(Some(BodyArg::Form(pairs(&self.form))));
        }
        if let Some(content) = &self.content {
            let bytes = match content.strip_prefix('@') {
                // `@-`: standard input, as curl reads it.
                Some("-") => crate::host::read_stdin()
                    .map_err(|e| format!("cannot read --content from stdin: {e}"))?,
                Some(path) => crate::host::read_file(std::path::Path::new(path))
                    .map_err(|e| format!("cannot read --content file {path}: {e}"))?,
                None => content.clone().into_bytes(),
            };
            return Ok(Some(BodyArg::Content(bytes)));
        }
        Ok(None)
    }
}

/// The usage line that comes before the message of a mistake in the command line's shape.
pub const USAGE_LINE: &str = "usage: anyfetch [OPTIONS] [METHOD] URL";

/// A whole number option (`--retry`, `--max-redirects`), with the message of cli/README.md.
fn whole(name: &'static str) -> impl Fn(&str) -> Result<u32, String> + Clone + Send + Sync {
    move |text| {
        text.parse()
            .map_err(|_| format!("{name} needs a whole number, not {text:?}"))
    }
}

/// `--timeout`: seconds, 0 or more, and under 2^64 (what a `Duration` holds).
fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => {
            if std::time::Duration::try_from_secs_f64(n).is_err() {
                return Err(format!(
                    "--timeout needs a number of seconds under 2^64, not {text:?}"
                ));
            }
            Ok(n)
        }
        _ => Err(format!("--timeout needs a number of seconds, not {text:?}")),
    }
}

/// clap's error as the one line cli/README.md gives for the mistake (`cli/README.md`
/// lists them): whether [`USAGE_LINE`] comes first, and the message.
pub fn clap_message(e: &clap::Error) -> (bool, String) {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(" "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    // clap names an option with its value names ("--auth <USER> <PASS>"): the option alone.
    let arg = context(ContextKind::InvalidArg);
    let name = arg.split([' ', '=']).next().unwrap_or_default().to_owned();
    let value = context(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') && arg != "-" => {
            (true, format!("unknown option {name}"))
        }
        ErrorKind::UnknownArgument => (true, format!("unexpected argument {arg}")),
        ErrorKind::MissingRequiredArgument if arg.starts_with("<URL>") => {
            (true, "missing URL".into())
        }
        ErrorKind::MissingRequiredArgument if name == "--auth" => {
            (false, "--digest needs --auth USER PASS".into())
        }
        ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            let n = context(ContextKind::ExpectedNumValues);
            (true, format!("{name} needs {n} values"))
        }
        ErrorKind::InvalidValue if value.is_empty() => (true, format!("{name} needs a value")),
        ErrorKind::InvalidValue if name == "--pretty" => (
            false,
            format!("--pretty takes all, format, colors or none, not {value:?}"),
        ),
        ErrorKind::TooManyValues if arg.starts_with("<URL>") => {
            (true, format!("unexpected argument {value}"))
        }
        ErrorKind::TooManyValues if arg.starts_with('-') => {
            (true, format!("{name} does not take {name}=VALUE"))
        }
        ErrorKind::ArgumentConflict if name == "--bearer" || name == "--auth" => {
            (false, "give --auth or --bearer, not both".into())
        }
        // Our own value parsers' messages (`whole`, `seconds`) name the option already.
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(source) => (false, source.to_string()),
            None => (false, first_line(e)),
        },
        _ => (false, first_line(e)),
    }
}

/// clap's own message, its first line without `error: `.
fn first_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

pub(crate) use crate::host::no_color;

/// A URL, with HTTPie's localhost shorthand (`:8000/x`, `:/x`) and `http://` when no scheme.
pub fn parse_url(s: &str) -> Result<Url, String> {
    let full = if let Some(rest) = s.strip_prefix(':') {
        let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !port.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "invalid URL {s:?}: the port after ':' must be a number"
            ));
        }
        let port = if port.is_empty() {
            String::new()
        } else {
            format!(":{port}")
        };
        format!("http://localhost{port}{path}")
    } else if s.contains("://") {
        s.to_owned()
    } else {
        format!("http://{s}")
    };
    let url = Url::parse(&full).map_err(|e| format!("invalid URL {s:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid URL {s:?}: the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(args: &[&str]) -> Result<Plan, String> {
        let args = Args::try_parse_from(std::iter::once("anyfetch").chain(args.iter().copied()))
            .map_err(|e| clap_message(&e).1)?;
        args.plan(false)
    }

    #[test]
    fn urls() {
        let u = |s| parse_url(s).map(|u| u.to_string());
        assert_eq!(u(":8000/json").unwrap(), "http://localhost:8000/json");
        assert_eq!(u(":8000").unwrap(), "http://localhost:8000/");
        assert_eq!(u(":/x?y=1").unwrap(), "http://localhost/x?y=1");
        assert_eq!(u("example.com/a").unwrap(), "http://example.com/a");
        assert_eq!(u("https://h:1/").unwrap(), "https://h:1/");
        assert!(u(":80a/x").unwrap_err().contains("port"));
        assert!(u("ftp://h/").unwrap_err().contains("scheme"));
        assert!(u("http://[::1/").is_err());
    }

    #[test]
    fn method_and_body() {
        let p = plan(&[":1/x"]).unwrap();
        assert_eq!(p.method, Method::GET);
        assert!(p.body.is_none());
        let p = plan(&[":1/x", "-j", "[1]"]).unwrap();
        assert_eq!(p.method, Method::POST);
        assert!(matches!(p.body, Some(BodyArg::Json(ref t)) if t == "[1]"));
        let p = plan(&["put", ":1/x", "-d", "a", "1", "-d", "b", "2"]).unwrap();
        assert_eq!(p.method, Method::PUT);
        assert!(matches!(p.body, Some(BodyArg::Form(ref f)) if f.len() == 2));
        let p = plan(&[":1/x", "-d", "a", "1", "-f", "up", "Cargo.toml"]).unwrap();
        assert!(
            matches!(p.body, Some(BodyArg::Multipart { ref fields, ref files }) if fields.len() == 1 && files.len() == 1)
        );
        assert!(plan(&["GET", ":1/x", "-m", "POST"])
            .unwrap_err()
            .contains("give the method once"));
        assert!(plan(&[":1/x", "-j", "{nope"])
            .unwrap_err()
            .contains("not JSON"));
        assert!(plan(&[":1/x", "-j", "1", "-c", "x"])
            .unwrap_err()
            .contains("one body"));
        assert!(plan(&[":1/x", "-c", "@/no/such/file"])
            .unwrap_err()
            .contains("/no/such/file"));
        assert!(plan(&["BAD METHOD", ":1/x"])
            .unwrap_err()
            .contains("invalid method"));
        for t in ["-1", "NaN", "inf", "", "1s", "0x10"] {
            let e = plan(&[":1/x", "--timeout", t]).unwrap_err();
            assert_eq!(e, format!("--timeout needs a number of seconds, not {t:?}"));
        }
        for t in ["1e300", "18446744073709551616"] {
            let e = plan(&[":1/x", "--timeout", t]).unwrap_err();
            assert!(e.contains("under 2^64"), "{t}: {e}");
        }
        for n in ["1.5", "-1", "4294967296", "x"] {
            let e = plan(&[":1/x", "--retry", n]).unwrap_err();
            assert_eq!(e, format!("--retry needs a whole number, not {n:?}"));
        }
        // The last of a repeated option wins.
        assert_eq!(
            Args::try_parse_from(["anyfetch", ":1/x", "--retry", "1", "--retry", "2"])
                .unwrap()
                .retry,
            2
        );
        assert!(plan(&[":1/x", "--timeout", "1e15"]).is_ok());
        for (name, value) in [
            ("a", "b;c=d"),
            ("a=b", "c"),
            ("", "v"),
            ("a b", "c"),
            ("a", "b\tc"),
        ] {
            let e = plan(&[":1/x", "--cookies", name, value]).unwrap_err();
            assert!(e.starts_with("invalid "), "{name:?} {value:?}: {e}");
        }
        assert!(plan(&[":1/x", "--cookies", "a", "b c,d=\"e\""]).is_ok());
    }

    #[test]
    fn print_and_pretty_defaults() {
        let args = Args::try_parse_from(["anyfetch", ":1/x"]).unwrap();
        let piped = args.plan(false).unwrap();
        assert_eq!(
            (
                piped.print.response_head,
                piped.print.body,
                piped.style.format,
                piped.style.colors
            ),
            (false, true, false, false)
        );
        let args = Args::try_parse_from(["anyfetch", ":1/x", "-v"]).unwrap();
        let p = args.plan(false).unwrap();
        assert!(p.print.request_head && p.print.response_head && p.print.body);
        let p = plan(&[":1/x", "--print", "h", "--pretty", "colors"]).unwrap();
        assert!(!p.print.body && p.print.response_head && p.style.colors && !p.style.format);
        assert!(plan(&[":1/x", "--print", "hx"])
            .unwrap_err()
            .contains("--print"));
    }
}
