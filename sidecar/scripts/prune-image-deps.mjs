#!/usr/bin/env node
// Run after `npm ci --omit=dev --workspace=@spar/sidecar` in the sidecar image (and by the test
// that repeats the image's steps). The workspace links (node_modules/@spar) go: the bundle
// carries our own packages, and the links would point at sources the image does not hold.
// onnxruntime-node ships CPU builds for every OS and CPU
// (≈ 290 MB); a Linux container needs one. --silero=1 keeps only this platform's build, so
// SPAR_VAD=silero works; --silero=0 removes the runtime (the energy VAD needs none, and
// SPAR_VAD=silero then refuses to start, saying how to add it).
// Usage: node prune-image-deps.mjs <node_modules dir> --silero=0|1
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const [modules, flag] = process.argv.slice(2);
if (modules === undefined || !/^--silero=[01]$/.test(flag ?? "")) {
  process.stderr.write("usage: prune-image-deps.mjs <node_modules dir> --silero=0|1\n");
  process.exit(2);
}
rmSync(join(modules, "@spar"), { recursive: true, force: true });
const runtime = join(modules, "onnxruntime-node");
if (!existsSync(runtime)) {
  process.stderr.write(`prune-image-deps: ${runtime} is not installed; nothing to trim\n`);
  process.exit(0);
}
if (flag === "--silero=0") {
  for (const name of ["onnxruntime-node", "onnxruntime-common"])
    rmSync(join(modules, name), { recursive: true });
  process.stdout.write("prune-image-deps: removed onnxruntime-node (Silero VAD off)\n");
} else {
  const builds = join(runtime, "bin", "napi-v6");
  let kept = "";
  for (const os of readdirSync(builds)) {
    for (const arch of readdirSync(join(builds, os))) {
      if (os === process.platform && arch === process.arch) kept = `${os}/${arch}`;
      else rmSync(join(builds, os, arch), { recursive: true });
    }
  }
  if (kept === "") {
    process.stderr.write(
      `prune-image-deps: onnxruntime-node has no build for ${process.platform}/${process.arch}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`prune-image-deps: kept onnxruntime-node's ${kept} build only\n`);
}
