/** Typed reads of node attributes with defaults. */
import { UnsupportedAttributeError } from '../errors';
import type { Node } from '../onnx/types';

/** An int attribute, or the default when absent. */
export function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.kind !== 'int') throw new UnsupportedAttributeError(node.op, node.name, name, `must be an int, found ${a.kind}`);
  return a.value;
}

/** A float attribute, or the default when absent. */
export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.kind !== 'float') throw new UnsupportedAttributeError(node.op, node.name, name, `must be a float, found ${a.kind}`);
  return a.value;
}

/** An ints attribute, or the default when absent. */
export function intsAttr(node: Node, name: string, fallback: readonly number[]): readonly number[] {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.kind !== 'ints') throw new UnsupportedAttributeError(node.op, node.name, name, `must be ints, found ${a.kind}`);
  return a.value;
}
