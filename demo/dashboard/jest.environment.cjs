const JsdomEnvironment = require('jest-preset-angular/environments/jest-jsdom-env').default;

// Node's web-platform globals that jsdom lacks (fetch and its classes, web streams…), which the
// simulator (msw's interceptors) and the library's HTTP layer use beside the components. Only what
// jsdom does not define is filled in: its own DOM classes (FormData, Blob, URL…) stay.
const fromNode = [
  'fetch', 'Request', 'Response', 'Headers',
  'ReadableStream', 'WritableStream', 'TransformStream',
  'TextEncoder', 'TextDecoder', 'TextEncoderStream', 'TextDecoderStream',
  'structuredClone', 'BroadcastChannel',
];

module.exports = class DashboardEnvironment extends JsdomEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of fromNode) {
      if (this.global[name] === undefined) this.global[name] = globalThis[name];
    }
  }
};
