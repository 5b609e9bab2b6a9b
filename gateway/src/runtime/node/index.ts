export * from "./dns-resolver.ts";
export * from "./secret-key-file.ts";
export { runTextSession, type TextSessionOptions } from "./ws-text-session.ts";
