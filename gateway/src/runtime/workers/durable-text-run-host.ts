/**
 * Workers' TextRunHost: every run goes to its own Durable Object (named by the run id), which
 * holds the socket and records the run. `submit` is fire-and-forget for the app; the entry keeps
 * the isolate alive until each submission has reached its object (`drain` under waitUntil). A
 * submission that cannot reach its object ends the run failed at once, so nothing stays queued.
 * There is no per-workspace queue here: each run starts as it is submitted.
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types";
import type { Log } from "../../app/http-errors.ts";
import type { RunRecorder, TextRunHost, TextRunJob } from "../../runs/text-run-host.ts";
import { platformFailedReport } from "../../text-run/text-run-report.ts";
import type { TextRunObject } from "./text-run-object.ts";

export interface DurableTextRunHostOptions {
  namespace: DurableObjectNamespace<TextRunObject>;
  /** Base of report links, read at submit (known once the first request arrived). */
  publicUrl: () => string;
  /** Records a run whose object could not be reached; `flush` resolves once all of it is stored. */
  recorder: () => { recorder: RunRecorder; flush(): Promise<void> };
  log: Log;
}

export class DurableTextRunHost implements TextRunHost {
  private readonly submitting = new Set<Promise<void>>();

  constructor(private readonly o: DurableTextRunHostOptions) {}

  /** Submissions still on their way to their objects (the runs themselves live there). */
  get pending(): number {
    return this.submitting.size;
  }

  submit(job: TextRunJob): void {
    const sent = this.objectOf(job.runId)
      .start(job, this.o.publicUrl())
      .then(
        () => undefined,
        (cause: unknown) => this.unreachable(job, cause),
      )
      .finally(() => this.submitting.delete(sent));
    this.submitting.add(sent);
  }

  /** Resolves once every submission so far has reached its object (or been recorded failed). */
  async drain(): Promise<void> {
    while (this.submitting.size > 0) await Promise.allSettled([...this.submitting]);
  }

  /** The runs live on in their objects; an isolate going away stops none of them. */
  async stop(): Promise<void> {
    await this.drain();
  }

  async cancel(runIds: readonly number[], reason: string): Promise<number[]> {
    const ids = [...new Set(runIds)];
    const answers = await Promise.all(
      ids.map((id) =>
        this.objectOf(id)
          .cancel(reason)
          .catch((cause: unknown) => {
            this.o.log({ level: "error", message: `run ${id} could not be cancelled in its object`, cause });
            return { held: false };
          }),
      ),
    );
    return ids.filter((_, i) => answers[i]?.held === true);
  }

  objectOf(runId: number) {
    return this.o.namespace.get(this.o.namespace.idFromName(`run-${runId}`));
  }

  private async unreachable(job: TextRunJob, cause: unknown): Promise<void> {
    this.o.log({ level: "error", message: `run ${job.runId} could not reach its Durable Object`, cause });
    try {
      const { recorder, flush } = this.o.recorder();
      await recorder.finished(
        job,
        platformFailedReport(job, "internal_error", "the run could not be started on the platform"),
      );
      await flush();
    } catch (recordCause) {
      this.o.log({ level: "error", message: `run ${job.runId} could not be recorded`, cause: recordCause });
    }
  }
}
