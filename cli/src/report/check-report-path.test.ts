import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkReportPath } from "./check-report-path.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-report-path-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checkReportPath", () => {
  it("accepts a new file in an existing folder, an existing file, and folders still to create", async () => {
    await writeFile(join(dir, "old.json"), "{}");
    await checkReportPath("--report-json", join(dir, "new.json"), "report.json");
    await checkReportPath("--report-json", join(dir, "old.json"), "report.json");
    await checkReportPath("--junit", join(dir, "a", "b", "junit.xml"), "junit.xml");
    // Checking creates nothing: a run that then fails to load leaves no empty folders.
    expect((await readdir(dir)).sort()).toEqual(["old.json"]);
  });

  it("refuses a directory, naming the flag and a file path to use instead", async () => {
    await mkdir(join(dir, "out"));
    await expect(checkReportPath("--junit", join(dir, "out"), "junit.xml")).rejects.toThrow(
      `--junit ${join(dir, "out")}: is a directory; give a file path such as ${join(dir, "out", "junit.xml")}`,
    );
  });

  it("refuses a path whose folder would have to be created where a file is", async () => {
    await writeFile(join(dir, "file.txt"), "x");
    const path = join(dir, "file.txt", "sub", "report.json");
    await expect(checkReportPath("--report-json", path, "report.json")).rejects.toThrow(
      `--report-json ${path}: cannot create its folder because ${join(dir, "file.txt")} is a file; pick another path`,
    );
  });

  it("refuses something that is not a regular file", async () => {
    await expect(checkReportPath("--report-json", "/dev/null", "report.json")).rejects.toThrow(
      "--report-json /dev/null: is not a regular file; give a file path such as report.json",
    );
  });
});
