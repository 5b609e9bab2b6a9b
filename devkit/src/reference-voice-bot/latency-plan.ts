/**
 * How long the bot waits after the caller's end of speech before its first speech sample.
 * - a number: every turn the same;
 * - a list: turn N uses entry N−1, repeating from the start when the list runs out;
 * - jittered: uniform in [meanMs − jitterMs, meanMs + jitterMs], reproducible from `seed`.
 */
export type LatencyPlan = number | readonly number[] | { meanMs: number; jitterMs: number; seed: number };

/** Milliseconds for caller turn `turn` (1-based). Pure: the same plan and turn always give the same value. */
export function latencyForTurn(plan: LatencyPlan, turn: number): number {
  if (!(Number.isInteger(turn) && turn >= 1))
    throw new Error(`latency plan: turn ${turn} must be an integer >= 1`);
  if (typeof plan === "number") return plan;
  if (isList(plan)) {
    const value = plan[(turn - 1) % plan.length];
    if (value === undefined) throw new Error("latency plan: the list is empty");
    return value;
  }
  // One draw per turn from a stream seeded by (seed, turn): turns can be asked in any order.
  const u = mulberry32(hashPair(plan.seed, turn))();
  return Math.max(0, plan.meanMs + (2 * u - 1) * plan.jitterMs);
}

/** Refuses plans that cannot be honoured, with the rule they break. */
export function checkLatencyPlan(plan: LatencyPlan): void {
  const ok = (v: number) => Number.isFinite(v) && v >= 0;
  if (typeof plan === "number") {
    if (!ok(plan)) throw new Error(`latency plan: ${plan} ms must be a finite number >= 0`);
  } else if (isList(plan)) {
    if (plan.length === 0) throw new Error("latency plan: the list is empty");
    const bad = plan.find((v) => !ok(v));
    if (bad !== undefined) throw new Error(`latency plan: ${bad} ms must be a finite number >= 0`);
  } else if (!(ok(plan.meanMs) && ok(plan.jitterMs) && Number.isInteger(plan.seed))) {
    throw new Error("latency plan: meanMs and jitterMs must be >= 0 and seed an integer");
  }
}

function isList(plan: LatencyPlan): plan is readonly number[] {
  return Array.isArray(plan);
}

/** Small, well-known 32-bit PRNG: deterministic across platforms, no dependency. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashPair(a: number, b: number): number {
  return (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
}
