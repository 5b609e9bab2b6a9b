/**
 * What the routes work with: the ports a runtime's composition root fills in. The app holds no
 * other state; every object lookup goes through `db` scoped by the caller's workspace.
 */
import type { SparDatabase } from "../db/database.ts";
import type { TextRunHost } from "../runs/text-run-host.ts";
import type { OutboundPolicy } from "../security/address-class.ts";
import type { SecretBox } from "../security/secret-box.ts";
import type { LivekitSessionPorts } from "../voice/session-ports.ts";
import type { VoicePlatform } from "../voice/voice-platform.ts";
import type { Log } from "./http-errors.ts";

export interface GatewayServices {
  db: SparDatabase;
  /** Seals every secret at rest (text secrets, LiveKit and LLM keys, webhook secrets). */
  secrets: SecretBox;
  /** Which URLs the platform may call; checked at save here, again at connect by the hosts. */
  outboundPolicy: OutboundPolicy;
  textRuns: TextRunHost;
  /** Voice runs through sidecars; undefined where the runtime has none wired. */
  voice?: VoicePlatform | undefined;
  /** Browser sessions: LiveKit room admin, bots' session endpoints, the media-observer seam. */
  livekit: LivekitSessionPorts;
  /** Wakes the webhook deliverer after deliveries are queued (it also polls). */
  wakeWebhooks: () => void;
  /** Base of `report_url` links, without a trailing slash. */
  publicUrl: string;
  /** Enables `/v1/admin/*`; undefined → those routes answer 404. */
  adminToken: string | undefined;
  /** Credits: off, or the price of a text and a voice run. */
  credits: { enabled: boolean; textRunCost: number; voiceRunCost: number };
  now: () => number;
  log: Log;
}
