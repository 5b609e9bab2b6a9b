import { fileURLToPath } from "node:url";
import { AgentServer, ServerOptions } from "@livekit/agents";

export interface ReferenceBotWorkerOptions {
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  /** The name dispatches ask for; "" registers for automatic dispatch (every new room). */
  agentName: string;
  /** Absolute path of an agent file (`export default referenceBotAgent({…})`); default the stock one. */
  agentFile?: string;
  /** Register within this long or fail (default 60 s). */
  registerTimeoutMs?: number;
  /**
   * How long a job process may take to load the agent file (default 60 s; agents-js's is 10 s,
   * which loading the bot's TypeScript through tsx on a busy machine can exceed).
   */
  jobLoadTimeoutMs?: number;
}

export interface ReferenceBotWorker {
  /** The id LiveKit gave the worker at registration (`AW_…`). */
  readonly workerId: string;
  close(): Promise<void>;
}

export const DEFAULT_AGENT_FILE = fileURLToPath(new URL("./default-agent.ts", import.meta.url));

/**
 * Registers a `@livekit/agents` worker whose jobs run the reference voice bot. agents-js needs
 * `initializeLogger()` called first and runs each job in a child process started with this
 * process's `execArgv`: run it under `node --import tsx` so the job can load a TypeScript agent file.
 */
export async function startReferenceBotWorker(
  options: ReferenceBotWorkerOptions,
): Promise<ReferenceBotWorker> {
  const server = new AgentServer(
    new ServerOptions({
      agent: options.agentFile ?? DEFAULT_AGENT_FILE,
      agentName: options.agentName,
      wsURL: options.livekitUrl,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      host: "127.0.0.1",
      port: 0,
      // The default load measure is CPU use: on a busy shared machine it would refuse jobs.
      loadFunc: async () => 0,
      initializeProcessTimeout: options.jobLoadTimeoutMs ?? 60_000,
    }),
  );
  const timeoutMs = options.registerTimeoutMs ?? 60_000;
  let running: Promise<void> = Promise.resolve();
  const workerId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`the worker did not register with ${options.livekitUrl} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    server.event.once("worker_registered", (id: string) => {
      clearTimeout(timer);
      resolve(id);
    });
    running = server.run().catch((err: unknown) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  }).catch(async (err: unknown) => {
    await server.close().catch(() => undefined);
    throw err;
  });
  return {
    workerId,
    async close() {
      await server.close();
      await running;
    },
  };
}
