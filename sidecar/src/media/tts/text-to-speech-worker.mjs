// Worker-thread side of WorkerTextToSpeech: loads the TypeScript engine through tsx (no build
// step) and answers {id, text} with {id, samples, sampleRate} or {id, error}.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { FliteWasiTextToSpeech } = await import("./flite-wasi-text-to-speech.ts");
const engine = new FliteWasiTextToSpeech(workerData.voice);

parentPort.on("message", async ({ id, text }) => {
  try {
    const audio = await engine.synthesize(text);
    parentPort.postMessage({ id, samples: audio.samples, sampleRate: audio.sampleRate }, [
      audio.samples.buffer,
    ]);
  } catch (cause) {
    parentPort.postMessage({ id, error: cause instanceof Error ? cause.message : String(cause) });
  }
});
parentPort.postMessage({ ready: true });
