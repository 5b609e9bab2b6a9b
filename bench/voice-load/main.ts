// Benchmark: concurrent voice calls per sidecar process on this machine — caller TTS (flite WASI),
// paced 48 kHz playout, agent VAD (energy) and stereo recording per call, all in this process;
// the dev server and the counterpart agents run in their own processes.
// The sidecar runs at nice -10 and the SFU and agents at 0 (every thread), so that on a small shared
// machine the process under test gets the CPU it asks for; call starts are staggered (--ramp-ms).
// Run: npx tsx bench/voice-load/main.ts [N...] [--ramp-ms=250] [--sidecar-nice=-10] [--helper-nice=0] [--main-thread-tts]
// (re-executes itself inside the network namespace; needs root)
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
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
import { lowerMediaThreads } from "../../sidecar/src/room/event-loop-priority.ts";
import { LiveKitCallRoomConnector } from "../../sidecar/src/room/livekit-call-room.ts";
import { startAgentProcesses } from "./agent-processes.ts";
import { peak } from "./call-spans.ts";
import {
  childPidsOf,
  cpuMsOf,
  machineTicks,
  nicenessOf,
  reniceAll,
  threadSampler,
  udpDrops,
} from "./proc-stats.ts";

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

/** `--name=value` from the command line. */
function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
// 1 s apart: 250 ms made the dev server's subscriber renegotiations pile up at 15+ calls
// (agents' subscriber offers unanswered within 15 s) with the machine on average below its 2 cores.
const rampMs = Number(option("ramp-ms") ?? 1_000);
/** Caller lines per call (the five below, repeated): 10 lines ≈ 60 s, so N calls overlap long after the ramp. */
const lineCount = Number(option("lines") ?? 10);
/**
 * Niceness of the SFU and agent processes, and of this process (the sidecar under test). On a
 * shared box the default gives the sidecar the CPU it asks for (weight 9548 vs 1024 per thread)
 * and leaves the helpers on par with other jobs: at nice 19 they starved behind other engineers'
 * test runs (agents missed the SFU's 15 s subscriber-offer deadline).
 */
const helperNice = Number(option("helper-nice") ?? 0);
const sidecarNice = Number(option("sidecar-nice") ?? -10);
/**
 * The SFU forwards every packet of every call: in a deployment it has its own machine. Starved
 * here (at nice 0 below the sidecar's −10, 20 calls), its one event loop fell behind, packets
 * queued in its socket buffers and the agents heard the caller seconds late (latency p50 8 s,
 * 3/20 calls completed). So by default it runs at the sidecar's priority.
 */
const serverNice = Number(option("server-nice") ?? sidecarNice);
/**
 * `--media-threads-nice=N`: every thread of the sidecar but the JavaScript one (rtc-node's media
 * threads, each call's encoder and capture threads, libuv's pool) is kept at niceness N, so the
 * thread that paces every microphone wins the CPU when they all wake on the same 10 ms tick
 * (sidecar/src/room/event-loop-priority.ts; the sidecar's SPAR_MEDIA_THREADS_NICE).
 */
const mediaThreadsNice =
  option("media-threads-nice") === undefined ? undefined : Number(option("media-threads-nice"));
if (mediaThreadsNice !== undefined) lowerMediaThreads(mediaThreadsNice);
if (sidecarNice !== 0) {
  // Before any call starts: rtc-node's threads are created later and inherit it.
  for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), sidecarNice);
}

/**
 * The counterpart agents. `echo` (default): the dev server's built-in echo agent plays each
 * caller's audio back after ECHO_MS, longer than the longest line, so every line is answered by
 * its echo; no agent process, no second rtc-node room, no SFU forwarding to agents — the 2 cores
 * serve the sidecar and the SFU. `rtc`: LightAgent rooms in processes of their own (agents.ts),
 * the way the previous figures were taken; on 2 cores they and the SFU starve before the sidecar.
 */
const agentKind = option("agents") ?? "echo";
if (agentKind !== "echo" && agentKind !== "rtc") {
  process.stderr.write(
    `--agents must be echo or rtc (e.g. --agents=echo); got ${JSON.stringify(agentKind)}\n`,
  );
  process.exit(2);
}
// `--main-thread-tts` runs flite on the event loop, to measure what the TTS child process saves.
const mainThreadTts = process.argv.includes("--main-thread-tts");
const tts = mainThreadTts ? new FliteWasiTextToSpeech("rms") : new ProcessTextToSpeech("rms");
let longestLineMs = 0;
for (const line of LINES) {
  const audio = await tts.synthesize(line);
  longestLineMs = Math.max(longestLineMs, (audio.samples.length * 1000) / audio.sampleRate);
}
/** The echo comes back 1.5 s after the longest line would have ended: the agent's "latency". */
const echoMs = Math.ceil(longestLineMs + 1_500);
// 4 MiB per media socket, as livekit-server asks for: with the kernel's 208 KiB the SFU dropped
// 117,842 datagrams a minute at 20 calls (README, step 2).
const server = await startDevServerProcess({
  udpReceiveBufferBytes: 4 * 1024 * 1024,
  ...(agentKind === "echo" ? { echoAgentMs: echoMs } : {}),
});
reniceAll(server.pid, serverNice);
const dir = await mkdtemp(join(tmpdir(), "spar-voice-load-"));
/** Room frame sizes (defaults: the adapter's), to compare settings in one run. */
const frameOptions = {
  ...(option("mic-frame-ms") ? { microphoneFrameMs: Number(option("mic-frame-ms")) } : {}),
  ...(option("mic-queue-ms") ? { microphoneQueueMs: Number(option("mic-queue-ms")) } : {}),
  ...(option("receive-frame-ms") ? { receiveFrameMs: Number(option("receive-frame-ms")) } : {}),
  // `--no-event-filter`: the baseline without room-event-filter.ts, in the sidecar and the agents.
  ...(process.argv.includes("--no-event-filter") ? { filterForeignEvents: false } : {}),
};
const connector = new LiveKitCallRoomConnector({ clock: monotonicClock, ...frameOptions });

