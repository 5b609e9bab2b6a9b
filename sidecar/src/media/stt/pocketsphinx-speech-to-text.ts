import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { PcmAudio } from "../audio/pcm.ts";
import { int16ToBytes } from "../audio/pcm.ts";
import { SincResampler } from "../audio/sinc-resampler.ts";
import { MissingEngineError } from "../missing-engine-error.ts";
import { PocketsphinxOutputParser } from "./pocketsphinx-output.ts";
import { SegmentLog } from "./segment-listeners.ts";
import type { AudioSpeechToTextStream, TranscriptSegment } from "./speech-to-text.ts";

export const POCKETSPHINX_APT = "apt-get install -y pocketsphinx pocketsphinx-en-us";
const DEFAULT_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";
const SAMPLE_RATE = 16_000;

export interface PocketsphinxOptions {
  /** Folder holding `en-us/`, `en-us.lm.bin`, `cmudict-en-us.dict` (Debian's default when omitted). */
  modelDir?: string;
}

/** Throws a MissingEngineError naming the apt line when pocketsphinx or its model is absent. */
export function checkPocketsphinx(options: PocketsphinxOptions = {}): void {
  const modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
  const found = spawnSync("sh", ["-c", "command -v pocketsphinx_continuous"], { encoding: "utf8" });
  if (found.status !== 0) {
    throw new MissingEngineError("pocketsphinx", `install pocketsphinx with ${POCKETSPHINX_APT}`);
  }
  if (!existsSync(`${modelDir}/en-us`) || !existsSync(`${modelDir}/en-us.lm.bin`)) {
    throw new MissingEngineError("pocketsphinx model", `no model in ${modelDir}: ${POCKETSPHINX_APT}`);
  }
}

export function pocketsphinxAvailable(options: PocketsphinxOptions = {}): boolean {
  try {
    checkPocketsphinx(options);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offline streaming STT (low fidelity): one long-lived `pocketsphinx_continuous` per agent track,
 * fed raw s16le 16 kHz PCM. Node cannot hand the engine its own stdin as `/dev/stdin` (the child's
 * stdio is a socketpair), so `cat` relays it; `stdbuf -oL` makes results arrive per line, not at exit.
 * Word times are ms from the first sample written.
 */
export class PocketsphinxSpeechToText implements AudioSpeechToTextStream {
  readonly name = "pocketsphinx/en-us";
  readonly fidelity = "low_fidelity" as const;
  private readonly log = new SegmentLog();
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly resamplers = new Map<number, SincResampler>();
  private readonly exited: Promise<void>;
  private stderrTail = "";

  constructor(options: PocketsphinxOptions = {}) {
    checkPocketsphinx(options);
    const modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
    const engine = [
      "pocketsphinx_continuous -infile /dev/stdin -time yes -logfn /dev/null",
      `-hmm '${modelDir}/en-us' -lm '${modelDir}/en-us.lm.bin' -dict '${modelDir}/cmudict-en-us.dict'`,
    ].join(" ");
    const script = `if command -v stdbuf >/dev/null; then cat | exec stdbuf -oL ${engine}; else cat | exec ${engine}; fi`;
    this.child = spawn("sh", ["-c", script], { stdio: ["pipe", "pipe", "pipe"] });
    const parser = new PocketsphinxOutputParser();
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const segment = parser.line(line);
      if (segment) this.log.add(segment);
    });
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-500);
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) => {
        if (code === 0) resolve();
        else reject(new Error(`pocketsphinx exited with code ${code}: ${this.stderrTail}`));
      });
    });
    // A failed start is reported by end(); avoid an unhandled rejection before anyone awaits it.
    this.exited.catch(() => undefined);
  }

  onSegment(listener: (segment: TranscriptSegment) => void): () => void {
    return this.log.on(listener);
  }

  write(audio: PcmAudio): void {
    let resampler = this.resamplers.get(audio.sampleRate);
    if (!resampler) {
      if (this.resamplers.size > 0) throw new Error("pocketsphinx: the sample rate changed mid-stream");
      // Band-limited: a box average folds the agent's 8–24 kHz energy into the band the
      // recogniser reads (−13 dB on a sweep, resampler-aliasing.test.ts); the sinc filter removes it (−106 dB).
      resampler = new SincResampler(audio.sampleRate, SAMPLE_RATE);
      this.resamplers.set(audio.sampleRate, resampler);
    }
    this.child.stdin.write(int16ToBytes(resampler.push(audio.samples)));
  }

  async end(): Promise<TranscriptSegment[]> {
    // The resampler's last few ms wait for look-ahead; the stream is over, so let them out.
    for (const resampler of this.resamplers.values()) this.child.stdin.write(int16ToBytes(resampler.flush()));
    this.child.stdin.end();
    await this.exited;
    return [...this.log.segments];
  }
}
