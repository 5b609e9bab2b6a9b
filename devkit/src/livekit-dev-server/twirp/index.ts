export type { TwirpDeps } from "./twirp-handler.ts";
export { createTwirpHandler } from "./twirp-handler.ts";
