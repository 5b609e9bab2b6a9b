import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { MissingEngineError } from "../missing-engine-error.ts";
import { createVoiceActivity, type VadEngine } from "./create-voice-activity.ts";
import { loadSileroModel, type ModuleLoader } from "./silero-onnx-model.ts";

const real = createRequire(import.meta.url);
/** A module loader on which `missing` (a package name prefix) is not installed. */
function without(missing: string): ModuleLoader {
  const gone = (id: string) => {
    if (id.startsWith(missing))
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
  };
  return Object.assign(
    (id: string) => {
      gone(id);
      return real(id);
    },
    {
      resolve: (id: string) => {
        gone(id);
        return real.resolve(id);
      },
    },
  );
}

describe("createVoiceActivity", () => {
  it("builds the engine asked for and names it", () => {
    expect(createVoiceActivity({ engine: "energy" }).engine).toBe("energy");
    const silero = createVoiceActivity({ engine: "silero" });
    expect(silero.engine).toBe("silero-v5/onnxruntime+energy-edges");
    expect(silero.frameMs).toBe(4);
  });

  it("rejects an unknown engine, listing the known ones", () => {
    expect(() => createVoiceActivity({ engine: "webrtc" as VadEngine })).toThrow(
      'unknown VAD engine "webrtc"; use one of silero, energy',
    );
  });

  it("says how to install the runtime when onnxruntime-node is missing", () => {
    const attempt = () => loadSileroModel(without("onnxruntime-node"));
    expect(attempt).toThrow(MissingEngineError);
    expect(attempt).toThrow(
      /onnxruntime-node \(Silero VAD runtime\) is not available: ONNXRUNTIME_NODE_INSTALL=skip npm install --save-exact onnxruntime-node@1\.30\.0 @ricky0123\/vad-web@0\.0\.31 .* or use engine "energy"/,
    );
  });

  it("says how to install the model when its package is missing", () => {
    expect(() => loadSileroModel(without("@ricky0123/vad-web"))).toThrow(
      /^Silero VAD model is not available: ONNXRUNTIME_NODE_INSTALL=skip npm install/,
    );
  });
});
