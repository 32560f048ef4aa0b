// A page's script as an app writes it: imports the package by its name, for a bundler (Vite,
// esbuild) to resolve with the browser export condition, and exposes the checks to the test.
import * as af from "anyfetch";
import { checks, runAll } from "./checks.js";

window.__checks = Object.keys(checks);
window.__run = (base) => runAll(af, base, { browser: true });
window.__ready = true;
