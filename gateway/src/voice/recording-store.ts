/**
 * Where voice recordings live (spec/gateway-api.md § Voice on the platform): files in the data
 * folder on Node, R2 on Workers. Keys are built here only, from ids, so no caller-supplied
 * string ever becomes a path.
 */
export const RECORDING_PARTICIPANTS = ["stereo", "caller", "agent"] as const;
export type RecordingParticipant = (typeof RECORDING_PARTICIPANTS)[number];

export interface StoredRecording {
  body: ReadableStream<Uint8Array>;
  bytes: number;
}

export interface RecordingStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredRecording | undefined>;
}

export function recordingKey(workspaceId: number, runId: number, participant: RecordingParticipant): string {
  return `w${workspaceId}/run-${runId}/${participant}.wav`;
}
