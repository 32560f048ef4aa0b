//! Lists the cases of the suite's files: every `behaviour_test! { fn NAME() ... }`, with the
//! `#[cfg(..)]` attributes written inside the block, becomes an entry of `cases()` in
//! `$OUT_DIR/cases.rs`. The files themselves are compiled in unchanged (src/lib.rs), with the
//! cfg `anyfetch_p3_suite`, under which `behaviour_test!` writes `pub async fn NAME()`.

use std::fmt::Write as _;

const FILES: [(&str, &str); 2] = [("behaviour", "../behaviour.rs"), ("wasi", "../wasi.rs")];

fn main() {
    println!("cargo::rustc-cfg=anyfetch_p3_suite");
    println!("cargo::rerun-if-changed=../common/mod.rs");
    let mut out = String::from(
        "/// Every case of the suite: its name and its test.\n\
         pub fn cases() -> Vec<crate::Entry> {\n    \
         let mut cases: Vec<crate::Entry> = Vec::new();\n",
    );
    let mut count = 0;
    for (module, path) in FILES {
        println!("cargo::rerun-if-changed={path}");
        let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut rest = src.as_str();
        while let Some(at) = rest.find("behaviour_test! {") {
            rest = &rest[at + "behaviour_test! {".len()..];
            let mut cfgs = Vec::new();
            let mut name = None;
            for line in rest.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if line.starts_with("#[cfg") {
                    cfgs.push(line.to_owned());
                } else if line.starts_with("#[") || line.starts_with("///") {
                    continue;
                } else if let Some(f) = line.strip_prefix("fn ") {
                    name = f.split('(').next().map(str::to_owned);
                    break;
                } else {
                    panic!("{path}: a behaviour_test! block that does not start with fn: {line}");
                }
            }
            let name = name.unwrap_or_else(|| panic!("{path}: a behaviour_test! without fn"));
            for cfg in &cfgs {
                writeln!(out, "    {cfg}").unwrap();
            }
            writeln!(
                out,
                "    cases.push((\"{module}::{name}\", || Box::pin(crate::{module}::{name}())));"
            )
            .unwrap();
            count += 1;
        }
    }
    assert!(count > 0, "no behaviour_test! found");
    out.push_str("    cases\n}\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("cases.rs");
    std::fs::write(dest, out).unwrap();
}
