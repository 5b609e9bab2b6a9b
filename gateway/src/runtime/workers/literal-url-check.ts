/**
 * The outbound policy at connect on Workers. Node resolves a name and checks every address
 * (dns-resolver.ts); workerd has no DNS API, so here the scheme and literal hosts (every spelling
 * of an address, and `localhost`) are checked again, and a name is left to the platform: a
 * deployed Worker's fetch reaches the public internet only. The contract suite records this as
 * a per-runtime skip.
 */
import type { OutboundPolicy } from "../../security/address-class.ts";
import { checkUrlAtSave } from "../../security/outbound-url.ts";

export function literalUrlCheck(policy: OutboundPolicy): (url: string) => string | undefined {
  return (url) => {
    // Either secure scheme, so one check serves agent sockets and webhooks alike; under
    // `public` the plain ones are refused.
    const check = checkUrlAtSave(url, { policy, schemes: ["wss", "https"] });
    return check.ok ? undefined : check.message;
  };
}
