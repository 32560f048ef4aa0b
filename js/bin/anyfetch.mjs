#!/usr/bin/env node
// `anyfetch [OPTIONS] [METHOD] URL`: the command-line client on the package's JavaScript API.
// cli/README.md is the contract (options, exit codes, the output byte for byte); the native
// and WASI builds of the same command (cli/src/) print the same.

import { open, readFile } from "node:fs/promises";
import { basename } from "node:path";
import { Client, HTTPError } from "../src/node.js";
import { formatBody, requestHead, responseHead, statusText } from "./format.mjs";

const USAGE = "usage: anyfetch [OPTIONS] [METHOD] URL";
const HELP = `${USAGE}

  METHOD                      the request method (default GET, or POST with a body)
  URL                         :PORT/path is http://localhost:PORT/path; no scheme means http://
  -m, --method M              the request method
  -p, --params NAME VALUE     a query parameter (repeatable)
  -H, --headers NAME VALUE    a request header (repeatable)
  --cookies NAME VALUE        a cookie (repeatable)
  -j, --json TEXT             a JSON body, sent as written
  -d, --form NAME VALUE       an urlencoded form field (repeatable; also --data)
  -f, --files NAME PATH       a file as a multipart part (repeatable)
  -c, --content TEXT          a raw body; @PATH sends the file at PATH, @- stdin
  --auth USER PASS            Basic auth (Digest with --digest)
  --digest                    answer a Digest challenge with --auth
  --bearer TOKEN              Authorization: Bearer TOKEN
  --follow-redirects          follow 3xx redirects
  --max-redirects N           the redirect limit (default 20)
  --timeout SECONDS           each phase's timeout; 0 turns it off (default 5)
  --http2                     offer HTTP/2 (on Node the host chooses)
  --retry N                   retry on connection errors and 429, 502, 503, 504
  --download FILE             write the body to FILE
  -v, --verbose               print the request head too (--print Hhb)
  --print WHAT                H request head, h response head, b body (default hb, b when piped)
  --pretty STYLE              all, format, colors or none (default all, none when piped)
  --check-status              exit 3, 4 or 5 for a 3xx, 4xx or 5xx status
  --no-verify, --cacert FILE, --proxy URL    native only
  --version, -h, --help

See cli/README.md in the anyfetch repository for the exact output.
`;

/** A usage error: exit 2. `usage` adds the usage line before the message. */
class UsageError extends Error {
  constructor(message, { usage = false } = {}) {
    super(message);
    this.usage = usage;
  }
}

// --- arguments ---

// Each option: its names and how many values it takes (0: a flag). Repeatable options collect
// every occurrence; for the others the last one wins.
const OPTIONS = [
  { key: "method", names: ["-m", "--method"], arity: 1 },
  { key: "params", names: ["-p", "--params"], arity: 2, repeat: true },
  { key: "headers", names: ["-H", "--headers"], arity: 2, repeat: true },
  { key: "cookies", names: ["--cookies"], arity: 2, repeat: true },
  { key: "json", names: ["-j", "--json"], arity: 1 },
  { key: "form", names: ["-d", "--form", "--data"], arity: 2, repeat: true },
  { key: "files", names: ["-f", "--files"], arity: 2, repeat: true },
  { key: "content", names: ["-c", "--content"], arity: 1 },
  { key: "auth", names: ["--auth"], arity: 2 },
  { key: "digest", names: ["--digest"], arity: 0 },
  { key: "bearer", names: ["--bearer"], arity: 1 },
  { key: "followRedirects", names: ["--follow-redirects"], arity: 0 },
  { key: "maxRedirects", names: ["--max-redirects"], arity: 1 },
  { key: "timeout", names: ["--timeout"], arity: 1 },
  { key: "http2", names: ["--http2"], arity: 0 },
  { key: "retry", names: ["--retry"], arity: 1 },
  { key: "download", names: ["--download"], arity: 1 },
  { key: "verbose", names: ["-v", "--verbose"], arity: 0 },
  { key: "print", names: ["--print"], arity: 1 },
  { key: "pretty", names: ["--pretty"], arity: 1 },
  { key: "checkStatus", names: ["--check-status"], arity: 0 },
  { key: "noVerify", names: ["--no-verify"], arity: 0 },
  { key: "cacert", names: ["--cacert"], arity: 1 },
  { key: "proxy", names: ["--proxy"], arity: 1 },
  { key: "version", names: ["--version"], arity: 0 },
  { key: "help", names: ["-h", "--help"], arity: 0 },
];
const BY_NAME = new Map(OPTIONS.flatMap((o) => o.names.map((n) => [n, o])));

/**
 * `{ options, positionals }` from argv. Not `util.parseArgs`: it cannot take the two values of
 * `-p NAME VALUE`. `--name=value` works for one-value options; `--` ends the options.
 */
