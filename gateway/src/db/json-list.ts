import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * `column IN (the values)` with the whole list bound as ONE JSON parameter, read back with
 * json_each. D1 allows only 100 bound parameters per query, so `inArray` over a caller's list
 * (scenario_ids, run ids, tags) would fail there past 100 items; this never does.
 */
export function inJsonList(column: SQLWrapper, values: readonly (string | number)[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}
