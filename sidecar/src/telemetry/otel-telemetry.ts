import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
  type Meter,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
  type UpDownCounter,
  ValueType,
} from "@opentelemetry/api";
import type { EndedReason, VoiceStage } from "@spar/protocol";
import {
  ATTR_AGENT_ID,
  ATTR_CONNECTION_MODE,
  ATTR_ENDED_REASON,
  ATTR_INTERRUPTION_BY,
  ATTR_RUN_ID,
  ATTR_RUN_STATUS,
  ATTR_SCENARIO_ID,
  ATTR_STAGE,
  ATTR_STAGE_FAILURE_REASON,
  ATTR_STAGE_OK,
  ATTR_TURN_INDEX,
  ATTR_TURN_LATENCY_MS,
  ATTR_TURN_ROLE,
  ATTR_TURN_TEXT,
  METRIC_ACTIVE_CALLS,
  METRIC_CALL_DURATION,
  METRIC_INTERRUPTIONS,
  METRIC_TURN_LATENCY,
  PERSONAL_DATA_ATTRIBUTES,
  SPAN_RUN,
  SPAN_STAGE_PREFIX,
  SPAN_TURN,
} from "./attributes.ts";
import type { RunIdentity, RunOutcome, RunTrace, Telemetry, TurnRecord } from "./telemetry.ts";

export interface OtelTelemetryOptions {
  tracer: Tracer;
  meter: Meter;
  /** Epoch ms; span times come from it so tests and replays are exact. */
  now: () => number;
  /** Export personal-data attributes (transcript text). Off unless the operator opts in. */
  includePersonalData: boolean;
  flush: () => Promise<void>;
  shutdown: () => Promise<void>;
}

/** Turn latency buckets: voice agents live between ~300 ms (good) and several seconds (broken). */
const LATENCY_BUCKETS_MS = [100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];
const DURATION_BUCKETS_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

export class OtelTelemetry implements Telemetry {
  readonly #o: OtelTelemetryOptions;
  readonly #turnLatency: Histogram;
  readonly #interruptions: Counter;
  readonly #callDuration: Histogram;
  readonly #activeCalls: UpDownCounter;

  constructor(options: OtelTelemetryOptions) {
    this.#o = options;
    const m = options.meter;
    this.#turnLatency = m.createHistogram(METRIC_TURN_LATENCY, {
      unit: "ms",
      description: "Caller end of speech to agent start of speech",
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
    });
    this.#interruptions = m.createCounter(METRIC_INTERRUPTIONS, {
      unit: "{interruption}",
      valueType: ValueType.INT,
      description: "Times one side started speaking over the other",
    });
    this.#callDuration = m.createHistogram(METRIC_CALL_DURATION, {
      unit: "ms",
      description: "Whole call, job start to result",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
    });
    this.#activeCalls = m.createUpDownCounter(METRIC_ACTIVE_CALLS, {
      unit: "{call}",
      valueType: ValueType.INT,
      description: "Calls in progress on this sidecar",
    });
  }

  startRun(run: RunIdentity): RunTrace {
    const attributes: Attributes = {
      [ATTR_RUN_ID]: run.runId,
      [ATTR_SCENARIO_ID]: run.scenarioId,
      [ATTR_CONNECTION_MODE]: run.mode,
    };
    if (run.agentId !== undefined) attributes[ATTR_AGENT_ID] = run.agentId;
    // A root span: a run is its own trace, whatever context the job request arrived in.
    const span = this.#o.tracer.startSpan(SPAN_RUN, { attributes, startTime: run.startedAtMs, root: true });
    return new OtelRunTrace(this.#o, span, run.startedAtMs);
  }

  recordTurnLatency(latencyMs: number): void {
    this.#turnLatency.record(latencyMs);
  }

  recordInterruption(by: "user" | "ai"): void {
    this.#interruptions.add(1, { [ATTR_INTERRUPTION_BY]: by });
  }

  recordCallDuration(durationMs: number, outcome: RunOutcome): void {
    this.#callDuration.record(durationMs, {
      [ATTR_RUN_STATUS]: outcome.status,
      [ATTR_ENDED_REASON]: outcome.endedReason,
    });
  }

  callStarted(): void {
    this.#activeCalls.add(1);
  }

  callEnded(): void {
    this.#activeCalls.add(-1);
  }

  forceFlush(): Promise<void> {
    return this.#o.flush();
  }

  shutdown(): Promise<void> {
    return this.#o.shutdown();
  }
}

class OtelRunTrace implements RunTrace {
  readonly #o: OtelTelemetryOptions;
  readonly #run: Span;
  readonly #startedAtMs: number;
  readonly #stages = new Map<VoiceStage, Span>();
  #ended = false;

  constructor(options: OtelTelemetryOptions, run: Span, startedAtMs: number) {
    this.#o = options;
    this.#run = run;
    this.#startedAtMs = startedAtMs;
  }

  startStage(stage: VoiceStage, atMs = this.#o.now()): void {
    if (this.#ended) return;
    this.#stages.get(stage)?.end(atMs);
    const span = this.#o.tracer.startSpan(
      `${SPAN_STAGE_PREFIX}${stage}`,
      { attributes: { [ATTR_STAGE]: stage }, startTime: atMs },
      trace.setSpan(context.active(), this.#run),
    );
    this.#stages.set(stage, span);
  }

  endStage(stage: VoiceStage, ok: boolean, failureReason?: EndedReason, atMs = this.#o.now()): void {
    const span = this.#stages.get(stage);
    if (span === undefined) return;
    this.#stages.delete(stage);
    span.setAttribute(ATTR_STAGE_OK, ok);
    if (!ok) {
      if (failureReason !== undefined) span.setAttribute(ATTR_STAGE_FAILURE_REASON, failureReason);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failureReason ?? "stage failed" });
    }
    span.end(atMs);
  }

  turn(turn: TurnRecord): void {
    if (this.#ended) return;
    const parent = this.#stages.get("conversation") ?? this.#run;
    const attributes: Attributes = { [ATTR_TURN_INDEX]: turn.index, [ATTR_TURN_ROLE]: turn.role };
    if (turn.latencyMs !== undefined) attributes[ATTR_TURN_LATENCY_MS] = turn.latencyMs;
    if (turn.text !== undefined) attributes[ATTR_TURN_TEXT] = turn.text;
    const span = this.#o.tracer.startSpan(
      SPAN_TURN,
      { attributes: this.#withoutPersonalData(attributes), startTime: this.#startedAtMs + turn.startMs },
      trace.setSpan(context.active(), parent),
    );
    span.end(this.#startedAtMs + turn.endMs);
  }

  end(outcome: RunOutcome, atMs = this.#o.now()): void {
    if (this.#ended) return;
    // A stage still open (usually the conversation) ends with the run rather than dangling.
    for (const span of this.#stages.values()) span.end(atMs);
    this.#stages.clear();
    this.#ended = true;
    this.#run.setAttributes({ [ATTR_RUN_STATUS]: outcome.status, [ATTR_ENDED_REASON]: outcome.endedReason });
    if (outcome.status === "failed")
      this.#run.setStatus({ code: SpanStatusCode.ERROR, message: outcome.endedReason });
    this.#run.end(atMs);
  }

  #withoutPersonalData(attributes: Attributes): Attributes {
    if (this.#o.includePersonalData) return attributes;
    return Object.fromEntries(Object.entries(attributes).filter(([k]) => !PERSONAL_DATA_ATTRIBUTES.has(k)));
  }
}
