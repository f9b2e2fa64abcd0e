/** Thrown when bytes handed to the ONNX reader are not a well-formed protobuf message. */
export class MalformedProtoError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`malformed protobuf at byte ${offset}: ${reason}`);
    this.name = 'MalformedProtoError';
  }
}

/** Thrown by importModel (and autodiff) when a graph uses an op this package cannot differentiate. */
export class UnsupportedOpError extends Error {
  constructor(
    readonly op: string,
    readonly node: string,
  ) {
    super(`unsupported op ${op} in node '${node}'`);
    this.name = 'UnsupportedOpError';
  }
}

/** Thrown when a supported op is used with an attribute value or input form this package does not handle. */
export class UnsupportedAttributeError extends Error {
  constructor(
    readonly op: string,
    readonly node: string,
    readonly attribute: string,
    readonly reason: string,
  ) {
    super(`node '${node}' (${op}): attribute ${attribute} ${reason}`);
    this.name = 'UnsupportedAttributeError';
  }
}

/** Thrown when a graph is not a single-input classifier this package can train (no input, no output, dangling names). */
export class InvalidGraphError extends Error {
  constructor(readonly reason: string) {
    super(`invalid model graph: ${reason}`);
    this.name = 'InvalidGraphError';
  }
}

/** Thrown when static shape inference finds shapes that do not fit an op. */
export class ShapeMismatchError extends Error {
  constructor(
    readonly node: string,
    readonly reason: string,
  ) {
    super(`shape mismatch at node '${node}': ${reason}`);
    this.name = 'ShapeMismatchError';
  }
}

/** Thrown by buildModel for a name that is not a built-in model. */
export class UnknownModelError extends Error {
  constructor(readonly model: string) {
    super(`unknown built-in model '${model}' (known: mlp, cnn)`);
    this.name = 'UnknownModelError';
  }
}

/** Thrown when a flat parameter vector does not match a model's manifest. */
export class ParameterSizeError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`parameter vector has ${actual} values, the manifest needs ${expected}`);
    this.name = 'ParameterSizeError';
  }
}

/** Thrown when encoded update bytes are truncated, carry an unknown tag or disagree with the expected length. */
export class UpdateEncodingError extends Error {
  constructor(readonly reason: string) {
    super(`bad encoded update: ${reason}`);
    this.name = 'UpdateEncodingError';
  }
}

/** Thrown by partition() for options that cannot be met (too few samples or shards, bad alpha). */
export class PartitionError extends Error {
  constructor(readonly reason: string) {
    super(`cannot partition: ${reason}`);
    this.name = 'PartitionError';
  }
}

/** Thrown when a dataset's arrays disagree in size, or a training option is out of range. */
export class InvalidArgumentError extends Error {
  constructor(
    readonly argument: string,
    readonly reason: string,
  ) {
    super(`${argument}: ${reason}`);
    this.name = 'InvalidArgumentError';
  }
}

/** Thrown when an onnxruntime session does not return an output a derived graph promises (a bug in graph derivation). */
export class MissingOutputError extends Error {
  constructor(readonly output: string) {
    super(`session output '${output}' is missing or not float32`);
    this.name = 'MissingOutputError';
  }
}
