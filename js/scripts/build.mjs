// npm run build: compiles the crate's `js` feature to wasm and generates js/pkg with
// wasm-bindgen (the CLI at exactly the version in the lock files, as wasm-bindgen requires);
// then the command-line client (cli/, linked by js/cli) into js/pkg/cli, which only the
// package's bin loads.
//
//   cargo build --manifest-path js/crate/Cargo.toml --target wasm32-unknown-unknown \
//     --profile release-small
//   wasm-bindgen --target web --remove-name-section --remove-producers-section \
//     --out-dir js/pkg --out-name anyfetch <that .wasm>
//
// js/crate is a cdylib package of its own (own lock file) that links anyfetch with `js`: its
// lock file pins url's ASCII-only IDNA backend, since browsers and Node map international hosts
// with their own URL parser (see js/crate/Cargo.toml). Its `release-small` keeps `strip` off
// because stripping would also drop the `target_features` section wasm-bindgen reads (to use
// externref); wasm-bindgen drops the names instead.
// Default features are left out: fetch decodes gzip/br itself and text outside UTF-8/Latin-1
// is rare, so the decoders and charset tables would only add size. `js` brings the cookie jar
// (Node's fetch keeps no cookies) and multipart.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

const lockedIn = (file) => {
  const lock = readFileSync(join(root, file), "utf8");
  const v = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (!v) throw new Error(`wasm-bindgen is not in ${file}`);
  return v;
};
const locked = lockedIn("Cargo.lock");
for (const crate of ["js/crate", "js/cli"]) {
  if (lockedIn(`${crate}/Cargo.lock`) !== locked) {
    throw new Error(
      `${crate}/Cargo.lock has wasm-bindgen ${lockedIn(`${crate}/Cargo.lock`)}, Cargo.lock ${locked}: ` +
        `cargo update --manifest-path ${crate}/Cargo.toml -p wasm-bindgen --precise ${locked}`,
    );
  }
}
let cli = "";
try {
  cli = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];
} catch {
  // not installed
}
if (cli !== locked) {
  throw new Error(
    `wasm-bindgen CLI ${cli || "(none)"} does not match Cargo.lock's ${locked}: ` +
      `cargo install wasm-bindgen-cli --version ${locked}`,
  );
}

const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target");
// Size: the standard library is rebuilt for this module (`-Zbuild-std`) with the
// `immediate-abort` panic strategy, so that no panic message or location formatting is linked
// in (anyfetch does not panic on any input: a panic here would be a bug, and traps). These are
// unstable flags of the pinned stable toolchain, enabled with RUSTC_BOOTSTRAP=1 for this build
// only (it needs the `rust-src` component): the same compiler every time, so the same bytes.
// Its own target directory, since the std it builds differs from the other builds'.
const env = { ...process.env, RUSTC_BOOTSTRAP: "1", RUSTFLAGS: "-Zunstable-options -Cpanic=immediate-abort" };
delete env.CARGO_ENCODED_RUSTFLAGS;
const sysroot = execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim();
if (!existsSync(join(sysroot, "lib", "rustlib", "src", "rust", "library"))) run("rustup", ["component", "add", "rust-src"]);
const npmTarget = join(targetDir, "npm");
execFileSync("cargo", [
  "build", "--target-dir", npmTarget, "--manifest-path", join(root, "js", "crate", "Cargo.toml"),
  "--target", "wasm32-unknown-unknown", "--profile", "release-small", "-Zbuild-std=std,panic_abort",
], { cwd: root, stdio: "inherit", env });
const wasm = join(npmTarget, "wasm32-unknown-unknown", "release-small", "anyfetch_npm.wasm");
const pkg = join(root, "js", "pkg");
rmSync(pkg, { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--remove-name-section", "--remove-producers-section", "--out-dir", pkg, "--out-name", "anyfetch", wasm]);

// Then binaryen's wasm-opt -Oz (the npm `binaryen` package, pinned in package-lock.json).
const out = join(pkg, "anyfetch_bg.wasm");
const before = statSync(out).size;
const wasmOpt = join(root, "js", "node_modules", ".bin", "wasm-opt");
const optimize = (file) =>
  run(wasmOpt, [
    "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", file, "-o", file,
  ]);
optimize(out);
console.log(`js/pkg/anyfetch_bg.wasm: ${statSync(out).size} bytes (${before} before wasm-opt)`);

// The command-line client: the same Rust program as the native binary and the WASI command,
// built as the library is but with the standard library as it comes (a command may panic-trap
// with a message; its size matters less: only `npx anyfetch` loads it).
const cliTarget = join(targetDir, "npm-cli");
execFileSync("cargo", [
  "build", "--locked", "--target-dir", cliTarget, "--manifest-path", join(root, "js", "cli", "Cargo.toml"),
  "--target", "wasm32-unknown-unknown", "--profile", "release-small",
], { cwd: root, stdio: "inherit" });
const cliPkg = join(pkg, "cli");
run("wasm-bindgen", [
  "--target", "web", "--remove-name-section", "--remove-producers-section", "--out-dir", cliPkg,
  "--out-name", "anyfetch_cli", join(cliTarget, "wasm32-unknown-unknown", "release-small", "anyfetch_npm_cli.wasm"),
]);
const cliOut = join(cliPkg, "anyfetch_cli_bg.wasm");
const cliBefore = statSync(cliOut).size;
optimize(cliOut);
console.log(`js/pkg/cli/anyfetch_cli_bg.wasm: ${statSync(cliOut).size} bytes (${cliBefore} before wasm-opt)`);
