// The package in headless Firefox, as browser.test.mjs runs it in Chromium: the scratch app
// with the package installed from its packed tarball is served from a static server on
// 127.0.0.1 (another origin than the test server, so CORS applies); its unbundled.html imports
// "anyfetch" through an import map and runs every check in checks.js, then one in a module web
// worker. Firefox is driven through geckodriver's WebDriver API (geckodriver.mjs), the
// same geckodriver and Debian firefox-esr that run the Rust suite (scripts/test.sh installs
// both); no npm dependency.
import { after, before, test } from "node:test";
import { launchFirefox } from "./geckodriver.mjs";
import { testServer } from "./server.mjs";
import { installedApp, serveStatic } from "./site.mjs";

let server, site, firefox, results;

before(async () => {
  server = await testServer();
  site = await serveStatic(installedApp());
  firefox = await launchFirefox();
  console.log(`${firefox.browser} (geckodriver)`);
  await firefox.setScriptTimeout(120_000);
  await firefox.goto(`http://127.0.0.1:${site.address().port}/unbundled.html`);
  await firefox.waitFor(() => window.__ready === true, 30_000);
  results = await firefox.evaluate((base) => window.__run(base), server.url);
});

after(async () => {
  await firefox?.close();
  site?.close();
  server?.stop();
});

test("every check ran in the Firefox page", async () => {
  const names = await firefox.evaluate(() => window.__checks);
  if (results.length !== names.length || names.length < 10) throw new Error(`ran ${results.length} of ${names.length}`);
});

test("the page imports the package installed from the tarball, by its name", async () => {
  const entry = await firefox.evaluate(() => window.__entry);
  if (!entry.endsWith("/node_modules/anyfetch/src/browser.js")) throw new Error(`"anyfetch" resolved to ${entry}`);
});

const { checks } = await import("./checks.js");
for (const name of Object.keys(checks)) {
  test(`firefox: ${name}`, () => {
    const r = results.find((x) => x.name === name);
    if (!r) throw new Error("not run");
    if (!r.ok) throw new Error(r.error);
  });
}

test("firefox: a module web worker imports the package and GETs with params", async () => {
  const r = await firefox.evaluate((base) => window.__worker(base), server.url);
  if (!r.ok) throw new Error(r.error);
  if (r.status !== 200 || r.args?.from !== "worker") throw new Error(JSON.stringify(r));
});

test("firefox: no uncaught errors in the page", async () => {
  const errors = await firefox.evaluate(() => window.__errors);
  if (errors.length) throw new Error(errors.join("\n"));
});
