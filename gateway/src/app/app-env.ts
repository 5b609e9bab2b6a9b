/** What every request carries through the app: its id, and once authenticated, who is calling. */
import type { Principal } from "./principal.ts";

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
