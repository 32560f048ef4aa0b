// Shared by every WASI peer program (included with `include!`): the command line.
//
// `PROGRAM URL [COUNT] [POINTER]`: GET `URL` COUNT times (default 1), one after the other,
// each time reading the body and parsing it as JSON; then print one line,
// `status=200 count=COUNT field=VALUE`, VALUE being the JSON at POINTER (RFC 6901, default
// `/slideshow/title`) in the last body, printed compactly. Any other status, a body that is
// not JSON or a missing field is an error (exit code 1): a broken client cannot look fast.

struct Args {
    url: String,
    count: u32,
    pointer: String,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let Some(url) = it.next() else {
        eprintln!("usage: PROGRAM URL [COUNT] [POINTER]");
        std::process::exit(2);
    };
    let count = it.next().map_or(1, |c| c.parse().expect("COUNT is a number"));
    let pointer = it.next().unwrap_or_else(|| "/slideshow/title".to_owned());
    Args {
        url,
        count,
        pointer,
    }
}

fn report(args: &Args, status: u16, doc: &serde_json::Value) -> std::process::ExitCode {
    match doc.pointer(&args.pointer) {
        Some(v) => {
            println!("status={status} count={} field={v}", args.count);
            std::process::ExitCode::SUCCESS
        }
        None => {
            eprintln!("no {} in the body", args.pointer);
            std::process::ExitCode::FAILURE
        }
    }
}
