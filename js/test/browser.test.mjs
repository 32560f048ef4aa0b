// The package in headless Chromium: js/ is served from a static server on 127.0.0.1 (another
// origin than the test server, so CORS applies as on a real site); page.html imports the
// browser entry and runs every check in checks.js, then one in a module web worker.
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { testServer } from "./server.mjs";
import { serveStatic } from "./site.mjs";

let server, site, browser, page, results;
const pageErrors = [];

before(async () => {
  server = await testServer();
  site = await serveStatic();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`http://127.0.0.1:${site.address().port}/test/page.html`);
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
