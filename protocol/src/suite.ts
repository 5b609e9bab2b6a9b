/**
 * The suite file (spec/suite-file.md): YAML or JSON in the user's repository. One schema; every
 * error names the path of the bad field, e.g. `scenarios[2].script[1].expect: invalid regex …`.
 */
import { z } from "zod";
import { DTMF_DIGITS } from "./dtmf.ts";
import { checkForwardedHeaders } from "./forwarded-headers.ts";
import { patternError } from "./pattern.ts";
import { roomConfigSchema } from "./room-config.ts";
import { endedReasonSchema } from "./run.ts";
import { formatIssuePath, issueLines, oneKeyUnionMessage } from "./suite-issues.ts";
import { urlProblem } from "./url-check.ts";
import { voiceLimitFields } from "./voice-limits.ts";

const patternSchema = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((value, ctx) => {
    const error = patternError(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  });

export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, "use 1-128 letters, digits, `_`, `.`, `:` or `-`");

const urlSchema = (kind: "ws" | "http") =>
  z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = urlProblem(value, kind);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
const wsUrlSchema = urlSchema("ws");
const httpUrlSchema = urlSchema("http");

export const textChannelSchema = z.strictObject({
  url: wsUrlSchema,
  secret: z.string().min(1).max(4096),
  /** Wait for each agent reply, in seconds. */
  per_turn_timeout_s: z.number().positive().max(3600).default(120),
  /** Hard cap on the whole conversation, in seconds. */
  max_duration_s: z.number().positive().max(86_400).default(600),
  first_speaker: z.enum(["caller", "agent"]).default("caller"),
  /** After a reply, wait this long for more agent frames before the caller answers. */
  settle_ms: z.number().int().min(0).max(60_000).default(300),
});
export type TextChannel = z.infer<typeof textChannelSchema>;

const headersSchema = z.record(z.string().max(256), z.string().max(4096));

/** The message for a LiveKit channel whose `mode` is missing or unknown. */
export function livekitModeError(issue: { code: string; input?: unknown }): string | undefined {
  if (issue.code !== "invalid_union") return undefined;
  const mode = (issue.input as { mode?: unknown } | undefined)?.mode;
  const modes = "manual, client, rubric, token_endpoint";
  return mode === undefined
    ? `is required; one of ${modes}`
    : `unknown mode ${JSON.stringify(mode)}; valid modes: ${modes}`;
}

export const livekitChannelSchema = z.discriminatedUnion(
  "mode",
  [
    z.strictObject({
      mode: z.literal("manual"),
      url: wsUrlSchema,
      token: z.string().min(1).max(8192).optional(),
      api_key: z.string().min(1).max(256).optional(),
      api_secret: z.string().min(1).max(4096).optional(),
      room: z.string().min(1).max(256).optional(),
    }),
    z.strictObject({ mode: z.literal("client"), bot_runner_url: httpUrlSchema }),
    z.strictObject({
      mode: z.literal("rubric"),
      url: wsUrlSchema,
      api_key: z.string().min(1).max(256),
      api_secret: z.string().min(1).max(4096),
      web_call_url: httpUrlSchema.optional(),
      agent_name: z.string().max(256).optional(),
      room_config: roomConfigSchema.optional(),
    }),
    z.strictObject({
      mode: z.literal("token_endpoint"),
      generate_token_endpoint: httpUrlSchema,
      url: wsUrlSchema.optional(),
      generate_token_headers: headersSchema.optional(),
      token_request_payload: z.record(z.string(), z.unknown()).optional(),
    }),
  ],
  { error: livekitModeError },
);
export type LivekitChannel = z.infer<typeof livekitChannelSchema>;

export const voiceChannelSchema = z
  .strictObject({
    livekit: livekitChannelSchema,
    ...voiceLimitFields,
    /** Which participant is the agent (default: the first other participant). */
    agent_identity: z.string().min(1).max(256).optional(),
    /**
     * Chat over LiveKit instead of audio: the caller writes on the `lk.chat` text-stream topic and
     * reads replies from `lk.chat`/`lk.transcription`; evaluated and billed as a text run.
     */
    chat: z.boolean().optional(),
  })
  .superRefine(rubricEntryCheck);

/**
 * A `rubric` channel takes `web_call_url` (we call the bot's session endpoint) or `agent_name`
 * (we dispatch the agent), never both. A refinement of the whole voice channel, so the mode
 * objects stay plain (they are extended by the agent schemas).
 */
