// Preloaded (node --expose-internals --require) into the real binary: records which of Node's built-in modules were
// compiled without Node's embedded code cache, and every V8 flag the process set, with the built-ins compiled
// from source by then. Written to $BUILTIN_CACHE_PROBE at exit, as JSON.
const { writeFileSync } = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const v8 = require('node:v8');
const { internalBinding } = require('internal/test/binding');

const builtins = internalBinding('builtins');
const fromSource = () => [...builtins.getCacheUsage().compiledWithoutCache];
const flags = [];
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flag) => {
  flags.push({ flag, at: Date.now(), fromSourceBefore: fromSource() });
  return setFlags(flag);
};
// The CLI imports node:v8 as an ES module, whose named exports are a copy made at start-up.
syncBuiltinESMExports();
process.on('exit', () => {
  writeFileSync(
    process.env.BUILTIN_CACHE_PROBE,
    JSON.stringify({ flags, fromSource: fromSource(), withCache: [...builtins.getCacheUsage().compiledWithCache] }),
  );
});
