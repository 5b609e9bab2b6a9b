#!/usr/bin/env node
// Makes `npm start` / `npm test` work on a fresh clone: installs the locked npm packages when
// node_modules is missing or older than the lockfile and, with --apt, the Debian packages the
// tests use when they are missing and we may install them (root with apt-get). Node built-ins only.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");

/** Debian package → a command that proves it is installed. */
const APT = {
  iproute2: "ip",
  "util-linux": "unshare",
  pocketsphinx: "pocketsphinx_continuous",
  "pocketsphinx-en-us": null, // model files; installed together with pocketsphinx
  // The dashboard's browser tests drive Debian's headless Chromium through playwright-core.
  chromium: "chromium",
};

function say(line) {
  process.stderr.write(`spar: ${line}\n`);
}

function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function npmStale() {
  if (!existsSync(installed)) return true;
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs;
}

if (npmStale()) {
  // `npm install --no-save` installs exactly the locked versions, like `npm ci`, but tolerates the
  // lockfile lacking entries for optional platform packages the registry here does not serve
  // (e.g. Biome's macOS/Windows binaries), which makes `npm ci` refuse the lockfile.
  say("installing npm packages (locked versions) — first run only");
  // Which dependencies may run install scripts is package.json's `allowScripts` (npm ≥ 11.19):
  // only esbuild's (it checks its platform binary and swaps in the native CLI). The others are
  // denied: onnxruntime-node's (an optional dependency of the sidecar, for Silero VAD) would fetch
  // a CUDA provider from the internet (its CPU runtime ships in the package), and
  // @livekit/local-inference's is `node -e ""`. Older npm runs every script, hence the env below.
  const env = {
    ...process.env,
    // onnxruntime-node's postinstall fetches a CUDA provider from the internet; skip it.
    ONNXRUNTIME_NODE_INSTALL: "skip",
    ONNXRUNTIME_NODE_INSTALL_CUDA: "skip",
  };
  const args = ["install", "--no-save", "--no-audit", "--no-fund"];
  const r = spawnSync("npm", args, { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) {
    say(`npm ${args.join(" ")} failed (exit ${r.status}); see the output above`);
    process.exit(r.status ?? 1);
  }
}

if (process.argv.includes("--apt")) {
  const missing = Object.entries(APT)
    .filter(([, command]) => command !== null && !has(command))
    .map(([pkg]) => pkg);
  if (missing.includes("pocketsphinx")) missing.push("pocketsphinx-en-us");
  if (missing.length > 0) {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    if (!root || !has("apt-get")) {
      say(
        `optional Debian packages missing: ${missing.join(" ")}; tests that need them will say so and skip.`,
      );
      say(`install them with: sudo apt-get install -y ${missing.join(" ")}`);
    } else {
      say(`installing Debian packages: ${missing.join(" ")} — first run only`);
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
      const inst =
        update.status === 0
          ? spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
              stdio: "inherit",
              env,
            })
          : update;
      if (inst.status !== 0)
        say(`apt-get failed (exit ${inst.status}); tests that need ${missing.join(" ")} will skip`);
    }
  }
}
