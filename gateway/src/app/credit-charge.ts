/**
 * Paying for runs (spec/gateway-api.md § Credits): the one debit — fail-closed, a 402 naming
 * what was asked and the balance — and the one refund of a charge whose runs never started,
 * shared by test runs (createPaidTestRun) and browser sessions.
 */
import { AppError } from "@spar/protocol";
import { addCredits, debitCredits, getCreditBalance } from "../db/repositories/credits.ts";
import type { GatewayServices } from "./services.ts";

type ChargeServices = Pick<GatewayServices, "db" | "now" | "log">;

/**
 * Debits `cost` with the ledger line `reason`, or throws 402: `unchecked` when the ledger could
 * not be read or written, else `short(has)` where `has` says the balance.
 */
export async function debitOrRefuse(
  services: ChargeServices,
  workspaceId: number,
  cost: number,
  reason: string,
  refusal: { unchecked: string; short: (has: string) => string },
): Promise<void> {
  if (cost <= 0) return;
  const debit = await debitCredits(services.db, workspaceId, cost, { reason, nowMs: services.now() });
  if (debit.ok) return;
  if (debit.reason === "error") {
    services.log({ level: "error", message: "credits could not be debited", cause: debit.cause });
    throw new AppError("payment_required", refusal.unchecked);
  }
  const balance = await getCreditBalance(services.db, workspaceId).catch(() => undefined);
  throw new AppError(
    "payment_required",
    refusal.short(balance === undefined ? "the balance is lower" : `the balance is ${balance}`),
  );
}

/**
 * Gives back a charge whose runs never started, under the ledger line `reason`; a refund that
 * fails is logged (naming `what` was not refunded), never thrown over the error being answered.
 */
export async function refundCharge(
  services: ChargeServices,
  workspaceId: number,
  cost: number,
  reason: string,
  what: string,
): Promise<void> {
  if (cost <= 0) return;
  try {
    await addCredits(services.db, workspaceId, cost, { reason, nowMs: services.now() });
  } catch (cause) {
    services.log({ level: "error", message: `credits of ${what} were not refunded (${cost})`, cause });
  }
}
