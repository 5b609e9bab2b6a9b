#!/usr/bin/env node
// `npx --no-install reference-bot-runner --livekit-url ws://127.0.0.1:7880 --api-key devkey --api-secret …`
// The code is TypeScript run without a build step: register tsx, then load the entry.
import { register } from "tsx/esm/api";

register();
await import("../src/reference-bot-runner/main.ts");
