// A Cloudflare Worker that imports the package by its name (bundled with wrangler's export
// conditions: workerd, worker, browser) and runs every check in checks.js against the test
// server named by `?base=`, answering with the results as JSON: { results: [{ name, ok, error, ms }] }.
import * as af from "anyfetch";
import { runAll } from "./checks.js";

export default {
  async fetch(request) {
    const base = new URL(request.url).searchParams.get("base");
    if (!base) return new Response("?base= is missing", { status: 400 });
    const results = await runAll(af, base, { browser: false, runtime: "workerd" });
    return Response.json({ userAgent: navigator.userAgent, results });
  },
};
