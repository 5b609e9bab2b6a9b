import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { statementsOf } from "./migration-statements.ts";

const folder = new URL("../../../drizzle/migrations/", import.meta.url);

describe("the Worker's bundled migrations", () => {
  it("lists every file of the shared migrations folder, in the journal's order", async () => {
    const journal = JSON.parse(await readFile(new URL("meta/_journal.json", folder), "utf8")) as {
      entries: { tag: string }[];
    };
    const files = (await readdir(folder)).filter((f) => f.endsWith(".sql")).sort();
    const source = await readFile(new URL("./d1-migrations.ts", import.meta.url), "utf8");
    const listed = [...source.matchAll(/name: "([^"]+\.sql)"/g)].map((m) => m[1]);
    expect(files).toEqual(journal.entries.map((e) => `${e.tag}.sql`));
    expect(listed).toEqual(files);
  });

  it("splits a migration at drizzle's breakpoints and drops comment-only parts", () => {
    expect(
      statementsOf("-- why\nCREATE TABLE a (x);\n--> statement-breakpoint\nCREATE INDEX i ON a (x);\n"),
    ).toEqual(["-- why\nCREATE TABLE a (x);", "CREATE INDEX i ON a (x);"]);
    expect(statementsOf("-- only a comment\n")).toEqual([]);
  });
});
