/**
 * The benchmark's agent: replies to every message at once, closes on end_call. It runs in its
 * own process so the agent's CPU is not charged to the platform under test.
 */
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, backlog: 4096 });
const REPLY = JSON.stringify({ content: "ok" });
wss.on("connection", (ws) => {
  ws.on("error", () => {});
  ws.on("message", (raw) => {
    if (String(raw).includes('"end_call"')) ws.close(1000);
    else ws.send(REPLY);
  });
});
wss.on("listening", () => {
  const address = wss.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
