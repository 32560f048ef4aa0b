// The command-line client, js/bin/anyfetch.mjs (`npx anyfetch`: the Rust CLI of cli/ compiled
// into pkg/cli/), against the local test server: exit codes, the output of cli/README.md byte
// for byte (heads, the JSON re-indent, colours), request bodies and options, and --download
// (under a pseudo-terminal from util-linux `script` too). The formatter's own tests are the
// Rust ones (cli/src/format.rs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testServer } from "./server.mjs";

const js = fileURLToPath(new URL("..", import.meta.url));
const binPath = join(js, "bin", "anyfetch.mjs");
const E = (code, s) => `\x1b[${code}m${s}\x1b[0m`;

let server;
let tmp;
before(async () => {
  server = await testServer();
  tmp = mkdtempSync(join(tmpdir(), "anyfetch-cli-"));
});
after(() => {
  server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the command; `{ code, stdout (Buffer), out (string), err }`. Stdout and stderr are pipes. */
function run(args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: js,
      env: { ...process.env, NO_COLOR: "", ...env },
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (input !== undefined) child.stdin.end(input);
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const stdout = Buffer.concat(out);
      resolve({ code, stdout, out: stdout.toString(), err: Buffer.concat(err).toString() });
    });
  });
}

const raw = async (path) => new Uint8Array(await (await fetch(server.url + path)).arrayBuffer());
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// The test server's /json, as it sends it, and the same re-indented by hand as cli/README.md says.
const JSON_RAW = `{
  "slideshow": {
    "author": "Yours Truly",
    "date": "date of publication",
    "slides": [
      {
        "title": "Wake up to WonderWidgets!",
        "type": "all"
      },
      {
        "items": [
          "Why <em>WonderWidgets</em> are great",
          "Who <em>buys</em> WonderWidgets"
        ],
        "title": "Overview",
        "type": "all"
      }
    ],
    "title": "Sample Slide Show"
  }
}
`;
const JSON_FORMATTED = `{
    "slideshow": {
        "author": "Yours Truly",
        "date": "date of publication",
        "slides": [
            {
                "title": "Wake up to WonderWidgets!",
                "type": "all"
            },
            {
                "items": [
                    "Why <em>WonderWidgets</em> are great",
                    "Who <em>buys</em> WonderWidgets"
                ],
                "title": "Overview",
                "type": "all"
            }
        ],
        "title": "Sample Slide Show"
    }
}
`;

