/**
 * How the gateway seals the secrets it stores, and with which context. The context binds a
 * ciphertext to its workspace and field (`workspace:3:agent.text.secret`), so a sealed value
 * copied into another workspace or field does not open. It names the workspace, not the row:
 * suites-as-code upsert an agent whose id is not known before the write, and one stable
 * context per field keeps every writer and reader agreeing without a second write.
 */

import type { SecretBox } from "../security/secret-box.ts";
import type { SealedSecret } from "./sealed-secret.ts";

export type SealedField =
  | "agent.text.secret"
  /** A JSON object of the LiveKit channel's secrets (`api_secret`, `token`). */
  | "agent.voice.livekit"
  | "settings.livekit.api_secret"
  | "settings.llm.api_key"
  | "webhook.secret"
  /** A voice run's job and settling plan (it holds LiveKit tokens, keys and the LLM key). */
  | "voice.plan";

export function sealContext(workspaceId: number, field: SealedField): string {
  return `workspace:${workspaceId}:${field}`;
}

export async function sealField(
  box: SecretBox,
  workspaceId: number,
  field: SealedField,
  plaintext: string,
): Promise<SealedSecret> {
  const ciphertext = await box.seal(plaintext, sealContext(workspaceId, field));
  return { ciphertext, keyId: box.currentKeyId };
}

export function openField(
  box: SecretBox,
  workspaceId: number,
  field: SealedField,
  sealed: SealedSecret,
): Promise<string> {
  return box.open(sealed.ciphertext, sealContext(workspaceId, field));
}
