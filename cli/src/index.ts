export { main } from "./cli.ts";
export type { CliContext } from "./cli-context.ts";
export { loadSuite, parseSuiteText } from "./load-suite.ts";
export { ProcessResources } from "./process-resources.ts";
export { UsageError } from "./usage-error.ts";
