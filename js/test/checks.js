// The behaviour checks of the npm package, run against the project's local test server: in Node
// from the js/ tree (node.test.mjs); and, from the packed tarball installed in a scratch app
// (scripts/install-packed.mjs), in Node, Deno and Bun (installed.test.mjs), in workerd
// (workerd.test.mjs), in an unbundled page and worker in headless Chromium (browser.test.mjs)
// and Firefox (firefox.test.mjs), and in pages bundled by Vite, esbuild and webpack
// (bundlers.test.mjs).
//
// Each check is `async (af, base, env) => void`: `af` is the imported package, `base` the test
// server's URL, `env.browser` true in a page or worker (the server runtimes, workerd included,
// pass false and also name themselves in `env.runtime`: no check needs it). A check throws to fail.

function ok(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** JSON with object keys sorted, so that key order does not matter. */
function canonical(v) {
  return JSON.stringify(v, (_, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
}

function eq(actual, expected, what) {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Runs `f`, which must throw; returns what it threw. */
async function throws(f, what) {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: expected an error, none was thrown`);
}

export const checks = {
  async "GET with params, response head and JSON body"(af, base) {
    const r = await af.get(`${base}/get`, { params: { q: "test", page: 2, tag: ["a", "b"] } });
    eq(r.status, 200, "status");
    ok(r.isSuccess && !r.isError && !r.isRedirect, "isSuccess/isError/isRedirect");
    eq(r.url, `${base}/get?q=test&page=2&tag=a&tag=b`, "url");
    ok(r.headers.get("Content-Type").startsWith("application/json"), "headers.get is case-insensitive");
    ok(typeof r.elapsed === "number" && r.elapsed >= 0 && r.elapsed < 10_000, `elapsed in ms: ${r.elapsed}`);
    const body = await r.json();
    eq(body.args, { q: "test", page: "2", tag: ["a", "b"] }, "args");
    eq((await r.text()).length > 0, true, "the body can be read again");
  },

  async "POST json, form and raw content"(af, base) {
    const j = await (await af.post(`${base}/post`, { json: { name: "ada", n: 1 } })).json();
    eq(j.json, { name: "ada", n: 1 }, "json");
    eq(j.headers["Content-Type"], "application/json", "json content type");
    const f = await (await af.post(`${base}/post`, { form: { key: "value", n: 2 } })).json();
    eq(f.form, { key: "value", n: "2" }, "form");
    const c = await (await af.post(`${base}/post`, { content: "raw bytes" })).json();
    eq(c.data, "raw bytes", "content string");
    const u = await (await af.put(`${base}/put`, { content: new TextEncoder().encode("héllo") })).json();
    eq(u.data, "héllo", "content Uint8Array");
  },

  async "files upload (multipart)"(af, base) {
    const r = await af.post(`${base}/post`, {
      form: { name: "ada" },
      files: {
        text: ["a.txt", "hello", "text/plain"],
        bytes: new Uint8Array([104, 105]),
        blob: new Blob(["from a blob"], { type: "text/plain" }),
      },
    });
    const body = await r.json();
    eq(body.form, { name: "ada" }, "form fields");
    eq(body.files, { text: "hello", bytes: "hi", blob: "from a blob" }, "files");
    ok(body.headers["Content-Type"].startsWith("multipart/form-data; boundary="), "content type");
  },

  async "Basic auth"(af, base) {
    const r = await af.get(`${base}/basic-auth/user/passwd`, { auth: { basic: ["user", "passwd"] } });
    eq(r.status, 200, "status");
    eq(await r.json(), { authenticated: true, user: "user" }, "body");
    const bad = await af.get(`${base}/basic-auth/user/passwd`, { auth: { basic: ["user", "wrong"] } });
    eq(bad.status, 401, "wrong password");
  },

  async "Client with baseUrl, default headers and bearer auth"(af, base) {
    const client = new af.Client({
      baseUrl: base,
      headers: { "X-App": "anyfetch-js", "X-Override": "client" },
      auth: { bearer: "TOKEN" },
      timeout: 10,
    });
    const r = await client.get("/headers", { headers: { "X-Override": "request" } });
    const h = (await r.json()).headers;
    eq([h["X-App"], h["X-Override"], h.Authorization], ["anyfetch-js", "request", "Bearer TOKEN"], "headers");
    eq(r.url, `${base}/headers`, "joined URL");
    const p = await client.patch("/patch", { json: [1, 2] });
    eq((await p.json()).json, [1, 2], "client.patch");
  },

  async "raiseForStatus throws HTTPStatusError"(af, base) {
    const r = await af.get(`${base}/status/503`);
    eq([r.status, r.isError], [503, true], "status");
    const e = await throws(() => r.raiseForStatus(), "raiseForStatus");
    ok(e instanceof af.HTTPStatusError, `HTTPStatusError, got ${e}`);
    ok(e instanceof af.HTTPError && e instanceof Error, "extends HTTPError and Error");
    ok(!(e instanceof af.RequestError), "not a RequestError");
    eq([e.name, e.status, e.url, e.response === r], ["HTTPStatusError", 503, `${base}/status/503`, true], "fields");
    ok(e.message.includes("503"), `message: ${e.message}`);
    const fine = await af.get(`${base}/status/204`);
    ok(fine.raiseForStatus() === fine, "returns the response on success");
  },

  async "a 1 s timeout on /delay/3 throws TimeoutError in under 2 s"(af, base) {
    const start = performance.now();
    const e = await throws(() => af.get(`${base}/delay/3`, { timeout: 1 }), "timeout");
    const took = performance.now() - start;
    ok(e instanceof af.TimeoutError && e instanceof af.RequestError && e instanceof af.HTTPError, `TimeoutError, got ${e}`);
    ok(["connect", "read"].includes(e.kind), `kind: ${e.kind}`);
    eq(e.url, `${base}/delay/3`, "url");
    ok(took < 2000, `took ${took} ms`);
  },

  async "a refused connection throws ConnectError (RequestError in browsers)"(af, base, env) {
    const e = await throws(() => af.get("http://127.0.0.1:1/"), "refused");
    ok(e instanceof af.RequestError && e instanceof af.HTTPError, `RequestError, got ${e}`);
    if (!env.browser) ok(e instanceof af.ConnectError, `Node can tell: ConnectError, got ${e.name}: ${e.message}`);
    ok(!(e instanceof af.TimeoutError), "not a timeout");
    eq(e.url, "http://127.0.0.1:1/", "url");
  },

  async "an international host is mapped to its xn-- form by the runtime's URL parser"(af) {
    // The package's wasm carries no IDNA tables (js/crate pins url's ASCII-only backend): the
    // runtime maps the host. `.localhost` resolves to loopback in Chromium and fails fast to
    // resolve in Node: either way a network error, never an invalid-URL one.
    const e = await throws(() => af.get("http://B\u00fccher.localhost:1/p"), "port 1");
    ok(e instanceof af.RequestError, `a network error, got ${e.name}: ${e.message}`);
    eq(e.url, "http://xn--bcher-kva.localhost:1/p", "url");
  },

  async "five one-second requests with Promise.all finish in under 2.5 s"(af, base) {
    // Distinct URLs: Chromium's HTTP cache runs concurrent GETs of one URL one after another.
    const client = new af.Client({ baseUrl: base, timeout: 10 });
    const start = performance.now();
    const rs = await Promise.all(Array.from({ length: 5 }, (_, i) => client.get("/delay/1", { params: { i } })));
    const took = performance.now() - start;
    eq(rs.map((r) => r.status), [200, 200, 200, 200, 200], "statuses");
    ok(took < 2500, `took ${took} ms`);
  },

  async "stream() yields a dripped body as it arrives"(af, base) {
    const r = await af.get(`${base}/drip`, { params: { numbytes: 5, duration: 1.5 } });
    const times = [];
    let total = 0;
    for await (const chunk of r.stream()) {
      ok(chunk instanceof Uint8Array, "chunks are Uint8Array");
      total += chunk.length;
      times.push(performance.now());
    }
    eq(total, 5, "bytes");
    ok(times.length >= 2, `several chunks: ${times.length}`);
    ok(times.at(-1) - times[0] > 600, `first chunk well before the last: ${times.at(-1) - times[0]} ms`);
  },

  async "lines() yields lines as they arrive; breaking out early is fine"(af, base) {
    const r = await af.get(`${base}/lines/4`, { params: { delay: 0.2 } });
    const lines = [];
    for await (const line of r.lines()) lines.push(line);
    eq(lines, ["line 0", "line 1", "line 2", "line 3"], "lines");
    const again = await af.get(`${base}/lines/100`, { params: { delay: 0.1 } });
    const start = performance.now();
    for await (const line of again.lines()) {
      eq(line, "line 0", "first line");
      break;
    }
    ok(performance.now() - start < 1000, "break stops waiting");
    const e = await throws(() => again.text(), "read after stream");
    ok(e instanceof af.HTTPError, `the body was taken: ${e}`);
  },

  async "events() yields Server-Sent Events as they arrive"(af, base) {
    const r = await af.get(`${base}/sse`, { params: { delay: 0.2, cut: 1 }, headers: { Accept: "text/event-stream" } });
    const events = [];
    const times = [];
    for await (const ev of r.events()) {
      events.push(ev);
      times.push(performance.now());
    }
    eq(events, [
      { event: "message", data: "first", id: "1", retry: 1500 },
      { event: "update", data: "line one\nline two", id: "1", retry: 1500 },
      { event: "message", data: "cr only", id: "3", retry: 1500 },
      { event: "message", data: "split across\nwrites", id: "3", retry: 1500 },
      { event: "done", data: "café", id: "3", retry: 1500 },
    ], "events (the one cut short discarded)");
    ok(times.at(-1) - times[0] > 600, `the first event well before the last: ${times.at(-1) - times[0]} ms`);
    const cut = await af.get(`${base}/misbehave/sse-cut`);
    const seen = [];
    const e = await throws(async () => {
      for await (const ev of cut.events()) seen.push(ev.data);
    }, "a connection closed mid-event");
    eq(seen, ["one"], "the event before the cut");
    ok(e instanceof af.RequestError, `a RequestError: ${e}`);
  },

  async "events(): maxEventSize, and the iterator's lastEventId and retry"(af, base) {
    // The second block has no data: it dispatches no event, yet sets the ID and the retry.
    const r = await af.post(`${base}/echo`, { content: "id: 1\ndata: a\n\n: note\nid: 7\nretry: 900\n\n" });
    const events = r.events();
    eq([events.lastEventId, events.retry], ["", null], "before the first read");
    const seen = [];
    for await (const ev of events) seen.push([ev.data, ev.id, ev.retry]);
    eq(seen, [["a", "1", null]], "the one event");
    eq([events.lastEventId, events.retry], ["7", 900], "after the block without data");

    // "data: first", the first event of /sse, is 11 bytes.
    const small = (await af.get(`${base}/sse`)).events({ maxEventSize: 10 });
    const e = await throws(async () => {
      for await (const _ of small);
    }, "an event over maxEventSize");
    ok(e instanceof af.DecodingError, `DecodingError, got ${e}`);
    const roomy = (await af.get(`${base}/sse`)).events({ maxEventSize: 64 });
    eq((await roomy.next()).value.data, "first", "an event under maxEventSize");
    await roomy.return();

    const unread = await af.get(`${base}/sse`);
    for (const bad of [{ maxEventSize: 0 }, { maxEventSize: -1 }, { maxEventSize: "10" }, { max: 10 }, 5]) {
      const e = await throws(() => unread.events(bad), `events(${JSON.stringify(bad)})`);
      ok(e.constructor === af.HTTPError, `a plain HTTPError for ${JSON.stringify(bad)}, got ${e}`);
    }
    eq((await unread.events().next()).value.data, "first", "a refused option leaves the body unread");
  },

  async "bytes() and the other verbs"(af, base) {
    eq(await (await af.get(`${base}/charset/latin1`)).text(), "café", "text() by the charset");
    const b = await (await af.get(`${base}/bytes/100`)).bytes();
    ok(b instanceof Uint8Array && b.length === 100, "100 bytes");
    eq((await af.delete(`${base}/delete`)).status, 200, "delete");
    eq((await af.request("GET", new URL(`${base}/get`))).status, 200, "request() with a URL object");
    const h = await af.head(`${base}/get`);
    eq([h.status, (await h.bytes()).length], [200, 0], "head");
  },

  async "redirects: followed on request, the final URL reported"(af, base, env) {
    const r = await af.get(`${base}/redirect/2`, { followRedirects: true });
    eq([r.status, r.url], [200, `${base}/get`], "followed");
    ok(Object.isFrozen(r.history) && r.history === r.history, "history is one frozen array");
    if (env.browser) {
      // The browser follows the redirects itself and shows none of the hops.
      eq(r.history.length, 0, "history under the browser's fetch");
      // The browser hides a 3xx it does not follow (an opaque redirect): an error says so.
      const e = await throws(() => af.get(`${base}/redirect/1`), "unfollowed redirect");
      ok(e instanceof af.RequestError, `RequestError, got ${e}`);
    } else {
      const hops = await Promise.all(r.history.map(async (h) => [h.status, h.url, h.headers.get("location"), (await h.bytes()).length]));
      eq(hops, [[302, `${base}/redirect/2`, "/redirect/1", 0], [302, `${base}/redirect/1`, "/get", 0]], "history");
      eq(r.history.map((h) => h.history.length), [0, 0], "a hop's own history");
      const not = await af.get(`${base}/redirect/2`);
      eq([not.status, not.isRedirect, not.history.length], [302, true, 0], "not followed by default");
      const client = new af.Client({ followRedirects: true, maxRedirects: 2 });
      const e = await throws(() => client.get(`${base}/redirect/5`), "too many");
      ok(e instanceof af.TooManyRedirects && e instanceof af.HTTPError, `TooManyRedirects, got ${e}`);
    }
  },

  async "decoding and invalid-input errors"(af, base) {
    const r = await af.get(`${base}/html`);
    const e = await throws(() => r.json(), "json of html");
    ok(e instanceof af.DecodingError && e instanceof af.HTTPError, `DecodingError, got ${e}`);
    eq(e.url, `${base}/html`, "url");
    const typo = await throws(() => af.get(`${base}/get`, { follow_redirects: true }), "unknown option");
    ok(typo instanceof af.HTTPError && typo.message.includes("follow_redirects"), `${typo}`);
    const bad = await throws(() => new af.Client({ baseUrl: "not a url" }), "bad base URL");
    ok(bad instanceof af.HTTPError, `${bad}`);
    const cred = await throws(() => af.get(`${base}/get`, { credentials: "always" }), "bad credentials");
    ok(cred instanceof af.HTTPError && cred.message.includes("credentials"), `${cred}`);
    eq((await af.get(`${base}/get`, { credentials: "omit" })).status, 200, "credentials: omit");
    const two = await throws(() => af.post(`${base}/post`, { json: 1, content: "x" }), "two bodies");
    ok(two instanceof af.HTTPError, `${two}`);
    // A number of seconds no Duration holds is refused, not a trap that breaks the module.
    for (const timeout of [1e300, { read: 2 ** 64 }, { total: Infinity }, -1, NaN]) {
      const e = await throws(() => new af.Client({ timeout }), `timeout ${JSON.stringify(timeout)}`);
      ok(e.constructor === af.HTTPError && e.message.includes("timeout"), `${e}`);
    }
    const long = await af.get(`${base}/get`, { timeout: { read: 2 ** 63 } });
    eq(long.status, 200, "a very long timeout");

    // Hooks that are not functions: the parser's error, not a TypeError from running them.
    const hooks = await throws(() => af.get(`${base}/get`, { hooks: { beforeError: "x", afterResponse: [1] } }), "bad hooks");
    ok(hooks.constructor === af.HTTPError && /hooks\.(afterResponse|beforeError)/.test(hooks.message), `${hooks}`);
    // Options that cannot be read (a getter that throws, a revoked Proxy): an HTTPError naming
    // the option, from the request's promise, and the module still works after.
    const boom = new Error("boom");
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    for (const [options, where] of [
      [{ headers: { get "X-A"() { throw boom; } } }, "options.headers.X-A"],
      [{ params: revocable.proxy }, "options.params"],
      [{ files: { f: ["name", revocable.proxy] } }, "options.files.f[1]"],
    ]) {
      const pending = af.get(`${base}/get`, options);
      ok(pending instanceof Promise, "a promise, even for options that cannot be read");
      const e = await throws(() => pending, where);
      ok(e.constructor === af.HTTPError && e.message.includes(`\`${where}\` cannot be read`), `${where}: ${e}`);
    }
    const unreadable = await throws(() => new af.Client({ timeout: revocable.proxy }), "new Client");
    ok(unreadable.constructor === af.HTTPError && unreadable.message.includes("`options.timeout`"), `${unreadable}`);
    eq((await af.get(`${base}/get`)).status, 200, "the module works after");
  },

  async "cookies: a client keeps them in Node (the browser's store in a page)"(af, base, env) {
    if (env.browser) return; // cross-origin cookies need credentials: "include" and a non-* CORS origin
    const client = new af.Client({ baseUrl: base, followRedirects: true });
    await client.get("/cookies/set", { params: { flavour: "oat" } });
    eq((await (await client.get("/cookies")).json()).cookies, { flavour: "oat" }, "cookie sent back");
    eq((await (await af.get(`${base}/cookies`)).json()).cookies, {}, "one-offs share nothing");
  },

  async "retry on a status in the forcelist"(af, base) {
    const key = `js-${Math.random().toString(36).slice(2)}`;
    const client = new af.Client({ retry: { limit: 3, backoffFactor: 0.05, statusCodes: [503] } });
    const r = await client.get(`${base}/retry/${key}`, { params: { fail: 2, status: 503 } });
    eq(r.status, 200, "succeeded after retries");
  },

  async "signal: aborting rejects the request, its wait, and a body read, with AbortError"(af, base) {
    const before = new AbortController();
    before.abort();
    const e0 = await throws(() => af.get(`${base}/get`, { signal: before.signal }), "aborted before");
    eq(e0.name, "AbortError", "already aborted");

    const waiting = new AbortController();
    const started = Date.now();
    setTimeout(() => waiting.abort(), 100);
    const e1 = await throws(() => af.get(`${base}/delay/3`, { signal: waiting.signal }), "abort while waiting");
    eq(e1.name, "AbortError", "abort while waiting for the head");
    ok(Date.now() - started < 2500, `rejected at once, not after the delay (${Date.now() - started} ms)`);

    const reason = new Error("custom reason");
    const custom = new AbortController();
    setTimeout(() => custom.abort(reason), 50);
    const e2 = await throws(() => af.get(`${base}/delay/3`, { signal: custom.signal }), "custom reason");
    ok(e2 === reason, "rejects with the signal's own reason");

    const mid = new AbortController();
    const r = await af.get(`${base}/drip`, { params: { numbytes: 5, duration: 5 }, signal: mid.signal });
    eq(r.status, 200, "head arrived");
    const chunks = [];
    const e3 = await throws(async () => {
      for await (const chunk of r.stream()) {
        chunks.push(chunk);
        mid.abort();
      }
    }, "abort mid-body");
    eq(e3.name, "AbortError", "abort mid-body");
    eq(chunks.length, 1, "no chunk after the abort");
    eq((await throws(() => r.text(), "read after abort")).name, "AbortError", "a later read rejects too");

    const whole = new AbortController();
    const r2 = await af.get(`${base}/drip`, { params: { numbytes: 5, duration: 5 }, signal: whole.signal });
    setTimeout(() => whole.abort(), 100);
    const t0 = Date.now();
    eq((await throws(() => r2.bytes(), "abort a whole-body read")).name, "AbortError", "bytes() aborted");
    ok(Date.now() - t0 < 2500, "bytes() rejected at once");
  },

  async "hooks: beforeRequest (async) changes headers; beforeRetry sees each retry"(af, base) {
    const seen = [];
    const client = new af.Client({
      baseUrl: base,
      retry: { limit: 2, backoffFactor: 0, statusCodes: [503] },
      hooks: {
        beforeRequest: [
          async (request) => {
            await new Promise((r) => setTimeout(r, 10));
            request.headers.set("X-Hooked", `${request.method} ${new URL(request.url).pathname}`);
          },
        ],
        beforeRetry: [
          async ({ request, retryCount }) => {
            seen.push(retryCount);
            request.headers.set("X-Retry", String(retryCount));
          },
        ],
      },
    });
    const h = await (await client.get("/headers")).json();
    eq(h.headers["X-Hooked"], "GET /headers", "the header set after an await was sent");
    const key = `hooks-${Math.random().toString(36).slice(2)}`;
    const r = await client.get(`/retry/${key}`, { params: { fail: 2, status: 503 } });
    eq(r.status, 200, "retried to success");
    eq(seen, [1, 2], "beforeRetry once per retry, with its count");
    const thrown = new Error("hook says no");
    const refusing = new af.Client({ hooks: { beforeRequest: [() => Promise.reject(thrown)] } });
    ok((await throws(() => refusing.get(`${base}/get`), "a rejecting hook")) === thrown, "the hook's own error");
  },

  async "hooks: afterResponse may replace the response; beforeError may replace the error"(af, base) {
    const calls = [];
    const client = new af.Client({
      baseUrl: base,
      throwHttpErrors: true,
      hooks: {
        afterResponse: [
          async (request, options, response) => {
            calls.push([request.method, request.url, response.status]);
            if (response.status === 401) return client.get("/get", { params: { replaced: "yes" } });
          },
        ],
        beforeError: [
          (error) => {
            error.message = `[seen] ${error.message}`;
            return error;
          },
        ],
      },
    });
    const r = await client.get("/status/401");
    eq((await r.json()).args, { replaced: "yes" }, "the replacement response");
    eq(calls[0], ["GET", "/status/401", 401], "afterResponse saw the request and response");
    const e = await throws(() => client.get("/status/404"), "a 404 with throwHttpErrors");
    ok(e instanceof af.HTTPStatusError && e.message.startsWith("[seen] "), `beforeError ran: ${e.message}`);
  },

  async "throwHttpErrors: off by default, opt-in per client or request"(af, base) {
    eq((await af.get(`${base}/status/404`)).status, 404, "resolves by default");
    const e = await throws(() => af.get(`${base}/status/404`, { throwHttpErrors: true }), "one-off opt-in");
    ok(e instanceof af.HTTPStatusError && e.status === 404 && e.response.status === 404, `${e}`);
    const strict = new af.Client({ throwHttpErrors: true });
    await throws(() => strict.get(`${base}/status/500`), "client opt-in");
    eq((await strict.get(`${base}/status/500`, { throwHttpErrors: false })).status, 500, "request opt-out");
  },

  async "onDownloadProgress: bytes counted from 0 to Content-Length"(af, base) {
    const events = [];
    const r = await af.get(`${base}/stream-bytes/3000`, {
      params: { chunk_size: 1000 },
      onDownloadProgress: (p, chunk) => events.push({ ...p, chunk: chunk.length }),
    });
    const body = await r.bytes();
    eq(body.length, 3000, "body");
    eq(events[0], { transferred: 0, total: 0, percent: 0, chunk: 0 }, "first event (chunked: no total)");
    eq(events.at(-1), { transferred: 3000, total: 3000, percent: 1, chunk: 0 }, "last event");
    for (let i = 1; i < events.length; i++) ok(events[i].transferred >= events[i - 1].transferred, "monotonic");
    const sized = [];
    await (await af.get(`${base}/bytes/1200`, { onDownloadProgress: (p) => sized.push(p) })).bytes();
    eq(sized[0], { transferred: 0, total: 1200, percent: 0 }, "Content-Length is the total");
    eq(sized.at(-1), { transferred: 1200, total: 1200, percent: 1 }, "ends at 100%");
  },

  async "onUploadProgress: from 0 to the body's size"(af, base) {
    const events = [];
    const r = await af.post(`${base}/post`, { content: "x".repeat(1000), onUploadProgress: (p) => events.push(p) });
    eq((await r.json()).data.length, 1000, "uploaded");
    eq(events[0], { transferred: 0, total: 1000, percent: 0 }, "start");
    eq(events.at(-1), { transferred: 1000, total: 1000, percent: 1 }, "end");
  },

  async "fetch: a custom fetch function is used instead of the global one"(af, base) {
    const urls = [];
    const fetch = (url, init) => {
      urls.push(String(url));
      const headers = new Headers(init.headers);
      headers.set("X-Via", "custom-fetch");
      return globalThis.fetch(url, { ...init, headers });
    };
    const client = new af.Client({ fetch });
    const h = await (await client.get(`${base}/headers`)).json();
    eq(h.headers["X-Via"], "custom-fetch", "sent through the custom fetch");
    eq(urls, [`${base}/headers`], "called once");
    const one = await (await af.get(`${base}/headers`, { fetch })).json();
    eq(one.headers["X-Via"], "custom-fetch", "one-offs take it too");
    const bad = await throws(() => af.get(`${base}/get`, { fetch: async () => ({}) }), "not a Response");
    ok(bad instanceof af.RequestError, `a typed error: ${bad}`);
  },

  async "extend: options merged over the parent's"(af, base) {
    const order = [];
    const parent = new af.Client({
      baseUrl: base,
      headers: { "X-A": "1", "X-B": "parent" },
      hooks: { beforeRequest: [() => order.push("parent")] },
    });
    const child = parent.extend({ headers: { "x-b": "child" }, hooks: { beforeRequest: [() => order.push("child")] } });
    const h = (await (await child.get("/headers")).json()).headers;
    eq([h["X-A"], h["X-B"]], ["1", "child"], "headers merged, the child's win (case-insensitive)");
    eq(order, ["parent", "child"], "hooks appended");
    const fromFn = parent.extend((o) => ({ headers: { ...o.headers, "X-C": "3" } }));
    eq((await (await fromFn.get("/headers")).json()).headers["X-C"], "3", "extend(fn)");
    eq((await (await parent.get("/headers")).json()).headers["X-B"], "parent", "the parent is unchanged");
  },

  async "retry: methods, backoffLimit and afterStatusCodes"(af, base) {
    const attempts = async (key) => (await (await af.get(`${base}/retry-count/${key}`)).json()).attempts;
    const k1 = `m-${Math.random().toString(36).slice(2)}`;
    const post = new af.Client({ retry: { limit: 2, backoffFactor: 0, methods: ["POST"], statusCodes: [503] } });
    eq((await post.post(`${base}/retry/${k1}`, { params: { fail: 5 } })).status, 503, "gave up");
    eq(await attempts(k1), 3, "POST retried when methods names it");

    const k2 = `b-${Math.random().toString(36).slice(2)}`;
    const capped = new af.Client({ retry: { limit: 2, backoffLimit: 1, statusCodes: [503] } });
    eq((await capped.get(`${base}/retry/${k2}`, { params: { fail: 5, retry_after: 3 } })).status, 503, "503");
    eq(await attempts(k2), 1, "a Retry-After over backoffLimit ends the retries");

    const k3 = `a-${Math.random().toString(36).slice(2)}`;
    const ignoring = new af.Client({ retry: { limit: 2, backoffFactor: 0, afterStatusCodes: [429], statusCodes: [503] } });
    const t0 = Date.now();
    eq((await ignoring.get(`${base}/retry/${k3}`, { params: { fail: 1, retry_after: 100 } })).status, 200, "retried");
    eq(await attempts(k3), 2, "Retry-After of a status not in afterStatusCodes is ignored");
    ok(Date.now() - t0 < 5000, "did not wait the 100 s");
  },

  async "errors keep their shape: classes, name, cause, redacted URL"(af) {
    const e = await throws(() => af.get("http://user:s3cret@127.0.0.1:1/"), "refused");
    ok(e instanceof af.RequestError && e instanceof af.HTTPError && e instanceof Error, `classes: ${e}`);
    ok(["ConnectError", "RequestError"].includes(e.name), `name ${e.name}`);
    ok(e.cause instanceof Error && typeof e.cause.name === "string", `cause: ${e.cause}`);
    ok(!e.message.includes("s3cret") && !String(e.url).includes("s3cret"), `redacted: ${e.message} ${e.url}`);
    ok(e.message.includes("127.0.0.1:1/") && e.url === "http://127.0.0.1:1/", `the URL is named: ${e.message} ${e.url}`);
    const bad = await throws(() => af.get(`http://127.0.0.1:1/`, { retry: "no" }), "bad option");
    ok(bad instanceof af.HTTPError && bad.name === "HTTPError", `invalid input: ${bad.name}`);
  },
};

/** Runs every check (or those named); resolves to `[{ name, ok, error, ms }]`. */
export async function runAll(af, base, env, names = Object.keys(checks)) {
  const results = [];
  for (const name of names) {
    const start = performance.now();
    try {
      await checks[name](af, base, env);
      results.push({ name, ok: true, ms: Math.round(performance.now() - start) });
    } catch (e) {
      results.push({ name, ok: false, error: `${e?.name}: ${e?.message}\n${e?.stack ?? ""}`, ms: Math.round(performance.now() - start) });
    }
  }
  return results;
}