export function rubricEntryCheck(voice: { livekit: { mode: string } }, ctx: z.RefinementCtx): void {
  const livekit = voice.livekit as { mode: string; web_call_url?: unknown; agent_name?: unknown };
  if (livekit.mode === "rubric" && livekit.web_call_url !== undefined && livekit.agent_name !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["livekit", "agent_name"],
      message:
        "give web_call_url (we call your session endpoint) or agent_name (we dispatch your agent), not both",
    });
  }
}

export const llmConfigSchema = z.strictObject({
  base_url: httpUrlSchema,
  model: z.string().min(1).max(256),
  api_key: z.string().max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
});
export type LlmConfig = z.infer<typeof llmConfigSchema>;

/** One script step: an optional `expect` plus at most one action. */
export const scriptStepSchema = z
  .strictObject({
    expect: patternSchema.optional(),
    say: z.string().min(1).max(16_384).optional(),
    dtmf: z.string().regex(DTMF_DIGITS, "use 1-32 of 0-9, * and #").optional(),
    wait_ms: z.number().int().min(0).max(600_000).optional(),
    end: z.literal(true).optional(),
    wait_for_end: z.literal(true).optional(),
    /** Voice only: barge in this many ms after the agent starts speaking (needs `say`). */
    interrupt_after_ms: z.number().int().min(0).max(600_000).optional(),
  })
  .superRefine((step, ctx) => {
    const actions = (["say", "dtmf", "wait_ms", "end", "wait_for_end"] as const).filter(
      (k) => step[k] !== undefined,
    );
    if (actions.length > 1) {
      ctx.addIssue({
        code: "custom",
        message: `a step takes one action, got ${actions.join(" and ")}; split it into two steps`,
      });
    }
    if (actions.length === 0 && step.expect === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "empty step: give say, expect, dtmf, wait_ms, end or wait_for_end",
      });
    }
    if (step.interrupt_after_ms !== undefined && step.say === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["interrupt_after_ms"],
        message: "needs `say`: what the caller says when barging in",
      });
    }
  });
export type ScriptStep = z.infer<typeof scriptStepSchema>;

