/**
 * What a bot is, for the reference agent: one caller message in, the frames to send back out.
 * A bot never touches the socket; the bridge (x-rubric-bridge.ts) does. That keeps each bot a
 * plain state machine you can read top to bottom and replace with your own LLM.
 */

/** One caller message, as a bot hears it. */
export interface CallerMessage {
  /** The caller's words with every `<dtmf …/>` tag removed. */
  text: string;
  /** Keypad digits from every DTMF tag in the message, in order; `""` when none were pressed. */
  digits: string;
}

/** One thing the agent does in a turn. Only `reply` and `end_call` are turns for the platform. */
export type AgentAction =
  | { type: "function_call"; id: string; name: string; arguments: Record<string, unknown> }
  | { type: "function_call_result"; id: string; name: string; result: unknown }
  | { type: "metadata"; metadata: Record<string, unknown> }
  | { type: "reply"; content: string; metadata?: Record<string, unknown> }
  /** Final words, then the bridge closes the socket with 1000. */
  | { type: "end_call"; content: string };

export interface Bot {
  readonly name: BotName;
  /** Said first when the connection asks the agent to speak first (`first_speaker: agent`). */
  readonly greeting: string;
  /** The actions for one caller message, in the order they go on the wire (the reply last). */
  respond(message: CallerMessage): AgentAction[];
}

export type BotName = "billing" | "echo";
