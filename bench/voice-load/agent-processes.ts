// The counterpart agents of a voice-load level in processes of their own (agents.ts), a few rooms
// per process: rtc-node hands every FFI event to every Room of its process, so one process of 20
// agent rooms spends most of its JavaScript on other rooms' events.
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";

export interface AgentProcessesOptions {
  server: { url: string; apiKey: string; apiSecret: string };
  /** Agents in all: one per call, rooms load-<count>-<i>. */
  count: number;
  perProcess: number;
  /** Added to this process's niceness with nice(1), so every thread rtc-node creates inherits it. */
  niceIncrement: number;
  /** Pause between two agents joining (ms). */
  joinGapMs: number;
  /** Write V8 CPU profiles of the agent processes here. */
  cpuProfileDir: string | undefined;
  /** false: the baseline without room-event-filter.ts in the agents (SPAR_BENCH_NO_EVENT_FILTER). */
  filterForeignEvents: boolean;
}

export interface AgentProcesses {
  pids: number[];
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** Starts the processes one after another; resolves once every agent has joined. */
export async function startAgentProcesses(options: AgentProcessesOptions): Promise<AgentProcesses> {
  const children: ChildProcess[] = [];
  const { server, count } = options;
  for (let from = 0; from < count; from += options.perProcess) {
    const to = Math.min(count, from + options.perProcess);
    const child = spawn(
      "nice",
      [
        "-n",
        String(options.niceIncrement),
        process.execPath,
        ...(options.cpuProfileDir ? [`--cpu-prof-dir=${options.cpuProfileDir}`, "--cpu-prof"] : []),
        "--import",
        "tsx",
        new URL("./agents.ts", import.meta.url).pathname,
        server.url,
        server.apiKey,
        server.apiSecret,
        String(count),
        String(options.joinGapMs),
        String(from),
        String(to),
      ],
      {
        // agents.ts exits when this pipe closes: they go with the bench, even when it crashes.
        stdio: ["pipe", "pipe", "inherit"],
        env: { ...process.env, ...(options.filterForeignEvents ? {} : { SPAR_BENCH_NO_EVENT_FILTER: "1" }) },
      },
    );
    (child.stdin as Socket | null)?.unref();
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      // rtc-node logs JSON lines to stdout too: the first line is not the agents' "ready" (it
      // was taken for it before, so at 15+ calls callers started while agents were still joining).
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line === "ready") resolve();
      });
      child.once("exit", (code) => reject(new Error(`agents exited early (${code})`)));
    });
  }
  return {
    pids: children.map((c) => c.pid ?? 0),
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          // Leaving many rooms can hang in rtc-node (seen once); the level's figures are already taken.
          const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
          await exited;
          clearTimeout(kill);
        }),
      );
    },
  };
}
