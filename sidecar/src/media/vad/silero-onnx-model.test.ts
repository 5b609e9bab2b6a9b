import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { MissingEngineError } from "../missing-engine-error.ts";
import {
  loadSileroModel,
  type ModuleLoader,
  SILERO_MODEL_PATHS,
  SILERO_WINDOW_SAMPLES,
  SileroV5Model,
} from "./silero-onnx-model.ts";

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

const SHIPPED_MODEL = SILERO_MODEL_PATHS[0] ?? "";

describe("the Silero model loader", () => {
  it("finds the model shipped in sidecar/models first", () => {
    expect(SHIPPED_MODEL.endsWith("/sidecar/models/silero_vad_v5.onnx")).toBe(true);
  });

  it("ships the model byte for byte as its licence file records", () => {
    const sha256 = createHash("sha256").update(readFileSync(SHIPPED_MODEL)).digest("hex");
    const licence = readFileSync(new URL("../../../models/LICENSE-silero-vad.txt", import.meta.url), "utf8");
    expect(licence).toContain(`SHA-256: ${sha256}`);
    expect(licence).toContain("MIT License");
    expect(licence).toContain("Copyright (c) 2020-present Silero Team");
  });

  it("runs the shipped model: silence scores below the 0.35 offset threshold", () => {
    const model = new SileroV5Model();
    const silence = new Float32Array(SILERO_WINDOW_SAMPLES);
    const probabilities = Array.from({ length: 10 }, () => model.next(silence));
    expect(Math.max(...probabilities)).toBeLessThan(0.35);
  });

  it("names the optional dependency and the exact install command when onnxruntime-node is missing", () => {
    const attempt = () => loadSileroModel(without("onnxruntime-node"));
    expect(attempt).toThrow(MissingEngineError);
    expect(attempt).toThrow(
      'onnxruntime-node (Silero VAD runtime) is not available: it is an optional dependency; install it with ONNXRUNTIME_NODE_INSTALL=skip npm install --save-exact onnxruntime-node@1.30.0 (CPU builds for linux/macOS/Windows ship inside the package; the skip avoids its CUDA download; the sidecar image has it unless built with --build-arg WITH_SILERO=0), or use engine "energy"',
    );
  });

  it("says where it looked when the model file is missing", () => {
    const attempt = () => loadSileroModel(real, ["/nonexistent/a.onnx", "/nonexistent/b.onnx"]);
    expect(attempt).toThrow(MissingEngineError);
    expect(attempt).toThrow(
      'Silero VAD model is not available: silero_vad_v5.onnx is in none of /nonexistent/a.onnx, /nonexistent/b.onnx; a build must copy sidecar/models/silero_vad_v5.onnx beside its bundle (dist/models), or use engine "energy"',
    );
  });
});
