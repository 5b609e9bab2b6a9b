#!/usr/bin/env node
// The one test command (`npm test`): the main vitest project on loopback.
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const r = spawnSync("npx", ["--no-install", "vitest", "run", ...args], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
