import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "./parse-command-args.ts";
import { UsageError } from "./usage-error.ts";

const OPTIONS = {
  concurrency: { type: "string" },
  tag: { type: "string", multiple: true },
  verbose: { type: "boolean" },
} as const;

function errorOf(argv: string[]): { message: string; hint: string | undefined } {
  try {
    parseCommandArgs("run", argv, OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) return { message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error("no error");
}

describe("parseCommandArgs", () => {
  it("returns the values and positionals of a valid command line", () => {
    const r = parseCommandArgs("run", ["a.yaml", "--tag", "x", "--tag=y", "--verbose", "b.yaml"], OPTIONS);
    expect(r).toEqual({
      help: false,
      values: { tag: ["x", "y"], verbose: true },
      positionals: ["a.yaml", "b.yaml"],
    });
  });

  it("answers help for -h or --help anywhere, even beside a bad flag", () => {
    expect(parseCommandArgs("run", ["--nope", "-h"], OPTIONS)).toEqual({ help: true });
    expect(parseCommandArgs("run", ["a.yaml", "--help"], OPTIONS)).toEqual({ help: true });
  });

  it("treats --help after -- as a positional", () => {
    expect(parseCommandArgs("run", ["--", "--help"], OPTIONS)).toMatchObject({
      help: false,
      positionals: ["--help"],
    });
  });

  it("names an unknown option, suggests the near one, and points at the command's help", () => {
    expect(errorOf(["--concurency", "3"])).toEqual({
      message: "unknown option --concurency; did you mean --concurrency?",
      hint: 'run "spar run --help" for the options',
    });
    expect(errorOf(["-x"]).message).toBe("unknown option -x");
  });

  it("says which option lacks a value, and how to pass one starting with a dash", () => {
    expect(errorOf(["--concurrency"]).message).toBe("--concurrency needs a value: --concurrency VALUE");
    expect(errorOf(["--concurrency", "--verbose"]).message).toBe(
      '--concurrency needs a value but got "--verbose"; to pass a value starting with "-", write --concurrency=--verbose',
    );
    expect(errorOf(["--tag="]).message).toBe("--tag needs a non-empty value");
  });

  it("refuses a value on a boolean flag and a repeated single-value option", () => {
    expect(errorOf(["--verbose=yes"]).message).toBe("--verbose takes no value; write --verbose alone");
    expect(errorOf(["--concurrency", "1", "--concurrency", "2"]).message).toBe(
      "--concurrency is given twice; give it once",
    );
  });
});
