/** The Workers RecordingStore: the RECORDINGS R2 bucket (wrangler.toml). */
import type { R2Bucket } from "@cloudflare/workers-types";
import type { RecordingStore, StoredRecording } from "../../voice/recording-store.ts";

export class R2RecordingStore implements RecordingStore {
  constructor(private readonly bucket: R2Bucket) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.bucket.put(key, bytes, { httpMetadata: { contentType } });
  }

  async get(key: string): Promise<StoredRecording | undefined> {
    const object = await this.bucket.get(key);
    if (object === null) return undefined;
    return { body: object.body as unknown as ReadableStream<Uint8Array>, bytes: object.size };
  }
}
