import { parseDtmf, stripDtmf } from "@spar/protocol";
import { resample } from "../media/audio/sinc-resampler.ts";
import { speechBounds } from "../media/audio/speech-bounds.ts";
import type { TextToSpeech } from "../media/tts/text-to-speech.ts";
import type { CallRoom } from "../room/call-room.ts";
import { dtmfTones } from "../room/dtmf-signal.ts";
import type { MicrophonePlayout } from "./microphone-playout.ts";

type Part = { kind: "speech"; samples: Int16Array } | { kind: "dtmf"; digits: string; samples: Int16Array };

/** A caller line ready to play: synthesized, resampled to the microphone rate, DTMF tones made. */
export interface PreparedLine {
  text: string;
  parts: Part[];
  /** Silence before the first audible sample: a barge-in is scheduled so speech, not silence, lands on time. */
  leadMs: number;
}

/** When the caller's speech (or tones) began and ended: first and last audible sample, on the playout clock. */
export interface SpokenLine {
  text: string;
  startMs: number;
  endMs: number;
}

export interface DtmfToneSettings {
  toneMs: number;
  gapMs: number;
}

/**
 * The caller's mouth: turns a line (text with optional `<dtmf digits="…"/>` tags) into speech and
 * DTMF — SIP DTMF data packets plus in-band dual tones — on the microphone, and publishes the
 * line's words as the caller's `lk.transcription`.
 */
export class CallerVoice {
  private segment = 0;

  constructor(
    private readonly room: CallRoom,
    private readonly playout: MicrophonePlayout,
    private readonly tts: TextToSpeech,
    private readonly dtmf: DtmfToneSettings = { toneMs: 100, gapMs: 100 },
  ) {}

  async prepare(text: string, signal: AbortSignal): Promise<PreparedLine> {
    const parts: Part[] = [];
    let at = 0;
    for (const tag of parseDtmf(text)) {
      await this.pushSpeech(parts, text.slice(at, tag.index), signal);
      parts.push({
        kind: "dtmf",
        digits: tag.digits,
        samples: dtmfTones(tag.digits, { sampleRate: this.room.sampleRate, ...this.dtmf }),
      });
      at = tag.index + tag.tag.length;
    }
    await this.pushSpeech(parts, text.slice(at), signal);
    const first = parts[0];
    const lead = first ? (speechBounds(first.samples)?.first ?? 0) : 0;
    return { text, parts, leadMs: (lead * 1000) / this.room.sampleRate };
  }

  /**
   * Plays a prepared line; `notBeforeMs` puts its first audible sample at that clock time. The
   * microphone runs ahead of the track, so the line's transcription and each DTMF data packet go
   * out when their audio starts playing, not when it is handed over.
   */
  async speak(line: PreparedLine, options: { notBeforeMs?: number } = {}): Promise<SpokenLine> {
    const words = stripDtmf(line.text);
    const segmentId = `caller-${++this.segment}`;
    const rate = this.room.sampleRate;
    let startMs: number | undefined;
    let endMs = 0;
    for (const [i, part] of line.parts.entries()) {
      const notBefore =
        i === 0 && options.notBeforeMs !== undefined
          ? { notBeforeMs: options.notBeforeMs - line.leadMs }
          : {};
      let started: (ms: number) => void = () => {};
      const starts = new Promise<number>((resolve) => {
        started = resolve;
      });
      const playing = this.playout.play(part.samples, { ...notBefore, onStart: (ms) => started(ms) });
      playing.catch(() => undefined);
      if (i === 0 && words) {
        // A lost text stream must not stop the call.
        void starts
          .then((ms) => this.playout.untilClock(ms))
          .then(() => this.room.publishTranscription(words, segmentId))
          .catch(() => undefined);
      }
      if (part.kind === "dtmf") {
        const tonesAt = await Promise.race([starts, playing.then(() => undefined)]);
        if (tonesAt !== undefined) await this.playout.untilClock(tonesAt);
        for (const digit of part.digits) await this.room.sendDtmf(digit);
      }
      const played = await playing;
      const bounds = speechBounds(part.samples);
      if (!bounds) continue;
      startMs ??= played.startMs + (bounds.first * 1000) / rate;
      endMs = played.startMs + ((bounds.last + 1) * 1000) / rate;
    }
    return { text: line.text, startMs: startMs ?? endMs, endMs };
  }

  private async pushSpeech(parts: Part[], text: string, signal: AbortSignal): Promise<void> {
    if (!text.trim()) return;
    const audio = await this.tts.synthesize(text, { signal });
    // Band-limited: the agent under test hears this, and linear interpolation would add images above
    // the TTS rate's Nyquist. No delay, so speechBounds on the result still gives exact play times.
    const samples = resample(audio.samples, audio.sampleRate, this.room.sampleRate);
    parts.push({ kind: "speech", samples });
  }
}
