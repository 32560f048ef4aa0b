// The JavaScript options parser (src/js/options.rs) under hostile input: seeded random options
// objects, with every known key (and unknown ones) set to values of every type, given to
// `new Client`, to one-off requests and to `Client.request`, against the local test server.
//
// Whatever the input, the API must throw an anyfetch error (or the value a user callback threw)
// or answer: never a trap of the wasm module (a Rust panic), which would break every later call,
// never a hang. npm test replays seed 1 for 600 rounds (a few seconds). For a long run, set
// `ANYFETCH_FUZZ_SEED=random` and `ANYFETCH_FUZZ_ROUNDS`; the seed is printed, and
// `ANYFETCH_FUZZ_SEED=N` replays it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as af from "anyfetch";
import { testServer } from "./server.mjs";

let server;
before(async () => {
  server = await testServer();
});
after(() => server?.stop());

/** mulberry32: a small seeded PRNG, so that a failure can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const THROWN = new Error("thrown by a callback");
const CLIENT_KEYS = ["baseUrl", "headers", "params", "timeout", "followRedirects", "maxRedirects", "auth", "retry", "hooks", "fetch", "throwHttpErrors"];
const REQUEST_KEYS = ["params", "headers", "json", "form", "content", "files", "timeout", "auth", "followRedirects", "credentials", "signal", "onDownloadProgress", "onUploadProgress", "throwHttpErrors"];
const SUB_KEYS = {
  timeout: ["connect", "read", "write", "pool", "total"],
  retry: ["limit", "backoffFactor", "backoffLimit", "statusCodes", "methods", "afterStatusCodes", "respectRetryAfter"],
  auth: ["basic", "bearer", "digest"],
  hooks: ["beforeRequest", "beforeRetry", "afterResponse", "beforeError"],
};

/** Values each key takes in normal use: half the values given are these, so that many rounds get past the parser. */
const VALID = {
  baseUrl: () => [server.url, `${server.url}/`],
  headers: () => [{ "X-A": "1" }, [["X-A", "1"], ["x-b", "2"]], new Headers({ "X-C": "3" })],
  params: () => [{ q: "1", n: 2, t: true }, [["a", "b"]], new URLSearchParams("a=1&a=2")],
  timeout: () => [2, 0.5, { read: 2, connect: 1 }, { total: 3 }],
  followRedirects: () => [true, false],
  maxRedirects: () => [0, 1, 5],
  auth: () => [{ basic: ["u", "p"] }, { bearer: "token" }, { digest: ["u", "p"] }],
  retry: () => [0, 1, { total: 1, backoffFactor: 0.01, statusCodes: [503] }],
  hooks: () => [{ beforeRequest: [() => {}] }, { afterResponse: [() => undefined] }, { beforeError: [(e) => e] }, {}],
  fetch: () => [(input, init) => fetch(input, init)],
  throwHttpErrors: () => [true, false],
  json: () => [{ a: 1 }, [1, "x"], "s", null, 0],
  form: () => [{ a: "1", b: 2 }, [["a", "b"]]],
  content: () => ["text", new Uint8Array([1, 2]), new Blob(["blob"]), new ArrayBuffer(3)],
  files: () => [{ f: "data" }, { f: ["n.txt", "data", "text/plain"] }, { f: new Uint8Array([0]) }],
  credentials: () => ["omit", "same-origin", "include"],
  signal: () => [AbortSignal.timeout(5000), new AbortController().signal],
  onDownloadProgress: () => [() => {}],
  onUploadProgress: () => [() => {}],
};

