// TypeScript declarations for anyfetch: an httpx-style HTTP client for browsers, web workers and
// Node >= 18, over the global `fetch`.

/** Header or parameter pairs: a plain object, a `Headers`/`Map`/`URLSearchParams`, or `[key, value]` pairs. */
export type Pairs =
  | Record<string, string | number | boolean | null | undefined>
  | Iterable<[string, string]>
  | Headers
  | Map<string, string>
  | URLSearchParams;

/** Query parameters; an array value repeats the key (`{ tag: ["a", "b"] }` → `?tag=a&tag=b`). */
export type Params =
  | Record<string, string | number | boolean | null | undefined | Array<string | number | boolean>>
  | Iterable<[string, string | number | boolean]>
  | Map<string, string | number | boolean>
  | URLSearchParams;

/** Bytes: a `Uint8Array` (or any typed array, `DataView`, `ArrayBuffer`). */
export type Bytes = ArrayBufferView | ArrayBuffer;

/**
 * Timeouts in **seconds**: one number for connect, read, write and pool alike (default 5 each);
 * `null` for none; or each phase on its own, where a missing phase keeps its 5 s default, `null`
 * removes it, and `total` bounds the whole exchange (redirects, retries and the body included).
 * Over `fetch` (browsers and Node) the wait for the response head is bounded by `read` (a timeout
 * there has `kind: "read"`): fetch cannot tell connecting from waiting, so `connect` is not
 * honoured apart, nor `write`.
 */
export type Timeout =
  | number
  | null
  | {
      connect?: number | null;
      read?: number | null;
      write?: number | null;
      pool?: number | null;
      total?: number | null;
    };

/** Credentials: HTTP Basic, a bearer token, or HTTP Digest. */
export type Auth =
  | { basic: [username: string, password: string] }
  | { bearer: string }
  | { digest: [username: string, password: string] };

/** Retries: a number of retries, or the full settings. */
export type Retry =
  | number
  | {
      /** The most retries (so `limit + 1` attempts). */
      limit: number;
      /** Seconds of the first wait, doubled for each retry after (with jitter). Default 0.5. */
      backoffFactor?: number;
      /** The longest wait in seconds; a `Retry-After` asking for longer ends the retries. Default 30. */
      backoffLimit?: number;
      /** Statuses retried. Default [429, 502, 503, 504]. */
      statusCodes?: number[];
      /** Methods retried on those statuses. Default the idempotent ones (GET, HEAD, PUT, DELETE, OPTIONS, TRACE). A failed connection is retried whatever the method. */
      methods?: string[];
      /** Statuses whose `Retry-After` header sets the wait; on the others the backoff applies. Default every status retried. */
      afterStatusCodes?: number[];
    };

/** What the request hooks see: change `headers` to change what is sent. */
export interface HookRequest {
  readonly method: string;
  /** The absolute URL of this hop. */
  readonly url: string;
  headers: Headers;
}

/**
 * Hooks; each may return a promise, which is awaited. Hooks run in order; `extend` appends.
 * A hook that throws (or rejects) fails the request with what it threw.
 */
export interface Hooks {
  /** Before each request is sent: redirect hops, auth round-trips and retries included. */
  beforeRequest?: Array<(request: HookRequest) => void | Promise<void>>;
  /** Before each retry (once per retry), after its wait. */
  beforeRetry?: Array<(state: { request: HookRequest; retryCount: number }) => void | Promise<void>>;
  /** On the final response (after redirects and retries); returning a `Response` replaces it. */
  afterResponse?: Array<
    (request: { method: string; url: string }, options: RequestOptions, response: Response) => void | Response | Promise<void | Response>
  >;
  /** Before an anyfetch error is thrown by a request; returning an error replaces it. */
  beforeError?: Array<(error: HTTPError) => HTTPError | void | Promise<HTTPError | void>>;
}

/** Progress of a download or upload. */
export interface Progress {
  /** Bytes so far. */
  transferred: number;
  /** Bytes in all, or 0 when unknown. */
  total: number;
  /** `transferred / total` (0 when the total is unknown), 1 at the end. */
  percent: number;
}

/** A function with the signature of the global `fetch`. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<globalThis.Response>;

/** A file to upload: bytes, a `Blob`/`File`, a string, or `[filename, data, contentType?]`. */
export type FileValue =
  | Bytes
  | Blob
  | string
  | [filename: string, data: Bytes | Blob | string, contentType?: string];