describe("the command", () => {
  test("--print hb --pretty format on /json: the status line, sorted headers, the re-indented body", async () => {
    assert.equal(new TextDecoder().decode(await raw("/json")), JSON_RAW, "the test server's /json changed");
    const r = await run(["--print", "hb", "--pretty", "format", `${server.url}/json`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, "");
    const [head, body] = r.out.split(/\n\n(?=\{)/);
    const lines = head.split("\n");
    assert.equal(lines[0], "HTTP/1.1 200 OK");
    const names = lines.slice(1).map((l) => l.slice(0, l.indexOf(": ")));
    assert.deepEqual(names, [...names].sort(), "headers sorted by name");
    for (const n of names) assert.equal(n, n.toLowerCase());
    for (const n of ["content-length", "content-type", "date", "x-connection-id"]) assert.ok(names.includes(n), n);
    assert.ok(lines.includes("content-type: application/json"));
    assert.ok(lines.includes(`content-length: ${JSON_RAW.length}`));
    assert.equal(body, JSON_FORMATTED);
  });

  test("piped, the default is the body's exact bytes", async () => {
    for (const path of ["/json", "/bytes/3000?seed=3", "/html"]) {
      const r = await run([server.url + path]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(new Uint8Array(r.stdout), await raw(path), path);
    }
    // gzip decoded.
    const r = await run([`${server.url}/gzip`]);
    assert.match(r.out, /"gzipped": true/);
  });

  test("bodies by media type through the command: tricky JSON, binary, a charset", async () => {
    const tricky = '{"a":[],"b":{"c":[{}]},"d":"x\\"y\\u00e9","e":1.0,"f":12345678901234567890}';
    let r = await run(["--pretty", "format", `${server.url}/echo`, "--json", tricky]);
    assert.equal(r.out, '{\n    "a": [],\n    "b": {\n        "c": [\n            {}\n        ]\n    },\n    "d": "x\\"y\\u00e9",\n    "e": 1.0,\n    "f": 12345678901234567890\n}\n');
    r = await run(["--pretty", "format", `${server.url}/bytes/100`]);
    assert.equal(r.out, "<100 bytes of binary data>\n");
    r = await run(["--pretty", "format", `${server.url}/charset/iso-8859-1`]);
    assert.equal(r.out, "café\n");
    r = await run(["--pretty", "none", `${server.url}/charset/iso-8859-1`]);
    assert.deepEqual([...r.stdout], [0x63, 0x61, 0x66, 0xe9]);
  });

  test("--pretty all colours the heads and a JSON and an XML body", async () => {
    let r = await run(["--pretty", "all", "--print", "hb", `${server.url}/echo`, "--json", '{"a": [1.0, "s", null]}']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    assert.equal(lines[0], `${E(34, "HTTP/1.1")} ${E("1;32", "200 OK")}`);
    assert.ok(lines.includes(`${E(36, "content-type")}: application/json`));
    const body = r.out.slice(r.out.indexOf("\n\n") + 2);
    assert.equal(body, `{\n    ${E(34, '"a"')}: [\n        ${E(36, "1.0")},\n        ${E(32, '"s"')},\n        ${E(35, "null")}\n    ]\n}\n`);

    const xml = '<?xml version="1.0"?>\n<!-- note --><r id="1"><e/>text</r>';
    r = await run(["--pretty", "all", `${server.url}/echo`, "-c", xml, "-H", "Content-Type", "application/xml"]);
    assert.equal(
      r.out,
      `${E(34, "<?xml")} ${E(36, "version")}=${E(32, '"1.0"')}${E(34, "?>")}\n${E(2, "<!-- note -->")}` +
        `${E(34, "<r")} ${E(36, "id")}=${E(32, '"1"')}${E(34, ">")}${E(34, "<e")}${E(34, "/>")}text${E(34, "</r")}${E(34, ">")}\n`,
    );
    // Colours without formatting: the body as written, coloured, nothing added.
    r = await run(["--pretty", "colors", `${server.url}/echo`, "--json", '{"a" :1}']);
    assert.equal(r.out, `{${E(34, '"a"')} :${E(36, "1")}}`);
  });

  test("-v prints the request head as sent, then the response", async () => {
    const r = await run(["-v", "--pretty", "none", `${server.url}/anything?x=1`, "-p", "q", "a b", "-H", "X-Trace", "1"]);
    assert.equal(r.code, 0, r.err);
    const host = new URL(server.url).host;
    assert.ok(
      r.out.startsWith(`GET /anything?x=1&q=a+b HTTP/1.1\nhost: ${host}\naccept: */*\nuser-agent: anyfetch/0.1.0\nx-trace: 1\n\nHTTP/1.1 200 OK\n`),
      r.out,
    );
    const sent = JSON.parse(r.out.slice(r.out.indexOf("\n\n{") + 2));
    assert.deepEqual(sent.args, { x: "1", q: "a b" });
    assert.equal(sent.headers["X-Trace"], "1");
  });

  test("-v prints every redirect hop; --print H the request heads alone", async () => {
    let r = await run(["-v", "--pretty", "none", "--follow-redirects", `${server.url}/redirect/2`]);
    assert.equal(r.code, 0, r.err);
    let parts = r.out.split("\n\n");
    assert.deepEqual(
      parts.slice(0, 6).map((p) => p.split("\n")[0]),
      ["GET /redirect/2 HTTP/1.1", "HTTP/1.1 302 Found", "GET /redirect/1 HTTP/1.1", "HTTP/1.1 302 Found", "GET /get HTTP/1.1", "HTTP/1.1 200 OK"],
      r.out,
    );
    assert.match(parts[1], /\nlocation: \/redirect\/1\n/);
    assert.match(parts[3], /\nlocation: \/get\n/);
    assert.equal(JSON.parse(parts.slice(6).join("\n\n")).url, `${server.url}/get`);

    r = await run(["--print", "H", "--follow-redirects", `${server.url}/redirect/2`]);
    assert.deepEqual(r.out.split("\n\n").map((p) => p.split("\n")[0]), ["GET /redirect/2 HTTP/1.1", "GET /redirect/1 HTTP/1.1", "GET /get HTTP/1.1"], r.out);

    // Digest auth: the request, the 401 it answered, the request with credentials, the 200.
    r = await run(["--print", "Hh", `${server.url}/digest-auth/auth/u/p`, "--auth", "u", "p", "--digest"]);
    parts = r.out.split("\n\n");
    assert.equal(parts.length, 4, r.out);
    assert.doesNotMatch(parts[0], /\nauthorization: /);
    assert.match(parts[1], /^HTTP\/1\.1 401 Unauthorized\n/);
    assert.match(parts[2], /\nauthorization: Digest /);
    assert.match(parts[3], /^HTTP\/1\.1 200 OK\n/);
  });

  test("exit codes: 0, 1 when unreachable, 2 for usage errors, 3/4/5 with --check-status", async () => {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    let r = await run([`${server.url}/status/404`]);
    assert.equal(r.code, 0, r.err);
    r = await run([`http://127.0.0.1:${port}/`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^anyfetch: error: .*connect/);
    r = await run(["--timeout", "0.3", `${server.url}/delay/3`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^anyfetch: error: .*timeout/);
    r = await run(["--follow-redirects", "--max-redirects", "1", `${server.url}/redirect/3`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^anyfetch: error: .*redirect/);
    // A body cut short: streamed (piped), formatted, downloaded.
    for (const args of [[], ["--pretty", "format"], ["--download", join(tmp, "cut.bin")]]) {
      r = await run([...args, `${server.url}/misbehave/truncated`]);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.err, /anyfetch: error: .*ended before it was complete/);
    }

    for (const [args, message] of [
      [["--bogus", server.url], /^usage: anyfetch .*\nanyfetch: error: unknown option --bogus\n$/],
      [[], /anyfetch: error: missing URL\n$/],
      [["-p", "a"], /^usage: anyfetch .*\nanyfetch: error: --params needs 2 values\n$/],
      [["http://exa mple/"], /^anyfetch: error: .*invalid URL/],
      [["ftp://host/"], /^anyfetch: error: invalid URL .*the scheme must be http or https/],
      [[server.url, "--json", "{bad"], /^anyfetch: error: --json is not JSON/],
      [[server.url, "-c", `@${join(tmp, "missing")}`], /^anyfetch: error: cannot read --content file .*missing/],
      [[server.url, "--pretty", "loud"], /^anyfetch: error: --pretty takes/],
      [[server.url, "--print", "x"], /^anyfetch: error: --print takes/],
      [[server.url, "--no-verify"], /^anyfetch: error: unsupported: the JavaScript runtime's fetch verifies TLS certificates itself/],
      [[server.url, "--cacert", join(tmp, "missing.pem")], /^anyfetch: error: cannot read --cacert .*missing\.pem/],
      [[server.url, "--proxy", "http://127.0.0.1:1"], /^anyfetch: error: unsupported: the JavaScript runtime's fetch owns the network/],
      [[server.url, "--timeout", "1e300"], /^anyfetch: error: --timeout needs a number of seconds under 2\^64/],
      [[server.url, "--cookies", "a", "b;c=d"], /^anyfetch: error: invalid value for cookie a: "b;c=d" \(a `;` would start another cookie\)\n$/],
      [[server.url, "--cookies", "a=b", "c"], /^anyfetch: error: invalid cookie name "a=b"\n$/],
    ]) {
      r = await run(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, "");
    }

    for (const [status, code, reason] of [[302, 3, "Found"], [404, 4, "Not Found"], [503, 5, "Service Unavailable"]]) {
      r = await run(["--check-status", "--print", "h", `${server.url}/status/${status}`]);
      assert.equal(r.code, code, `${status}`);
      assert.equal(r.err, `anyfetch: warning: HTTP ${status} ${reason}\n`);
      assert.ok(r.out.startsWith(`HTTP/1.1 ${status} ${reason}\n`), "the response is printed first");
    }
    r = await run(["--check-status", `${server.url}/status/204`]);
    assert.equal(r.code, 0);
  });

  test("--version and --help", async () => {
    const { version } = JSON.parse(readFileSync(join(js, "package.json"), "utf8"));
    let r = await run(["--version"]);
    assert.equal(r.out, `anyfetch ${version}\n`);
    r = await run(["-h"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: anyfetch \[OPTIONS\] \[METHOD\] <URL>$/m);
    for (const o of ["--params", "--download", "--check-status", "--pretty"]) assert.ok(r.out.includes(o), o);
  });

  test("URLs: :PORT/path is localhost, no scheme means http://", async () => {
    const { host, port } = new URL(server.url);
    let r = await run([`:${port}/anything?a=1`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).url, `http://localhost:${port}/anything?a=1`);
    r = await run([`${host}/anything`]);
    assert.equal(JSON.parse(r.out).url, `http://${host}/anything`);
  });

  test("methods: before the URL, --method, or POST with a body", async () => {
    const method = async (args) => JSON.parse((await run(args)).out).method;
    assert.equal(await method(["PURGE", `${server.url}/anything`]), "PURGE");
    assert.equal(await method(["-m", "PUT", `${server.url}/anything`]), "PUT");
    assert.equal(await method([`${server.url}/anything`]), "GET");
    assert.equal(await method([`${server.url}/anything`, "-d", "a", "1"]), "POST");
  });

  test("bodies arrive: --json as written, -d, -f with -d, -c and -c @file", async () => {
    const json = '{"n": 1.0, "big": 12345678901234567890}';
    let sent = JSON.parse((await run([`${server.url}/anything`, "--json", json])).out);
    assert.equal(sent.data, json, "sent as written");
    assert.equal(sent.headers["Content-Type"], "application/json");

    sent = JSON.parse((await run([`${server.url}/anything`, "-d", "name", "ada", "--data", "x", "a&b"])).out);
    assert.deepEqual(sent.form, { name: "ada", x: "a&b" });
    assert.equal(sent.headers["Content-Type"], "application/x-www-form-urlencoded");

    const file = join(tmp, "upload.txt");
    writeFileSync(file, "file contents\n");
    sent = JSON.parse((await run([`${server.url}/anything`, "-d", "name", "ada", "-f", "upload", file])).out);
    assert.deepEqual(sent.form, { name: "ada" });
    assert.deepEqual(sent.files, { upload: "file contents\n" });
    assert.match(sent.headers["Content-Type"], /^multipart\/form-data; boundary=/);

    sent = JSON.parse((await run([`${server.url}/anything`, "-c", "raw text"])).out);
    assert.equal(sent.data, "raw text");
    sent = JSON.parse((await run([`${server.url}/anything`, "-c", `@${file}`])).out);
    assert.equal(sent.data, "file contents\n");

    const r = await run([`${server.url}/anything`, "--json", "{}", "-c", "x"]);
    assert.equal(r.code, 2);
  });

  test("--auth (Basic, and Digest with --digest), --bearer, --cookies", async () => {
    let r = await run([`${server.url}/basic-auth/u/p`, "--auth", "u", "p"]);
    assert.deepEqual(JSON.parse(r.out), { authenticated: true, user: "u" });
    r = await run(["--check-status", `${server.url}/basic-auth/u/p`, "--auth", "u", "wrong"]);
    assert.equal(r.code, 4);
    r = await run([`${server.url}/digest-auth/auth/u/p`, "--auth", "u", "p", "--digest"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { authenticated: true, user: "u" });
    r = await run(["--check-status", `${server.url}/digest-auth/auth/u/p`, "--auth", "u", "p"]);
    assert.equal(r.code, 4, "Basic does not answer a Digest challenge");
    r = await run([`${server.url}/headers`, "--bearer", "t0k"]);
    assert.equal(JSON.parse(r.out).headers.Authorization, "Bearer t0k");
    r = await run([`${server.url}/cookies`, "--cookies", "a", "1", "--cookies", "b", "2"]);
    assert.deepEqual(JSON.parse(r.out).cookies, { a: "1", b: "2" });
  });

  test("--follow-redirects", async () => {
    let r = await run(["--print", "h", `${server.url}/redirect/3`]);
    assert.match(r.out, /^HTTP\/1\.1 302 Found\n/);
    r = await run(["--print", "hb", "--pretty", "none", "--follow-redirects", `${server.url}/redirect/3`]);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\n/);
    assert.match(r.out, /"url": "http:\/\/127\.0\.0\.1:\d+\/get"/);
  });

  test("-c @- sends standard input", async () => {
    const sent = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    const r = await run(["POST", `${server.url}/echo`, "-c", "@-"], { input: sent });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.stdout.equals(sent), "the server echoed other bytes");
  });

  test("--download streams the body to the file", async () => {
    const file = join(tmp, "download.bin");
    const r = await run([`${server.url}/bytes/5000000?seed=7`, "--download", file]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "", "piped: b prints nothing with --download");
    assert.equal(r.err, `anyfetch: no progress bar: stderr is not a terminal\nanyfetch: saved 5000000 bytes to ${file}\n`);
    assert.equal(sha256(readFileSync(file)), sha256(await raw("/bytes/5000000?seed=7")));

    const head = await run(["--print", "hb", "--pretty", "none", `${server.url}/bytes/10`, "--download", join(tmp, "small.bin")]);
    assert.match(head.out, /^HTTP\/1\.1 200 OK\n(.+\n)+$/, "the head, without an empty line after it");

    const bad = await run([`${server.url}/bytes/10`, "--download", join(tmp, "no", "such", "dir", "x.bin")]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^anyfetch: error: cannot write .*x\.bin/m);
  });

  // A pseudo-terminal from util-linux `script`: stdout and stderr are both the terminal.
  const script = spawnSync("script", ["--version"]).status === 0;
  const inTerminal = (args, env = {}) => {
    const command = [process.execPath, binPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const r = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: js, env: { ...process.env, NO_COLOR: "", ...env }, encoding: "utf8" });
    return { code: r.status, out: r.stdout.replaceAll("\r\n", "\n") };
  };

  test("on a terminal: no progress bar (indicatif needs a clock this target lacks), the download whole", { skip: !script && "no `script` (util-linux) for a pseudo-terminal" }, () => {
    const file = join(tmp, "tty.bin");
    const r = inTerminal([`${server.url}/drip?duration=1&numbytes=5`, "--download", file]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\nanyfetch: no progress bar: this JavaScript runtime gives the command no clock for one\n/);
    assert.match(r.out, /\nanyfetch: saved 5 bytes to .*tty\.bin\n$/);
    assert.equal(readFileSync(file).length, 5);
  });

  test("on a terminal: --print hb --pretty all by default; NO_COLOR leaves the colours out", { skip: !script && "no `script` (util-linux) for a pseudo-terminal" }, () => {
    let r = inTerminal([`${server.url}/json`]);
    assert.ok(r.out.startsWith(`${E(34, "HTTP/1.1")} ${E("1;32", "200 OK")}\n`), JSON.stringify(r.out));
    assert.ok(r.out.includes(`{\n    ${E(34, '"slideshow"')}: {\n`));
    r = inTerminal([`${server.url}/json`], { NO_COLOR: "1" });
    assert.ok(r.out.startsWith("HTTP/1.1 200 OK\n"), JSON.stringify(r.out));
    assert.ok(r.out.endsWith(`\n\n${JSON_FORMATTED}`));
    r = inTerminal(["--pretty", "all", `${server.url}/json`], { NO_COLOR: "1" });
    assert.ok(r.out.startsWith(E(34, "HTTP/1.1")), "an explicit --pretty all still colours");
  });
});
