export * from "../../config/gateway-config.ts";
export * from "./dns-resolver.ts";
export * from "./in-process-text-run-host.ts";
export * from "./libsql-storage.ts";
export * from "./secret-key-file.ts";
export * from "./start-gateway.ts";
export * from "./workers-dev.ts";
export { runTextSession, type TextSessionOptions } from "./ws-text-session.ts";
