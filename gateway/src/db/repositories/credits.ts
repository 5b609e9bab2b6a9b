/**
 * Credits: a balance per workspace and the ledger that explains it. Every change is ONE
 * statement — an INSERT into the ledger that selects from the balance row (so the check and
 * the write cannot be split by another writer), applied to the balance by the trigger of
 * migration 0001 — because D1 has no interactive transactions.
 */
import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { SparDatabase } from "../database.ts";
import { clampLimit, type Page, type PageRequest, toPage } from "../page.ts";
import { creditLedger, workspaceCredits } from "../schema.ts";
import { isForeignKeyViolation } from "../write-result.ts";

export type CreditLedgerRecord = typeof creditLedger.$inferSelect;

export type DebitResult =
  | { ok: true; balance: number }
  | { ok: false; reason: "insufficient" }
  /** The debit could not be made or confirmed: refuse (fail closed) and log `cause`. */
  | { ok: false; reason: "error"; cause: unknown };

export interface CreditChange {
  /** Shown in the ledger, e.g. "test run 17: 4 text runs". */
  reason: string;
  nowMs: number;
}

/** 0 for a workspace that never had credits. */
export async function getCreditBalance(db: SparDatabase, workspaceId: number): Promise<number> {
  const [row] = await db
    .select({ balance: workspaceCredits.balance })
    .from(workspaceCredits)
    .where(eq(workspaceCredits.workspaceId, workspaceId));
  return row?.balance ?? 0;
}

/** Adds `amount` (a positive integer) and answers the new balance; undefined when the workspace does not exist. */
export async function addCredits(
  db: SparDatabase,
  workspaceId: number,
  amount: number,
  change: CreditChange,
): Promise<number | undefined> {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`credits to add must be a positive integer, got ${amount}`);
  try {
    await db.insert(workspaceCredits).values({ workspaceId, balance: 0 }).onConflictDoNothing();
  } catch (error) {
    if (isForeignKeyViolation(error)) return undefined;
    throw error;
  }
  const [row] = await ledgerInsert(db, workspaceId, amount, change, undefined);
  return row?.balanceAfter;
}

/**
 * Takes `amount` credits only if the balance covers it, atomically: N concurrent debits can
 * never take more than the balance. Never throws: any failure is a refusal.
 */
export async function debitCredits(
  db: SparDatabase,
  workspaceId: number,
  amount: number,
  change: CreditChange,
): Promise<DebitResult> {
  try {
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw new RangeError(`credits to debit must be a positive integer, got ${amount}`);
    }
    const [row] = await ledgerInsert(db, workspaceId, -amount, change, amount);
    return row === undefined
      ? { ok: false, reason: "insufficient" }
      : { ok: true, balance: row.balanceAfter };
  } catch (cause) {
    return { ok: false, reason: "error", cause };
  }
}

/** One INSERT … SELECT: no row is written when the balance row is missing or below `atLeast`. */
function ledgerInsert(
  db: SparDatabase,
  workspaceId: number,
  delta: number,
  change: CreditChange,
  atLeast: number | undefined,
) {
  return db
    .insert(creditLedger)
    .select((qb) =>
      qb
        .select({
          id: sql<number>`null`,
          workspaceId: workspaceCredits.workspaceId,
          delta: sql<number>`${delta}`,
          balanceAfter: sql<number>`${workspaceCredits.balance} + ${delta}`,
          reason: sql<string>`${change.reason}`,
          createdAtMs: sql<number>`${change.nowMs}`,
        })
        .from(workspaceCredits)
        .where(
          and(
            eq(workspaceCredits.workspaceId, workspaceId),
            atLeast === undefined ? undefined : gte(workspaceCredits.balance, atLeast),
          ),
        )
        // As SQL: drizzle's typed insert-select overload rejects computed fields. The fields are
        // in the table's column order, which is what INSERT … SELECT pairs them by.
        .getSQL(),
    )
    .returning({ balanceAfter: creditLedger.balanceAfter });
}

export async function listCreditLedger(
  db: SparDatabase,
  workspaceId: number,
  page: PageRequest,
): Promise<Page<CreditLedgerRecord>> {
  const limit = clampLimit(page.limit);
  const rows = await db
    .select()
    .from(creditLedger)
    .where(
      and(
        eq(creditLedger.workspaceId, workspaceId),
        page.after === undefined ? undefined : lt(creditLedger.id, page.after.beforeId),
      ),
    )
    .orderBy(desc(creditLedger.id))
    .limit(limit + 1);
  return toPage(rows, limit);
}
