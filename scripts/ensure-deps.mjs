#!/usr/bin/env node
// Makes `npm start` / `npm test` work on a fresh clone: installs the locked npm packages when
// node_modules is missing or older than the lockfile. Uses only Node built-ins on purpose.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");

function stale() {
  if (!existsSync(installed)) return true;
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs;
}

if (stale()) {
  const cmd = existsSync(lock) ? "ci" : "install";
  process.stderr.write(`spar: installing npm packages (npm ${cmd}) — first run only\n`);
  const env = {
    ...process.env,
    // onnxruntime-node's postinstall fetches a CUDA provider from the internet; skip it.
    ONNXRUNTIME_NODE_INSTALL: "skip",
    ONNXRUNTIME_NODE_INSTALL_CUDA: "skip",
  };
  const r = spawnSync("npm", [cmd, "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) {
    process.stderr.write(`spar: npm ${cmd} failed (exit ${r.status}); see the output above\n`);
    process.exit(r.status ?? 1);
  }
}
