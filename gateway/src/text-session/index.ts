export { initialState, step } from "./session-core.ts";
export * from "./session-types.ts";
