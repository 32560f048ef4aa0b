// npm run build: compiles the crate's `js` feature to wasm and generates js/pkg with
// wasm-bindgen (the CLI at exactly the version in the lock files, as wasm-bindgen requires).
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
import { readFileSync, rmSync, statSync } from "node:fs";
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
if (lockedIn("js/crate/Cargo.lock") !== locked) {
  throw new Error(
    `js/crate/Cargo.lock has wasm-bindgen ${lockedIn("js/crate/Cargo.lock")}, Cargo.lock ${locked}: ` +
      `cargo update --manifest-path js/crate/Cargo.toml -p wasm-bindgen --precise ${locked}`,
  );
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
// The root target directory, shared with the other builds (the lock files differ, so do the hashes).
run("cargo", [
  "build", "--target-dir", targetDir, "--manifest-path", join(root, "js", "crate", "Cargo.toml"),
  "--target", "wasm32-unknown-unknown", "--profile", "release-small",
]);
const wasm = join(targetDir, "wasm32-unknown-unknown", "release-small", "anyfetch_npm.wasm");
rmSync(join(root, "js", "pkg"), { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--remove-name-section", "--remove-producers-section", "--out-dir", join(root, "js", "pkg"), "--out-name", "anyfetch", wasm]);

console.log(`js/pkg/anyfetch_bg.wasm: ${statSync(join(root, "js", "pkg", "anyfetch_bg.wasm")).size} bytes`);
