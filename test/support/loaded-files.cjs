// Preloaded with --require: at exit, writes to $LOADED_REPORT every file Node's CommonJS loader loaded
// (JavaScript and native addons alike), so a test can see what a command read from node_modules.
// Node preloads it in worker threads too (an eval's write thread): only the main thread reports.
const { isMainThread } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');

if (isMainThread) {
  process.on('exit', () => {
    writeFileSync(process.env.LOADED_REPORT, JSON.stringify(Object.keys(require.cache)));
  });
}
