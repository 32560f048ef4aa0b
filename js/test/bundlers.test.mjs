// The package bundled into a page, as an app does it, by Vite, esbuild and webpack 5 (from npm,
// pinned in js/package-lock.json): the scratch app (js/test/installed/, the package installed
// from its packed tarball by scripts/install-packed.mjs) has index.html and page.js, which
// imports "anyfetch" by name. Each bundle, with its .wasm, is served from 127.0.0.1 (another
// origin than the test server, as in browser.test.mjs) and loaded in headless Chromium, which
// runs every check in checks.js. Each check is a test per bundler.
//
// Vite (build and dev server) and webpack follow `new URL("../pkg/anyfetch_bg.wasm",
// import.meta.url)` in the browser entry and emit or serve the .wasm themselves; the builds
// minify. esbuild leaves that expression as it is, so, as the README tells esbuild users, the
// .wasm is copied to `../pkg/anyfetch_bg.wasm` from the bundle.
import { after, before, test } from "node:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build as esbuild } from "esbuild";
import { build as vite, createServer as viteServer } from "vite";
import webpack from "webpack";
import { checks } from "./checks.js";
import { testServer } from "./server.mjs";
import { serveStatic } from "./site.mjs";

const app = fileURLToPath(new URL("./installed/", import.meta.url));

const bundlers = {
  async vite(out) {
    await vite({ root: app, logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    return "index.html";
  },
  // The dev server too: it serves the app's modules unbundled (node_modules pre-bundled).
  async "vite dev"() {
    const dev = await viteServer({ root: app, logLevel: "warn", server: { host: "127.0.0.1", port: 0, strictPort: false } });
    await dev.listen();
    return { url: dev.resolvedUrls.local[0], files: ["(served by the dev server)"], close: () => dev.close() };
  },
  async esbuild(out) {
    rmSync(out, { recursive: true, force: true });
    await esbuild({
      entryPoints: [join(app, "page.js")],
      outdir: join(out, "assets"),
      bundle: true,
      format: "esm",
      platform: "browser",
      minify: true,
      logLevel: "warning",
    });
    mkdirSync(join(out, "pkg"));
    copyFileSync(join(app, "node_modules/anyfetch/pkg/anyfetch_bg.wasm"), join(out, "pkg/anyfetch_bg.wasm"));
    writeFileSync(join(out, "index.html"), `<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="./assets/page.js"></script>\n`);
    return "index.html";
  },
  async webpack(out) {
    rmSync(out, { recursive: true, force: true });
    const stats = await new Promise((resolve, reject) =>
      webpack({
        mode: "production",
        context: app,
        entry: "./page.js",
        output: { path: out, filename: "main.js" },
        infrastructureLogging: { level: "warn" },
      }, (err, result) => (err ? reject(err) : resolve(result))));
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
    writeFileSync(join(out, "index.html"), `<!doctype html>\n<meta charset="utf-8">\n<script src="./main.js"></script>\n`);
    return "index.html";
  },
};

/** Every file under `dir`, relative. */
function files(dir, prefix = "") {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

let server, browser;
const runs = {};

before(async () => {
  if (!existsSync(join(app, "node_modules/anyfetch"))) throw new Error("js/test/installed is missing: node scripts/install-packed.mjs");
  server = await testServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  for (const [name, bundle] of Object.entries(bundlers)) {
    const out = join(app, `dist-${name.replace(" ", "-")}`);
    const run = (runs[name] = { pageErrors: [], wasmRequests: [] });
    let site;
    try {
      const served = await bundle(out);
      if (typeof served === "string") {
        run.files = files(out);
        const srv = await serveStatic(out);
        site = { url: `http://127.0.0.1:${srv.address().port}/${served}`, close: () => srv.close() };
      } else {
        run.files = served.files;
        site = served;
      }
      const page = await browser.newPage();
      page.on("pageerror", (e) => run.pageErrors.push(String(e)));
      page.on("response", (r) => r.url().endsWith(".wasm") && run.wasmRequests.push(`${r.status()} ${r.url()}`));
      await page.goto(site.url);
      await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
      run.results = await page.evaluate((base) => window.__run(base), server.url);
      await page.close();
    } catch (e) {
      run.error = `${e}\n${run.pageErrors.join("\n")}`;
    } finally {
      await site?.close();
    }
  }
});

after(async () => {
  await browser?.close();
  server?.stop();
});

for (const name of Object.keys(bundlers)) {
  test(`${name}: the bundle loads its .wasm and runs every check`, (t) => {
    const run = runs[name];
    if (run.error) throw new Error(run.error);
    t.diagnostic(`${name} output: ${run.files.join(" ")}`);
    t.diagnostic(`wasm fetched: ${run.wasmRequests.join(" ")}`);
    if (run.wasmRequests.length !== 1 || !run.wasmRequests[0].startsWith("200 ")) {
      throw new Error(`expected one .wasm fetched with 200, got ${JSON.stringify(run.wasmRequests)}`);
    }
    const ran = run.results.map((r) => r.name).join("\n");
    if (ran !== Object.keys(checks).join("\n")) throw new Error(`ran:\n${ran}`);
    if (run.pageErrors.length) throw new Error(run.pageErrors.join("\n"));
  });
  for (const check of Object.keys(checks)) {
    test(`${name}: ${check}`, () => {
      const r = runs[name].results?.find((x) => x.name === check);
      if (!r) throw new Error("not run");
      if (!r.ok) throw new Error(r.error);
    });
  }
}
