#!/usr/bin/env node
// The `spar` command. Spar runs its TypeScript directly (no build step), so register tsx first.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
