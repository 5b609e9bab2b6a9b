/** Mono signed 16-bit little-endian PCM with its sample rate: the one audio shape every port speaks. */
export interface PcmAudio {
  samples: Int16Array;
  sampleRate: number;
}

export function durationMs(audio: PcmAudio): number {
  return (audio.samples.length * 1000) / audio.sampleRate;
}

export function samplesForMs(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Int16 → float in [-1, 1), the input ONNX models expect. */
export function toFloat32(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] ?? 0) / 32768;
  return out;
}

export function clampToInt16(value: number): number {
  const v = Math.round(value);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads headerless s16le bytes (Node Buffers may be odd-aligned, so no view over their memory). */
export function int16FromBytes(bytes: Uint8Array): Int16Array {
  const count = Math.floor(bytes.length / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function int16ToBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i] ?? 0, true);
  return out;
}
