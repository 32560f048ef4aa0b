// The project's local test server for the JS tests: the one scripts/test.sh started
// (ANYFETCH_TEST_SERVER), or else one started here with cargo.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export async function testServer() {
  if (process.env.ANYFETCH_TEST_SERVER) {
    return { url: process.env.ANYFETCH_TEST_SERVER.replace(/\/$/, ""), stop() {} };
  }
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = spawn("cargo", ["run", "-q", "-p", "anyfetch-testserver"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the test server exited (${code})`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  const url = line.trim().split(/\s+/).at(-1);
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`unexpected test server output: ${line}`);
  return { url, stop: () => child.kill() };
}
