/**
 * A small mutable builder for ONNX graphs: fresh value names, cached constants,
 * nodes by op name. Produces the plain data in types.ts.
 */
import {
  IR_VERSION,
  OPSET_VERSION,
  type Attribute,
  type Dim,
  type ElemType,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
} from './types';

/** Builds one graph; every helper returns the names of the values it makes. */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private counter = 0;
  private readonly constants = new Map<string, string>();

  constructor(
    readonly name: string,
    private readonly prefix = 'v',
  ) {}

  /** A value name not used before in this builder. */
  fresh(hint = ''): string {
    this.counter += 1;
    return `${this.prefix}/${hint}${hint === '' ? '' : '_'}${this.counter}`;
  }

  /** Declares a graph input. */
  input(name: string, type: ElemType, shape: readonly Dim[]): string {
    this.inputs.push({ name, type, shape });
    return name;
  }

  /** Declares a graph output. */
  output(name: string, type: ElemType, shape: readonly Dim[]): string {
    this.outputs.push({ name, type, shape });
    return name;
  }

  /** Adds an initializer as it is. */
  initializer(tensor: Tensor): string {
    this.initializers.push(tensor);
    return tensor.name;
  }

  /** A float32 scalar constant (shared between uses). */
  scalar(value: number): string {
    const key = `f:${value}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.fresh('const');
    this.initializer({ name, type: 'float32', dims: [], data: Float32Array.of(value) });
    this.constants.set(key, name);
    return name;
  }

  /** A 1-D int64 constant (shared between uses), e.g. axes or a shape. */
  int64s(values: readonly number[]): string {
    const key = `i:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.fresh('const');
    this.initializer({
      name,
      type: 'int64',
      dims: [values.length],
      data: BigInt64Array.from(values.map((v) => BigInt(v))),
    });
    this.constants.set(key, name);
    return name;
  }

  /** Appends a node with the given number of outputs and returns their names. */
  opN(
    op: string,
    inputs: readonly string[],
    outputs: number | readonly string[],
    attributes: Readonly<Record<string, Attribute>> = {},
  ): string[] {
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()))
        : [...outputs];
    this.nodes.push({ op, name: this.fresh(`node_${op}`), inputs, outputs: names, attributes });
    return names;
  }

  /** Appends a one-output node and returns the output's name. */
  op(op: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, output?: string): string {
    const [name] = this.opN(op, inputs, output === undefined ? 1 : [output], attributes);
    return name ?? '';
  }

  /** Appends a node exactly as given. */
  push(node: Node): void {
    this.nodes.push(node);
  }

  /** The graph built so far. */
  graph(): Graph {
    return {
      name: this.name,
      nodes: [...this.nodes],
      initializers: [...this.initializers],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
    };
  }

  /** The graph as a model at this package's IR and opset versions. */
  model(): Model {
    return { irVersion: IR_VERSION, opsetVersion: OPSET_VERSION, producerName: 'learnchain', graph: this.graph() };
  }
}
