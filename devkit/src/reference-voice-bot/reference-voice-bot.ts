import type { Room } from "@livekit/rtc-node";
import {
  type Clock,
  EnergyVoiceActivity,
  FliteWasiTextToSpeech,
  joinRtcParticipant,
  monotonicClock,
} from "@spar/sidecar";
import {
  BOT_VAD_HYSTERESIS,
  checkOptions,
  DEFAULT_LINES,
  type ReferenceVoiceBotOptions,
} from "./bot-options.ts";
import { CallerEar } from "./caller-ear.ts";
import { type ChatTruth, runChatMode, textModeRequested } from "./chat-mode.ts";
import { OutputSchedule } from "./output-schedule.ts";
import { OutputStage } from "./output-stage.ts";
import { TranscriptionWriter } from "./transcription-writer.ts";
import type { CallerSpeechTruth, UtteranceTruth } from "./truth.ts";
import { type PolicyAction, type PolicyInput, TurnPolicy } from "./turn-policy.ts";
import { BOT_SAMPLE_RATE, prepareLines } from "./voice-lines.ts";

export interface ReferenceVoiceBot {
  /** `chat` when asked by `options.chat` or by `{"text_mode": true}` room/participant metadata. */
  readonly mode: "voice" | "chat";
  /** Every utterance so far, in order (the one still playing is not included). */
  truth(): UtteranceTruth[];
  /** Caller speech as the bot heard it. */
  heardCaller(): CallerSpeechTruth[];
  /** Every sample sent, in order (empty unless `keepSentAudio`); indices match `startSample`/`endSample`. */
  sentAudio(): Int16Array;
  /** The noise bed under each sample of `sentAudio()` (zeros without a bed). */
  sentBed(): Int16Array;
  /** Sid of the bot's audio track (what its transcriptions refer to). */
  readonly trackSid: string;
  /** Chat mode: the messages received and the replies sent (empty in voice mode). */
  chatLog(): ChatTruth[];
  /** Data packets received (e.g. a chat run's `publish_data_message`); chat mode only. */
  dataMessages(): { topic: string | undefined; text: string }[];
  close(): Promise<void>;
}

const FRAME_SAMPLES = BOT_SAMPLE_RATE / 100;
const FRAME_MS = 10;
/** Further behind than this, the send loop drops its backlog instead of bursting frames out. */
const MAX_BACKLOG_MS = 200;

/**
 * A voice bot with known behaviour: it answers each caller turn after a planned latency,
 * interrupts when told to, stops (or not) when the caller barges in, and logs the exact time its
 * first and last speech samples left — the ground truth for Spar's turn-taking metrics.
 * Copy it as a starting point: the happy path is this file; the knobs are in bot-options.ts.
 */
