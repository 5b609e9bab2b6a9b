import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const FLITE = new URL("./flite-wasi-text-to-speech.ts", import.meta.url).pathname;

describe("loadWasi", () => {
  // A fresh process: Node warns once per process, and this test worker may have loaded WASI already.
  it("lets flite speak in-process without Node's WASI ExperimentalWarning on stderr", async () => {
    const script = `
      import { FliteWasiTextToSpeech } from ${JSON.stringify(FLITE)};
      // A pending WebAssembly.compile holds no handle open: keep the loop alive until it is done.
      const keepAlive = setInterval(() => {}, 1000);
      const audio = await new FliteWasiTextToSpeech("rms").synthesize("Hello there.");
      clearInterval(keepAlive);
      process.stdout.write(String(audio.sampleRate));
    `;
    const r = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    expect(r.stdout).toBe("16000");
    expect(r.stderr).toBe("");
  });

  it("still lets other warnings through", async () => {
    const script = `
      import { loadWasi } from ${JSON.stringify(new URL("./load-wasi.ts", import.meta.url).pathname)};
      loadWasi();
      process.emitWarning("something else", "ExperimentalWarning");
    `;
    const r = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    expect(r.stderr).toMatch(/^\(node:\d+\) ExperimentalWarning: something else\n/);
  });
});
