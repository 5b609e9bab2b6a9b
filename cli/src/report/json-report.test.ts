import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suiteReportSchema } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { writeJsonReport } from "./json-report.ts";
import { sampleSuiteReport } from "./sample-suite-report.ts";

describe("writeJsonReport", () => {
  it("writes a report that decodes back to the same value, replacing an old file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spar-json-"));
    try {
      const path = join(dir, ".spar", "report.json");
      await writeJsonReport(path, { ...sampleSuiteReport, suite: "old.yaml" });
      await writeJsonReport(path, sampleSuiteReport);
      const text = await readFile(path, "utf8");
      expect(text.endsWith("}\n")).toBe(true);
      expect(suiteReportSchema.parse(JSON.parse(text))).toEqual(sampleSuiteReport);
      expect(await readdir(join(dir, ".spar"))).toEqual(["report.json"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails without leaving a temp file when the target is a folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spar-json-"));
    try {
      await writeFile(join(dir, "keep.txt"), "x");
      await expect(writeJsonReport(dir, sampleSuiteReport)).rejects.toThrow();
      expect(
        (await readdir(join(dir, ".."))).filter((f) => f.endsWith(".tmp") && f.includes("spar-json")),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