let agentsPids: number[] = [];
/**
 * Rooms per agents process. rtc-node hands every FFI event to every Room of its process (each
 * under an async lock), so one process of 20 agent rooms spends most of its JavaScript on
 * events of other rooms: measured at 20 calls, 45 % of its main thread busy, Room.onFfiEvent the
 * top function. Five per process keeps the counterpart cheap; the sidecar under test keeps all
 * its calls in one process, as deployed.
 */
const agentsPerProcess = Number(option("agents-per-process") ?? 5);

async function startAgents(count: number): Promise<() => Promise<void>> {
  agentsPids = [];
  if (agentKind === "echo") return async () => {};
  const agents = await startAgentProcesses({
    server,
    count,
    perProcess: agentsPerProcess,
    niceIncrement: helperNice - sidecarNice,
    joinGapMs: Math.min(rampMs, 200),
    cpuProfileDir: option("profile-agents"),
    filterForeignEvents: frameOptions.filterForeignEvents !== false,
  });
  agentsPids = agents.pids;
  return agents.stop;
}

async function callerToken(calls: number, i: number): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity: "rubric-test-caller" });
  at.addGrant({ roomJoin: true, room: `load-${calls}-${i}` });
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
  /** Most calls running at once, and for how long that many ran. */
  peakConcurrent: number;
  peakS: number;
  /** Calls with at least one underrun (completed calls). */
  callsWithUnderruns: number;
  /** CPU of each process meanwhile, in cores: the sidecar's main process and its TTS process,
   * the SFU (dev server), the agents, and everything else on the machine (other jobs). */
  sidecarCores: number;
  ttsCores: number;
  serverCores: number;
  agentsCores: number;
  otherCores: number;
  machineCores: number;
  load1: number;
  niceness: { sidecar: string; server: string; agents: string };
  /** The sidecar process's CPU by thread name, in cores ("node" = the JavaScript main thread). */
  threads: Record<string, number>;
  /** UDP datagrams the kernel dropped meanwhile (a starved process's socket buffer overflowed). */
  udpDrops: number;
  reasons: Record<string, number>;
}

