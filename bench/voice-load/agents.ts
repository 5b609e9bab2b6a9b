// Counterpart agents for bench/voice-load: many cheap agents in one process, so their CPU is not
// charged to the caller ("sidecar") process and stays small next to it. Each agent hears the
// caller in 100 ms frames (a tenth of the FFI events of 10 ms ones), answers the end of each caller
// utterance (400 ms of silence) with a pre-rendered 1.5 s tone in 100 ms chunks, and hands rtc-node
// nothing while silent (its audio source fills the gaps): no TTS, no VAD, no per-10-ms JavaScript.
// rtc-node's Room awaits a lock for every FFI event of every room in the process, so fewer events
// per agent matters twice. Usage: tsx agents.ts <ws-url> <api-key> <api-secret> <count> [join-gap-ms] [from] [to]
// Prints "ready" once every agent has joined; exits on SIGTERM or when stdin closes.
import { type AudioFrame, dispose } from "@livekit/rtc-node";
import { AccessToken } from "livekit-server-sdk";
import { joinRtcParticipant, type RtcParticipant } from "../../sidecar/src/room/rtc-participant.ts";

const RATE = 48_000;
const HEAR_FRAME_MS = 100;
const CHUNK_MS = 100;
const REPLY_MS = 1_500;
const HEAR_SILENCE_MS = 400;
const LOUD_RMS = 0.02 * 32768;

/** The reply: a 440 Hz tone with 10 ms fades, rendered once, sent as 100 ms frames. */
const REPLY: Int16Array[] = (() => {
  const chunk = (RATE * CHUNK_MS) / 1000;
  const total = (RATE * REPLY_MS) / 1000;
  const fade = RATE / 100;
  const all = new Int16Array(total);
  for (let i = 0; i < total; i++) {
    const gain = Math.min(1, i / fade, (total - i) / fade);
    all[i] = Math.round(0.3 * 32767 * gain * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return Array.from({ length: total / chunk }, (_, c) => all.slice(c * chunk, (c + 1) * chunk));
})();

class LightAgent {
  private participant: RtcParticipant | undefined;
  private lastLoudAtMs: number | undefined;
  private replying = false;
  private replies = 0;
  private closed = false;

  async join(url: string, token: string): Promise<void> {
    this.participant = await joinRtcParticipant({
      url,
      token,
      // Without it each agent room takes a lock for every FFI event of the process's other rooms.
      filterForeignEvents: process.env.SPAR_BENCH_NO_EVENT_FILTER !== "1",
      audio: { sampleRate: RATE, frameMs: HEAR_FRAME_MS, firstTrackOnly: true, onFrame: (f) => this.hear(f) },
      microphone: { trackName: "agent-voice", sampleRate: RATE, queueMs: 2 * CHUNK_MS },
      // The first data a participant sends waits for its data channel: open it before the call.
      warmUpData: true,
    });
  }

  private hear(frame: AudioFrame): void {
    if (this.closed) return;
    const now = performance.now();
    let sum = 0;
    for (const s of frame.data) sum += s * s;
    if (Math.sqrt(sum / frame.data.length) > LOUD_RMS) this.lastLoudAtMs = now;
    else if (
      this.lastLoudAtMs !== undefined &&
      now - this.lastLoudAtMs >= HEAR_SILENCE_MS &&
      !this.replying
    ) {
      this.lastLoudAtMs = undefined;
      this.reply().catch(() => undefined);
    }
  }

  private async reply(): Promise<void> {
    const microphone = this.participant?.microphone;
    if (!microphone) return;
    this.replying = true;
    const n = ++this.replies;
    this.participant?.room.localParticipant
      ?.sendText(`reply ${n}`, {
        topic: "lk.transcription",
        attributes: {
          "lk.segment_id": `agent-${n}`,
          "lk.transcription_final": "true",
          "lk.transcribed_track_id": microphone.trackSid,
        },
      })
      .catch(() => undefined);
    try {
      for (const chunk of REPLY) {
        if (this.closed) return;
        await microphone.captureFrame(chunk);
      }
      await microphone.waitForPlayout();
    } finally {
      // Our own tail must not count as the caller speaking: listen afresh from here.
      this.lastLoudAtMs = undefined;
      this.replying = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.participant?.close();
  }
}

const [url = "", apiKey = "", apiSecret = "", countText = "1", gapText = "100", fromText = "0", toText] =
  process.argv.slice(2);
const agents: LightAgent[] = [];
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const a of agents) await a.close();
  await dispose();
  process.exit(0);
}
process.once("SIGTERM", stop);
// The bench holds the other end of stdin: it closes when the bench exits, crashes or is killed.
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
// Rooms load-<count>-<i> for i in [from, to): a level's agents may be spread over processes.
for (let i = Number(fromText); i < Number(toText ?? countText); i++) {
  const at = new AccessToken(apiKey, apiSecret, { identity: "agent" });
  at.addGrant({ roomJoin: true, room: `load-${countText}-${i}` });
  const agent = new LightAgent();
  await agent.join(url, await at.toJwt());
  agents.push(agent);
  await new Promise((r) => setTimeout(r, Number(gapText)));
}
process.stdout.write("ready\n");