export interface ClientOptions {
  /** Relative request URLs are joined onto this, httpx style. */
  baseUrl?: string | URL;
  /** Headers sent with every request; a request's own header of the same name replaces them. */
  headers?: Pairs;
  /** Query parameters added to every request. */
  params?: Params;
  /** Default 5 seconds for each phase. */
  timeout?: Timeout;
  /** Follow 3xx redirects. Default `false`, as in httpx. */
  followRedirects?: boolean;
  /** Default 20. */
  maxRedirects?: number;
  auth?: Auth;
  retry?: Retry;
  hooks?: Hooks;
  /** Called instead of the global `fetch` (in Node, one bound to undici's `ProxyAgent` for a proxy). Default the global `fetch`. */
  fetch?: FetchFunction;
  /** Reject with an {@link HTTPStatusError} on a 4xx or 5xx. Default `false` (call `raiseForStatus()`, as in httpx). */
  throwHttpErrors?: boolean;
}

/** Per-request options. At most one body: `json`, `form`, `content` or `files` (`form` + `files` combine into one multipart body). */
export interface RequestOptions {
  params?: Params;
  headers?: Pairs;
  /** A JSON body (`Content-Type: application/json`), serialized with `JSON.stringify`. */
  json?: unknown;
  /** A URL-encoded form body (`application/x-www-form-urlencoded`). */
  form?: Pairs;
  /** A raw body: text or bytes (httpx `content=`). */
  content?: string | Bytes | Blob;
  /** A `multipart/form-data` body: one part per field. */
  files?: Record<string, FileValue> | Map<string, FileValue> | Array<[string, FileValue]>;
  timeout?: Timeout;
  auth?: Auth;
  /** Follow 3xx redirects for this request. Default: the client's (`false`). In browsers, not following fails: the browser hides the 3xx. */
  followRedirects?: boolean;
  /** Browsers: which cookies and HTTP auth the browser sends and stores (fetch's `credentials`). Default `"same-origin"`. No effect in Node. */
  credentials?: "omit" | "same-origin" | "include";
  /** Aborting rejects the request, its retries, and any read of its body with the signal's `reason` (an `AbortError` by default). */
  signal?: AbortSignal;
  /** Called when the body starts to be read, after each chunk (`chunk` its bytes as the runtime hands them over), and at the end. What it throws fails the read; a promise it returns is not awaited. */
  onDownloadProgress?: (progress: Progress, chunk: Uint8Array) => void;
  /** Called when the request starts (0) and once the server has answered (the whole body). fetch gives no finer upload progress. What it throws fails the request; a promise it returns is not awaited. */
  onUploadProgress?: (progress: Progress) => void;
  /** Reject on a 4xx or 5xx for this request. Default: the client's (`false`). */
  throwHttpErrors?: boolean;
}

/** A one-off request's options: a request's, and a client's (`baseUrl`, `retry`, `hooks`, `fetch`...). */
export interface OneOffOptions extends RequestOptions, Omit<ClientOptions, keyof RequestOptions> {}

/** An HTTP response: the head at once, the body read whole or streamed. */
export class Response {
  private constructor();
  /** The status code. */
  readonly status: number;
  /** The final URL, after any redirects. */
  readonly url: string;
  /**
   * The redirect responses that led here, oldest first (their bodies are empty). Empty where the
   * runtime follows redirects itself (browsers): fetch does not show the hops.
   */
  readonly history: readonly Response[];
  /** The response headers (`get` is case-insensitive). */
  readonly headers: Headers;
  /** Milliseconds from sending the request to receiving the response head. */
  readonly elapsed: number;
  /** 2xx. */
  readonly isSuccess: boolean;
  /** A 3xx with a `Location` header. */
  readonly isRedirect: boolean;
  /** 4xx or 5xx. */
  readonly isError: boolean;
  /** Throws an {@link HTTPStatusError} on a 4xx or 5xx; returns this response otherwise. */
  raiseForStatus(): this;
  /** The whole body as bytes; kept, so it may be read again. */
  bytes(): Promise<Uint8Array>;
  /** The whole body as text, decoded by the charset of `Content-Type` (UTF-8 by default). */
  text(): Promise<string>;
  /** The whole body parsed as JSON; a {@link DecodingError} if it is not JSON. */
  json<T = any>(): Promise<T>;
  /** The body as chunks as they arrive (`for await`). Takes the body; leaving the loop early cancels it. */
  stream(): AsyncGenerator<Uint8Array, void, undefined>;
  /** The body as lines of text, without line endings, as they arrive. Takes the body. A line over 16 MiB throws a {@link DecodingError}. */
  lines(): AsyncGenerator<string, void, undefined>;
  /**
   * The body as Server-Sent Events (`text/event-stream`, parsed as a browser's `EventSource` does), as they arrive. Takes the body; reconnecting is left to the caller.
   * An event over `maxEventSize` bytes (default 16 MiB) throws a {@link DecodingError}.
   */
  events(options?: EventsOptions): ServerSentEvents;
}