async function level(calls: number): Promise<LevelResult> {
  process.stderr.write(
    `voice-load: ${calls} calls: ${agentKind === "echo" ? `echo agents (${echoMs} ms, in the dev server)` : "starting agents"}\n`,
  );
  const stopAgents = await startAgents(calls);
  reniceAll(server.pid, serverNice);
  for (const pid of agentsPids) reniceAll(pid, helperNice);
  const niceness = {
    sidecar: nicenessOf(process.pid),
    server: nicenessOf(server.pid),
    agents: agentKind === "echo" ? "in the SFU" : [...new Set(agentsPids.map(nicenessOf))].join("/"),
  };
  process.stderr.write(
    `voice-load: ${calls} calls: agents ready, calling (${rampMs} ms apart; nice: sidecar ${niceness.sidecar}, SFU ${niceness.server}, agents ${niceness.agents})\n`,
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  // Our child processes other than the SFU and the agents: the TTS process.
  const ttsProcs = childPidsOf(process.pid, [server.pid, ...agentsPids]);
  const cpu0 = process.cpuUsage();
  const sampler = threadSampler();
  const udp0 = udpDrops();
  const tts0 = ttsProcs.reduce((s, pid) => s + cpuMsOf(pid), 0);
  const server0 = cpuMsOf(server.pid);
  const agentsCpuMs = () => agentsPids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const agents0 = agentsCpuMs();
  const machine0 = machineTicks();
  const t0 = performance.now();
  loop.enable();
  // Event-loop stalls over 100 ms, with when they happened and what the calls were doing then.
  const stalls: { atS: number; ms: number }[] = [];
  let lastTick = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 110) stalls.push({ atS: (lastTick - t0) / 1000, ms: now - lastTick - 10 });
    lastTick = now;
  }, 10);
  const spans: { startMs: number; endMs: number }[] = [];
  const reports: CallReport[] = await Promise.all(
    Array.from({ length: calls }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * rampMs));
      const startMs = performance.now();
      const report = await runCall(
        {
          url: server.url,
          token: await callerToken(calls, i),
          brain: createScriptedCaller([
            ...Array.from({ length: lineCount }, (_, k) => ({ say: LINES[k % LINES.length] ?? "" })),
            { end: true },
          ]),
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
      );
      spans.push({ startMs, endMs: performance.now() });
      return report;
    }),
  );
  loop.disable();
  clearInterval(watchdog);
  const near = (st: { atS: number }, at: "startMs" | "endMs") =>
    spans.filter((sp) => Math.abs((sp[at] - t0) / 1000 - st.atS) < 1.5).length;
  const atEnds = stalls.filter((st) => near(st, "endMs") > 0);
  process.stderr.write(
    `voice-load: ${stalls.length} event-loop stalls over 100 ms, ${atEnds.length} within 1.5 s of a call ending (longest ${Math.max(0, ...atEnds.map((st) => st.ms)).toFixed(0)} ms); the 20 longest:\n`,
  );
  for (const st of [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 20)) {
    process.stderr.write(
      `voice-load: event loop stalled ${st.ms.toFixed(0)} ms at ${st.atS.toFixed(1)} s (calls starting/ending within 1.5 s: ${near(st, "startMs")}/${near(st, "endMs")})\n`,
    );
  }
  const wallS = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const threads: Record<string, number> = {};
  for (const [name, ms] of sampler.stop()) {
    const cores = ms / 1000 / wallS;
    if (cores >= 0.005) threads[name] = Number(cores.toFixed(3));
  }
  const mainS = (used.user + used.system) / 1e6;
  const ttsS = (ttsProcs.reduce((s, pid) => s + cpuMsOf(pid), 0) - tts0) / 1000;
  // The sidecar = this process + its TTS process.
  const cpuS = mainS + ttsS;
  const serverCores = (cpuMsOf(server.pid) - server0) / 1000 / wallS;
  const agentsCores = (agentsCpuMs() - agents0) / 1000 / wallS;
  const machine1 = machineTicks();
  const machineCores = (machine1.busy - machine0.busy) / 100 / wallS;
  const load1 = loadavg()[0] ?? 0;
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
    // Per call while it runs (CPU s / call s), so the ramp in and out does not dilute it.
    cpuPerCallPct: (cpuS / audioS) * 100,
    rtf: cpuS / audioS,
    // Underruns of the calls that completed: a call the overloaded dev server dropped stalls its
    // microphone by seconds, which says nothing about the sidecar.
    underruns: ok.reduce((s, r) => s + (r.playout?.underruns ?? 0), 0),
    underrunMs: ok.reduce((s, r) => s + (r.playout?.underrunMs ?? 0), 0),
    maxLateMs: Math.max(0, ...ok.map((r) => r.playout?.maxLateMs ?? 0)),
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    latencyP50Ms: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    ...peak(spans),
    callsWithUnderruns: ok.filter((r) => (r.playout?.underruns ?? 0) > 0).length,
    sidecarCores: mainS / wallS,
    ttsCores: ttsS / wallS,
    serverCores,
    agentsCores,
    otherCores: Math.max(0, machineCores - cpuS / wallS - serverCores - agentsCores),
    machineCores: machineCores,
    load1,
    niceness,
    threads,
    udpDrops: udpDrops() - udp0,
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
  `\nsidecar at nice ${sidecarNice}, SFU at ${serverNice}, agents ${agentKind === "echo" ? `= the SFU's echo agent (${echoMs} ms)` : `at ${helperNice}`}; calls started ${rampMs} ms apart; CPU in cores of this ${availableParallelism()}-core machine`,
);
console.log(
  "calls | completed | peak concurrent (s) | sidecar CPU/call | RTF | underruns (frames, total, worst; calls hit) | loop p99/max | latency p50 | CPU: sidecar+TTS / SFU / agents / other | load1",
);
for (const r of results) {
  const threads = Object.entries(r.threads)
    .sort((a, b) => b[1] - a[1])
    .map(([name, cores]) => `${name} ${f(cores, 2)}`)
    .join(", ");
  console.log(
    `${r.calls} | ${r.completed}/${r.calls} | ${r.peakConcurrent} (${f(r.peakS, 0)} s) | ${f(r.cpuPerCallPct)} % | ${f(r.rtf, 3)} | ${r.underruns}, ${f(r.underrunMs)} ms, ${f(r.maxLateMs)} ms; ${r.callsWithUnderruns} | ${f(r.loopP99Ms)}/${f(r.loopMaxMs)} ms | ${f(r.latencyP50Ms)} ms | ${f(r.sidecarCores, 2)}+${f(r.ttsCores, 2)} / ${f(r.serverCores, 2)} / ${f(r.agentsCores, 2)} / ${f(r.otherCores, 2)} | ${f(r.load1)}`,
  );
  console.log(`   sidecar threads (cores): ${threads}; UDP datagrams dropped: ${r.udpDrops}`);
}
