// The package installed from its packed tarball (scripts/install-packed.mjs: js/test/installed/,
// a scratch app with `npm install ./anyfetch-<version>.tgz`) in the server runtimes: the app's
// run.mjs imports "anyfetch" by name (the `node` export condition, which Deno and Bun also
// resolve) and runs every check in checks.js in Node, Deno and Bun (both from npm, pinned in
// js/package-lock.json), against the local test server. Each check is a test per runtime.
// Then the command-line client as users run it: `npx anyfetch` in the app prints what
// js/bin/anyfetch.mjs prints.
import { after, before, test } from "node:test";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { checks } from "./checks.js";
import { testServer } from "./server.mjs";

const app = fileURLToPath(new URL("./installed/", import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const runtimes = {
  node: [process.execPath, ["run.mjs"]],
  deno: [bin("deno"), ["run", "--allow-net", "--allow-read", "run.mjs"]],
  bun: [bin("bun"), ["run.mjs"]],
};

let server;
const runs = {};

before(async () => {
  if (!existsSync(`${app}/node_modules/anyfetch`)) throw new Error("js/test/installed is missing: node scripts/install-packed.mjs");
  server = await testServer();
  // One runtime at a time: the checks time requests, and the machine may be small.
  for (const [name, [cmd, args]] of Object.entries(runtimes)) {
    try {
      const { stdout } = await promisify(execFile)(cmd, [...args, server.url], { cwd: app, timeout: 120_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
      runs[name] = JSON.parse(stdout.trim().split("\n").at(-1));
    } catch (e) {
      runs[name] = { error: `${cmd} ${args.join(" ")} failed: ${e.message}\n${e.stderr ?? ""}` };
    }
  }
});

after(() => server?.stop());

for (const name of Object.keys(runtimes)) {
  test(`${name}: imports the installed package's node entry and runs every check`, (t) => {
    const run = runs[name];
    if (run.error) throw new Error(run.error);
    t.diagnostic(`${name} ${run.version}: ${run.entry}`);
    const entry = `${new URL("node_modules/anyfetch/src/node.js", `file://${app}`)}`;
    if (run.entry !== entry) throw new Error(`resolved ${run.entry}, expected ${entry}`);
    const ran = run.results.map((r) => r.name).join("\n");
    if (ran !== Object.keys(checks).join("\n")) throw new Error(`ran:\n${ran}`);
  });
  for (const check of Object.keys(checks)) {
    test(`${name}: ${check}`, () => {
      const r = runs[name].results?.find((x) => x.name === check);
      if (!r) throw new Error("not run");
      if (!r.ok) throw new Error(r.error);
    });
  }
}

test("npx anyfetch: the installed bin prints what js/bin/anyfetch.mjs prints", async () => {
  const args = ["--print", "hb", "--pretty", "format", `${server.url}/json`];
  const npx = await promisify(execFile)("npx", ["--no-install", "anyfetch", ...args], { cwd: app, timeout: 60_000 });
  const direct = await promisify(execFile)(process.execPath, [fileURLToPath(new URL("../bin/anyfetch.mjs", import.meta.url)), ...args]);
  // The two responses differ only in these headers' values.
  const same = (out) => out.replace(/^(date|x-connection-id): .*$/gm, "$1: ...");
  if (!npx.stdout.startsWith("HTTP/1.1 200 OK\n")) throw new Error(`npx anyfetch printed:\n${npx.stdout}`);
  if (same(npx.stdout) !== same(direct.stdout)) {
    throw new Error(`npx anyfetch printed:\n${npx.stdout}\njs/bin/anyfetch.mjs printed:\n${direct.stdout}`);
  }
});
