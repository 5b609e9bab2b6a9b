/**
 * The outbound policy at save: every URL the platform will later call is checked when it is
 * stored (scheme and literal host; the hosts check again after DNS when connecting), and a
 * refusal is a 400 naming the field.
 */
import { AppError } from "@spar/protocol";
import type { OutboundPolicy } from "../security/address-class.ts";
import { checkUrlAtSave, type SecureScheme } from "../security/outbound-url.ts";

export interface OutboundUrl {
  /** The field path as the client wrote it, e.g. `voice.livekit.url`. */
  field: string;
  url: string | undefined | null;
  scheme: SecureScheme;
}

/** Throws one 400 naming every refused URL. */
export function checkUrlsAtSave(policy: OutboundPolicy, urls: readonly OutboundUrl[]): void {
  const problems: string[] = [];
  for (const { field, url, scheme } of urls) {
    if (url === undefined || url === null) continue;
    const check = checkUrlAtSave(url, { policy, schemes: [scheme] });
    if (!check.ok) problems.push(`${field}: ${check.message}`);
  }
  if (problems.length > 0) throw new AppError("bad_request", problems.join("; "));
}
