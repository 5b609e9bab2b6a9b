/** A drizzle-kit migration file as statements (it separates them with a marker), for D1 batches. */
export function statementsOf(sql: string): string[] {
  return sql
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.replace(/--[^\n]*\n?/g, "").trim() !== "");
}
