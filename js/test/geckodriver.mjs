// A headless Firefox driven through geckodriver's W3C WebDriver HTTP API, with no npm
// dependency: geckodriver is the one scripts/test.sh installs (cargo install), Firefox is
// Debian's firefox-esr. Firefox's options are those of the Rust suite's run
// (webdriver-firefox.json at the repository root), plus -headless; GECKODRIVER and FIREFOX name
// other binaries.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const options = JSON.parse(readFileSync(new URL("../../webdriver-firefox.json", import.meta.url), "utf8"))[
  "moz:firefoxOptions"
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts geckodriver and one headless Firefox session; resolves to the session. */
export async function launchFirefox({
  geckodriver = process.env.GECKODRIVER ?? "geckodriver",
  binary = process.env.FIREFOX ?? options.binary,
} = {}) {
  const port = await freePort();
  const log = [];
  const driver = spawn(geckodriver, [`--port=${port}`, "--host=127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
  driver.stdout.on("data", (d) => log.push(String(d)));
  driver.stderr.on("data", (d) => log.push(String(d)));
  const exited = new Promise((resolve) => driver.on("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;

  async function call(method, path, body) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) {
      const v = json.value ?? {};
      throw new Error(`WebDriver ${method} ${path}: ${v.error}: ${v.message}`);
    }
    return json.value;
  }

  for (let i = 0; ; i++) {
    try {
      await call("GET", "/status");
      break;
    } catch (e) {
      if (i >= 100) throw new Error(`geckodriver did not answer on ${base}: ${e.message}\n${log.join("")}`);
      await sleep(100);
    }
  }
  let created;
  try {
    created = await call("POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          "moz:firefoxOptions": { ...options, binary, args: [...(options.args ?? []), "-headless"] },
        },
      },
    });
  } catch (e) {
    driver.kill();
    throw new Error(`${e.message}\n${log.join("")}`);
  }
  const id = created.sessionId;
  const s = (path) => `/session/${id}${path}`;
  return {
    /** The browser's name and version, as the session reports them. */
    browser: `${created.capabilities.browserName} ${created.capabilities.browserVersion}`,
    async goto(url) {
      await call("POST", s("/url"), { url });
    },
    /** Runs `fn(...args)` in the page (its source is sent); resolves to what it resolves to. */
    async evaluate(fn, ...args) {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn}).apply(null, Array.from(arguments).slice(0, -1)))
          .then((value) => done({ ok: true, value }), (e) => done({ ok: false, error: String(e && e.stack || e) }));`;
      const r = await call("POST", s("/execute/async"), { script, args });
      if (!r.ok) throw new Error(`in the page: ${r.error}`);
      return r.value;
    },
    /** Waits until `fn()` is true in the page. */
    async waitFor(fn, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (!(await this.evaluate(fn))) {
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${fn}`);
        await sleep(100);
      }
    },
    async setScriptTimeout(ms) {
      await call("POST", s("/timeouts"), { script: ms });
    },
    async close() {
      try {
        await call("DELETE", s(""));
      } finally {
        driver.kill();
        await exited;
      }
    },
  };
}
