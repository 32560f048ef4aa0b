// The error classes, as in httpx:
//
//   HTTPError
//   ├── RequestError          a transport failure: nothing usable came back
//   │   ├── ConnectError      the connection could not be made
//   │   └── TimeoutError      a timeout fired; .kind says which
//   ├── HTTPStatusError       raiseForStatus() on a 4xx or 5xx; .status, .response
//   ├── TooManyRedirects
//   └── DecodingError         the body could not be decoded (bad JSON, bad gzip...)
//
// Rust throws plain objects `{ anyfetch: true, kind, timeoutKind, message, url, status, cause }`;
// `toError` turns them into these classes, in this one place. `url` has its password, if any,
// as `[redacted]`, as in the message; `cause` is what failed beneath (the runtime's own error:
// its name, message and Node's `code`), made an `Error` here.

/** Base class of every error anyfetch throws. Invalid input (a bad URL or option) is a plain `HTTPError`. */
export class HTTPError extends Error {
  constructor(message, { url = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    /** The URL the error concerns, or null. */
    this.url = url;
  }
}

/** A transport failure: connect, timeout, read, write or protocol error. */
export class RequestError extends HTTPError {}

/** The connection could not be established (refused, DNS, TLS). */
export class ConnectError extends RequestError {}

/** A timeout fired. `kind` is "connect", "read", "write", "pool" or "total". */
export class TimeoutError extends RequestError {
  constructor(message, { kind = "read", ...rest } = {}) {
    super(message, rest);
    this.kind = kind;
  }
}

/** `raiseForStatus()` on a 4xx or 5xx response. */
export class HTTPStatusError extends HTTPError {
  constructor(message, { status, response = null, ...rest } = {}) {
    super(message, rest);
    this.status = status;
    this.response = response;
  }
}

/** More redirects than `maxRedirects`, or a redirect that cannot be followed. */
export class TooManyRedirects extends HTTPError {}

/** The response body could not be decoded. */
export class DecodingError extends HTTPError {}

// `name` from the keys, not from `C.name`: minifiers (Vite's build, esbuild --minify) rename classes.
const classes = { HTTPError, RequestError, ConnectError, TimeoutError, HTTPStatusError, TooManyRedirects, DecodingError };
for (const [name, C] of Object.entries(classes)) {
  Object.defineProperty(C.prototype, "name", { value: name, writable: true, configurable: true });
}

const byKind = {
  builder: HTTPError,
  connect: ConnectError,
  read: RequestError,
  write: RequestError,
  protocol: RequestError,
  unsupported: RequestError,
  redirect: TooManyRedirects,
  decode: DecodingError,
};

/** `{ name, message, code, cause }` from Rust as an `Error`. */
function causeOf(raw) {
  if (raw == null) return undefined;
  const e = new Error(raw.message, raw.cause == null ? undefined : { cause: causeOf(raw.cause) });
  e.name = raw.name;
  if (raw.code != null) e.code = raw.code;
  return e;
}

/** The class instance for an error thrown by the Rust side; anything else is returned as is. */
export function toError(raw, response = null) {
  if (raw === null || typeof raw !== "object" || raw.anyfetch !== true) return raw;
  const { kind, timeoutKind, message, url, status } = raw;
  const cause = causeOf(raw.cause);
  if (kind === "timeout") return new TimeoutError(message, { url, kind: timeoutKind, cause });
  if (kind === "status") return new HTTPStatusError(message, { url, status, response, cause });
  return new (byKind[kind] ?? HTTPError)(message, { url, cause });
}
