/** Operator routes (`/v1/admin/*`, only with SPAR_ADMIN_TOKEN) and the credits read (docs/api.md). */
import { z } from "zod";

const name = z.string().trim().min(1).max(256);

export const adminWorkspaceCreateSchema = z.strictObject({ name });
export const adminUserCreateSchema = z.strictObject({ name });
/** Credits are granted in whole units; a grant is positive (debits are the platform's). */
const addError = "must be a whole number of credits from 1 to 1000000000";
export const adminCreditsAddSchema = z.strictObject({
  add: z
    .number({ error: addError })
    .int({ error: addError })
    .min(1, { error: addError })
    .max(1_000_000_000, { error: addError }),
});

export const creditsViewSchema = z.strictObject({ enabled: z.boolean(), balance: z.number().int() });
export type CreditsView = z.infer<typeof creditsViewSchema>;