export async function startReferenceVoiceBot(options: ReferenceVoiceBotOptions): Promise<ReferenceVoiceBot> {
  checkOptions(options);
  const clock = options.clock ?? monotonicClock;
  if (options.chat) {
    const joined = await joinRtcParticipant({ url: options.url, token: options.token, autoSubscribe: false });
    return chatBot(joined.room, options, clock);
  }
  const lines = await prepareLines(
    options.tts ?? new FliteWasiTextToSpeech("rms"),
    options.lines ?? DEFAULT_LINES,
  );

  const joined = await joinRtcParticipant({ url: options.url, token: options.token });
  const room = joined.room;
  // LiveKit's text mode (dispatch metadata `text_mode: true`), when the room or token carries it.
  if (textModeRequested(room)) return chatBot(room, options, clock);
  const participant = joined.local;
  // No queue inside rtc-node: captureFrame hands each frame straight to the encoder, so the moment
  // of the call IS the moment the samples left. The bot paces itself, one 10 ms frame at a time.
  const microphone = await joined.publishMicrophone({
    trackName: "reference-bot-voice",
    sampleRate: BOT_SAMPLE_RATE,
    queueMs: 0,
  });
  const trackSid = microphone.trackSid;
  const transcription = new TranscriptionWriter(participant, trackSid);

  const schedule = new OutputSchedule(BOT_SAMPLE_RATE, FRAME_SAMPLES);
  const stage = OutputStage.create(
    options.noiseBed,
    lines.map((l) => l.samples),
    BOT_SAMPLE_RATE,
    options.keepSentAudio ?? false,
  );
  const policy = new TurnPolicy({
    latencyMs: options.latencyMs,
    interruptCaller: options.interruptCaller ?? [],
    bargeIn: options.bargeIn ?? { stopWithinMs: 200 },
  });
  const utterances: UtteranceTruth[] = [];
  const heard: CallerSpeechTruth[] = [];
  const plans = new Map<
    string,
    Extract<PolicyAction, { type: "speak" }> & { text: string; length: number }
  >();
  const cuts = new Map<string, { heardAtMs: number; plannedStopMs: number }>();
  const playing = new Map<
    string,
    { startMs: number; startSample: number; startLateMs: number; sentSamples: number }
  >();
  let spoken = 0;

  const act = (actions: PolicyAction[]) => {
    for (const a of actions) {
      if (a.type === "speak") {
        const line = lines[spoken++ % lines.length] ?? lines[0];
        if (!line) continue;
        plans.set(a.id, { ...a, text: line.text, length: line.samples.length });
        schedule.play({ id: a.id, samples: line.samples, startAtMs: a.startAtMs });
      } else if (a.type === "cancel") {
        schedule.cancelPending();
        plans.delete(a.id);
      } else {
        cuts.set(a.id, { heardAtMs: a.bargeInAtMs, plannedStopMs: a.stopAtMs });
        schedule.cutAt(a.stopAtMs);
      }
    }
  };
  const tell = (input: PolicyInput) => act(policy.on(input));

  const ear = new CallerEar(joined, {
    vad: options.vad?.() ?? new EnergyVoiceActivity({ frameMs: 10, hysteresis: BOT_VAD_HYSTERESIS }),
    clock,
    callerIdentity: options.callerIdentity,
    onSpeech: (e) => {
      if (e.type === "caller_started") {
        const bargeIn = policy.botSpeaking;
        tell(e);
        heard.push({ turn: policy.currentTurn, startMs: e.atMs, endMs: null, bargeIn });
      } else {
        const last = heard.at(-1);
        if (last && last.endMs === null) last.endMs = e.atMs;
        tell(e);
      }
    },
  });

  const finish = (
    id: string,
    endMs: number,
    endSample: number,
    endLateMs: number,
    reason: UtteranceTruth["reason"],
  ) => {
    const plan = plans.get(id);
    const started = playing.get(id);
    if (!plan || !started) return;
    playing.delete(id);
    const truth: UtteranceTruth = {
      id,
      turn: plan.turn,
      kind: plan.kind,
      text: plan.text,
      callerMarkMs: plan.callerMarkMs,
      plannedStartMs: plan.startAtMs,
      startMs: started.startMs,
      endMs,
      startSample: started.startSample,
      endSample,
      latencyMs: plan.kind === "reply" ? started.startMs - plan.callerMarkMs : null,
      cutShort: reason !== "finished",
      reason,
      sendLateMs: { start: started.startLateMs, end: endLateMs },
      bargeIn: cuts.get(id) ?? null,
    };
    utterances.push(truth);
    transcription.end(id, reason === "finished");
    tell({ type: "bot_ended", id, atMs: endMs });
    options.onUtterance?.(truth);
  };

  let running = true;
  let lastHandoffMs = clock.now();
  let lastLateMs = 0;
  const sendLoop = (async () => {
    let t0 = clock.now();
    for (let k = 0; running; k++) {
      let due = t0 + k * FRAME_MS;
      const wait = due - clock.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (clock.now() - due > MAX_BACKLOG_MS) {
        t0 = clock.now() - k * FRAME_MS;
        due = t0 + k * FRAME_MS;
      }
      const frame = schedule.next(due);
      const firstSample = stage.sentSamples;
      const samples = stage.mix(frame.samples);
      const handoffMs = clock.now();
      await microphone.captureFrame(samples);
      const lateMs = handoffMs - due;
      const lateOf = (offset: number) => (offset >= 0 ? lateMs : lastLateMs);
      const sampleMs = (offset: number) =>
        offset >= 0
          ? handoffMs + (offset * 1000) / BOT_SAMPLE_RATE
          : lastHandoffMs + ((FRAME_SAMPLES - 1) * 1000) / BOT_SAMPLE_RATE;
      for (const e of frame.events) {
        if (e.type === "started") {
          playing.set(e.id, {
            startMs: sampleMs(e.offset),
            startSample: firstSample + e.offset,
            startLateMs: lateOf(e.offset),
            sentSamples: FRAME_SAMPLES - e.offset,
          });
          transcription.begin(e.id, plans.get(e.id)?.text ?? "");
          tell({ type: "bot_started", id: e.id, atMs: sampleMs(e.offset) });
        } else {
          // offset −1 (previous frame's last sample) is firstSample − 1: the same index arithmetic.
          finish(
            e.id,
            sampleMs(e.offset),
            firstSample + e.offset,
            lateOf(e.offset),
            e.cut ? "barge_in" : "finished",
          );
        }
      }
      const active = schedule.activeId;
      const now = active ? playing.get(active) : undefined;
      if (active && now && !frame.events.some((e) => e.type === "started" && e.id === active)) {
        now.sentSamples += FRAME_SAMPLES;
      }
      if (active && now) transcription.progress(active, now.sentSamples / (plans.get(active)?.length ?? 1));
      lastHandoffMs = handoffMs;
      lastLateMs = lateMs;
    }
  })();

  return {
    mode: "voice",
    trackSid,
    chatLog: () => [],
    dataMessages: () => [],
    truth: () => utterances.map((u) => ({ ...u })),
    heardCaller: () => heard.map((h) => ({ ...h })),
    sentAudio: () => stage.sentAudio(),
    sentBed: () => stage.sentBed(),
    async close() {
      running = false;
      await sendLoop;
      const active = schedule.activeId;
      if (active)
        finish(
          active,
          lastHandoffMs + ((FRAME_SAMPLES - 1) * 1000) / BOT_SAMPLE_RATE,
          stage.sentSamples - 1,
          lastLateMs,
          "closed",
        );
      await ear.close();
      await transcription.flush();
      await participant.unpublishTrack(trackSid).catch(() => undefined);
      await joined.close();
    },
  };
}

async function chatBot(
  room: Room,
  options: ReferenceVoiceBotOptions,
  clock: Clock,
): Promise<ReferenceVoiceBot> {
  const chat = await runChatMode(
    room,
    options.lines ?? DEFAULT_LINES,
    options.chat ?? {},
    clock,
    options.callerIdentity,
  );
  return {
    mode: "chat",
    trackSid: "",
    truth: () => [],
    heardCaller: () => [],
    sentAudio: () => new Int16Array(0),
    sentBed: () => new Int16Array(0),
    chatLog: chat.chatLog,
    dataMessages: chat.dataMessages,
    close: chat.close,
  };
}
