/** Reading PNG files in tests. */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: the first chunk is not IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The <img> tags of an HTML page: source, and stated width and height (CSS pixels). */
export function imagesOf(html: string): { src: string; width: number; height: number }[] {
  return [...html.matchAll(/<img src="([^"]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({ src: m[1] as string, width: Number(m[2]), height: Number(m[3]) }));
}
