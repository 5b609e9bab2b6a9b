import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { MissingEngineError } from "../missing-engine-error.ts";

/** Silero v5 at 16 kHz: 512-sample windows (32 ms), each preceded by the previous window's last 64 samples. */
export const SILERO_SAMPLE_RATE = 16_000;
export const SILERO_WINDOW_SAMPLES = 512;
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/** An optionalDependency of @spar/sidecar: the energy VAD needs nothing, Silero needs this. */
export const SILERO_RUNTIME_PACKAGE = "onnxruntime-node";
export const SILERO_RUNTIME_VERSION = "1.30.0";
const MODEL_FILE = "silero_vad_v5.onnx";
/**
 * The MIT Silero v5 model (2.3 MB) ships in the repository (sidecar/models, with its licence), so
 * no package drags in a second, browser onnxruntime for it. Looked up beside the sources in the
 * checkout and beside the bundle in a compiled build (dist/models).
 */
export const SILERO_MODEL_PATHS: readonly string[] = [
  new URL(`../../../models/${MODEL_FILE}`, import.meta.url),
  new URL(`./models/${MODEL_FILE}`, import.meta.url),
].map((url) => fileURLToPath(url));
const HOW_TO_ENABLE_RUNTIME =
  `it is an optional dependency; install it with ONNXRUNTIME_NODE_INSTALL=skip npm install --save-exact ${SILERO_RUNTIME_PACKAGE}@${SILERO_RUNTIME_VERSION}` +
  " (CPU builds for linux/macOS/Windows ship inside the package; the skip avoids its CUDA download;" +
  ' the sidecar image has it unless built with --build-arg WITH_SILERO=0), or use engine "energy"';

/** The parts of onnxruntime we use. */
interface OrtTensor {
  readonly data: unknown;
}
interface OrtTensorConstructor {
  new (type: "float32", data: Float32Array, dims: readonly number[]): OrtTensor;
  new (type: "int64", data: BigInt64Array, dims: readonly number[]): OrtTensor;
}
interface ValueMetadata {
  name: string;
  isTensor: boolean;
  /** onnxruntime's element type enum: 1 = float32, 7 = int64. */
  type: number;
  shape: number[];
}
/**
 * onnxruntime-node's native session. Its public `InferenceSession.run` only wraps this synchronous
 * call in a setImmediate promise; the `VoiceActivity` port is synchronous (a whole track can be fed
 * and flushed in one go), so we call the binding directly. It has no exports map and is pinned.
 */
