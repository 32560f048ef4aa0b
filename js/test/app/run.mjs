// Runs every check in checks.js in a server runtime (Node, Deno, Bun) against the test server
// given as the first argument, importing the package by its name as an app would: from
// node_modules, installed from the packed tarball. Prints one JSON line:
// { runtime, version, entry, results: [{ name, ok, error, ms }] }.
import * as af from "anyfetch";
import { runAll } from "./checks.js";

const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const version = globalThis.Deno?.version.deno ?? globalThis.Bun?.version ?? process.versions.node;
const base = globalThis.Deno ? Deno.args[0] : process.argv[2];
const env = { browser: false, runtime };
const results = await runAll(af, base, env);
console.log(JSON.stringify({ runtime, version, entry: import.meta.resolve("anyfetch"), results }));
