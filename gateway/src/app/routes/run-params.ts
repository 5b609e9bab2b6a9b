/** Id lists of the runs and test-runs routes, and what settling a test run needs. */
import { AppError } from "@spar/protocol";
import type { Context } from "hono";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";

const ID = /^[1-9][0-9]{0,15}$/;

/** `?name=1,2,3`: at most `max` ids. */
export function idList(raw: string, name: string, max: number): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const ids = parts.map((s) => (ID.test(s) ? Number(s) : Number.NaN));
  if (parts.length > max || ids.some((id) => !Number.isSafeInteger(id))) {
    throw new AppError("bad_request", `${name}: give 1 to ${max} comma-separated integer ids`);
  }
  return [...new Set(ids)];
}

export function settlementDeps(services: GatewayServices): SettlementDeps {
  return {
    db: services.db,
    now: services.now,
    publicUrl: services.publicUrl,
    wakeWebhooks: services.wakeWebhooks,
  };
}
