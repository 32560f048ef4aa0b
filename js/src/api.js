// The public API: thin classes over the Rust exports (`RawClient`, `RawResponse`, `request`),
// which do the work. This file adds the error classes, `Headers`, and `for await` iteration.
// The entry files (node.js, browser.js) load the wasm before anything here runs.

import { RawClient, request as rawRequest } from "../pkg/anyfetch.js";
import { HTTPError, toError } from "./errors.js";

export {
  HTTPError,
  RequestError,
  ConnectError,
  TimeoutError,
  HTTPStatusError,
  TooManyRedirects,
  DecodingError,
} from "./errors.js";

async function call(promise, response) {
  try {
    return await promise;
  } catch (e) {
    throw toError(e, response);
  }
}

function sync(f, response) {
  try {
    return f();
  } catch (e) {
    throw toError(e, response);
  }
}

/** Iterates a ReadableStream made by Rust; leaving the loop early cancels the download. */
async function* iterate(stream) {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await call(reader.read());
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } catch (e) {
    finished = true;
    throw e;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** An HTTP response. The head is here at once; the body is read with bytes/text/json or streamed. */
export class Response {
  #raw;
  #headers;
  #history;

  /** @internal */
  constructor(raw) {
    this.#raw = raw;
  }

  /** The status code. */
  get status() {
    return this.#raw.status;
  }
  /** The final URL, after any redirects. */
  get url() {
    return this.#raw.url;
  }
  /**
   * The redirect responses that led here, oldest first (their bodies are empty). Empty where the
   * runtime follows redirects itself (browsers): fetch does not show the hops.
   */
  get history() {
    this.#history ??= Object.freeze(this.#raw.takeHistory().map((raw) => new Response(raw)));
    return this.#history;
  }
  /** The response headers (case-insensitive `get`). */
  get headers() {
    this.#headers ??= new Headers(this.#raw.headerPairs());
    return this.#headers;
  }
  /** Milliseconds from sending the request to receiving the response head. */
  get elapsed() {
    return this.#raw.elapsed;
  }
  /** 2xx. */
  get isSuccess() {
    return this.#raw.isSuccess;
  }
  /** A 3xx with a Location header. */
  get isRedirect() {
    return this.#raw.isRedirect;
  }
  /** 4xx or 5xx. */
  get isError() {
    return this.#raw.isError;
  }

  /** Throws an HTTPStatusError on a 4xx or 5xx; returns this response otherwise. */
  raiseForStatus() {
    sync(() => this.#raw.raiseForStatus(), this);
    return this;
  }

  /** The whole body as bytes (kept: calling again, or text/json after, is fine). */
  bytes() {
    return call(this.#raw.bytes(), this);
  }
  /** The whole body as text, decoded by the charset of Content-Type (UTF-8 by default). */
  text() {
    return call(this.#raw.text(), this);
  }
  /** The whole body parsed as JSON; a DecodingError if it is not JSON. */
  json() {
    return call(this.#raw.json(), this);
  }
  /** The body as Uint8Array chunks as they arrive, for `for await`. Takes the body. */
  stream() {
    return iterate(sync(() => this.#raw.stream(), this));
  }
  /** The body as lines of text (without line endings) as they arrive. Takes the body. */
  lines() {
    return iterate(sync(() => this.#raw.lines(), this));
  }
  /**
   * The body as Server-Sent Events ({ event, data, id, retry }) as they arrive. Takes the body.
   * `options.maxEventSize` bounds one event (16 MiB by default). The iterator's `lastEventId`
   * and `retry` are what the stream has set so far, blocks without data included.
   */
  events(options) {
    const raw = this.#raw;
    probe(options, "options");
    const events = iterate(sync(() => raw.events(options), this));
    return Object.defineProperties(events, {
      lastEventId: { get: () => raw.sseLastEventId },
      retry: { get: () => raw.sseRetry },
    });
  }

  get [Symbol.toStringTag]() {
    return "anyfetch.Response";
  }
}

/**
 * Reads each plain object and array of `options` once, as the Rust parser will, so that one it
 * cannot read (a getter that throws, a revoked Proxy) is an `HTTPError` here. An exception
 * thrown inside the wasm module would leave it unwound (its stack pointer not restored), and
 * inside a pending request nothing would catch it: the promise would never settle. Other
 * objects (Blob, Uint8Array, AbortSignal, Headers...) are left whole, but their prototype is
 * read, which is what `instanceof` does. A `json` body is left to `JSON.stringify`, whose
 * exceptions are caught.
 */
function probe(value, path, seen = new Set()) {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  const read = (key, where) => {
    try {
      return value[key];
    } catch (e) {
      throw unreadable(where, e);
    }
  };
  let keys = [];
  let array = false;
  try {
    const proto = Object.getPrototypeOf(value);
    array = Array.isArray(value);
    if (array) keys = Array.from({ length: value.length }, (_, i) => i);
    else if (proto === Object.prototype || proto === null) keys = Object.keys(value);
  } catch (e) {
    throw unreadable(path, e);
  }
  for (const key of keys) {
    if (path === "options" && key === "json") continue;
    const where = array ? `${path}[${key}]` : `${path}.${key}`;
    probe(read(key, where), where, seen);
  }
}

/** A request's options that `probe` refuses, as the request's rejected promise; else undefined. */
function refused(options) {
  try {
    probe(options, "options");
  } catch (e) {
    return Promise.reject(e);
  }
}

function unreadable(path, e) {
  let why = "an exception";
  try {
    why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {}
  return new HTTPError(`\`${path}\` cannot be read (${why})`, { cause: e instanceof Error ? e : undefined });
}

/** Options as `[key, value]` pairs (a plain object, Map, Headers, URLSearchParams or pairs). */
function pairsOf(v) {
  if (v == null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v.entries === "function") return [...v.entries()];
  return Object.entries(v);
}

/** `over`'s pairs after `base`'s, without the keys `over` names (compared by `norm`). */
function mergePairs(base, over, norm) {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const named = new Set(pairsOf(over).map(([k]) => norm(String(k))));
  return [...pairsOf(base).filter(([k]) => !named.has(norm(String(k)))), ...pairsOf(over)];
}

const HOOKS = ["beforeRequest", "beforeRetry", "afterResponse", "beforeError"];
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** `client.extend(over)`: `over`'s options over `base`'s, ky style. */
function mergeOptions(base, over) {
  const out = { ...base, ...over };
  out.headers = mergePairs(base.headers, over.headers, (k) => k.toLowerCase());
  out.params = mergePairs(base.params, over.params, (k) => k);
  if (base.hooks !== undefined || over.hooks !== undefined) {
    out.hooks = {};
    for (const k of HOOKS) {
      const list = [...(base.hooks?.[k] ?? []), ...(over.hooks?.[k] ?? [])];
      if (list.length) out.hooks[k] = list;
    }
  }
  for (const k of ["retry", "timeout"]) {
    if (isObject(base[k]) && isObject(over[k])) out[k] = { ...base[k], ...over[k] };
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The classes the Rust side (src/js/hooks.rs, where every hook runs) gives the caller and the
 * `afterResponse` and `beforeError` hooks.
 */
const CLASSES = {
  response: (raw) => new Response(raw),
  error: (e) => toError(e),
  isResponse: (v) => v instanceof Response,
  isHTTPError: (v) => v instanceof HTTPError,
};

/** An HTTP client: a base URL, default headers, auth, timeouts, redirects and retries for every request. */
export class Client {
  #raw;
  #options;

  constructor(options = {}) {
    probe(options, "options");
    this.#raw = sync(() => new RawClient(options));
    this.#options = options ?? {};
  }

  /** A new client with these options over this one's (headers and params merged, hooks added after). */
  extend(options = {}) {
    const over = typeof options === "function" ? options({ ...this.#options }) : options;
    return new Client(mergeOptions(this.#options, over ?? {}));
  }

  /** Sends a request with any method. */
  request(method, url, options = {}) {
    return refused(options) ?? this.#raw.request(String(method), String(url), options, CLASSES);
  }
  get(url, options) {
    return this.request("GET", url, options);
  }
  post(url, options) {
    return this.request("POST", url, options);
  }
  put(url, options) {
    return this.request("PUT", url, options);
  }
  patch(url, options) {
    return this.request("PATCH", url, options);
  }
  delete(url, options) {
    return this.request("DELETE", url, options);
  }
  head(url, options) {
    return this.request("HEAD", url, options);
  }
  options(url, options) {
    return this.request("OPTIONS", url, options);
  }
}

/** A one-off request with any method (no shared state between one-offs). */
export function request(method, url, options = {}) {
  return refused(options) ?? rawRequest(String(method), String(url), options, CLASSES);
}
export const get = (url, options) => request("GET", url, options);
export const post = (url, options) => request("POST", url, options);
export const put = (url, options) => request("PUT", url, options);
export const patch = (url, options) => request("PATCH", url, options);
const del = (url, options) => request("DELETE", url, options);
export { del as delete };
export const head = (url, options) => request("HEAD", url, options);
export const options = (url, opts) => request("OPTIONS", url, opts);
