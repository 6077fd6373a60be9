#!/usr/bin/env node
// The only job of this file: turn on V8's compile cache (Node >= 22.1, ignored before) and load the CLI.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/cli/main.js');
