// The README's JavaScript examples are valid ES modules that import only what the package exports.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as af from "anyfetch";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("README: every js example parses and imports existing names", () => {
  if (blocks.length < 6) throw new Error(`only ${blocks.length} examples found`);
  const dir = mkdtempSync(join(tmpdir(), "anyfetch-readme-"));
  try {
    blocks.forEach((code, i) => {
      for (const [, names] of code.matchAll(/import \{([^}]*)\} from "anyfetch"/g)) {
        for (const n of names.split(",").map((s) => s.trim()).filter(Boolean)) {
          if (!(n in af)) throw new Error(`example ${i + 1} imports ${n}, which is not exported`);
        }
      }
      const file = join(dir, `example${i + 1}.mjs`);
      writeFileSync(file, code);
      execFileSync(process.execPath, ["--check", file], { stdio: "pipe" });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
