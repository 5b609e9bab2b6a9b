import { afterEach, describe, expect, it } from "vitest";
import { RTCPeerConnection } from "werift";
import { insideMediaNamespace, NETNS_CLIENT_IP, NETNS_SERVER_IP } from "../netns/netns.ts";
import { SubscriberLink } from "./subscriber-link.ts";

/**
 * The server's subscriber PC against a werift client standing in for rtc-node's answerer. The
 * race it pins: a track subscribed between the first offer and its answer (a caller joining a
 * room whose bot already publishes) must ride the bundled transport. Before max-bundle it got a
 * transport of its own that the answer never gave ICE credentials, and applying the answer
 * failed the whole PC ("subscriber peer connection failed").
 */
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

/** Resolves once `ready()` holds, checked on each offer the link sends; rejects after `ms`. */
function offersUntil(state: { offers: string[]; onOffer?: () => void }, ready: () => boolean, ms: number) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms; ${state.offers.length} offer(s)`)),
      ms,
    );
    const check = () => {
      if (!ready()) return;
      clearTimeout(timer);
      resolve();
    };
    state.onOffer = check;
    check();
  });
}

describe("SubscriberLink", () => {
  it("connects when a track is added before the client answered the first offer", async () => {
    expect(insideMediaNamespace()).toBe(true);
    const client = new RTCPeerConnection({
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: NETNS_CLIENT_IP },
    });
    open.push({ close: () => client.close() });
    const sent: { offers: string[]; onOffer?: () => void } = { offers: [] };
    let settle: (state: string) => void = () => undefined;
    const outcome = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const link = new SubscriberLink(NETNS_SERVER_IP, {
      offer: (sdp) => {
        sent.offers.push(sdp);
        sent.onOffer?.();
      },
      candidate: (json) => void client.addIceCandidate(JSON.parse(json)).catch(() => undefined),
      connected: () => settle("connected"),
      failed: (why) => settle(`failed: ${why}`),
    });
    open.push(link);
    link.start();
    await offersUntil(sent, () => sent.offers.length === 1, 5_000);
    link.addTrack("PA_bot", "TR_bot_audio");

    await client.setRemoteDescription({ type: "offer", sdp: sent.offers[0] ?? "" });
    const answer = await client.setLocalDescription(await client.createAnswer());
    await link.applyAnswer(answer.toSdp().sdp);

    const noState = new Promise<string>((resolve) => setTimeout(() => resolve("no state in 10 s"), 10_000));
    expect(await Promise.race([outcome, noState])).toBe("connected");
    // The queued renegotiation for the track then goes out as a second offer on the same transport.
    await offersUntil(sent, () => sent.offers.length === 2, 5_000);
    expect(sent.offers[1]).toContain("m=audio");
    expect(link.pc.connectionState).toBe("connected");
  });
});
