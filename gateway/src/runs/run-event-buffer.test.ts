import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedTestRun } from "../db/repositories/db-test-setup.fixture.ts";
import { listRunEvents } from "../db/repositories/run-events.ts";
import { finishRun, getRun } from "../db/repositories/runs.ts";
import { createWorkspace } from "../db/repositories/workspaces.ts";
import { openTempStorage, type TempStorage } from "../runtime/node/temp-storage.fixture.ts";
import { RunEventBuffer, type Schedule } from "./run-event-buffer.ts";

/** A schedule driven by hand: `advance(ms)` runs what has come due. */
function manualSchedule() {
  let nowMs = 0;
  const tasks = new Set<{ at: number; task: () => void }>();
  const schedule: Schedule = (task, ms) => {
    const entry = { at: nowMs + ms, task };
    tasks.add(entry);
    return () => tasks.delete(entry);
  };
  return {
    schedule,
    pending: () => tasks.size,
    advance(ms: number) {
      nowMs += ms;
      for (const entry of [...tasks]) {
        if (entry.at > nowMs) continue;
        tasks.delete(entry);
        entry.task();
      }
    },
  };
}

let storage: TempStorage;
let workspaceId: number;
let runIds: number[];
beforeEach(async () => {
  storage = await openTempStorage();
  workspaceId = (await createWorkspace(storage.db, { name: "w", nowMs: 0 })).id;
  runIds = (await seedTestRun(storage.db, workspaceId, 2, { successThreshold: 100 })).runs.map((r) => r.id);
});
afterEach(() => storage.dispose());

const event = (run: number, content: string) => ({
  workspaceId,
  runId: runIds[run] ?? 0,
  type: "transcript" as const,
  data: { content },
  nowMs: 5,
});
const stored = async (run: number) =>
  (await listRunEvents(storage.db, workspaceId, runIds[run] ?? 0, { afterSeq: 0, limit: 100 })).map((e) => [
    e.seq,
    (e.data as { content: string }).content,
  ]);

describe("the run event buffer", () => {
  it("stores nothing before flushEveryMs has passed, then everything waiting, in order", async () => {
    const clock = manualSchedule();
    const logged: string[] = [];
    const buffer = new RunEventBuffer({
      db: storage.db,
      flushEveryMs: 100,
      maxEvents: 50,
      log: (message) => logged.push(message),
      schedule: clock.schedule,
    });
    buffer.add(event(0, "a1"));
    buffer.add(event(1, "b1"));
    buffer.add(event(0, "a2"));
    expect(clock.pending()).toBe(1);
    clock.advance(99);
    expect(await stored(0)).toEqual([]);
    expect(buffer.size).toBe(3);
    clock.advance(1);
    expect(buffer.size).toBe(0);
    await buffer.flush();
    expect(await stored(0)).toEqual([
      [1, "a1"],
      [2, "a2"],
    ]);
    expect(await stored(1)).toEqual([[1, "b1"]]);
    expect(clock.pending()).toBe(0);
    expect(logged).toEqual([]);
  });

  it("writes at once when maxEvents are waiting, without waiting for the timer", async () => {
    const clock = manualSchedule();
    const buffer = new RunEventBuffer({
      db: storage.db,
      flushEveryMs: 100,
      maxEvents: 3,
      log: () => undefined,
      schedule: clock.schedule,
    });
    buffer.add(event(0, "1"));
    buffer.add(event(0, "2"));
    expect(buffer.size).toBe(2);
    buffer.add(event(0, "3"));
    expect(buffer.size).toBe(0);
    expect(clock.pending()).toBe(0);
    await buffer.flush();
    expect(await stored(0)).toEqual([
      [1, "1"],
      [2, "2"],
      [3, "3"],
    ]);
  });

  it("keeps one run's order across writes that overlap", async () => {
    const buffer = new RunEventBuffer({
      db: storage.db,
      flushEveryMs: 100,
      maxEvents: 2,
      log: () => undefined,
      schedule: manualSchedule().schedule,
    });
    for (let i = 1; i <= 9; i++) buffer.add(event(0, String(i)));
    await buffer.flush();
    expect(await stored(0)).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, String(i + 1)]));
  });

  it("logs events it could not store and keeps storing later ones", async () => {
    const logged: string[] = [];
    const buffer = new RunEventBuffer({
      db: storage.db,
      flushEveryMs: 100,
      maxEvents: 100,
      log: (message) => logged.push(message),
      schedule: manualSchedule().schedule,
    });
    buffer.add({ ...event(0, "a"), data: { big: 1n } });
    buffer.add(event(1, "b"));
    await buffer.flush();
    buffer.add(event(0, "after"));
    await buffer.flush();
    expect(logged).toEqual(["2 events of 2 runs could not be stored"]);
    expect(await stored(0)).toEqual([[1, "after"]]);
    expect(await stored(1)).toEqual([]);
  });

  it("stores runs' starts before their events in one flush, and leaves a run that already ended as it is", async () => {
    const buffer = new RunEventBuffer({
      db: storage.db,
      flushEveryMs: 100,
      maxEvents: 100,
      log: () => undefined,
      schedule: manualSchedule().schedule,
    });
    await finishRun(storage.db, workspaceId, runIds[1] ?? 0, {
      status: "interrupted",
      endedReason: "interrupted",
      endedBy: "platform",
      passed: false,
      error: "cancelled",
      transcript: [],
      assertions: [],
      metrics: {},
      endedAtMs: 3,
    });
    for (const run of [0, 1]) {
      buffer.addStart({ workspaceId, runId: runIds[run] ?? 0, startedAtMs: 10, deadlineAtMs: 90 });
      buffer.add(event(run, "status"));
    }
    expect(buffer.size).toBe(4);
    await buffer.flush();
    expect(await getRun(storage.db, workspaceId, runIds[0] ?? 0)).toMatchObject({
      status: "running",
      startedAtMs: 10,
      deadlineAtMs: 90,
    });
    expect(await getRun(storage.db, workspaceId, runIds[1] ?? 0)).toMatchObject({
      status: "interrupted",
      startedAtMs: null,
      deadlineAtMs: null,
    });
    expect(await stored(0)).toEqual([[1, "status"]]);
    expect(await stored(1)).toEqual([]);
  });
});
