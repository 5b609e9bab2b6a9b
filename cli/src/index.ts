export { main } from "./cli.ts";
export type { CliContext } from "./cli-context.ts";
export { loadSuite, parseSuiteText } from "./load-suite.ts";
export { UsageError } from "./usage-error.ts";
