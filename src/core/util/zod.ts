/**
 * zod, as every schema in agentctl imports it: with its JIT turned off. On the first parse of each object
 * schema zod compiles a parser for it with `new Function` (~1 ms each, and the generated code is compiled
 * again by V8, with no code cache). A command parses each schema a handful of times (a config, a few specs),
 * so that was ~7 ms of every eval's start for nothing; the sample set, the one thing parsed many times, is
 * checked by its own quick check first (../eval/dataset.ts). `jitless` is read when a schema is built, so it
 * is set here, before any module that builds one runs: each of them imports zod from this module.
 */
// biome-ignore lint/style/noRestrictedImports: the one module that imports zod itself.
import { config } from 'zod';

config({ jitless: true });

// biome-ignore lint/style/noRestrictedImports: the one module that imports zod itself.
export * from 'zod';
