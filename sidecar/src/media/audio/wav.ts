/**
 * 16-bit PCM WAV encode/decode. The header's sample rate is the only thing that tells a player
 * (or a metric) how long a sample is, so it is always written from the caller's stated rate and
 * checked on decode.
 */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved when channels > 1. */
  samples: Int16Array;
}

const HEADER_BYTES = 44;
/** A WAV's data size is a u32: refuse what cannot be stated in the header. */
const MAX_DATA_BYTES = 0xffff_ffff - HEADER_BYTES;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeWav(audio: WavAudio): Uint8Array {
  const { samples } = audio;
  const header = wavHeader(audio.sampleRate, audio.channels, samples.length);
  const out = new Uint8Array(HEADER_BYTES + samples.length * 2);
  out.set(header);
  out.set(pcmBytes(samples), HEADER_BYTES);
  return out;
}

/** The 44-byte header of a 16-bit PCM WAV holding `sampleCount` samples (all channels). */
export function wavHeader(sampleRate: number, channels: number, sampleCount: number): Uint8Array {
  if (!(Number.isInteger(sampleRate) && sampleRate > 0))
    throw new Error(`wav: bad sample rate ${sampleRate}`);
  if (!(Number.isInteger(channels) && channels >= 1 && channels <= 8))
    throw new Error(`wav: bad channel count ${channels}`);
  if (sampleCount % channels !== 0)
    throw new Error("wav: sample count is not a multiple of the channel count");
  const dataBytes = sampleCount * 2;
  if (dataBytes > MAX_DATA_BYTES) throw new Error("wav: audio too long for a 32-bit WAV header");
  const out = new Uint8Array(HEADER_BYTES);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true); // byte rate
  v.setUint16(32, channels * 2, true); // block align
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, dataBytes, true);
  return out;
}

/**
 * The samples as a WAV's little-endian bytes. WAV is little-endian like every host we run on: a
 * view, no copy (the per-sample loop took ~25 ms per minute of call, on the event loop that paces
 * every concurrent call's microphone).
 */
export function pcmBytes(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.byteLength);
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(i * 2, samples[i] ?? 0, true);
  return out;
}

/** Decodes 16-bit PCM WAV, walking chunks (flite and others add LIST/fact chunks). */
export function decodeWav(bytes: Uint8Array): WavAudio {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE")
    throw new Error("wav: not a RIFF/WAVE file");
  let at = 12;
  let fmt: { channels: number; sampleRate: number } | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      const format = v.getUint16(body, true);
      const bits = v.getUint16(body + 14, true);
      if (format !== 1 || bits !== 16)
        throw new Error(`wav: only 16-bit PCM is supported (format ${format}, ${bits} bits)`);
      fmt = { channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true) };
    } else if (id === "data") {
      if (!fmt) throw new Error("wav: data chunk before fmt chunk");
      // Some writers leave size 0 or too large for streamed output: clamp to what is there.
      const end = Math.min(bytes.length, size === 0 ? bytes.length : body + size);
      const count = Math.floor((end - body) / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = v.getInt16(body + i * 2, true);
      return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
    }
    at = body + size + (size % 2);
  }
  throw new Error("wav: no data chunk");
}
