// Node must load the extension's scripts as the browser does. The service worker and Proffer's own pages are
// ES modules; node knows it from extension/package.json ("type": "module"). Without it, node first tries each
// one as CommonJS, fails, parses it again as a module and warns (MODULE_TYPELESS_PACKAGE_JSON). The content
// scripts are classic scripts; extension/content/package.json keeps them CommonJS to node, so the tests can
// require() them (tests/extension/extract/). The browser reads neither file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const EXTENSION = new URL("../../extension/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", EXTENSION), "utf8"));

// The modules the browser loads: the worker, each page's <script type="module">, and what they import.
function browserModules() {
  const pages = ["approval/approval.html", "popup/popup.html"];
  const entries = [new URL(manifest.background.service_worker, EXTENSION)];
  for (const page of pages) {
    const html = readFileSync(new URL(page, EXTENSION), "utf8");
    for (const [, src] of html.matchAll(/<script type="module" src="([^"]+)"/g)) entries.push(new URL(src, new URL(page, EXTENSION)));
  }
  const found = new Set();
  const visit = (url) => {
    if (found.has(url.href)) return;
    found.add(url.href);
    for (const [, spec] of readFileSync(url, "utf8").matchAll(/^import (?:[^"]* from )?"(\.[^"]+)";/gm)) visit(new URL(spec, url));
  };
  entries.forEach(visit);
  return [...found];
}

test("node loads every module the browser loads as an ES module, at once and without a warning", () => {
  const modules = browserModules();
  assert.ok(modules.some((m) => m.endsWith("/background/cooldown.js")) && modules.length > 10, modules.join());
  // Each is imported in a child process with no `chrome` or `document`: a module whose top level needs them
  // fails there (ReferenceError), after node has parsed it, which is all this test looks at.
  const script = `
    for (const url of ${JSON.stringify(modules)}) {
      try { await import(url); } catch (error) { if (!(error instanceof ReferenceError)) console.log(url, error.name, error.message); }
    }`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, "", "a module failed to load as an ES module");
  assert.doesNotMatch(child.stderr, /MODULE_TYPELESS_PACKAGE_JSON|Reparsing as ES module/);
  assert.equal(child.stderr, "");
});
