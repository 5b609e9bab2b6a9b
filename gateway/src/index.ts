export * from "./db/index.ts";
export { runTextSession, type TextSessionOptions } from "./runtime/node/ws-text-session.ts";
export * from "./security/index.ts";
export * from "./text-run/index.ts";
export * from "./text-session/index.ts";
export * from "./webhooks/index.ts";
