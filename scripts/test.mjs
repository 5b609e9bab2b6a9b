#!/usr/bin/env node
// The one test command (`npm test`): the main vitest project on loopback, then the media tests
// (`*.media.test.ts`, real rtc-node over WebRTC) inside a private network namespace with a veth
// pair, because libwebrtc ignores loopback (see devkit/src/netns). Any failure fails the run.
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
// With a filter, one of the two projects may hold no matching file; that is not a failure.
const filtered = args.length > 0 ? ["--passWithNoTests"] : [];
const main = spawnSync("npx", ["--no-install", "vitest", "run", ...filtered, ...args], {
  cwd: root,
  stdio: "inherit",
});
if (main.status !== 0) process.exit(main.status ?? 1);
const media = spawnSync(
  "npx",
  [
    "--no-install",
    "tsx",
    "devkit/src/netns/run-in-netns.ts",
    "npx",
    "--no-install",
    "vitest",
    "run",
    "--config",
    "vitest.media.config.ts",
    ...filtered,
    ...args,
  ],
  { cwd: root, stdio: "inherit" },
);
process.exit(media.status ?? 1);
