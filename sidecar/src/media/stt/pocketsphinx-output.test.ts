import { describe, expect, it } from "vitest";
import { PocketsphinxOutputParser } from "./pocketsphinx-output.ts";

const OUTPUT = `hi i would like to pay
<s> 0.000 0.110 0.999700
hi 0.120 0.690 0.116199
<sil> 0.700 0.790 0.962324
to(3) 1.480 1.620 0.493722
[NOISE] 1.630 1.700 0.5
pay 1.710 1.850 1.000100
</s> 4.250 4.460 1.000000
<s> 6.500 6.600 0.999700
</s> 6.610 6.950 1.000000`;

describe("PocketsphinxOutputParser", () => {
  it("turns word-time lines into one segment per utterance, in ms, without fillers", () => {
    const parser = new PocketsphinxOutputParser();
    const segments = OUTPUT.split("\n").flatMap((l) => parser.line(l) ?? []);
    expect(segments).toEqual([
      {
        text: "hi to pay",
        startMs: 120,
        endMs: 1850,
        words: [
          { word: "hi", startMs: 120, endMs: 690, confidence: 0.116199 },
          { word: "to", startMs: 1480, endMs: 1620, confidence: 0.493722 },
          { word: "pay", startMs: 1710, endMs: 1850, confidence: 1 },
        ],
      },
    ]);
  });
});
