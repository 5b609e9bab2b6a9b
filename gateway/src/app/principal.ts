/** Who a request acts for: an API key of a user in a workspace. Every object lookup is scoped by it. */
export interface Principal {
  workspaceId: number;
  userId: number;
  apiKeyId: number;
}

/**
 * The port the auth middleware asks: the presented key (as sent) → its principal, or undefined
 * for a missing, unknown or revoked key. The adapter hashes and looks up; it never sees a
 * stored plaintext key.
 */
export interface ApiKeyAuthenticator {
  authenticate(presentedKey: string): Promise<Principal | undefined>;
}
