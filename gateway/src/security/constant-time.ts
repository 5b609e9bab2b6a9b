/** Comparisons of secrets whose duration does not depend on where they first differ. */

/** Equal strings, examined to the end; the length is not hidden (use for fixed-length digests). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Equal secrets of any length (admin token, sidecar token): both are hashed first, so neither
 * the position of the first difference nor the expected length leaks through timing.
 */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  return constantTimeEqual(await sha256Hex(presented), await sha256Hex(expected));
}
