import { interruptionErrors, latencyErrors, stopTimeErrors } from "@spar/devkit/reference-voice-bot";
import { mean, percentile } from "@spar/protocol";
import type { CallMeasurement } from "./accuracy-call.ts";

/** Errors of one metric, measured − truth, ms. */
export interface ErrorStats {
  n: number;
  /** Signed mean: the bias. */
  meanMs: number;
  meanAbsMs: number;
  p95AbsMs: number;
  maxAbsMs: number;
}

export function stats(errors: readonly number[]): ErrorStats {
  const abs = errors.map(Math.abs);
  const r = (v: number) => Math.round(v * 10) / 10;
  if (errors.length === 0)
    return { n: 0, meanMs: Number.NaN, meanAbsMs: Number.NaN, p95AbsMs: Number.NaN, maxAbsMs: Number.NaN };
  return {
    n: errors.length,
    meanMs: r(mean(errors)),
    meanAbsMs: r(mean(abs)),
    p95AbsMs: r(percentile(abs, 95)),
    maxAbsMs: r(Math.max(...abs)),
  };
}

export interface Detection {
  truth: number;
  detected: number;
  missed: number;
  invented: number;
}

export interface AccuracySummary {
  /** Sidecar − oracle: the VAD/endpointing error alone (same received stream, same timeline). */
  vsOracle: {
    latency: number[];
    userInterruptionAt: number[];
    aiInterruptionAt: number[];
    stopTime: number[];
  };
  /** Sidecar − bot log: what a reader comparing with the bot's own timestamps sees (includes transit). */
  vsBot: { latency: number[]; aiInterruptionAt: number[]; stopTime: number[] };
  userInterruptions: Detection;
  aiInterruptions: Detection;
  /** Injected by the bot (its log) vs found by the oracle: checks the oracle and definitions agree. */
  injected: { aiInterruptions: number; bargeIns: number; oracleAi: number; oracleUser: number };
  latencyTurns: { truth: number; missed: number; invented: number };
  transit: { startMs: number[]; endMs: number[] };
}

const TOLERANCE_MS = 400;

export function summarize(calls: readonly CallMeasurement[]): AccuracySummary {
  const s: AccuracySummary = {
    vsOracle: { latency: [], userInterruptionAt: [], aiInterruptionAt: [], stopTime: [] },
    vsBot: { latency: [], aiInterruptionAt: [], stopTime: [] },
    userInterruptions: { truth: 0, detected: 0, missed: 0, invented: 0 },
    aiInterruptions: { truth: 0, detected: 0, missed: 0, invented: 0 },
    injected: { aiInterruptions: 0, bargeIns: 0, oracleAi: 0, oracleUser: 0 },
    latencyTurns: { truth: 0, missed: 0, invented: 0 },
    transit: { startMs: [], endMs: [] },
  };
  for (const c of calls) {
    const lat = latencyErrors(c.sidecar.latency_ms, c.oracleMetrics.latency_ms);
    s.vsOracle.latency.push(...lat.errors.map((e) => e.errorMs));
    s.latencyTurns.truth += c.oracleMetrics.latency_ms?.turns.length ?? 0;
    s.latencyTurns.missed += lat.missedTurns.length;
    s.latencyTurns.invented += lat.inventedTurns.length;
    s.vsBot.latency.push(
      ...latencyErrors(c.sidecar.latency_ms, c.botMetrics.latency_ms).errors.map((e) => e.errorMs),
    );

    for (const [key, into] of [
      ["user_interruptions", s.userInterruptions],
      ["ai_interruptions", s.aiInterruptions],
    ] as const) {
      const m = interruptionErrors(c.sidecar[key], c.oracleMetrics[key], TOLERANCE_MS);
      into.truth += c.oracleMetrics[key].count;
      into.detected += m.matches.length;
      into.missed += m.missed.length;
      into.invented += m.invented.length;
      (key === "user_interruptions" ? s.vsOracle.userInterruptionAt : s.vsOracle.aiInterruptionAt).push(
        ...m.matches.map((x) => x.atErrorMs),
      );
    }
    s.vsBot.aiInterruptionAt.push(
      ...interruptionErrors(
        c.sidecar.ai_interruptions,
        c.botMetrics.ai_interruptions,
        TOLERANCE_MS,
      ).matches.map((x) => x.atErrorMs),
    );
    s.vsOracle.stopTime.push(
      ...stopTimeErrors(c.sidecar.stop_time_after_interruption, c.oracleMetrics.stop_time_after_interruption)
        .errorsMs,
    );
    s.vsBot.stopTime.push(
      ...stopTimeErrors(c.sidecar.stop_time_after_interruption, c.botMetrics.stop_time_after_interruption)
        .errorsMs,
    );
    s.injected.aiInterruptions += c.bot.filter((u) => u.kind === "interruption").length;
    s.injected.bargeIns += c.bot.filter((u) => u.reason === "barge_in").length;
    s.injected.oracleAi += c.oracleMetrics.ai_interruptions.count;
    s.injected.oracleUser += c.oracleMetrics.user_interruptions.count;
    s.transit.startMs.push(...c.transit.map((t) => t.startMs));
    s.transit.endMs.push(...c.transit.map((t) => t.endMs));
  }
  return s;
}