/** Options of {@link Response.events}. */
export interface EventsOptions {
  /** The most bytes one event may hold (its data, its type and the line being read; comments do not count). Default 16 MiB. */
  maxEventSize?: number;
}

/** What {@link Response.events} returns: the events, for `for await`, and what the stream has set so far. */
export interface ServerSentEvents extends AsyncGenerator<ServerSentEvent, void, undefined> {
  /** The last event ID the stream has set (`""` when none), counting an `id:` in a block without data, which no event carries: send it back as `Last-Event-ID`. */
  readonly lastEventId: string;
  /** The reconnection time the stream has set most recently, in milliseconds, or `null`; a block without data counts too. */
  readonly retry: number | null;
}

/** One Server-Sent Event, as {@link Response.events} yields it. */
export interface ServerSentEvent {
  /** The `event:` field, or `"message"` when the event had none. */
  event: string;
  /** The `data:` lines, joined with `"\n"`. */
  data: string;
  /** The last event ID when the event was dispatched (`""` when none): send it back as `Last-Event-ID` to resume. */
  id: string;
  /** The reconnection time the stream set most recently (`retry:`), in milliseconds, or `null` if it never set one. */
  retry: number | null;
}

/** An HTTP client: base URL, default headers, auth, timeouts, redirects and retries for every request. */
export class Client {
  constructor(options?: ClientOptions);
  /** A new client with `options` over this one's: headers and params merged (the new ones win), hooks appended, `retry`/`timeout` objects merged, the rest replaced. It has its own cookie jar. */
  extend(options: ClientOptions | ((parent: ClientOptions) => ClientOptions)): Client;
  request(method: string, url: string | URL, options?: RequestOptions): Promise<Response>;
  get(url: string | URL, options?: RequestOptions): Promise<Response>;
  post(url: string | URL, options?: RequestOptions): Promise<Response>;
  put(url: string | URL, options?: RequestOptions): Promise<Response>;
  patch(url: string | URL, options?: RequestOptions): Promise<Response>;
  delete(url: string | URL, options?: RequestOptions): Promise<Response>;
  head(url: string | URL, options?: RequestOptions): Promise<Response>;
  options(url: string | URL, options?: RequestOptions): Promise<Response>;
}

/** One-off requests on a new default client each (no shared state). */
export function request(method: string, url: string | URL, options?: OneOffOptions): Promise<Response>;
export function get(url: string | URL, options?: OneOffOptions): Promise<Response>;
export function post(url: string | URL, options?: OneOffOptions): Promise<Response>;
export function put(url: string | URL, options?: OneOffOptions): Promise<Response>;
export function patch(url: string | URL, options?: OneOffOptions): Promise<Response>;
declare function del(url: string | URL, options?: OneOffOptions): Promise<Response>;
export { del as delete };
export function head(url: string | URL, options?: OneOffOptions): Promise<Response>;
export function options(url: string | URL, options?: OneOffOptions): Promise<Response>;

/** Base class of every anyfetch error. Invalid input (a bad URL or option) is a plain `HTTPError`. */
export class HTTPError extends Error {
  /** The URL the error concerns, if known (a password in it as `[redacted]`). */
  readonly url: string | null;
  /** What failed beneath, when something did: the runtime's own error (`name`, `message`, and Node's `code`). */
  readonly cause?: Error & { code?: string };
}
/** A transport failure: nothing usable came back. */
export class RequestError extends HTTPError {}
/** The connection could not be made (refused, DNS, TLS). Browsers cannot tell this apart: there it is a {@link RequestError}. */
export class ConnectError extends RequestError {}
/** A timeout fired. */
export class TimeoutError extends RequestError {
  readonly kind: "connect" | "read" | "write" | "pool" | "total";
}
/** {@link Response.raiseForStatus} on a 4xx or 5xx. */
export class HTTPStatusError extends HTTPError {
  readonly status: number;
  readonly response: Response;
}
/** More redirects than `maxRedirects`, or a redirect that cannot be followed. */
export class TooManyRedirects extends HTTPError {}
/** The response body could not be decoded. */
export class DecodingError extends HTTPError {}
