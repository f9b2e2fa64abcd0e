// Jest runs each test file in a vm realm. Native addons (onnxruntime-node) and
// some Node APIs hand back typed arrays built in the outer realm, which then fail
// `instanceof Float32Array` checks inside the test realm. Sharing the outer
// realm's constructors keeps one notion of each typed array.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array',
];

class LearnchainEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = LearnchainEnvironment;
