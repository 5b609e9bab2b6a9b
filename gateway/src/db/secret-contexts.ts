/**
 * The context each sealed secret is bound to (SecretBox associated data): a ciphertext copied
 * into another row or field does not open. Whoever seals a field and whoever opens it must use
 * the same function from here.
 */
export const secretContexts = {
  agentTextSecret: (agentId: number) => `agent:${agentId}:text.secret`,
  workspaceLlmApiKey: (workspaceId: number) => `workspace:${workspaceId}:llm.api_key`,
  /** Per workspace, not per webhook: the webhook's id does not exist yet when its secret is sealed. */
  webhookSecret: (workspaceId: number) => `workspace:${workspaceId}:webhook.secret`,
} as const;
