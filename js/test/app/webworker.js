// A module web worker: imports the installed package and does one GET with params. Workers
// have no import maps, so it names the browser entry's path in node_modules. It says "ready"
// once the import (and its top-level await) is done, since a message posted earlier could be
// missed.
import { get } from "./node_modules/anyfetch/src/browser.js";

self.onmessage = async ({ data: base }) => {
  try {
    const r = await get(`${base}/get`, { params: { from: "worker" } });
    self.postMessage({ ok: true, status: r.status, args: (await r.json()).args });
  } catch (e) {
    self.postMessage({ ok: false, error: `${e?.name}: ${e?.message}` });
  }
};
self.postMessage("ready");
