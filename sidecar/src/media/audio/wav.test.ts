import { describe, expect, it } from "vitest";
import { decodeWav, encodeWav } from "./wav.ts";

describe("wav", () => {
  it("writes the stated sample rate, byte rate and block align into the header", () => {
    const bytes = encodeWav({ sampleRate: 48_000, channels: 2, samples: new Int16Array([1, -1, 2, -2]) });
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(24, true)).toBe(48_000);
    expect(v.getUint32(28, true)).toBe(192_000);
    expect(v.getUint16(32, true)).toBe(4);
    expect(v.getUint16(22, true)).toBe(2);
    expect(v.getUint32(40, true)).toBe(8);
    expect(bytes.length).toBe(52);
  });

  it("round-trips samples and rate", () => {
    const samples = new Int16Array([0, 32767, -32768, 5, -5]);
    const back = decodeWav(encodeWav({ sampleRate: 16_000, channels: 1, samples }));
    expect(back.sampleRate).toBe(16_000);
    expect(back.channels).toBe(1);
    expect(Array.from(back.samples)).toEqual(Array.from(samples));
  });

  it("skips unknown chunks before data", () => {
    const plain = encodeWav({ sampleRate: 8_000, channels: 1, samples: new Int16Array([7, 8]) });
    const list = new Uint8Array([76, 73, 83, 84, 2, 0, 0, 0, 9, 9]); // "LIST", size 2
    const withList = new Uint8Array(plain.length + list.length);
    withList.set(plain.subarray(0, 36));
    withList.set(list, 36);
    withList.set(plain.subarray(36), 36 + list.length);
    expect(Array.from(decodeWav(withList).samples)).toEqual([7, 8]);
  });

  it("rejects float WAV and non-WAV input with a reason", () => {
    const bytes = encodeWav({ sampleRate: 8_000, channels: 1, samples: new Int16Array(2) });
    new DataView(bytes.buffer).setUint16(20, 3, true);
    expect(() => decodeWav(bytes)).toThrow(/16-bit PCM/);
    expect(() => decodeWav(new Uint8Array(20))).toThrow(/RIFF/);
  });

  it("refuses a sample count that does not fill every channel", () => {
    expect(() => encodeWav({ sampleRate: 8_000, channels: 2, samples: new Int16Array(3) })).toThrow(
      /multiple/,
    );
  });
});
