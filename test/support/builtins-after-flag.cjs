// Preloaded with --require: at exit, writes to $BUILTINS_REPORT which of Node's public built-in modules were
// loaded after the process first set a V8 flag at run time (each of those was compiled without Node's code cache).
// Node preloads it in worker threads too (an eval's write thread), where it writes nothing. node:worker_threads,
// which says which thread this is, is only loaded at exit: loaded here, it could not be reported.
const v8 = require('node:v8');
const { syncBuiltinESMExports } = require('node:module');
const { writeFileSync } = require('node:fs');

const setFlags = v8.setFlagsFromString;
let loadedBefore;
v8.setFlagsFromString = (flags) => {
  loadedBefore ??= process.moduleLoadList.length;
  return setFlags(flags);
};
// `import { setFlagsFromString } from 'node:v8'` reads the ES module view, which copies the exports once.
syncBuiltinESMExports();

process.on('exit', () => {
  const after =
    loadedBefore === undefined
      ? null
      : process.moduleLoadList
          .slice(loadedBefore)
          .filter((entry) => entry.startsWith('NativeModule ') && !entry.startsWith('NativeModule internal/'))
          .map((entry) => entry.slice('NativeModule '.length));
  if (require('node:worker_threads').isMainThread) writeFileSync(process.env.BUILTINS_REPORT, JSON.stringify({ after }));
});
