// The behaviour checks of the npm package, run in Node (node.test.mjs) and in headless Chromium
// (page.html, driven by browser.test.mjs) against the project's local test server.
//
// Each check is `async (af, base, env) => void`: `af` is the imported package, `base` the test
// server's URL, `env.browser` true in a page or worker. A check throws to fail.

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
    if (env.browser) {
      // The browser hides a 3xx it does not follow (an opaque redirect): an error says so.
      const e = await throws(() => af.get(`${base}/redirect/1`), "unfollowed redirect");
      ok(e instanceof af.RequestError, `RequestError, got ${e}`);
    } else {
      const not = await af.get(`${base}/redirect/2`);
      eq([not.status, not.isRedirect], [302, true], "not followed by default");
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
    const client = new af.Client({ retry: { total: 3, backoffFactor: 0.05, statusForcelist: [503] } });
    const r = await client.get(`${base}/retry/${key}`, { params: { fail: 2, status: 503 } });
    eq(r.status, 200, "succeeded after retries");
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
