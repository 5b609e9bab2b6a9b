import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCredits, debitCredits, getCreditBalance, listCreditLedger } from "./credits.ts";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

describe("credits", () => {
  it("adds and debits, writing a ledger row with the balance after each change", async () => {
    expect(await addCredits(t.db, t.a, 10, { reason: "grant", nowMs: 1 })).toBe(10);
    expect(await debitCredits(t.db, t.a, 4, { reason: "test run 1", nowMs: 2 })).toEqual({
      ok: true,
      balance: 6,
    });
    expect(await getCreditBalance(t.db, t.a)).toBe(6);
    const ledger = await listCreditLedger(t.db, t.a, { limit: 10 });
    expect(ledger.rows.map((r) => [r.delta, r.balanceAfter, r.reason, r.createdAtMs])).toEqual([
      [-4, 6, "test run 1", 2],
      [10, 10, "grant", 1],
    ]);
  });

  it("refuses a debit the balance does not cover and changes nothing", async () => {
    await addCredits(t.db, t.a, 3, { reason: "grant", nowMs: 1 });
    expect(await debitCredits(t.db, t.a, 4, { reason: "too much", nowMs: 2 })).toEqual({
      ok: false,
      reason: "insufficient",
    });
    expect(await debitCredits(t.db, t.a, 3, { reason: "exact", nowMs: 3 })).toEqual({ ok: true, balance: 0 });
    expect(await debitCredits(t.db, t.a, 1, { reason: "empty", nowMs: 4 })).toEqual({
      ok: false,
      reason: "insufficient",
    });
    expect((await listCreditLedger(t.db, t.a, { limit: 10 })).rows.map((r) => r.delta)).toEqual([-3, 3]);
  });

  it("lets exactly 10 of 20 concurrent debits of 1 through on a balance of 10", async () => {
    await addCredits(t.db, t.a, 10, { reason: "grant", nowMs: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => debitCredits(t.db, t.a, 1, { reason: `run ${i}`, nowMs: 2 })),
    );
    expect(results.filter((r) => r.ok).length).toBe(10);
    expect(results.filter((r) => !r.ok && r.reason === "insufficient").length).toBe(10);
    expect(await getCreditBalance(t.db, t.a)).toBe(0);
  });

  it("keeps balances per workspace and knows no workspace that does not exist", async () => {
    await addCredits(t.db, t.a, 5, { reason: "grant", nowMs: 1 });
    expect(await debitCredits(t.db, t.b, 1, { reason: "b", nowMs: 2 })).toEqual({
      ok: false,
      reason: "insufficient",
    });
    expect(await addCredits(t.db, 999, 5, { reason: "grant", nowMs: 1 })).toBeUndefined();
    expect(await debitCredits(t.db, 999, 1, { reason: "x", nowMs: 1 })).toEqual({
      ok: false,
      reason: "insufficient",
    });
    expect((await listCreditLedger(t.db, t.b, { limit: 10 })).rows).toEqual([]);
  });

  it("fails closed: a debit that cannot reach the database or has a bad amount is refused, never thrown", async () => {
    await addCredits(t.db, t.a, 5, { reason: "grant", nowMs: 1 });
    expect(await debitCredits(t.db, t.a, 0, { reason: "zero", nowMs: 2 })).toMatchObject({
      ok: false,
      reason: "error",
    });
    expect(await debitCredits(t.db, t.a, 1.5, { reason: "half", nowMs: 2 })).toMatchObject({
      ok: false,
      reason: "error",
    });
    t.storage.close();
    const result = await debitCredits(t.db, t.a, 1, { reason: "closed", nowMs: 3 });
    expect(result).toMatchObject({ ok: false, reason: "error" });
  });
});