function parseArguments(argv) {
  const options = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const option = BY_NAME.get(name);
    if (!option) throw new UsageError(`unknown option ${name}`, { usage: true });
    let values;
    if (eq >= 0) {
      if (option.arity !== 1) throw new UsageError(`${name} does not take ${name}=VALUE`, { usage: true });
      values = [arg.slice(eq + 1)];
    } else {
      values = argv.slice(i + 1, i + 1 + option.arity);
      if (values.length < option.arity) {
        const what = option.arity === 1 ? "a value" : `${option.arity} values`;
        throw new UsageError(`${name} needs ${what}`, { usage: true });
      }
      i += option.arity;
    }
    const value = option.arity === 0 ? true : option.arity === 1 ? values[0] : values;
    if (option.repeat) (options[option.key] ??= []).push(value);
    else options[option.key] = value;
  }
  return { options, positionals };
}

/** `:8000/json` → `http://localhost:8000/json`; a URL without a scheme gets `http://`. */
function expandUrl(url) {
  if (url.startsWith(":")) {
    const rest = url.slice(1);
    const port = rest.match(/^\d*/)[0];
    return `http://localhost${port ? `:${port}` : ""}${rest.slice(port.length) || "/"}`;
  }
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) ? url : `http://${url}`;
}

/**
 * A number option, read as the native command reads it (Rust's `u32` and `f64` grammars), with
 * its messages: `--retry`, `--max-redirects` whole numbers under 2^32; `--timeout` seconds.
 */
function number(name, text, { integer }) {
  const grammar = integer ? /^\+?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const n = Number(text);
  if (!grammar.test(text) || n < 0 || (integer && n > 2 ** 32 - 1)) {
    throw new UsageError(`${name} needs a ${integer ? "whole number" : "number of seconds"}, not ${JSON.stringify(text)}`);
  }
  return n;
}

/** `--timeout`: seconds, up to what the library holds (2^64 s; beyond is no timeout anyone means). */
function seconds(text) {
  const n = number("--timeout", text, { integer: false });
  if (n >= 2 ** 64) throw new UsageError(`--timeout needs a number of seconds under 2^64, not ${JSON.stringify(text)}`);
  return n;
}

/**
 * A `--cookies` pair, which goes into the `Cookie` header as `NAME=VALUE` and must mean just
 * that: a `;` would start another cookie, an `=` in the name would move the split.
 */
function cookie([name, value]) {
  if (name === "" || /[=;,\s\x00-\x1f\x7f]/.test(name)) throw new UsageError(`invalid cookie name ${JSON.stringify(name)}`);
  if (/[;\x00-\x1f\x7f]/.test(value)) {
    throw new UsageError(`invalid value for cookie ${name}: ${JSON.stringify(value)} (a \`;\` would start another cookie)`);
  }
  return `${name}=${value}`;
}

async function readArgFile(path, option) {
  try {
    // `@-`: standard input, as curl reads it.
    if (path === "-" && option === "--content") {
      const chunks = [];
      for await (const chunk of process.stdin) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`${option}: cannot read ${path}: ${e.message}`);
  }
}

