import pkg from "../package.json" with { type: "json" };

/** The version `spar --version` prints: cli/package.json's. */
export const VERSION: string = pkg.version;
