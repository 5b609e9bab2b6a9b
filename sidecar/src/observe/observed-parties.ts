/**
 * Who is who in an observed session's room. The human is the identity the session's token
 * granted (the user id); the agent is the identity the platform knows it by (a session
 * endpoint's bot token) or, when it does not know (a dispatched agent names itself), the first
 * other participant to join. Anyone else (a second browser tab, another observer) is neither and
 * is not recorded: the stereo file has one side per party. Pure: events in, roles out.
 */
export type ObservedRole = "human" | "agent";

export class ObservedParties {
  private agent: string | undefined;

  constructor(
    readonly humanIdentity: string,
    expectedAgent: string | undefined,
  ) {
    if (humanIdentity === "") throw new Error("observe: human_identity must not be empty");
    if (expectedAgent === humanIdentity) {
      throw new Error(
        `observe: agent_identity ${expectedAgent} is the human's identity; give the agent's own`,
      );
    }
    this.agent = expectedAgent;
  }

  /** The agent's identity once known (given, or the first non-human participant seen). */
  get agentIdentity(): string | undefined {
    return this.agent;
  }

  /** The role of a participant seen in the room; fixes the agent on the first candidate. */
  admit(identity: string): ObservedRole | undefined {
    if (identity === this.humanIdentity) return "human";
    if (this.agent === undefined) this.agent = identity;
    return identity === this.agent ? "agent" : undefined;
  }

  /** The role of an identity without admitting it. */
  roleOf(identity: string): ObservedRole | undefined {
    if (identity === this.humanIdentity) return "human";
    return identity === this.agent ? "agent" : undefined;
  }
}