const fmt = (v: number) => (Number.isNaN(v) ? "—" : v.toFixed(1));

/** A plain-text table: one row per metric and definition. */
export function formatSummary(s: AccuracySummary): string {
  const rows: [string, number[]][] = [
    ["latency − oracle (VAD error)", s.vsOracle.latency],
    ["latency − bot log (incl. transit)", s.vsBot.latency],
    ["user interruption at − oracle", s.vsOracle.userInterruptionAt],
    ["AI interruption at − oracle", s.vsOracle.aiInterruptionAt],
    ["AI interruption at − bot log", s.vsBot.aiInterruptionAt],
    ["stop time − oracle (VAD error)", s.vsOracle.stopTime],
    ["stop time − bot log (incl. transit)", s.vsBot.stopTime],
    ["transit: bot send → arrival, start", s.transit.startMs],
    ["transit: bot send → arrival, end", s.transit.endMs],
  ];
  const head = `${"metric (ms)".padEnd(38)}${["n", "mean", "mean|e|", "p95|e|", "max|e|"].map((h) => h.padStart(9)).join("")}`;
  const lines = rows.map(([name, values]) => {
    const st = stats(values);
    return `${name.padEnd(38)}${[String(st.n), fmt(st.meanMs), fmt(st.meanAbsMs), fmt(st.p95AbsMs), fmt(st.maxAbsMs)].map((v) => v.padStart(9)).join("")}`;
  });
  const det = (name: string, d: Detection) =>
    `${name}: truth ${d.truth}, detected ${d.detected}, missed ${d.missed}, invented ${d.invented}`;
  return [
    head,
    ...lines,
    "",
    det("user interruptions (caller barge-ins)", s.userInterruptions),
    det("AI interruptions (bot talks over caller)", s.aiInterruptions),
    `latency turns: truth ${s.latencyTurns.truth}, missed ${s.latencyTurns.missed}, invented ${s.latencyTurns.invented}`,
    `injected by the bot: ${s.injected.aiInterruptions} interruptions, ${s.injected.bargeIns} barge-in cuts; the oracle counts ${s.injected.oracleAi} AI and ${s.injected.oracleUser} user interruptions`,
  ].join("\n");
}

/** One row of the per-condition table: a condition × VAD and its calls. */
export interface ConditionRow {
  condition: string;
  vad: string;
  calls: readonly CallMeasurement[];
  failedCalls: number;
}

const cell = (v: number) => (Number.isNaN(v) ? "—" : v.toFixed(1));
const detection = (d: Detection) => `${d.detected}/${d.truth}${d.invented ? ` +${d.invented}` : ""}`;

