#!/usr/bin/env node
// The `spar` command. In a checkout it runs the TypeScript sources through tsx (no build step); an
// installed package has no src/, only the JavaScript that `npm pack` compiled into dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import("../dist/spar.mjs");
}
