export type { AgentDispatcherDeps } from "./agent-dispatcher.ts";
export { AgentDispatcher } from "./agent-dispatcher.ts";
