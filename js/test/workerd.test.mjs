// The package in Cloudflare's workerd (the Workers runtime, npm `workerd`): the scratch app's
// worker.mjs (test/app/), which imports "anyfetch" installed from the packed tarball
// (scripts/install-packed.mjs), is bundled as wrangler bundles a Worker (esbuild, export
// conditions workerd, worker, browser; a `.wasm` import kept as a module of its own, a compiled
// WebAssembly.Module at run time), then served by workerd with a config of its own and asked
// to run every check in checks.js against the local test server. Each check is a test here.
import { after, before, test } from "node:test";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { checks } from "./checks.js";
import { testServer } from "./server.mjs";

const app = fileURLToPath(new URL("./installed/", import.meta.url));
const out = join(app, "dist-workerd");
const workerd = fileURLToPath(new URL("../node_modules/.bin/workerd", import.meta.url));
// Before 2024-11-11 (the `cache_option_enabled` flag), workerd throws on any `cache` in a
// fetch's init: an old date here proves the package sets none outside browsers.
const compatibilityDate = "2024-09-23";

/** Bundles the worker as wrangler does: its conditions, and `.wasm` imports left as modules. */
async function bundleWorker() {
  if (!existsSync(join(app, "node_modules", "anyfetch"))) {
    throw new Error("js/test/installed is missing: node scripts/install-packed.mjs");
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const wasmModules = [];
  await build({
    entryPoints: [join(app, "worker.mjs")],
    outfile: join(out, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    logLevel: "warning",
    plugins: [{
      name: "wasm-modules",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const path = join(args.resolveDir, args.path);
          wasmModules.push(path);
          copyFileSync(path, join(out, basename(path)));
          return { path: `./${basename(path)}`, external: true };
        });
      },
    }],
  });
  return wasmModules.map((p) => basename(p));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

let server, child, port, answer;
const log = [];

before(async () => {
  server = await testServer();
  const wasm = await bundleWorker();
  if (wasm.length !== 1) throw new Error(`expected one .wasm import (the workerd entry), got ${JSON.stringify(wasm)}`);
  // The default `internet` service excludes private addresses: this one reaches the test
  // server on 127.0.0.1.
  writeFileSync(join(out, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    ${wasm.map((w) => `(name = "${w}", wasm = embed "${w}"),`).join("\n    ")}
  ],
  compatibilityDate = "${compatibilityDate}",
);
`);
  port = await freePort();
  child = spawn(workerd, ["serve", join(out, "config.capnp"), "--socket-addr", `http=127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const exited = new Promise((_, reject) => child.on("exit", (code) => reject(new Error(`workerd exited (${code}):\n${log.join("")}`))));
  const url = `http://127.0.0.1:${port}/?base=${encodeURIComponent(server.url)}`;
  answer = await Promise.race([exited, (async () => {
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(url);
        const text = await r.text();
        if (r.status !== 200) throw new Error(`the worker answered ${r.status}: ${text}\n${log.join("")}`);
        return JSON.parse(text);
      } catch (e) {
        if (i > 100 || e.cause?.code !== "ECONNREFUSED") throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })()]);
});

after(() => {
  child?.kill();
  server?.stop();
});

test("workerd: the worker ran every check", () => {
  if (answer.userAgent !== "Cloudflare-Workers") throw new Error(`navigator.userAgent: ${answer.userAgent}`);
  const names = answer.results.map((r) => r.name);
  const want = Object.keys(checks);
  if (names.join("\n") !== want.join("\n")) throw new Error(`ran ${JSON.stringify(names)}, expected ${JSON.stringify(want)}`);
});

for (const name of Object.keys(checks)) {
  test(`workerd: ${name}`, () => {
    const r = answer.results.find((x) => x.name === name);
    if (!r) throw new Error("not run");
    if (!r.ok) throw new Error(r.error);
  });
}
