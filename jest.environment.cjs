// Node test environment that shares the host realm's typed arrays and ArrayBuffer with the test
// realm: native addons (onnxruntime-node) create them in the host realm, and `instanceof` checks
// inside libraries would otherwise fail across jest's vm context.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Uint8ClampedArray',
  'DataView',
];

class SharedRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}
module.exports = SharedRealmEnvironment;
