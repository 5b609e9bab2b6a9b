/**
 * Browser calls to an agent (spec/voice-livekit.md § Session API): one row per LiveKit room the
 * platform created for a user, so `DELETE /v1/sessions/livekit/{room_name}` can find it within
 * the caller's workspace and end it.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users, workspaces } from "./tenants.ts";

export const livekitSessions = sqliteTable(
  "livekit_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    /** `agent_{agent_id}_{user_id}_{timestamp_ms}`; unique across workspaces, as in LiveKit. */
    roomName: text("room_name").notNull(),
    // No foreign key to agents: deleting an agent must not rewrite the history of its sessions.
    agentId: integer("agent_id").notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    /** The LiveKit server the room lives on (where DELETE removes it). */
    livekitUrl: text("livekit_url").notNull(),
    createdAtMs: integer("created_at_ms").notNull(),
    /** Set when the session is ended (its room deleted). */
    endedAtMs: integer("ended_at_ms"),
  },
  (t) => [
    uniqueIndex("livekit_sessions_room_name").on(t.roomName),
    index("livekit_sessions_workspace").on(t.workspaceId),
  ],
);
