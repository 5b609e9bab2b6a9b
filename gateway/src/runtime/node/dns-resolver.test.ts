import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { checkUrlAtConnect } from "../../security/outbound-url.ts";
import { createDnsResolver, createPolicyLookup, OutboundPolicyError } from "./dns-resolver.ts";

let server: WebSocketServer;
let port: number;

beforeAll(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Opens a socket with the given lookup and reports how it ended. */
function dial(url: string, lookup: ReturnType<typeof createPolicyLookup>): Promise<"open" | Error> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { lookup });
    socket.once("open", () => {
      socket.close();
      resolve("open");
    });
    socket.once("error", (error) => resolve(error));
  });
}

describe("createDnsResolver", () => {
  it("answers with the system resolver, hosts file included", async () => {
    expect(await createDnsResolver().resolve("localhost")).toContain("127.0.0.1");
  });

  it("feeds checkUrlAtConnect, which refuses localhost's loopback answer under public only", async () => {
    const resolver = createDnsResolver();
    const underLoopback = await checkUrlAtConnect(`ws://localhost:${port}/`, "loopback", resolver);
    expect(underLoopback.ok && underLoopback.addresses.includes("127.0.0.1")).toBe(true);
    const missing = await checkUrlAtConnect("wss://no-such-host.invalid/", "public", resolver);
    expect(missing).toEqual({
      ok: false,
      message: "host no-such-host.invalid could not be resolved (getaddrinfo ENOTFOUND no-such-host.invalid)",
    });
  });
});

describe("createPolicyLookup", () => {
  it("refuses the connection when the name resolves to a refused address", async () => {
    const outcome = await dial(`ws://localhost:${port}/`, createPolicyLookup("public"));
    expect(outcome).toBeInstanceOf(OutboundPolicyError);
    expect((outcome as Error).message).toBe(
      "host localhost resolves to 127.0.0.1, which is a loopback address, refused by outbound policy public",
    );
  });

  it("connects through the checked answer when the policy allows it", async () => {
    expect(await dial(`ws://localhost:${port}/`, createPolicyLookup("loopback"))).toBe("open");
    expect(await dial(`ws://localhost:${port}/`, createPolicyLookup("any"))).toBe("open");
  });
});
