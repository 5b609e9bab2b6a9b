import { describe, expect, it } from "vitest";
import { handleInterrupts } from "./interrupt.ts";

describe("handleInterrupts", () => {
  it("aborts on the first Ctrl-C and exits 130 on the second", () => {
    const listeners: (() => void)[] = [];
    const written: string[] = [];
    const exits: number[] = [];
    const abort = new AbortController();
    handleInterrupts(
      {
        onSigint: (l) => listeners.push(l),
        stderr: { write: (t: string) => written.push(t) },
        exit: (c) => exits.push(c),
      },
      abort,
    );
    const sigint = () => {
      for (const l of listeners) l();
    };
    sigint();
    expect(abort.signal.aborted).toBe(true);
    expect((abort.signal.reason as Error).message).toBe("interrupted (Ctrl-C)");
    expect(exits).toEqual([]);
    sigint();
    expect(exits).toEqual([130]);
    expect(written).toEqual([
      "\nspar: interrupted; ending the running sessions and writing the reports (Ctrl-C again to exit now)\n",
      "\nspar: interrupted again; exiting without waiting\n",
    ]);
  });
});