/** The request (method, URL, options for `Client.request`) and the output settings, from argv. */
async function plan(argv, stdoutIsTTY) {
  const { options: o, positionals } = parseArguments(argv);
  if (o.help || o.version) return o;
  for (const [key, flag] of [["noVerify", "--no-verify"], ["cacert", "--cacert"], ["proxy", "--proxy"]]) {
    if (o[key] !== undefined) {
      throw new UsageError(`${flag} is not supported on Node: its fetch cannot honour it (native only)`);
    }
  }
  if (positionals.length === 0) throw new UsageError("missing URL", { usage: true });
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${positionals[2]}`, { usage: true });
  const url = expandUrl(positionals.at(-1));
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1].toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new UsageError(`invalid URL ${JSON.stringify(positionals.at(-1))}: the scheme must be http or https, not ${scheme}`);
  }
  if (positionals.length === 2 && o.method !== undefined) {
    throw new UsageError("give the method once: before the URL or with --method");
  }

  const request = { headers: o.headers ?? [], params: o.params ?? [] };
  if (o.cookies) {
    request.headers.push(["Cookie", o.cookies.map(cookie).join("; ")]);
  }
  const bodies = ["json", "form", "files", "content"].filter((k) => o[k] !== undefined);
  if (bodies.length > 1 && !(bodies.length === 2 && o.form && o.files)) {
    throw new UsageError("give one body: --json, --form, --files or --content (only --form and --files combine)");
  }
  if (o.json !== undefined) {
    try {
      JSON.parse(o.json);
    } catch (e) {
      throw new UsageError(`--json is not JSON: ${e.message}`);
    }
    // Sent as written: `json:` would serialize it again.
    request.content = o.json;
    request.headers.push(["Content-Type", "application/json"]);
  }
  if (o.content !== undefined) {
    request.content = o.content.startsWith("@") ? await readArgFile(o.content.slice(1), "--content") : o.content;
  }
  // With --files, the API puts the --form fields into the multipart body too.
  if (o.form) request.form = o.form;
  if (o.files) {
    request.files = [];
    for (const [name, path] of o.files) {
      request.files.push([name, [basename(path), await readArgFile(path, "--files")]]);
    }
  }
  if (o.auth && o.bearer !== undefined) throw new UsageError("give --auth or --bearer, not both");
  if (o.digest && !o.auth) throw new UsageError("--digest needs --auth USER PASS");
  if (o.auth) request.auth = o.digest ? { digest: o.auth } : { basic: o.auth };
  if (o.bearer !== undefined) request.auth = { bearer: o.bearer };

  const client = {
    followRedirects: Boolean(o.followRedirects),
    timeout: o.timeout === undefined ? 5 : seconds(o.timeout) || null,
  };
  if (o.maxRedirects !== undefined) client.maxRedirects = number("--max-redirects", o.maxRedirects, { integer: true });
  if (o.retry !== undefined) client.retry = number("--retry", o.retry, { integer: true });

  const print = o.print ?? (o.verbose ? "Hhb" : stdoutIsTTY ? "hb" : "b");
  if (print === "" || /[^Hhb]/.test(print)) {
    throw new UsageError(`--print takes letters of H (request head), h (response head), b (body), not ${JSON.stringify(print)}`);
  }
  const pretty = o.pretty ?? (stdoutIsTTY && !process.env.NO_COLOR ? "all" : stdoutIsTTY ? "format" : "none");
  if (!["all", "format", "colors", "none"].includes(pretty)) {
    throw new UsageError(`--pretty takes all, format, colors or none, not ${JSON.stringify(pretty)}`);
  }
  const method = positionals.length === 2 ? positionals[0] : (o.method ?? (bodies.length ? "POST" : "GET"));
  // An HTTP token (RFC 9110), as the native command checks it.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new UsageError(`invalid method ${JSON.stringify(method)}`);
  return {
    method,
    url,
    request,
    client,
    print,
    style: { format: pretty === "all" || pretty === "format", color: pretty === "all" || pretty === "colors" },
    download: o.download,
    checkStatus: Boolean(o.checkStatus),
  };
}

// --- output ---

/** Writes to stdout, waiting when the pipe is full. */
function write(data) {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (e) => (e ? reject(e) : resolve()));
  });
}

const bytesText = (n) => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) (n /= 1024), u++;
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
};
const clock = (s) => {
  s = Math.round(s);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return (hms[0] ? hms : hms.slice(1)).map((x, i) => (i ? String(x).padStart(2, "0") : x)).join(":");
};

/** A progress bar on stderr (a terminal): redrawn at most 10 times a second, and at the end. */
function progressBar(total) {
  const start = performance.now();
  let last = 0;
  let width = 0;
  return (transferred, final = false) => {
    const now = performance.now();
    if (!final && now - last < 100) return;
    last = now;
    const seconds = (now - start) / 1000;
    const rate = seconds > 0 ? transferred / seconds : 0;
    let line;
    if (total > 0) {
      const done = Math.min(transferred / total, 1);
      const cells = Math.round(done * 30);
      const eta = rate > 0 ? clock(Math.max(total - transferred, 0) / rate) : "-:--";
      line = `[${"#".repeat(cells)}${" ".repeat(30 - cells)}] ${String(Math.floor(done * 100)).padStart(3)}%  ${bytesText(transferred)} / ${bytesText(total)}  ${bytesText(Math.round(rate))}/s  ETA ${final ? clock(0) : eta}`;
    } else {
      line = `${bytesText(transferred)}  ${bytesText(Math.round(rate))}/s  ${clock(seconds)}`;
    }
    process.stderr.write(`\r${line.padEnd(width)}${final ? "\n" : ""}`);
    width = line.length;
  };
}

/** Streams the body to `file`; returns the bytes written. */
async function download(response, file) {
  let handle;
  try {
    handle = await open(file, "w");
  } catch (e) {
    throw new DownloadError(`cannot write ${file}: ${e.message}`);
  }
  const length = Number(response.headers.get("content-length") ?? 0);
  const total = response.headers.has("content-encoding") ? 0 : length;
  const draw = process.stderr.isTTY ? progressBar(total) : null;
  if (!draw) process.stderr.write("anyfetch: no progress bar: stderr is not a terminal\n");
  let written = 0;
  try {
    draw?.(0, false);
    for await (const chunk of response.stream()) {
      try {
        await handle.write(chunk);
      } catch (e) {
        throw new DownloadError(`cannot write ${file}: ${e.message}`);
      }
      written += chunk.length;
      draw?.(written);
    }
    draw?.(written, true);
  } finally {
    await handle.close();
  }
  process.stderr.write(`anyfetch: saved ${written} bytes to ${file}\n`);
  return written;
}

class DownloadError extends Error {}

/**
 * The heads of `--print H` (and `h`): every request as it was sent, each followed by its
 * response where that response is known: a redirect hop of `response.history` (the one sent to
 * this request's URL whose `Location` is the next request's URL), and the final response after
 * the last request. The JavaScript API keeps no other responses (a 401 answered by digest auth,
 * a response that was retried), so those are left out.
 */
function exchange(sent, response, withResponses, style) {
  const head = (r) => responseHead({ status: r.status, headers: [...r.headers] }, style);
  const heads = [];
  let hop = 0;
  for (let i = 0; i < sent.length; i++) {
    heads.push(requestHead(sent[i], style));
    if (!withResponses) continue;
    const h = response.history[hop];
    if (i === sent.length - 1) heads.push(head(response));
    else if (h && sameUrl(h.url, sent[i].url) && sameUrl(h.headers.get("location"), sent[i + 1].url, h.url)) {
      heads.push(head(h));
      hop++;
    }
  }
  return heads;
}

/** Whether URL `a` (relative to `base`) and URL `b` name the same resource (the fragment is never sent). */
function sameUrl(a, b, base) {
  try {
    const [x, y] = [new URL(a, base), new URL(b)];
    x.hash = y.hash = "";
    return x.href === y.href;
  } catch {
    return false;
  }
}

async function main(argv) {
  const p = await plan(argv, Boolean(process.stdout.isTTY));
  if (p.help) return void (await write(HELP));
  if (p.version) {
    const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    return void (await write(`anyfetch ${version}\n`));
  }

  // Every request as sent: redirect hops, auth round-trips and retries.
  const sent = [];
  const client = new Client({
    ...p.client,
    hooks: { beforeRequest: [(r) => void sent.push({ method: r.method, url: r.url, headers: [...r.headers] })] },
  });
  let response;
  try {
    response = await client.request(p.method, p.url, p.request);
  } catch (e) {
    if (sent.length && p.print.includes("H")) await write(requestHead(sent.at(-1), p.style));
    throw e;
  }

  const parts = [];
  if (p.print.includes("H")) parts.push(...exchange(sent, response, p.print.includes("h"), p.style));
  else if (p.print.includes("h")) parts.push(responseHead({ status: response.status, headers: [...response.headers] }, p.style));
  const wantBody = p.print.includes("b") && !p.download;
  // Without formatting or colours the body is the bytes as they come: streamed, not buffered.
  const raw = wantBody && !p.style.format && !p.style.color;
  let body = "";
  if (wantBody && !raw) {
    const bytes = await response.bytes();
    const text = bytes.length ? await response.text() : "";
    body = formatBody({ bytes, text, contentType: response.headers.get("content-type") }, p.style);
  }
  const streamed = raw ? response.stream() : null;
  let chunk = streamed ? await streamed.next() : null;
  while (chunk && !chunk.done && chunk.value.length === 0) chunk = await streamed.next();
  // Each head ends with an empty line when something follows it.
  const bodyFollows = body.length > 0 || (chunk && !chunk.done);
  for (let i = 0; i < parts.length; i++) {
    await write(parts[i] + (i < parts.length - 1 || bodyFollows ? "\n" : ""));
  }
  if (body.length) await write(body);
  for (; chunk && !chunk.done; chunk = await streamed.next()) await write(chunk.value);
  if (p.download) await download(response, p.download);

  if (p.checkStatus && response.status >= 300 && response.status < 600) {
    process.stderr.write(`anyfetch: warning: HTTP ${statusText(response.status)}\n`);
    return Math.floor(response.status / 100);
  }
  return 0;
}

function fail(e) {
  if (e instanceof UsageError) {
    process.stderr.write(`${e.usage ? `${USAGE}\n` : ""}anyfetch: error: ${e.message}\n`);
    return 2;
  }
  // A plain HTTPError is invalid input (a bad URL or method); its subclasses are failed requests.
  const usage = e instanceof HTTPError && e.constructor === HTTPError;
  const message = e instanceof HTTPError || e instanceof DownloadError ? e.message : String(e?.stack ?? e);
  process.stderr.write(`anyfetch: error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  return usage ? 2 : 1;
}

process.stdout.on("error", (e) => {
  // A closed pipe (`anyfetch ... | head`) ends the run quietly.
  if (e.code === "EPIPE") process.exit(0);
});
process.exitCode = await main(process.argv.slice(2)).catch(fail);
