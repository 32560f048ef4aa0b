// The package in headless Chromium, unbundled, as installed from its packed tarball: the
// scratch app (js/test/installed/, see scripts/install-packed.mjs) is served from a static
// server on 127.0.0.1 (another origin than the test server, so CORS applies as on a real
// site); its unbundled.html maps "anyfetch" to node_modules by an import map, runs every check
// in checks.js, then one in a module web worker (webworker.js).
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { testServer } from "./server.mjs";
import { installedApp, serveStatic } from "./site.mjs";

let server, site, browser, page, results;
const pageErrors = [];

before(async () => {
  server = await testServer();
  site = await serveStatic(installedApp());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`http://127.0.0.1:${site.address().port}/unbundled.html`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
  results = await page.evaluate((base) => window.__run(base), server.url);
});

after(async () => {
  await browser?.close();
  site?.close();
  server?.stop();
});

test("every check ran in the page", async () => {
  const names = await page.evaluate(() => window.__checks);
  if (results.length !== names.length || names.length < 10) throw new Error(`ran ${results.length} of ${names.length}`);
});

test("the page imports the package installed from the tarball, by its name", async () => {
  const entry = await page.evaluate(() => window.__entry);
  if (!entry.endsWith("/node_modules/anyfetch/src/browser.js")) throw new Error(`"anyfetch" resolved to ${entry}`);
});

const { checks } = await import("./checks.js");
for (const name of Object.keys(checks)) {
  test(`browser: ${name}`, () => {
    const r = results.find((x) => x.name === name);
    if (!r) throw new Error("not run");
    if (!r.ok) throw new Error(r.error);
  });
}

test("browser: a module web worker imports the package and GETs with params", async () => {
  const r = await page.evaluate((base) => window.__worker(base), server.url);
  if (!r.ok) throw new Error(r.error);
  if (r.status !== 200 || r.args?.from !== "worker") throw new Error(JSON.stringify(r));
});

test("browser: no uncaught errors in the page", () => {
  if (pageErrors.length) throw new Error(pageErrors.join("\n"));
});
