/**
 * Bring your own model: reads an inference ONNX file (one float input batch,
 * the supported ops, weights as initializers) and turns it into a trainable
 * classifier; writes a classifier back out as an inference ONNX file.
 */
import { InvalidGraphError, UnsupportedOpError } from '../errors';
import type { ModelDefinition, ParameterSpec } from '../graph/definition';
import { SUPPORTED_OPS } from '../graph/definition';
import { IO, forwardGraph } from '../graph/derive';
import { inferShapes } from '../graph/shapes';
import { decodeModel, encodeModel } from '../onnx/model-proto';
import type { Node, Tensor } from '../onnx/types';
import { manifestOf, tensorView } from '../params/manifest';
import { classifierOf, type Classifier } from './classifier';

/** Inputs that are configuration, not data: they never become trainable parameters. */
const CONFIG_INPUTS: Readonly<Record<string, readonly number[]>> = { Reshape: [1], Dropout: [1, 2] };

/**
 * Parses ONNX ModelProto bytes into a trainable classifier. Float initializers
 * become parameters (their values the initial parameters); int64 initializers
 * and Constant nodes become constants; a final Softmax is dropped so the
 * output is the logits. Throws UnsupportedOpError naming the op and the node
 * for anything autodiff cannot handle.
 */
export function importModel(bytes: Uint8Array, options: { readonly name?: string } = {}): Classifier {
  const { graph } = decodeModel(bytes);
  const initializers = new Map<string, Tensor>(graph.initializers.map((t) => [t.name, t]));
  const constants: Tensor[] = [];
  const nodes: Node[] = [];
  graph.nodes.forEach((node, i) => {
    const named = node.name === '' ? { ...node, name: `${node.op}_${i}` } : node;
    if (named.op === 'Constant') {
      const value = named.attributes['value'];
      const out = named.outputs[0];
      if (value?.kind !== 'tensor' || out === undefined) throw new UnsupportedOpError(`Constant without a tensor value`, named.name);
      constants.push({ ...value.value, name: out });
      return;
    }
    if (!SUPPORTED_OPS.has(named.op) || (named.domain !== undefined && named.domain !== 'ai.onnx')) {
      throw new UnsupportedOpError(named.domain === undefined ? named.op : `${named.domain}.${named.op}`, named.name);
    }
    nodes.push(named);
  });
  const output = graph.outputs[0];
  if (output === undefined) throw new InvalidGraphError('the graph has no output');
  let logits = output.name;
  const last = nodes[nodes.length - 1];
  if (last !== undefined && last.op === 'Softmax' && last.outputs[0] === logits) {
    nodes.pop();
    logits = last.inputs[0] ?? '';
  }
  const inputs = graph.inputs.filter((v) => !initializers.has(v.name));
  if (inputs.length !== 1 || inputs[0] === undefined) {
    throw new InvalidGraphError(`expected exactly one data input, found ${inputs.length}: ${inputs.map((v) => v.name).join(', ')}`);
  }
  const input = inputs[0];
  const sampleShape = input.shape.slice(1);
  if (input.type !== 'float32' || !sampleShape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new InvalidGraphError(`input '${input.name}' must be float32 [batch, fixed sizes...]`);
  }
  const configOnly = new Set<string>();
  for (const n of nodes) for (const k of CONFIG_INPUTS[n.op] ?? []) configOnly.add(n.inputs[k] ?? '');
  const parameters: ParameterSpec[] = [];
  const values: Float32Array[] = [];
  for (const t of graph.initializers) {
    if (t.type === 'float32' && t.data instanceof Float32Array && !configOnly.has(t.name)) {
      parameters.push({ name: t.name, shape: [...t.dims] });
      values.push(t.data);
    } else {
      constants.push(t);
    }
  }
  const draft: ModelDefinition = {
    name: options.name ?? (graph.name === '' ? 'imported' : graph.name),
    input: { name: input.name, shape: sampleShape },
    logits,
    classes: 0,
    parameters,
    constants,
    nodes,
  };
  const logitsShape = inferShapes(draft).get(logits);
  const classes = logitsShape?.[1];
  if (logitsShape?.length !== 2 || typeof classes !== 'number') {
    throw new InvalidGraphError(`output '${logits}' must be logits of shape [batch, classes]`);
  }
  const definition = { ...draft, classes };
  const initial = new Float32Array(manifestOf(parameters).size);
  let offset = 0;
  for (const v of values) {
    initial.set(v, offset);
    offset += v.length;
  }
  return classifierOf(definition, initial);
}

/** Writes a classifier with the given parameters as an inference ONNX file: input → logits, weights as initializers. */
export function exportModel(model: Classifier, params: Float32Array): Uint8Array {
  const forward = forwardGraph(model.definition);
  const weights = new Map(model.manifest.entries.map((e) => [e.name, e]));
  const initializers: Tensor[] = model.manifest.entries.map((e) => ({
    name: e.name,
    type: 'float32',
    dims: e.shape,
    data: tensorView(params, e).slice(),
  }));
  const graph = {
    ...forward.graph,
    inputs: forward.graph.inputs.filter((v) => !weights.has(v.name)),
    initializers: [...initializers, ...forward.graph.initializers],
    outputs: forward.graph.outputs.filter((v) => v.name === IO.logits),
  };
  return encodeModel({ ...forward, graph });
}
