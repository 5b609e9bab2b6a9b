/** Node's RecordingStore: one file per recording under `<data>/recordings`, written atomically. */
import { createReadStream } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import type { RecordingStore, StoredRecording } from "../../voice/recording-store.ts";

export class FileRecordingStore implements RecordingStore {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    // A repeated delivery rewrites the same bytes; the rename keeps a reader from seeing half a file.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
  }

  async get(key: string): Promise<StoredRecording | undefined> {
    const path = join(this.root, key);
    try {
      const info = await stat(path);
      return { body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, bytes: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }
}
