// Benchmark: concurrent voice calls per sidecar process on this machine — caller TTS (flite WASI),
// paced 48 kHz playout, agent VAD (energy) and stereo recording per call, all in this process;
// the dev server and the counterpart agents run in their own processes.
// Run: npx tsx bench/voice-load/main.ts [N...]   (re-executes itself inside the network namespace; needs root)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { dispose } from "@livekit/rtc-node";
import { createScriptedCaller } from "@spar/caller";
import { AccessToken } from "livekit-server-sdk";
import { insideMediaNamespace, runInMediaNamespace } from "../../devkit/src/netns/netns.ts";
import { DEFAULT_CALL_LIMITS } from "../../sidecar/src/call/call-limits.ts";
import { type CallReport, runCall } from "../../sidecar/src/call/call-session.ts";
import { startDevServerProcess } from "../../sidecar/src/call/dev-server-process.fixture.ts";
import { vadFactory } from "../../sidecar/src/call/speech-engines.ts";
import { monotonicClock } from "../../sidecar/src/media/clock.ts";
import { FliteWasiTextToSpeech } from "../../sidecar/src/media/tts/flite-wasi-text-to-speech.ts";
import { ProcessTextToSpeech } from "../../sidecar/src/media/tts/process-text-to-speech.ts";
import { LiveKitCallRoomConnector } from "../../sidecar/src/room/livekit-call-room.ts";

if (!insideMediaNamespace()) {
  process.exit(await runInMediaNamespace(process.execPath, [...process.execArgv, ...process.argv.slice(1)]));
}

const LINES = [
  "Hello, I would like to check the status of my order.",
  "It was placed last Tuesday, order number four five six.",
  "Can you tell me when it will arrive?",
  "Is there any way to make it faster?",
  "Thank you, that is all I needed today.",
];

const server = await startDevServerProcess();
const dir = await mkdtemp(join(tmpdir(), "spar-voice-load-"));
// `--main-thread-tts` runs flite on the event loop, to measure what the TTS child process saves.
const mainThreadTts = process.argv.includes("--main-thread-tts");
const tts = mainThreadTts ? new FliteWasiTextToSpeech("rms") : new ProcessTextToSpeech("rms");
const connector = new LiveKitCallRoomConnector({ clock: monotonicClock });

/** CPU ms used so far by another process (utime + stime at 100 Hz ticks). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let agentsPid = 0;

async function startAgents(count: number): Promise<() => Promise<void>> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      new URL("./agents.ts", import.meta.url).pathname,
      server.url,
      server.apiKey,
      server.apiSecret,
      String(count),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  agentsPid = child.pid ?? 0;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", () => resolve());
    child.once("exit", (code) => reject(new Error(`agents exited early (${code})`)));
  });
  return async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
}

async function callerToken(i: number): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity: "rubric-test-caller" });
  at.addGrant({ roomJoin: true, room: `load-${i}` });
  return at.toJwt();
}

interface LevelResult {
  calls: number;
  completed: number;
  wallS: number;
  audioS: number;
  cpuS: number;
  cpuPerCallPct: number;
  rtf: number;
  underruns: number;
  underrunMs: number;
  maxLateMs: number;
  loopP99Ms: number;
  loopMaxMs: number;
  latencyP50Ms: number;
  /** CPU of the other processes meanwhile, in cores: the SFU (dev server) and the agents. */
  serverCores: number;
  agentsCores: number;
  reasons: Record<string, number>;
}

async function level(calls: number): Promise<LevelResult> {
  process.stderr.write(`voice-load: ${calls} calls: starting agents\n`);
  const stopAgents = await startAgents(calls);
  process.stderr.write(`voice-load: ${calls} calls: agents ready, calling\n`);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const cpu0 = process.cpuUsage();
  const server0 = cpuMsOf(server.pid);
  const agents0 = cpuMsOf(agentsPid);
  const t0 = performance.now();
  loop.enable();
  const reports: CallReport[] = await Promise.all(
    Array.from({ length: calls }, async (_, i) =>
      runCall(
        {
          url: server.url,
          token: await callerToken(i),
          brain: createScriptedCaller([...LINES.map((say) => ({ say })), { end: true }]),
          limits: { ...DEFAULT_CALL_LIMITS, greetingWaitMs: 500, maxDurationMs: 120_000 },
          recordingDir: join(dir, `call-${calls}-${i}`),
        },
        {
          connector,
          tts,
          makeVad: vadFactory("energy"),
          clock: monotonicClock,
          wallNow: Date.now,
          emit: () => undefined,
          signal: new AbortController().signal,
        },
      ),
    ),
  );
  loop.disable();
  const wallS = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpuS = (used.user + used.system) / 1e6;
  const serverCores = (cpuMsOf(server.pid) - server0) / 1000 / wallS;
  const agentsCores = (cpuMsOf(agentsPid) - agents0) / 1000 / wallS;
  await stopAgents();
  const reasons: Record<string, number> = {};
  for (const r of reports) reasons[r.end.reason] = (reasons[r.end.reason] ?? 0) + 1;
  for (const r of reports)
    if (r.end.status === "failed")
      process.stderr.write(`voice-load: call failed: ${r.end.reason}: ${r.end.detail}\n`);
  const ok = reports.filter((r) => r.end.reason === "caller_ended" && r.end.detail === undefined);
  for (const r of reports)
    process.stderr.write(
      `voice-load: call ${r.end.reason}: ${r.durationMs.toFixed(0)} ms, underruns ${r.playout?.underruns ?? "-"} (${r.playout?.underrunMs.toFixed(0) ?? "-"} ms, worst ${r.playout?.maxLateMs.toFixed(0) ?? "-"} ms)\n`,
    );
  const audioS = reports.reduce((s, r) => s + r.durationMs / 1000, 0);
  const latencies = reports
    .flatMap((r) => r.metrics?.latency_ms?.turns.map((t) => t.latency_ms) ?? [])
    .sort((a, b) => a - b);
  return {
    calls,
    completed: ok.length,
    wallS,
    audioS,
    cpuS,
    cpuPerCallPct: (cpuS / wallS / calls) * 100,
    rtf: cpuS / audioS,
    // Underruns of the calls that completed: a call the overloaded dev server dropped stalls its
    // microphone by seconds, which says nothing about the sidecar.
    underruns: ok.reduce((s, r) => s + (r.playout?.underruns ?? 0), 0),
    underrunMs: ok.reduce((s, r) => s + (r.playout?.underrunMs ?? 0), 0),
    maxLateMs: Math.max(0, ...ok.map((r) => r.playout?.maxLateMs ?? 0)),
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    latencyP50Ms: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    serverCores,
    agentsCores,
    reasons,
  };
}

const levels = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const results: LevelResult[] = [];
try {
  for (const n of levels.length > 0 ? levels : [1, 10, 20]) {
    const r = await level(n);
    results.push(r);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
}
const f = (v: number, d = 1) => v.toFixed(d);
console.log(
  "\ncalls | completed | caller CPU/call | RTF (CPU s / call s) | underruns (frames, total ms, worst ms) | loop delay p99/max | latency p50",
);
for (const r of results) {
  console.log(
    `${r.calls} | ${r.completed}/${r.calls} | ${f(r.cpuPerCallPct)} % | ${f(r.rtf, 3)} | ${r.underruns}, ${f(r.underrunMs)} ms, ${f(r.maxLateMs)} ms | ${f(r.loopP99Ms)}/${f(r.loopMaxMs)} ms | ${f(r.latencyP50Ms)} ms | ${f(r.serverCores, 2)} / ${f(r.agentsCores, 2)}`,
  );
}
