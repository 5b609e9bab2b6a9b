/**
 * A finished voice run stored straight into a `spar serve` data folder's libSQL file, through the
 * gateway's own repositories, with a real stereo WAV (caller left, agent right) whose speech
 * stretches match the transcript: what the dashboard's voice page reads until voice runs through
 * the gateway exist on this branch.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { TranscriptEntry, VoiceMetrics } from "@spar/protocol";
import { createRuns, finishRun, startRun } from "../../gateway/src/db/repositories/runs.ts";
import { createTestRun, finishTestRun } from "../../gateway/src/db/repositories/test-runs.ts";
import { openLibsqlStorage } from "../../gateway/src/runtime/node/libsql-storage.ts";
import { recordingKey } from "../../gateway/src/voice/recording-store.ts";

export const SAMPLE_RATE_HZ = 16_000;
export const VOICE_DURATION_MS = 8000;

/**
 * Who speaks when: 5 turns; the agent answers the caller's first turn 450 ms after it ends, the
 * caller cuts in on the agent at 4.0 s (200 ms of overlap), then nobody speaks for 2.2 s.
 */
export const VOICE_TURNS = [
  { role: "agent", content: "Thanks for calling Acme billing, how can I help?", start_ms: 200, end_ms: 1400 },
  { role: "user", content: "I was charged twice this month.", start_ms: 1700, end_ms: 2600 },
  { role: "agent", content: "Sorry about that, let me check your account.", start_ms: 3050, end_ms: 4200 },
  { role: "user", content: "Thanks.", start_ms: 4000, end_ms: 4400 },
  { role: "agent", content: "I have refunded the second charge.", start_ms: 6600, end_ms: 7600 },
] as const;

/** A 16-bit PCM stereo WAV: a tone on the speaker's channel during each turn, silence elsewhere. */
export function stereoWav(): Buffer {
  const frames = (VOICE_DURATION_MS / 1000) * SAMPLE_RATE_HZ;
  const data = Buffer.alloc(frames * 4);
  for (const turn of VOICE_TURNS) {
    const channel = turn.role === "user" ? 0 : 1;
    const hz = turn.role === "user" ? 220 : 330;
    for (let f = (turn.start_ms * SAMPLE_RATE_HZ) / 1000; f < (turn.end_ms * SAMPLE_RATE_HZ) / 1000; f++) {
      data.writeInt16LE(
        Math.round(12_000 * Math.sin((2 * Math.PI * hz * f) / SAMPLE_RATE_HZ)),
        f * 4 + channel * 2,
      );
    }
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22); // stereo
  header.writeUInt32LE(SAMPLE_RATE_HZ, 24);
  header.writeUInt32LE(SAMPLE_RATE_HZ * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const measured = {
  description: "caller: playout timestamps (exact); agent: silero-v5 VAD, 32 ms frames",
  caller_source: "playout_timestamps",
  agent_source: "vad",
  vad: { engine: "silero-v5", frame_ms: 32 },
  stt: null,
} as const;

export const VOICE_METRICS: VoiceMetrics = {
  latency_ms: {
    average_ms: 1325,
    p50_ms: 1325,
    p95_ms: 2112.5,
    turns: [
      { turn: 1, latency_ms: 450 },
      { turn: 2, latency_ms: 2200 },
    ],
  },
  user_interruptions: { count: 1, interruptions: [{ at_second: 4, duration_ms: 200 }] },
  ai_interruptions: { count: 0, interruptions: [] },
  stop_time_after_interruption: { average_ms: 200, events: [{ at_second: 4, stop_time_ms: 200 }] },
  silence_detection: {
    ai_channel: { count: 1, total_ms: 2400 },
    user_channel: { count: 2, total_ms: 5800 },
    threshold_ms: 2000,
  },
  time_to_first_audio_ms: 200,
  talk_ratio: 0.58,
  words_per_minute: 162,
  duration_ms: VOICE_DURATION_MS,
  measured_with: {
    latency_ms: measured,
    user_interruptions: measured,
    ai_interruptions: measured,
    stop_time_after_interruption: measured,
    silence_detection: measured,
    time_to_first_audio_ms: measured,
    talk_ratio: measured,
    words_per_minute: measured,
    duration_ms: { ...measured, caller_source: "none", agent_source: "none", vad: null },
  },
};

/** Stores a done voice test run with one voice run that failed its latency assertion; returns the run's id. */
export async function seedVoiceRun(
  dbPath: string,
  agentId: number,
  scenarioId: number,
  nowMs: number,
): Promise<number> {
  const storage = await openLibsqlStorage(dbPath);
  try {
    const { db } = storage;
    const testRun = await createTestRun(
      db,
      1,
      { agentId, channel: "voice", frequency: 1, successThreshold: 100, name: "voice demo" },
      nowMs,
    );
    if (!testRun.ok) throw new Error(`seeding the voice test run: ${JSON.stringify(testRun)}`);
    const [run] =
      (await createRuns(
        db,
        1,
        testRun.row.id,
        [{ agentId, scenarioId, scenarioName: "Double charge", attempt: 1, channel: "voice" }],
        nowMs,
      )) ?? [];
    if (run === undefined) throw new Error("seeding the voice run created no run");
    await startRun(db, 1, run.id, { startedAtMs: nowMs, deadlineAtMs: nowMs + 600_000 });
    const transcript: (TranscriptEntry & { start_ms: number; end_ms: number })[] = VOICE_TURNS.map((t) => ({
      ...t,
      at_ms: t.start_ms,
    }));
    await finishRun(db, 1, run.id, {
      status: "completed",
      endedReason: "caller_ended",
      endedBy: "caller",
      passed: false,
      error: "assertion max_latency_ms failed: p95 2112.5 ms > 1500 ms",
      durationMs: VOICE_DURATION_MS,
      transcript,
      assertions: [{ kind: "max_latency_ms", passed: false, detail: "p95 2112.5 ms > 1500 ms" }],
      metrics: VOICE_METRICS,
      // The shape the gateway stores for a voice result (voice-result-intake.ts).
      recording: {
        stereo_url: `/v1/runs/${run.id}/recording`,
        participants: {
          caller: { identity: "rubric-test-caller", url: `/v1/runs/${run.id}/recording?participant=caller` },
          agent: { identity: "agent-under-test", url: `/v1/runs/${run.id}/recording?participant=agent` },
        },
        sample_rate_hz: SAMPLE_RATE_HZ,
        duration_ms: VOICE_DURATION_MS,
      },
      endedAtMs: nowMs + VOICE_DURATION_MS,
    });
    await finishTestRun(db, 1, testRun.row.id, "failed", nowMs + VOICE_DURATION_MS);
    return run.id;
  } finally {
    storage.close();
  }
}

/** Puts the seeded run's stereo mix where `spar serve --data DIR`'s recording store reads it. */
export async function storeSeededRecording(dataDir: string, runId: number): Promise<void> {
  const stereo = join(dataDir, "recordings", recordingKey(1, runId, "stereo"));
  await mkdir(dirname(stereo), { recursive: true });
  await writeFile(stereo, stereoWav());
}
