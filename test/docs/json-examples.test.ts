/**
 * Every JSON example of the documentation is what the code sends or accepts: caller frames are
 * byte-for-byte what Spar encodes, agent frames decode to the meaning the page gives them, and
 * report excerpts match the report schema. Each block names what it is in a marker comment.
 */
import {
  agentCreateSchema,
  agentPatchSchema,
  agentViewSchema,
  assertionResultSchema,
  callerAudioSchema,
  cekuraRunSchema,
  creditsViewSchema,
  decodeAgentFrame,
  decodeCallerFrame,
  encodeCallerFrame,
  endedRunViewSchema,
  livekitSessionCreateSchema,
  livekitSessionSchema,
  livekitSettingsPutSchema,
  llmSettingsViewSchema,
  MeasuredWithSchema,
  manualLivekitRunsSchema,
  metricCreateSchema,
  metricViewSchema,
  runRecordingViewSchema,
  runReportSchema,
  scenarioCreateSchema,
  scenarioViewSchema,
  suiteReportSchema,
  suiteUpsertResultSchema,
  testRunCreateSchema,
  testRunViewSchema,
  transcriptEntrySchema,
  VoiceMetricsSchema,
  VoiceRecordingSchema,
} from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type CodeBlock, codeBlocks, readDoc, userDocs } from "./markdown-blocks.ts";

const jsonBlocks: CodeBlock[] = userDocs()
  .flatMap((file) => codeBlocks(file, readDoc(file)))
  .filter((b) => b.lang === "json");

const SCHEMAS: Record<string, z.ZodType> = {
  "suite-report": suiteReportSchema,
  "voice-run": runReportSchema.extend({ metrics: VoiceMetricsSchema }),
  "run-metadata": z.object({
    room_name: z.string(),
    recording: VoiceRecordingSchema.omit({ duration_ms: true }),
    caller_audio: callerAudioSchema,
  }),
  "assertion-result": assertionResultSchema,
  "measured-with": MeasuredWithSchema,
  transcript: z.array(transcriptEntrySchema),
  "api-agent-create": agentCreateSchema,
  "api-agent": agentViewSchema,
  "api-agent-patch": agentPatchSchema,
  "api-livekit-settings-put": livekitSettingsPutSchema,
  "api-llm-settings": llmSettingsViewSchema,
  "api-scenario-create": scenarioCreateSchema,
  "api-scenario": scenarioViewSchema,
  "api-metric-create": metricCreateSchema,
  "api-metric": metricViewSchema,
  "api-suite-upsert-result": suiteUpsertResultSchema,
  "api-credits": creditsViewSchema,
  "api-test-run-create": testRunCreateSchema,
  "api-test-run": testRunViewSchema,
  "api-run": endedRunViewSchema,
  "api-run-recording": z.object({ recording: runRecordingViewSchema }),
  "api-session-create": livekitSessionCreateSchema.strict(),
  "api-session": livekitSessionSchema.strict(),
  "api-cekura-runs": z.array(cekuraRunSchema.strict()),
  "api-manual-runs": manualLivekitRunsSchema.strict(),
};

function check(block: CodeBlock): void {
  const marker = block.marker;
  if (!marker)
    throw new Error(`${block.where}: a JSON example needs a <!-- frame: … --> or <!-- schema: … --> marker`);
  if (marker.key === "schema") {
    const schema = SCHEMAS[marker.value];
    if (!schema) throw new Error(`${block.where}: unknown schema ${marker.value}`);
    schema.parse(JSON.parse(block.text));
    return;
  }
  if (marker.key !== "frame") throw new Error(`${block.where}: unknown marker ${marker.key}`);
  if (marker.value === "caller") {
    const decoded = decodeCallerFrame(block.text);
    if (!decoded.ok) throw new Error(`${block.where}: ${decoded.error}`);
    expect(encodeCallerFrame(decoded.frame)).toBe(JSON.stringify(JSON.parse(block.text)));
    return;
  }
  const meaning = /^agent (reply|metadata|function_call|function_call_result|end)$/.exec(marker.value)?.[1];
  if (!meaning) throw new Error(`${block.where}: unknown frame marker ${marker.value}`);
  const decoded = decodeAgentFrame(block.text.trim());
  if (!decoded.ok) throw new Error(`${block.where}: ${decoded.error}`);
  const { event } = decoded;
  const read =
    event.kind === "reply" && event.endCall ? "end" : event.kind === "end_call" ? "end" : event.kind;
  expect(read).toBe(meaning);
}

describe("JSON examples of the documentation", () => {
  it("exist on the API, sessions, protocol, report and voice metrics pages", () => {
    const files = new Set(jsonBlocks.map((b) => b.where.split(":")[0]));
    expect([...files].sort()).toEqual([
      "docs/api-runs.md",
      "docs/api-sessions.md",
      "docs/api.md",
      "docs/report.md",
      "docs/text-protocol.md",
      "docs/voice-metrics.md",
    ]);
  });

  it.each(jsonBlocks.map((b) => [b.where, b] as const))(
    "%s is what the code sends or accepts",
    (_w, block) => {
      check(block);
    },
  );

  it("a frame example the code reads differently fails the check", () => {
    const wrong: CodeBlock = {
      where: "wrong.md:1",
      lang: "json",
      text: '{"metadata": {"a": 1}}\n',
      marker: { key: "frame", value: "agent reply" },
    };
    expect(() => check(wrong)).toThrow("expected 'metadata' to be 'reply'");
  });

  it("a caller frame with its fields in another order fails the check", () => {
    const wrong: CodeBlock = {
      where: "wrong.md:2",
      lang: "json",
      text: '{"content": "hi", "type": "message"}\n',
      marker: { key: "frame", value: "caller" },
    };
    expect(() => check(wrong)).toThrow();
  });
});
