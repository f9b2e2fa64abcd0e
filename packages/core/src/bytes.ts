/** Small byte helpers shared by hashing, keys and the canonical encoding. */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decodes lower- or upper-case hex; returns undefined when it is not hex of even length. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Lexicographic order of byte strings, as memcmp. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).compare(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
