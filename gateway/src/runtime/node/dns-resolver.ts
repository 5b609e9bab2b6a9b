/**
 * Node adapters of the outbound policy's DNS step. `createDnsResolver` fills the `HostResolver`
 * port with the system resolver (`getaddrinfo`, the one sockets use, so /etc/hosts counts).
 * `createPolicyLookup` goes further: handed to a client as its `lookup` option, it checks the
 * very answer the socket then dials, so a name cannot rebind between the check and the connect.
 */
import { lookup } from "node:dns";
import { lookup as lookupAsync } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import type { OutboundPolicy } from "../../security/address-class.ts";
import { checkResolvedAddresses, type HostResolver } from "../../security/outbound-url.ts";

export function createDnsResolver(): HostResolver {
  return {
    async resolve(host) {
      const answers = await lookupAsync(host, { all: true, verbatim: true });
      return answers.map((answer) => answer.address);
    },
  };
}

/** Raised through the client's `error` event when every address of a name may not be dialled. */
export class OutboundPolicyError extends Error {
  readonly code = "ERR_OUTBOUND_POLICY";
  constructor(message: string) {
    super(message);
    this.name = "OutboundPolicyError";
  }
}

/**
 * A `lookup` for `ws`, `http.request` or `net.connect` that refuses names resolving to any
 * address the policy refuses. Sockets skip `lookup` for IP literals, so literal hosts still need
 * `checkUrlAtConnect` first.
 */
export function createPolicyLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, answers) => {
      if (error) {
        callback(error, "");
        return;
      }
      const check = checkResolvedAddresses(
        hostname,
        answers.map((answer) => answer.address),
        policy,
      );
      if (!check.ok) {
        callback(new OutboundPolicyError(check.message), "");
        return;
      }
      if (options.all) callback(null, answers);
      else callback(null, answers[0]!.address, answers[0]!.family);
    });
  };
}
