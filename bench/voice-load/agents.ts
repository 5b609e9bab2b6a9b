// Counterpart agents for bench/voice-load, in their own process so their CPU is not charged to
// the caller ("sidecar") process. Usage: tsx agents.ts <ws-url> <api-key> <api-secret> <count>
// Prints "ready" once every agent has joined; exits on SIGTERM.
import { dispose } from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import { ToneAgent } from "../../sidecar/src/call/tone-agent.fixture.ts";

const [url = "", apiKey = "", apiSecret = "", countText = "1"] = process.argv.slice(2);
const agents: ToneAgent[] = [];
for (let i = 0; i < Number(countText); i++) {
  const at = new AccessToken(apiKey, apiSecret, { identity: "agent" });
  at.addGrant({ roomJoin: true, room: `load-${i}` });
  agents.push(await ToneAgent.join({ url, token: await at.toJwt(), replyDelayMs: 400, replyMs: 1_500 }));
}
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  for (const a of agents) await a.close();
  await dispose();
  process.exit(0);
});
