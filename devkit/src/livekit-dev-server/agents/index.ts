export type { AgentDispatcherDeps, DispatcherLimits } from "./agent-dispatcher.ts";
export { AgentDispatcher, DispatchLimitError } from "./agent-dispatcher.ts";
