/**
 * A minimal protocol-buffers wire-format writer and reader: exactly what the
 * ONNX subset in model-proto.ts needs (varints, 32-bit floats, length-delimited
 * fields). Kept by hand so the package carries no code generator.
 */

import { MalformedProtoError } from '../errors';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  private varint(value: number | bigint): void {
    this.ensure(10);
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) {
      let v = value;
      while (v > 0x7f) {
        this.buffer[this.length++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buffer[this.length++] = v;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum field (negative values take ten bytes, as protobuf does). */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.buffer.buffer, this.buffer.byteOffset).setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** An embedded message field. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** One decoded field: varints as bigint, fixed32 as raw bits, bytes as a view. */
export type ProtoField =
  | { readonly field: number; readonly wire: 'varint'; readonly value: bigint }
  | { readonly field: number; readonly wire: 'fixed32'; readonly value: number }
  | { readonly field: number; readonly wire: 'fixed64'; readonly value: bigint }
  | { readonly field: number; readonly wire: 'bytes'; readonly value: Uint8Array };

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let pos = start;
  for (;;) {
    if (pos >= bytes.length) throw new MalformedProtoError(start, 'truncated varint');
    const b = bytes[pos++] ?? 0;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: pos };
    shift += 7n;
    if (shift > 63n) throw new MalformedProtoError(start, 'varint too long');
  }
}

/** Splits one message's bytes into its fields, in order. */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const key = readVarint(bytes, pos);
    pos = key.next;
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (wire === WIRE_VARINT) {
      const v = readVarint(bytes, pos);
      pos = v.next;
      fields.push({ field, wire: 'varint', value: v.value });
    } else if (wire === WIRE_FIXED32) {
      if (pos + 4 > bytes.length) throw new MalformedProtoError(pos, 'truncated fixed32');
      const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 4);
      fields.push({ field, wire: 'fixed32', value: view.getFloat32(0, true) });
      pos += 4;
    } else if (wire === WIRE_FIXED64) {
      if (pos + 8 > bytes.length) throw new MalformedProtoError(pos, 'truncated fixed64');
      const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
      fields.push({ field, wire: 'fixed64', value: view.getBigUint64(0, true) });
      pos += 8;
    } else if (wire === WIRE_BYTES) {
      const len = readVarint(bytes, pos);
      pos = len.next;
      const end = pos + Number(len.value);
      if (end > bytes.length) throw new MalformedProtoError(pos, 'truncated length-delimited field');
      fields.push({ field, wire: 'bytes', value: bytes.subarray(pos, end) });
      pos = end;
    } else {
      throw new MalformedProtoError(pos, `unsupported wire type ${wire}`);
    }
  }
  return fields;
}

/** Reads a repeated int64 field that may be packed or not. */
export function int64s(fields: readonly ProtoField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === 'varint') out.push(Number(BigInt.asIntN(64, f.value)));
    else if (f.wire === 'bytes') {
      let pos = 0;
      while (pos < f.value.length) {
        const v = readVarint(f.value, pos);
        pos = v.next;
        out.push(Number(BigInt.asIntN(64, v.value)));
      }
    }
  }
  return out;
}

/** Reads a repeated float field that may be packed or not. */
export function floats(fields: readonly ProtoField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === 'fixed32') out.push(f.value);
    else if (f.wire === 'bytes') {
      const view = new DataView(f.value.buffer, f.value.byteOffset, f.value.byteLength);
      for (let i = 0; i + 4 <= f.value.length; i += 4) out.push(view.getFloat32(i, true));
    }
  }
  return out;
}

/** The last varint of a field as a number (0 when absent). */
export function int64(fields: readonly ProtoField[], field: number): number {
  const all = int64s(fields, field);
  return all.length === 0 ? 0 : (all[all.length - 1] ?? 0);
}

/** All length-delimited values of a field. */
export function bytesOf(fields: readonly ProtoField[], field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of fields) if (f.field === field && f.wire === 'bytes') out.push(f.value);
  return out;
}

/** The last string value of a field ('' when absent). */
export function stringOf(fields: readonly ProtoField[], field: number): string {
  const all = bytesOf(fields, field);
  const last = all[all.length - 1];
  return last === undefined ? '' : Buffer.from(last).toString('utf8');
}
