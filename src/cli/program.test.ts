import type { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { commandToRun, ROOT_VALUE_OPTIONS } from './command-to-run.js';
import { buildProgram } from './program.js';

const noop = () => {};
const argv = (...words: string[]) => ['node', 'agentctl', ...words];

/** What a command is to its user: its help, its options (hidden ones too), its subcommands, recursively. */
function shape(command: Command): unknown {
  return {
    help: command.helpInformation(),
    options: command.options.map((o) => [o.flags, o.hidden, o.defaultValue, o.argChoices]),
    aliases: command.aliases(),
    commands: command.commands.map(shape),
  };
}

describe('buildProgram', () => {
  it("knows every root option that takes a value (else its value would be taken for the command's name)", () => {
    const root = buildProgram(noop, argv('--help'));
    const taking = root.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
    expect([...ROOT_VALUE_OPTIONS].sort()).toEqual(taking.sort());
  });

  it('finds the command argv runs past the root options, and builds everything when anything may need it', () => {
    expect(commandToRun(argv('list', '--json'))).toBe('list');
    expect(commandToRun(argv('-C', 'dir', '--team', 't', '--user=u', 'list'))).toBe('list');
    expect(commandToRun(argv('--cwd=dir', '-Cother', 'eval', 'echo'))).toBe('eval');
    for (const words of [
      [],
      ['--help'],
      ['-h', 'list'],
      ['--version'],
      ['--', 'list'],
      ['--cwd'],
      ['help', 'list'],
      ['completion', 'bash'],
      ['__complete', '--', 'li'],
    ]) {
      expect(commandToRun(argv(...words)), words.join(' ')).toBeUndefined();
    }
  });

  it('builds only the command to run, the same command as in the whole tree, for every command', () => {
    const full = buildProgram(noop);
    expect(full.commands.length).toBeGreaterThan(40);
    for (const command of full.commands) {
      const name = command.name();
      const one = buildProgram(noop, argv(name, '--json'));
      if (['help', '__complete', 'completion'].includes(name)) {
        expect(one.commands.length, name).toBe(full.commands.length);
        continue;
      }
      expect(
        one.commands.map((c) => c.name()),
        name,
      ).toEqual([name]);
      expect(shape(one.commands[0] as Command), name).toEqual(shape(command));
      expect(one.options.map((o) => o.flags)).toEqual(full.options.map((o) => o.flags));
    }
  });

  it('builds the whole tree for an alias or an unknown name, so commander answers as before', () => {
    const full = buildProgram(noop).commands.length;
    expect(buildProgram(noop, argv('ls')).commands).toHaveLength(full);
    expect(buildProgram(noop, argv('lst')).commands).toHaveLength(full);
  });

  it('fails on a bad option of the command to run with the same words as the whole tree', async () => {
    const failure = async (program: Command, words: string[]) => {
      const written: string[] = [];
      const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
      try {
        await program.parseAsync(argv(...words));
        return 'no error';
      } catch (error) {
        return `${(error as Error).message}\n${written.join('')}`;
      } finally {
        write.mockRestore();
      }
    };
    for (const words of [['list', '--kind', 'Nope'], ['list', '--jsn'], ['list', 'extra'], ['show']]) {
      const ours = await failure(buildProgram(noop, argv(...words)), words);
      expect(ours, words.join(' ')).toMatch(/^error: /);
      expect(ours, words.join(' ')).toBe(await failure(buildProgram(noop), words));
    }
  });
});
