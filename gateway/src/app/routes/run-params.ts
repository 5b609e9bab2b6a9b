/** Path ids, id lists and page parameters of the runs, test-runs and webhooks routes. */
import { AppError } from "@spar/protocol";
import type { Context } from "hono";
import { type PageRequest, parseCursor } from "../../db/page.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";

const ID = /^[1-9][0-9]{0,15}$/;

/** The path's `:id`; anything that is not an id is a 404 like an id that does not exist. */
export function pathId(c: Context<AppEnv>, what: string): number {
  const raw = c.req.param("id") ?? "";
  const id = ID.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new AppError("not_found", `no ${what} ${raw}`);
  return id;
}

/** `?name=1,2,3`: at most `max` ids. */
export function idList(raw: string, name: string, max: number): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const ids = parts.map((s) => (ID.test(s) ? Number(s) : Number.NaN));
  if (parts.length > max || ids.some((id) => !Number.isSafeInteger(id))) {
    throw new AppError("bad_request", `${name}: give 1 to ${max} comma-separated integer ids`);
  }
  return [...new Set(ids)];
}

/** `?limit=` (1–100, default 100) and `?cursor=` from a previous page's `next_cursor`. */
export function pageOf(c: Context<AppEnv>): PageRequest {
  const limitText = c.req.query("limit");
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new AppError("bad_request", "limit: must be an integer from 1 to 100");
  }
  const cursorText = c.req.query("cursor");
  if (cursorText === undefined || cursorText === "") return { limit };
  const after = parseCursor(cursorText);
  if (after === undefined) throw new AppError("bad_request", "cursor: not a cursor this API answered");
  return { limit, after };
}

export function settlementDeps(services: GatewayServices): SettlementDeps {
  return {
    db: services.db,
    now: services.now,
    publicUrl: services.publicUrl,
    wakeWebhooks: services.wakeWebhooks,
  };
}
