'use strict';
// Lets a plain `node` child require the TypeScript sources: the process tests run probes as another user (setpriv)
// and inside a new PID namespace (unshare), where jest cannot follow. Transpile only, as ts-jest does for tests.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};