/**
 * The README's error-bar table: per condition and VAD, the measurement error against the oracle
 * (|sidecar − oracle|, ms) and interruption detection ("found/injected", "+n" = n invented).
 */
export function formatConditionTable(rows: readonly ConditionRow[]): string {
  const head =
    "| condition | VAD | calls | latency mean\\|e\\| | latency p95\\|e\\| | stop time p95\\|e\\| | AI interruption at p95\\|e\\| | user interruptions | AI interruptions | latency turns missed / invented |";
  const lines = rows.map((r) => {
    const s = summarize(r.calls);
    const lat = stats(s.vsOracle.latency);
    const failed = r.failedCalls ? ` (${r.failedCalls} failed)` : "";
    return `| ${r.condition} | ${r.vad} | ${r.calls.length}${failed} | ${cell(lat.meanAbsMs)} | ${cell(lat.p95AbsMs)} | ${cell(stats(s.vsOracle.stopTime).p95AbsMs)} | ${cell(stats(s.vsOracle.aiInterruptionAt).p95AbsMs)} | ${detection(s.userInterruptions)} | ${detection(s.aiInterruptions)} | ${s.latencyTurns.missed} / ${s.latencyTurns.invented} |`;
  });
  return [head, `|${"---|".repeat(10)}`, ...lines].join("\n");
}

/**
 * On calls with digital silence both oracles apply: the alignment oracle's edges minus the level
 * oracle's, ms, for each utterance both found (paired by start within 100 ms) and the alignment
 * placed (correlation at least `minCorrelation`); `unaligned` counts those it could not place.
 */
export function oracleAgreement(
  calls: readonly CallMeasurement[],
  minCorrelation: number,
): { startMs: number[]; endMs: number[]; unaligned: number } {
  const out = { startMs: [] as number[], endMs: [] as number[], unaligned: 0 };
  for (const c of calls) {
    if (c.oracleKind !== "levels") continue;
    for (const a of c.aligned) {
      if (!(a.correlation >= minCorrelation)) {
        out.unaligned++;
        continue;
      }
      const l = c.oracle.find((o) => Math.abs(o.startMs - a.startMs) <= 100);
      if (!l) continue;
      out.startMs.push(Math.round((a.startMs - l.startMs) * 10) / 10);
      out.endMs.push(Math.round((a.endMs - l.endMs) * 10) / 10);
    }
  }
  return out;
}

/** How far the calls' lines lie under their bed at their edges (accuracy-call.ts `masking`). */
export interface MaskingSummary {
  lines: number;
  /** Lines of which nothing was audible. */
  inaudible: number;
  /** Largest first-audible − first-sent, and last-sent − last-audible, ms. */
  maxStartMs: number;
  maxEndMs: number;
}

export function summarizeMasking(calls: readonly CallMeasurement[]): MaskingSummary {
  const edges = calls.flatMap((c) => c.masking);
  const heard = edges.filter((e) => e !== null);
  return {
    lines: edges.length,
    inaudible: edges.length - heard.length,
    maxStartMs: Math.max(0, ...heard.map((e) => e.startMs)),
    maxEndMs: Math.max(0, ...heard.map((e) => e.endMs)),
  };
}

/** One line per condition: whether the oracle's edges were audible over the bed where they were sent. */
export function formatMasking(rows: readonly ConditionRow[]): string {
  const byCondition = new Map<string, CallMeasurement[]>();
  for (const r of rows) byCondition.set(r.condition, [...(byCondition.get(r.condition) ?? []), ...r.calls]);
  return [...byCondition]
    .map(([condition, calls]) => {
      const m = summarizeMasking(calls);
      const inaudible = m.inaudible ? `, ${m.inaudible} never audible` : "";
      return `  ${condition}: ${m.lines} lines${inaudible}; audible from ≤ ${m.maxStartMs.toFixed(1)} ms after the first sample sent, until ≤ ${m.maxEndMs.toFixed(1)} ms before the last`;
    })
    .join("\n");
}
