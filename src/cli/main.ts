/** Entry point: runs the command tree and turns every error into its exit code, in this one place. */
import { CommanderError } from 'commander';
import { tolerateClosedReaders } from './closed-reader.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  }, argv);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version "fail" with exit code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    const [{ formatError, formatJsonError }, { isAgentctlError }] = await Promise.all([import('./present/errors.js'), import('../core/errors.js')]);
    // Structured failures stay off stdout: under --json the error is one JSON line on stderr. Both forms are redacted.
    const json = argv.includes('--json') && isAgentctlError(error);
    process.stderr.write(json ? `${formatJsonError(error)}\n` : `${formatError(error)}\n`);
    return isAgentctlError(error) ? error.exitCode : 1;
  }
}

tolerateClosedReaders(process.stdout, process.stderr);
process.exitCode = await main(process.argv);
