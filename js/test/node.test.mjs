// The package in Node: imported by its own name (the "node" export), every check in checks.js
// against the local test server.
import { after, before, test } from "node:test";
import * as af from "anyfetch";
import { checks } from "./checks.js";
import { testServer } from "./server.mjs";

let server;
before(async () => {
  server = await testServer();
});
after(() => server?.stop());

test("exports the documented API", () => {
  const names = ["Client", "Response", "request", "get", "post", "put", "patch", "delete", "head", "options",
    "HTTPError", "RequestError", "ConnectError", "TimeoutError", "HTTPStatusError", "TooManyRedirects", "DecodingError"];
  for (const n of names) if (typeof af[n] !== "function") throw new Error(`missing export ${n}`);
  if (!(new af.ConnectError("x") instanceof af.RequestError)) throw new Error("ConnectError extends RequestError");
  if (!(new af.TimeoutError("x") instanceof af.RequestError)) throw new Error("TimeoutError extends RequestError");
});

for (const [name, check] of Object.entries(checks)) {
  test(name, () => check(af, server.url, { browser: false }));
}
