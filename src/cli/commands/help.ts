import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';

const EXIT_CODES = `Exit codes (the same for every command):

  0  ok
  1  the thing checked failed: an invalid spec, a refused transition or gate, an immutable-version
     conflict, a permission refusal, something not found
  2  usage error: an unknown command or option, a missing argument, a bad value
  3  environment problem: no workspace here, an unreadable or corrupt registry, a busy database,
     an unreachable remote, no gateway configured
130  stopped by Ctrl-C (SIGINT): run, eval, replay, push — what finished is kept, an eval is partial
143  stopped by SIGTERM, likewise

Runs: 0 when the run succeeded (a fallback model that answered is a success, with a warning);
1 when it failed (a model error, a timeout, a budget, a policy denial — also when the rule fallback
answered in the model's place: the answer is printed, the errors are listed) or needs a human.
Evals: 0 when the agent's gate holds; 1 when it does not, or the eval is partial.

Errors go to stderr (as one JSON line with --json); stdout carries only data. A reader that goes
away (| head) is not an error: the command stops writing, finishes, and exits with its own code.
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
