#!/usr/bin/env node
// The reference X-RUBRIC text agent. TypeScript runs directly (no build step): register tsx, then load the entry.
import { register } from "tsx/esm/api";

register();
await import("../src/reference-text-agent/main.ts");
