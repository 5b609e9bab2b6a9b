// Atomicity across processes: several OS processes write the same file at once, each with its
// own connections, so SQLite's locking (not one JS thread) is what keeps the counts right.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  addCredits,
  createAgent,
  createRuns,
  createTestRun,
  createWorkspace,
  getCreditBalance,
} from "../../db/index.ts";
import { openTempStorage, type TempStorage } from "./temp-storage.fixture.ts";

const WRITER = fileURLToPath(new URL("./concurrent-writer.fixture.ts", import.meta.url));
const PROCESSES = 4;
const WRITES_EACH = 15;
const BALANCE = 25;

let storage: TempStorage | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await storage?.dispose();
});

/** The child's stdout, one line per `next()`. */
function lines(c: ChildProcess): { next(): Promise<string> } {
  let buffer = "";
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  c.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      waiters.push(resolve);
      c.once("exit", (code) => reject(new Error(`writer exited ${code} before printing`)));
    });
  return { next };
}

describe("one libSQL file, several processes", { timeout: 90_000 }, () => {
  it("debits exactly the balance and numbers events without gaps or repeats", async () => {
    storage = await openTempStorage();
    const workspace = await createWorkspace(storage.db, { name: "w", nowMs: 0 });
    await addCredits(storage.db, workspace.id, BALANCE, { reason: "grant", nowMs: 0 });
    const agent = await createAgent(storage.db, workspace.id, { name: "bot" }, 0);
    const testRun = await createTestRun(
      storage.db,
      workspace.id,
      { agentId: agent.ok ? agent.row.id : 0, channel: "text", frequency: 1, successThreshold: 100 },
      0,
    );
    const [run] =
      (await createRuns(
        storage.db,
        workspace.id,
        testRun.ok ? testRun.row.id : 0,
        [{ agentId: 1, scenarioId: null, scenarioName: "s", attempt: 1, channel: "text" }],
        0,
      )) ?? [];

    const writers = Array.from({ length: PROCESSES }, () => {
      const c = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          WRITER,
          storage?.path ?? "",
          String(workspace.id),
          String(run?.id),
          String(WRITES_EACH),
        ],
        {
          stdio: ["pipe", "pipe", "inherit"],
        },
      );
      children.push(c);
      return { c, out: lines(c) };
    });
    for (const w of writers) expect(await w.out.next()).toBe("ready");
    for (const w of writers) w.c.stdin?.write("go\n");
    const results = await Promise.all(
      writers.map(async (w) => JSON.parse(await w.out.next()) as { debited: number; seqs: number[] }),
    );

    expect(results.reduce((sum, r) => sum + r.debited, 0)).toBe(BALANCE);
    expect(await getCreditBalance(storage.db, workspace.id)).toBe(0);
    const seqs = results.flatMap((r) => r.seqs).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: PROCESSES * WRITES_EACH }, (_, i) => i + 1));
    for (const r of results) expect(r.seqs).toEqual([...r.seqs].sort((a, b) => a - b));
  });
});