interface NativeSession {
  loadModel(path: string, options: object): void;
  readonly inputMetadata: ValueMetadata[];
  readonly outputMetadata: ValueMetadata[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, OrtTensor>;
}
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

/** Which model input/output plays which role, read from the session (never assumed). */
interface SileroIo {
  audio: string;
  state: string;
  rate: string;
  probability: string;
  stateOut: string;
}

export interface LoadedModel {
  session: NativeSession;
  io: SileroIo;
  Tensor: OrtTensorConstructor;
  rate: OrtTensor;
}

const FLOAT32 = 1;
const INT64 = 7;

function mapIo(session: NativeSession): SileroIo {
  const ins = session.inputMetadata;
  const outs = session.outputMetadata;
  const audio = ins.find((m) => m.type === FLOAT32 && m.shape.length === 2)?.name;
  const state = ins.find((m) => m.type === FLOAT32 && m.shape.length === 3)?.name;
  const rate = ins.find((m) => m.type === INT64)?.name;
  const stateOut = outs.find((m) => m.shape.length === 3)?.name;
  const probability = outs.find((m) => m.shape.length !== 3)?.name;
  if (!audio || !state || !rate || !stateOut || !probability || ins.length !== 3 || outs.length !== 2) {
    const names = (ms: ValueMetadata[]) => ms.map((m) => `${m.name}[${m.shape.length}d]`).join(", ");
    throw new Error(
      `${MODEL_FILE} is not a Silero v5 model (inputs ${names(ins)}; outputs ${names(outs)}); restore sidecar/models/${MODEL_FILE} from the repository`,
    );
  }
  return { audio, state, rate, probability, stateOut };
}

/** How modules are found: `createRequire(...)`, or a stand-in in tests. */
export interface ModuleLoader {
  (id: string): unknown;
  resolve(id: string): string;
}

/** One session per process: streams share it (the recurrent state is an input, not session state). */
let shared: LoadedModel | undefined;

function loadModel(): LoadedModel {
  shared ??= loadSileroModel(createRequire(import.meta.url));
  return shared;
}

/**
 * Loads the process's shared model now, so a deployment configured for Silero fails when it
 * starts (MissingEngineError, saying how to enable it) rather than on its first call.
 */
export function preloadSileroModel(): void {
  loadModel();
}

/**
 * Loads the runtime (through `require`, the port tests swap) and the first model file of
 * `modelPaths` that exists, and checks the model's inputs and outputs. Throws
 * MissingEngineError, saying how to enable Silero, when either is missing.
 */
export function loadSileroModel(
  require: ModuleLoader,
  modelPaths: readonly string[] = SILERO_MODEL_PATHS,
): LoadedModel {
  const modelPath = modelPaths.find((path) => existsSync(path));
  if (modelPath === undefined) {
    throw new MissingEngineError(
      "Silero VAD model",
      `${MODEL_FILE} is in none of ${modelPaths.join(", ")}; a build must copy sidecar/models/${MODEL_FILE} beside its bundle (dist/models), or use engine "energy"`,
    );
  }
  let native: NativeBinding;
  let Tensor: OrtTensorConstructor;
  try {
    native = require(`${SILERO_RUNTIME_PACKAGE}/dist/binding.js`) as NativeBinding;
    // The Tensor class the binding was initialised with: resolve it next to the runtime, not the caller.
    const common = createRequire(require.resolve(`${SILERO_RUNTIME_PACKAGE}/dist/binding.js`))(
      "onnxruntime-common",
    ) as {
      Tensor: OrtTensorConstructor;
    };
    Tensor = common.Tensor;
  } catch (cause) {
    throw new MissingEngineError(`${SILERO_RUNTIME_PACKAGE} (Silero VAD runtime)`, HOW_TO_ENABLE_RUNTIME, {
      cause,
    });
  }
  if (typeof native.initOrt !== "function" || typeof native.binding?.InferenceSession !== "function") {
    throw new Error(
      `${SILERO_RUNTIME_PACKAGE}/dist/binding.js changed shape; pin ${SILERO_RUNTIME_PACKAGE}@${SILERO_RUNTIME_VERSION}`,
    );
  }
  native.initOrt();
  const session = new native.binding.InferenceSession();
  // One thread each: a sidecar runs ≥ 20 streams on 2 cores, parallelism comes from streams.
  session.loadModel(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  return {
    session,
    io: mapIo(session),
    Tensor,
    rate: new Tensor("int64", BigInt64Array.from([BigInt(SILERO_SAMPLE_RATE)]), []),
  };
}

/**
 * The Silero v5 network for one stream: feed consecutive 512-sample windows at 16 kHz (floats in
 * −1..1), get each window's speech probability. Carries the recurrent state and the 64-sample
 * context between windows, as the model was trained (snakers4/silero-vad OnnxWrapper).
 */
export class SileroV5Model {
  private readonly model: LoadedModel;
  private readonly input = new Float32Array(CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES);
  private state: OrtTensor;
  private readonly fetches: Record<string, null>;

  /** Throws MissingEngineError (saying how to install) when the runtime or model is absent. */
  constructor() {
    this.model = loadModel();
    this.state = new this.model.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 128]);
    this.fetches = { [this.model.io.probability]: null, [this.model.io.stateOut]: null };
  }

  /** Speech probability (0..1) of the next window, exactly 512 samples. */
  next(window: Float32Array): number {
    if (window.length !== SILERO_WINDOW_SAMPLES) {
      throw new Error(`silero: a window is ${SILERO_WINDOW_SAMPLES} samples, got ${window.length}`);
    }
    const { session, io, Tensor, rate } = this.model;
    this.input.copyWithin(0, SILERO_WINDOW_SAMPLES);
    this.input.set(window, CONTEXT_SAMPLES);
    // run() is synchronous, so the tensor may view our buffer without copying it.
    const audio = new Tensor("float32", this.input, [1, this.input.length]);
    const out = session.run({ [io.audio]: audio, [io.state]: this.state, [io.rate]: rate }, this.fetches, {});
    const probability = out[io.probability]?.data;
    const state = out[io.stateOut];
    if (!(probability instanceof Float32Array) || probability.length !== 1 || !state) {
      throw new Error("silero: unexpected model output");
    }
    this.state = state;
    return probability[0] ?? 0;
  }
}
