export * from "./fake-openai-server.ts";
export type { FakeChatMessage, FakeChatRequest } from "./request-schema.ts";