function generator(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const cyclic = {};
  cyclic.self = cyclic;
  const throwing = Object.defineProperty({}, "read", {
    enumerable: true,
    get() {
      throw THROWN;
    },
  });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const scalars = () => [
    undefined, null, true, false, 0, -0, -1, 1, 2.5, 1e-12, 7, 399, 65536, 2 ** 31, 2 ** 53, 2 ** 64, 1e300, -1e300,
    NaN, Infinity, -Infinity, 1n, -5n, 2n ** 70n, "", "x", "0", "-1", "1e400", "a\r\nb", "\0", "é", "😀", "\ud800",
    "x".repeat(3000), "http://127.0.0.1:1", server.url, `${server.url}/get`, "not a url", "javascript:alert(1)",
    "GET", "include", "omit", "same-origin", Symbol("s"), new Date(0), new Uint8Array([0, 255]), new ArrayBuffer(2),
    new Blob(["blob"]), cyclic, throwing, revoked.proxy, () => undefined, () => { throw THROWN; }, async () => 5,
    () => new Response("a response of the runtime's own"), () => Promise.reject(THROWN), Promise.resolve(1),
  ];
  const value = (depth, key) => {
    if (depth === 0 && VALID[key] && random() < 0.5) return pick(VALID[key]());
    // Progress callbacks are called as event listeners are: what one throws fails the read, and
    // a promise one returns is not awaited, so its rejection would be the caller's own.
    if (key === "onDownloadProgress" || key === "onUploadProgress") {
      return pick([() => {}, () => { throw THROWN; }, () => 5, null, "x", 1, {}]);
    }
    const r = random();
    if (depth > 2 || r < 0.45) return pick(scalars());
    if (r < 0.6 && SUB_KEYS[key]) {
      // The right keys, wrong values (and sometimes a stray key).
      const o = {};
      for (const k of SUB_KEYS[key]) if (random() < 0.5) o[k] = value(depth + 1, k);
      if (key === "auth" && random() < 0.5) o[pick(SUB_KEYS.auth)] = [pick(scalars()), pick(scalars())];
      if (random() < 0.1) o.stray = 1;
      return o;
    }
    if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    if (r < 0.85) return Array.from({ length: Math.floor(random() * 3) }, () => [pick(scalars()), pick(scalars())]);
    const o = {};
    for (let i = Math.floor(random() * 4); i > 0; i--) o[pick(["a", "X-Name", "bad name", "a\nb", "", "file"])] = value(depth + 1);
    return o;
  };
  const options = (keys) => {
    if (random() < 0.05) return pick(scalars());
    const o = {};
    for (const k of keys) if (random() < 0.15) o[k] = value(0, k);
    if (random() < 0.05) o[pick(["follow_redirects", "bogus", "Timeout"])] = 1;
    // Mostly short timeouts, so that no round waits long on the server.
    if (!("timeout" in o) && random() < 0.8) o.timeout = 2;
    return o;
  };
  return { pick, options };
}

const outcomes = {};
const tally = (k) => void (outcomes[k] = (outcomes[k] ?? 0) + 1);

/** Runs `f`; what it threw must be an anyfetch error or the callbacks' sentinel. */
async function settles(f, what) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after 20 s`)), 20_000);
  });
  try {
    await Promise.race([f(), hang]);
    tally("answered");
  } catch (e) {
    tally(e === THROWN ? "the callback's error" : e?.constructor?.name ?? typeof e);
    if (e === THROWN || e instanceof af.HTTPError) return;
    // A TypeError from the runtime (fetch given a bad init by a user's fetch) is also fair,
    // but a trap of the wasm module never is.
    if (process.env.ANYFETCH_FUZZ_VERBOSE && !(e instanceof af.HTTPError)) console.log(`${what}: ${e?.stack ?? e}`);
    if (e instanceof WebAssembly.RuntimeError || !(e instanceof Error) || /not settled after/.test(e.message)) {
      throw new Error(`${what}: ${e?.stack ?? e}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

test("random options never trap the wasm module and always settle", { timeout: 300_000 }, async () => {
  const given = process.env.ANYFETCH_FUZZ_SEED ?? "1";
  const seed = given === "random" ? Math.floor(Math.random() * 2 ** 32) : Number(given);
  const rounds = Number(process.env.ANYFETCH_FUZZ_ROUNDS ?? 600);
  console.log(`options fuzz: seed ${seed}, ${rounds} rounds (ANYFETCH_FUZZ_SEED=${seed} replays it)`);
  const random = prng(seed);
  const { pick, options } = generator(random);
  const method = () => pick(["GET", "POST", "PUT", "DELETE", "HEAD", "get", "BAD METHOD", "", "PROPFIND"]);
  // No path fails for long: a retry option drawn at random (65,536 retries with a backoff of
  // 399 s) must not make a round wait on a server that keeps failing.
  const path = () => pick(["/anything", "/status/404", "/redirect/2", "/digest-auth/auth/u/p", "/basic-auth/u/p", "/delay/1", "/sse", "/gzip"]);
  for (let i = 0; i < rounds; i++) {
    const round = `round ${i} (seed ${seed})`;
    const clientOptions = options(CLIENT_KEYS);
    let client = null;
    await settles(() => {
      client = new af.Client(clientOptions);
    }, `${round}: new Client`);
    const requestOptions = options(REQUEST_KEYS);
    if (client) {
      await settles(async () => {
        const r = await client.request(method(), path(), requestOptions);
        await r.bytes();
      }, `${round}: client.request`);
    }
    await settles(async () => {
      const o = options([...REQUEST_KEYS, ...CLIENT_KEYS]);
      const r = await af.request(method(), `${server.url}${path()}`, o);
      await r.text();
    }, `${round}: one-off request`);
  }
  console.log(`outcomes: ${JSON.stringify(outcomes)}`);
  // Enough of the rounds got past the parser to reach the server.
  assert.ok(outcomes.answered > rounds / 10, JSON.stringify(outcomes));
  // The module still works.
  const r = await af.get(`${server.url}/get`, { params: { after: "fuzz" } });
  assert.equal((await r.json()).args.after, "fuzz");
});
