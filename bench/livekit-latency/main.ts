// Benchmark: one-way audio latency through the LiveKit dev server and its CPU per forwarded stream.
// Run: npx tsx bench/livekit-latency/main.ts   (re-executes itself inside a network namespace; needs root)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dispose, type Room } from "@livekit/rtc-node";
import { openAudioReader, publishMicrophone, type RtcMicrophone } from "@spar/sidecar";
import { joinRoom, waitForTrack } from "../../devkit/src/livekit-dev-server/testing/rtc-participant.ts";
import { rms, sineFrame } from "../../devkit/src/livekit-dev-server/testing/tone.ts";
import { insideMediaNamespace, NETNS_SERVER_IP, runInMediaNamespace } from "../../devkit/src/netns/netns.ts";

const RATE = 48000;
const FRAME = RATE / 100;
const ONSETS = 40;
const CPU_WINDOW_MS = 10_000;

if (!insideMediaNamespace()) {
  process.exit(await runInMediaNamespace(process.execPath, [...process.execArgv, ...process.argv.slice(1)]));
}

/** A paced 10 ms frame clock: frame k is due at t0 + 10k ms; the source queue is kept at 20 ms. */
class PacedTone {
  #freq = 0;
  #sample = 0;
  #running = true;
  #pendingOnset: ((at: number) => void) | undefined;
  done: Promise<void> = Promise.resolve();

  private constructor(private readonly microphone: RtcMicrophone) {}

  /** Publishes the participant's microphone (the sidecar's set-up, 20 ms queue) and starts the clock. */
  static async publish(room: Room): Promise<PacedTone> {
    const local = room.localParticipant;
    if (!local) throw new Error("the room is not connected");
    const tone = new PacedTone(
      await publishMicrophone(local, { trackName: "bench", sampleRate: RATE, queueMs: 20 }),
    );
    tone.start();
    return tone;
  }

  private start(): void {
    const t0 = performance.now();
    this.done = (async () => {
      for (let k = 0; this.#running; k++) {
        const due = t0 + k * 10;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const tone = this.#freq > 0;
        const data = tone
          ? sineFrame({
              frequencyHz: this.#freq,
              amplitude: 0.5,
              sampleRate: RATE,
              startSample: this.#sample,
              samples: FRAME,
            })
          : new Int16Array(FRAME);
        this.#sample += FRAME;
        if (tone && this.#pendingOnset) {
          this.#pendingOnset(due);
          this.#pendingOnset = undefined;
        }
        await this.microphone.captureFrame(data);
      }
    })();
  }

  /** Switches the tone on at the next frame; resolves with that frame's due time. */
  toneOn(freq: number): Promise<number> {
    return new Promise((resolve) => {
      this.#pendingOnset = resolve;
      this.#freq = freq;
    });
  }

  toneOff(): void {
    this.#freq = 0;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.done;
    await this.microphone.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 Hz)
  return ticks * 10;
}

async function startServerProcess(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const bin = new URL("../../devkit/bin/livekit-dev-server.mjs", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [bin, "--port", "0", "--keys", "devkey:bench-secret-0123456789abcdef", "--ice-ip", NETNS_SERVER_IP],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
  });
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

const server = await startServerProcess();
const access = { url: server.url, apiKey: "devkey", apiSecret: "bench-secret-0123456789abcdef" };

async function latency(): Promise<number[]> {
  const pub = await joinRoom(access, "latency", "speaker");
  const sub = await joinRoom(access, "latency", "listener");
  const tone = await PacedTone.publish(pub);
  const track = await waitForTrack(sub, "speaker");
  const reader = openAudioReader(track, { sampleRate: RATE });
  let heardAt: ((t: number) => void) | undefined;
  let audible = false;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || !value) return;
      const loud = rms(value.data) > 0.05;
      if (loud && !audible && heardAt) {
        heardAt(performance.now());
        heardAt = undefined;
      }
      audible = loud;
    }
  })();
  await new Promise((r) => setTimeout(r, 2000)); // let the stream and jitter buffer settle
  const samples: number[] = [];
  for (let i = 0; i < ONSETS; i++) {
    const heard = new Promise<number>((resolve) => {
      heardAt = resolve;
    });
    const due = await tone.toneOn(440);
    const at = await Promise.race([heard, new Promise<number>((r) => setTimeout(() => r(Number.NaN), 2000))]);
    if (Number.isFinite(at)) samples.push(at - due);
    await new Promise((r) => setTimeout(r, 300));
    tone.toneOff();
    await new Promise((r) => setTimeout(r, 400 + Math.random() * 300));
  }
  await reader.cancel();
  await pump.catch(() => {});
  await tone.stop();
  await pub.disconnect();
  await sub.disconnect();
  return samples.sort((a, b) => a - b);
}

async function cpuPerStream(
  participants: number,
): Promise<{ streams: number; cpuMsPerS: number; perStream: number }> {
  const rooms: Room[] = [];
  const tones: PacedTone[] = [];
  for (let i = 0; i < participants; i++) rooms.push(await joinRoom(access, `cpu-${participants}`, `p${i}`));
  for (const r of rooms) {
    const t = await PacedTone.publish(r);
    void t.toneOn(300 + 100 * tones.length);
    tones.push(t);
  }
  for (const r of rooms)
    for (let j = 0; j < participants; j++)
      if (`p${j}` !== r.localParticipant?.identity) await waitForTrack(r, `p${j}`);
  await new Promise((r) => setTimeout(r, 2000));
  const before = cpuMs(server.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, CPU_WINDOW_MS));
  const used = cpuMs(server.pid) - before;
  const elapsedS = (performance.now() - t0) / 1000;
  for (const t of tones) await t.stop();
  for (const r of rooms) await r.disconnect();
  const streams = participants * (participants - 1);
  const cpuMsPerS = used / elapsedS;
  return { streams, cpuMsPerS, perStream: cpuMsPerS / streams };
}

try {
  const idleBefore = cpuMs(server.pid);
  await new Promise((r) => setTimeout(r, 3000));
  const idleMsPerS = (cpuMs(server.pid) - idleBefore) / 3;
  const lat = await latency();
  const cpu2 = await cpuPerStream(2);
  const cpu4 = await cpuPerStream(4);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log("LiveKit dev server benchmark (werift; server in its own process; clients: rtc-node 1.1.0)");
  console.log(
    `one-way audio latency, tone due at the publisher's AudioSource -> first loud 10 ms frame from the subscriber's AudioStream`,
  );
  console.log(
    `  onsets measured: ${lat.length}/${ONSETS}  p50 ${ms(percentile(lat, 50))}  p95 ${ms(percentile(lat, 95))}  min ${ms(lat[0] ?? Number.NaN)}  max ${ms(lat.at(-1) ?? Number.NaN)}`,
  );
  console.log(`server CPU (user+sys, 10 ms resolution) over ${CPU_WINDOW_MS / 1000} s windows:`);
  console.log(`  idle: ${ms(idleMsPerS)}/s`);
  for (const c of [cpu2, cpu4]) {
    console.log(
      `  ${c.streams} forwarded opus streams: ${ms(c.cpuMsPerS)}/s total, ${ms(c.perStream)}/s per stream (${((c.perStream / 1000) * 100).toFixed(2)}% of a core)`,
    );
  }
} finally {
  await server.stop();
  await dispose();
}
