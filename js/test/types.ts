// Compiled (not run) by types.test.mjs: the declarations in index.d.ts cover the README's usage.
import { Client, get, post, request, HTTPError, HTTPStatusError, TimeoutError, type Response, type ServerSentEvent } from "anyfetch";

async function main(base: string): Promise<void> {
  const r: Response = await get(`${base}/get`, { params: { q: "test", page: 2 }, timeout: 10 });
  const status: number = r.status;
  const ct: string | null = r.headers.get("content-type");
  const ms: number = r.elapsed;
  const flags: boolean[] = [r.isSuccess, r.isRedirect, r.isError];
  const hops: number[] = r.history.map((h: Response) => h.status);
  // @ts-expect-error: the history is read-only
  r.history.push(r);
  const data = await r.json<{ args: Record<string, string> }>();
  const q: string | undefined = data.args.q;
  const bytes: Uint8Array = await r.bytes();
  const text: string = await r.text();
  console.log(status, ct, ms, flags, hops, q, bytes.length, text.length);

  const client = new Client({
    baseUrl: base,
    headers: { "User-Agent": "my-app/1.0" },
    timeout: { connect: 5, read: 10, total: null },
    followRedirects: true,
    maxRedirects: 5,
    auth: { basic: ["user", "passwd"] },
    retry: { limit: 3, backoffFactor: 0.5, statusCodes: [429, 503] },
  });
  await client.post("/post", { json: { name: "ada" } });
  await client.post("/post", { form: { key: "value" } });
  await client.post("/post", { content: new Uint8Array([1, 2]) });
  await client.post("/post", { files: { file: ["a.txt", "hello", "text/plain"], raw: new Uint8Array(1) } });
  await request("PROPFIND", new URL(base), { auth: { bearer: "TOKEN" } });
  await post(`${base}/post`, { content: "raw" });

  for await (const chunk of r.stream()) chunk.byteLength;
  for await (const line of r.lines()) line.toUpperCase();
  for await (const ev of r.events()) {
    const e: ServerSentEvent = ev;
    const wait: number = e.retry ?? 3000;
    e.data.toUpperCase() + e.event + e.id + wait;
  }
  const feed = r.events({ maxEventSize: 1 << 20 });
  for await (const ev of feed) ev.data;
  const resume: string = feed.lastEventId;
  const after: number | null = feed.retry;
  console.log(resume, after);
  // @ts-expect-error: an unknown option
  r.events({ max: 10 });

  const controller = new AbortController();
  const strict = client.extend({
    throwHttpErrors: true,
    fetch: (input, init) => fetch(input, init),
    retry: { limit: 2, methods: ["GET", "POST"], backoffLimit: 10, afterStatusCodes: [429, 503] },
    hooks: {
      beforeRequest: [async (req) => req.headers.set("x-id", `${req.method} ${req.url}`)],
      beforeRetry: [({ request, retryCount }) => request.headers.set("x-retry", String(retryCount))],
      afterResponse: [async (req, options, res) => (res.status === 401 ? client.get(req.url, options) : undefined)],
      beforeError: [(e) => e],
    },
  });
  const p = await strict.get("/bytes/10", {
    signal: controller.signal,
    onDownloadProgress: ({ transferred, total, percent }, chunk) => console.log(transferred, total, percent, chunk.length),
    onUploadProgress: (progress) => console.log(progress.percent),
  });
  await get(`${base}/get`, { retry: 2, hooks: { beforeError: [] }, throwHttpErrors: true, baseUrl: base });
  const child = strict.extend((parent) => ({ headers: parent.headers }));
  console.log(p.status, child);

  try {
    r.raiseForStatus();
  } catch (e) {
    if (e instanceof HTTPStatusError) console.log(e.status, e.response.status, e.url);
    else if (e instanceof TimeoutError) console.log(e.kind);
    else if (e instanceof HTTPError) console.log(e.message, e.cause?.code);
  }
}
void main;
