#!/usr/bin/env node
// `anyfetch [OPTIONS] [METHOD] URL`: the command-line client. It is the same Rust program as
// the native binary and the WASI command (cli/ in the anyfetch repository, whose README.md is
// the contract), compiled to wasm on the fetch backend (pkg/cli/); this file only hands it the
// arguments and the runtime's I/O, and exits with its code. Runs in Node, Deno and Bun.

import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import init, { run } from "../pkg/cli/anyfetch_cli.js";

/** Waits `ms` milliseconds, synchronously (a full pipe: EAGAIN). */
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The I/O the command asks for (see cli/src/host.rs), all synchronous. */
const host = {
  write(fd, bytes) {
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(fd, bytes, at, bytes.length - at);
      } catch (e) {
        if (e.code !== "EAGAIN") throw e;
        pause(1);
      }
    }
  },
  readFile: (path) => readFileSync(path),
  readStdin: () => readFileSync(0),
  open: (path) => openSync(path, "w"),
  close: (fd) => closeSync(fd),
  env: (name) => process.env[name],
  isTerminal: (fd) => isatty(fd),
};

await init({ module_or_path: readFileSync(new URL("../pkg/cli/anyfetch_cli_bg.wasm", import.meta.url)) });
process.exitCode = await run(process.argv.slice(2), host);
