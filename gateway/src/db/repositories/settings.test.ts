import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTwoWorkspaces, type TwoWorkspaces } from "./db-test-setup.fixture.ts";
import { getSettings, putLivekitSettings, putLlmSettings } from "./settings.ts";

let t: TwoWorkspaces;
beforeEach(async () => {
  t = await openTwoWorkspaces();
});
afterEach(() => t.storage.dispose());

const SEALED = { ciphertext: "ct", keyId: "k1" };

describe("workspace settings", () => {
  it("reads all-null settings for a workspace that saved none", async () => {
    expect(await getSettings(t.db, t.a)).toEqual({
      livekit: { url: null, apiKey: null, apiSecret: null },
      llm: { baseUrl: null, model: null, apiKey: null },
      updatedAtMs: null,
    });
  });

  it("saves LiveKit and LLM settings independently, keeping an omitted secret and clearing a null one", async () => {
    await putLivekitSettings(
      t.db,
      t.a,
      { url: "wss://lk.example.com", apiKey: "APIkey", apiSecret: SEALED },
      1,
    );
    await putLlmSettings(t.db, t.a, { baseUrl: "https://llm.example.com/v1", model: "m", apiKey: SEALED }, 2);
    const kept = await putLivekitSettings(t.db, t.a, { url: "wss://lk2.example.com", apiKey: "APIkey" }, 3);
    expect(kept).toEqual({
      livekit: { url: "wss://lk2.example.com", apiKey: "APIkey", apiSecret: SEALED },
      llm: { baseUrl: "https://llm.example.com/v1", model: "m", apiKey: SEALED },
      updatedAtMs: 3,
    });
    const cleared = await putLlmSettings(t.db, t.a, { baseUrl: null, model: null, apiKey: null }, 4);
    expect(cleared.llm).toEqual({ baseUrl: null, model: null, apiKey: null });
    expect((await getSettings(t.db, t.b)).livekit.url).toBeNull();
  });
});