const ASSERTION_FORMS = [
  z.strictObject({ agent_said: patternSchema }),
  z.strictObject({ agent_never_said: patternSchema }),
  z.strictObject({
    function_called: z.strictObject({
      name: z.string().min(1).max(256),
      /** Subset match: every given key must equal the call's argument (deeply). */
      arguments: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  z.strictObject({ ended_by: z.enum(["agent", "caller"]) }),
  z.strictObject({ ended_reason: endedReasonSchema }),
  z.strictObject({ max_latency_ms: z.number().positive() }),
  z.strictObject({ metadata: z.record(z.string(), z.unknown()) }),
  z.strictObject({ judge: z.string().min(1).max(8192) }),
] as const;

/** The assertion kinds, in the order the suite format lists them. */
export const ASSERTION_KINDS = ASSERTION_FORMS.map((form) => Object.keys(form.shape)[0] as string);

export const assertionSchema = z.union(ASSERTION_FORMS, {
  error: (issue) =>
    issue.code === "invalid_union"
      ? oneKeyUnionMessage(issue.input, ASSERTION_KINDS, "assertion")
      : undefined,
});
export type Assertion = z.infer<typeof assertionSchema>;

export const scenarioSchema = z.strictObject({
  id: idSchema,
  name: z.string().max(512).optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).optional(),
  channel: z.enum(["text", "voice"]).optional(),
  /** `X-*` fields are forwarded as handshake headers; all of it is recorded with the run. */
  metadata: z.record(z.string().max(256), z.unknown()).optional(),
  script: z
    .array(scriptStepSchema)
    .min(1)
    .max(1000)
    .superRefine((script, ctx) => {
      // A run passes only when its script played to the end, so a step that can never play is a config error.
      const last = script.findIndex((step) => step.end === true || step.wait_for_end === true);
      if (last !== -1 && last < script.length - 1) {
        const action = script[last]?.end ? "end: true" : "wait_for_end: true";
        ctx.addIssue({
          code: "custom",
          path: [last + 1],
          message: `never plays: the call is over after \`${action}\` (step ${last + 1}); make it the last step`,
        });
      }
    })
    .optional(),
  persona: z.string().max(16_384).optional(),
  goal: z.string().max(16_384).optional(),
  max_turns: z.number().int().min(1).max(200).optional(),
  send_dtmf: z.boolean().optional(),
  assertions: z.array(assertionSchema).max(200).optional(),
  repeat: z.number().int().min(1).max(1000).optional(),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export const suiteSchema = z
  .strictObject({
    version: z.literal(1),
    agent: z.strictObject({
      id: idSchema,
      text: textChannelSchema.optional(),
      voice: voiceChannelSchema.optional(),
    }),
    caller: z
      .strictObject({
        llm: llmConfigSchema.optional(),
        tts: z
          .strictObject({ provider: z.string().min(1).max(64), voice: z.string().max(64).optional() })
          .optional(),
      })
      .optional(),
    defaults: z
      .strictObject({
        channel: z.enum(["text", "voice"]).default("text"),
        repeat: z.number().int().min(1).max(1000).default(1),
      })
      .default({ channel: "text", repeat: 1 }),
    scenarios: z.array(scenarioSchema).min(1).max(10_000),
  })
  .superRefine((suite, ctx) => {
    const seen = new Map<string, number>();
    suite.scenarios.forEach((s, i) => {
      const at = (...rest: (string | number)[]) => ["scenarios", i, ...rest];
      const first = seen.get(s.id);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: at("id"), message: `duplicate id (also scenarios[${first}])` });
      }
      seen.set(s.id, i);
      const channel = s.channel ?? suite.defaults.channel;
      if (channel === "text" && !suite.agent.text) {
        ctx.addIssue({
          code: "custom",
          path: at(),
          message: "runs on the text channel but agent.text is not configured",
        });
      }
      if (channel === "voice" && !suite.agent.voice) {
        ctx.addIssue({
          code: "custom",
          path: at(),
          message: "runs on the voice channel but agent.voice is not configured",
        });
      }
      if (!s.script) {
        if (!s.persona && !s.goal) {
          ctx.addIssue({
            code: "custom",
            path: at(),
            message: "needs a `script`, or a `persona`/`goal` for the LLM caller",
          });
        } else if (!suite.caller?.llm) {
          ctx.addIssue({
            code: "custom",
            path: at(),
            message: "a persona scenario needs caller.llm (base_url, model, api_key)",
          });
        }
      }
      s.assertions?.forEach((a, j) => {
        if ("judge" in a && !suite.caller?.llm) {
          ctx.addIssue({
            code: "custom",
            path: at("assertions", j, "judge"),
            message: "the LLM judge needs caller.llm",
          });
        }
      });
      if (channel === "text") {
        s.script?.forEach((step, j) => {
          if (step.interrupt_after_ms !== undefined) {
            ctx.addIssue({
              code: "custom",
              path: at("script", j, "interrupt_after_ms"),
              message: "is voice only",
            });
          }
        });
      }
      for (const v of checkForwardedHeaders(s.metadata ?? {})) {
        ctx.addIssue({ code: "custom", path: at("metadata", v.field), message: v.message });
      }
    });
  });
export type Suite = z.infer<typeof suiteSchema>;
/** The suite as written, before defaults are applied. */
export type SuiteInput = z.input<typeof suiteSchema>;

/** `scenarios[2].script[1].expect` from a zod path. */
export const formatPath = formatIssuePath;

export type SuiteParse = { ok: true; suite: Suite } | { ok: false; errors: string[] };

/** Validates a parsed YAML/JSON tree; errors are `path: message` lines, at most 50. */
export function parseSuite(tree: unknown): SuiteParse {
  const r = suiteSchema.safeParse(tree);
  if (r.success) return { ok: true, suite: r.data };
  return { ok: false, errors: issueLines(r.error.issues) };
}

/**
 * Replaces `${VAR}` in every string of a parsed tree with the environment's value; `$${` is a
 * literal `${`. An unset variable is an error naming the field, never an empty string.
 */
export function interpolateEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; errors: string[] } {
  const errors: string[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      return node.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
        if (whole.startsWith("$$")) return whole.slice(1);
        const value = env[name];
        if (value === undefined) {
          errors.push(
            `${formatPath(path)}: environment variable ${name} is not set; export it or edit the suite`,
          );
          return whole;
        }
        return value;
      });
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(tree, []), errors };
}
