#!/usr/bin/env node
// `npx --no-install livekit-dev-server --port 7880 --keys devkey:devsecret` from the repo root.
// The code is TypeScript run without a build step: register tsx, then load the entry.
import { register } from "tsx/esm/api";

register();
await import("../src/livekit-dev-server/main.ts");
