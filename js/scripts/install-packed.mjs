// Installs the package as users do, into a scratch app (js/test/installed/, ignored by git):
// `npm pack` of js/ (js/pkg must be built), then, in a fresh directory holding the app's
// sources (js/test/app/ and the checks), `npm install ./anyfetch-<version>.tgz`. The runtime,
// browser and bundler tests (test/installed.test.mjs, workerd.test.mjs, browser.test.mjs,
// firefox.test.mjs, bundlers.test.mjs) run from there, and the command-line client as
// `npx anyfetch` (node_modules/.bin/anyfetch, checked here).
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const js = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const app = join(js, "test", "installed");
const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund"], { cwd, encoding: "utf8" });

for (const f of ["pkg/anyfetch.js", "pkg/anyfetch_bg.wasm", "pkg/cli/anyfetch_cli.js", "pkg/cli/anyfetch_cli_bg.wasm"]) {
  if (!existsSync(join(js, f))) throw new Error(`js/${f} is missing: npm run build first`);
}
rmSync(app, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", app], js));
const files = packed.files.map((f) => f.path).sort();
console.log(`packed ${packed.filename}: ${packed.size} bytes, ${files.length} files: ${files.join(" ")}`);

// Every file an export or the glue names must be in the tarball.
const manifest = JSON.parse(readFileSync(join(js, "package.json"), "utf8"));
const entries = Object.values(manifest.exports["."]).map((p) => p.replace(/^\.\//, ""));
if (!manifest.bin?.anyfetch) throw new Error('js/package.json has no "bin": { "anyfetch": ... }: `npx anyfetch` would not work');
const bins = Object.values(manifest.bin);
for (const f of [...new Set(entries), ...bins, "pkg/anyfetch.js", "pkg/anyfetch_bg.wasm", "pkg/cli/anyfetch_cli.js", "pkg/cli/anyfetch_cli_bg.wasm", "src/api.js", "src/errors.js"]) {
  if (!files.includes(f)) throw new Error(`${f} is not in the tarball: see "files" in js/package.json`);
}

cpSync(join(js, "test", "app"), app, { recursive: true });
copyFileSync(join(js, "test", "checks.js"), join(app, "checks.js"));
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "anyfetch-app", private: true, type: "module" }, null, 2) + "\n");
npm(["install", `./${packed.filename}`], app);
const installed = JSON.parse(readFileSync(join(app, "node_modules", "anyfetch", "package.json"), "utf8"));
console.log(`installed anyfetch ${installed.version} from ./${packed.filename} into ${app}`);
// npm links the package's `bin` into node_modules/.bin: `npx anyfetch` runs it.
for (const name of Object.keys(manifest.bin)) {
  if (!existsSync(join(app, "node_modules", ".bin", name))) {
    throw new Error(`node_modules/.bin/${name} is missing after the install: see "bin" in js/package.json`);
  }
}
console.log(`linked ${Object.keys(manifest.bin).map((n) => `node_modules/.bin/${n}`).join(" ")}`);
