// npm run build: compiles the crate's `js` feature to wasm and generates js/pkg with
// wasm-bindgen (the CLI at exactly the version in Cargo.lock, as wasm-bindgen requires).
//
//   cargo rustc --lib --crate-type cdylib --target wasm32-unknown-unknown \
//     --profile release-small --no-default-features --features js \
//     --config 'profile.release-small.strip=false'
//   wasm-bindgen --target web --remove-name-section --remove-producers-section \
//     --out-dir js/pkg --out-name anyfetch <that .wasm>
//
// `strip` stays off for the cargo step because it would also drop the `target_features`
// section wasm-bindgen reads (to use externref); wasm-bindgen drops the names instead.
// `--crate-type cdylib` here rather than in Cargo.toml keeps native and WASI builds rlib-only.
// Default features are left out: fetch decodes gzip/br itself and text outside UTF-8/Latin-1
// is rare, so the decoders and charset tables would only add size. `js` brings the cookie jar
// (Node's fetch keeps no cookies) and multipart.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const locked = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
if (!locked) throw new Error("wasm-bindgen is not in Cargo.lock");
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

run("cargo", [
  "rustc", "--lib", "--crate-type", "cdylib",
  "--target", "wasm32-unknown-unknown", "--profile", "release-small",
  "--no-default-features", "--features", "js",
  "--config", "profile.release-small.strip=false",
]);
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target");
const wasm = join(targetDir, "wasm32-unknown-unknown", "release-small", "anyfetch.wasm");
rmSync(join(root, "js", "pkg"), { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--remove-name-section", "--remove-producers-section", "--out-dir", join(root, "js", "pkg"), "--out-name", "anyfetch", wasm]);

console.log(`js/pkg/anyfetch_bg.wasm: ${statSync(join(root, "js", "pkg", "anyfetch_bg.wasm")).size} bytes`);
