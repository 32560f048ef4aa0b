// index.d.ts compiles and describes the API as the README uses it (TypeScript, strict).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

test("TypeScript declarations compile (tsc --strict)", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const dir = fileURLToPath(new URL(".", import.meta.url));
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--target", "es2022", "--lib", "es2022,dom,dom.iterable,dom.asynciterable", "types.ts"], { cwd: dir, stdio: "inherit" });
});
