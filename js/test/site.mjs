// A static server on 127.0.0.1 (another origin than the test server, so CORS applies as on a
// real site), for the browser tests: the scratch app with the package installed from its
// tarball (browser.test.mjs, firefox.test.mjs), or a bundle's output folder (bundlers.test.mjs).
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

/** js/test/installed/, where scripts/install-packed.mjs installs the packed tarball; throws if it is not there. */
export function installedApp() {
  const app = fileURLToPath(new URL("./installed/", import.meta.url));
  if (!existsSync(join(app, "node_modules", "anyfetch", "package.json"))) {
    throw new Error("js/test/installed is missing: run `node scripts/install-packed.mjs` in js/ first (or `npm run test:installed`)");
  }
  return app;
}
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };

export function serveStatic(root) {
  const srv = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    try {
      if (path.includes("..")) throw new Error("outside");
      const body = await readFile(join(root, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve(srv)));
}
