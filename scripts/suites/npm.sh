#!/usr/bin/env bash
# Suite `npm`: the JavaScript API (feature `js`, src/js/) as the npm package in js/. npm test
# (Node from the js/ tree, the TypeScript declarations, the README's examples), then the package
# as users get it (npm pack, installed from the tarball into js/test/installed) and every check of
# js/test/checks.js in Node, Deno, Bun, Cloudflare workerd, headless Chromium and Firefox ESR
# (a page and a module worker), and bundled by Vite, esbuild and webpack. The runtimes and
# bundlers are the pinned devDependencies of js/package.json.
source "$(dirname "$0")/../lib.sh"

step "toolchain: wasm-bindgen, Chromium, Firefox ESR, the npm devDependencies"
need_chromium
need_firefox
start_testserver

step "build js/pkg, npm pack, npm install ./anyfetch-*.tgz into a scratch app (js/test/installed)"
need_npm_package

step "npm test (Node from the js/ tree, TypeScript declarations, the README's examples)"
(cd js && npm test)

step "the installed package in Node $(node --version), Deno $(js/node_modules/.bin/deno --version | head -1 | cut -d' ' -f2) and Bun $(js/node_modules/.bin/bun --version): every check"
timed bash -c 'cd js && node --test test/installed.test.mjs'

step "the installed package in Cloudflare workerd $(js/node_modules/.bin/workerd --version | cut -d' ' -f2) (bundled as wrangler does): every check"
timed bash -c 'cd js && node --test test/workerd.test.mjs'

step "the installed package unbundled in headless Chromium (a page with an import map, a module worker): every check"
timed bash -c 'cd js && node --test test/browser.test.mjs'

step "the installed package unbundled in headless Firefox ESR (geckodriver; a page with an import map, a module worker): every check"
timed bash -c "cd js && GECKODRIVER='$geckodriver_bin' node --test test/firefox.test.mjs"

step "the installed package bundled by Vite $(js/node_modules/.bin/vite --version | cut -d' ' -f1 | cut -d/ -f2), esbuild $(js/node_modules/.bin/esbuild --version) and webpack $(node -p 'require("./js/node_modules/webpack/package.json").version'), in headless Chromium: every check"
timed bash -c 'cd js && node --test test/bundlers.test.mjs'
