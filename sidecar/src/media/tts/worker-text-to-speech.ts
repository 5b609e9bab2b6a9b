import { Worker } from "node:worker_threads";
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
 * Offline TTS (flite WASI) on a worker thread. flite runs synchronously for 20–100 ms per
 * sentence; on the main thread that stalls every concurrent call's paced microphone and starves
 * its outgoing audio queue. Requests are served in order; the worker never keeps the process alive.
 */
export class WorkerTextToSpeech implements TextToSpeech {
  readonly name: string;
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (a: PcmAudio) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(voice: FliteVoice = "rms") {
    this.name = `flite-wasi/${voice}`;
    this.worker = new Worker(new URL("./text-to-speech-worker.mjs", import.meta.url), {
      workerData: { voice },
    });
    this.worker.unref();
    this.worker.on("message", (message: unknown) => this.onReply(message));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`the TTS worker exited (${code})`)));
  }

  async synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio> {
    const clean = checkTtsText(text);
    options?.signal?.throwIfAborted();
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<PcmAudio>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, text: clean });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private onReply(message: unknown): void {
    const reply = replySchema.safeParse(message);
    if (!reply.success || "ready" in reply.data) return;
    const waiter = this.pending.get(reply.data.id);
    this.pending.delete(reply.data.id);
    if (!waiter) return;
    if ("error" in reply.data) waiter.reject(new Error(reply.data.error));
    else waiter.resolve({ samples: reply.data.samples, sampleRate: reply.data.sampleRate });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.pending.values()) w.reject(this.failure);
    this.pending.clear();
  }
}
