/**
 * A secret as the database holds it: AES-GCM ciphertext and the id of the key that sealed it.
 * Sealing and opening happen outside the database layer; here both are opaque strings.
 */
export interface SealedSecret {
  ciphertext: string;
  keyId: string;
}

/** Reads a ciphertext + key-id column pair; a half-filled pair reads as no secret. */
export function sealedFrom(ciphertext: string | null, keyId: string | null): SealedSecret | null {
  return ciphertext !== null && keyId !== null ? { ciphertext, keyId } : null;
}
