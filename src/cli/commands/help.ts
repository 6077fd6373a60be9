import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';

const EXIT_CODES = `Exit codes (the same for every command):

  0  ok
  1  the thing checked failed: an invalid spec, a refused transition or gate, an immutable-version
     conflict, a permission refusal, something not found
  2  usage error: an unknown command or option, a missing argument, a bad value
  3  environment problem: no workspace here, an unreadable or corrupt registry, a busy database,
     an unreachable remote, no gateway configured
130  a run cancelled with Ctrl-C (its events are kept)

agentctl run exits 0 when the run succeeded and 1 when it failed or needs a human.

Errors go to stderr (as one JSON line with --json); stdout carries only data.
`;

export function helpCommand(program: Command, topic: string[]): number {
  const [first] = topic;
  if (first === undefined) {
    program.outputHelp();
    return 0;
  }
  if (first === 'exit-codes') {
    process.stdout.write(EXIT_CODES);
    return 0;
  }
  const command = program.commands.find((c) => c.name() === first || c.aliases().includes(first));
  if (!command) {
    throw new UsageError(`no command or help topic "${first}"`, { fix: 'agentctl help (commands) or agentctl help exit-codes' });
  }
  command.outputHelp();
  return 0;
}
