/**
 * The command tree. Each action imports its command module lazily, so `agentctl --help` loads commander
 * and this file only — no SQLite, no YAML, no Ink.
 */
import { Command, Option } from 'commander';
import { buildOnly, commandToRun } from './command-to-run.js';
import { type CliContext, createContext, type GlobalOptions } from './context.js';
import { intOption } from './options.js';

declare const __AGENTCTL_VERSION__: string;
const VERSION = typeof __AGENTCTL_VERSION__ === 'string' ? __AGENTCTL_VERSION__ : '0.0.0-dev';

type Action = (ctx: CliContext, ...args: never[]) => Promise<number>;

/**
 * The whole tree, or, when `argv` names a command to run (and nothing needs the rest of the tree: no
 * --help or --version before it, not help, completion or an unknown name), only that command with its
 * subcommands: building the ~45 commands and their options was a few ms of every command's start-up.
 * The built command is the same either way, so its parsing, errors and help are too (program.test.ts).
 */
export function buildProgram(setExitCode: (code: number) => void, argv: readonly string[] = []): Command {
  const only = commandToRun(argv);
  if (only === undefined) return buildTree(setExitCode);
  const program = buildTree(setExitCode, only);
  // An alias (ls, pg) names no command here: build the whole tree, which knows it.
  return program.commands.length > 0 ? program : buildTree(setExitCode);
}

function buildTree(setExitCode: (code: number) => void, only?: string): Command {
  const program = new Command('agentctl')
    .description('Build, check and ship AI agents: scaffold, validate, register, run dry, eval and publish — locally first.')
    .version(VERSION, '-V, --version')
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .option('--team <team>', 'act as this team (overrides AGENTCTL_TEAM and config; with .agentctl/trust.yaml your key decides)')
    .option('--user <user>', 'record this user as the actor (overrides AGENTCTL_USER and config; with .agentctl/trust.yaml your key decides)')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError()
    .helpCommand(false)
    // Root options end at the subcommand, so `runs --version 0.2.0` filters runs instead of printing
    // agentctl's version; the global options are added to every command below, so they still work anywhere.
    .enablePositionalOptions()
    .exitOverride();

  if (only !== undefined) buildOnly(program, only);

  /** Wires a command to a lazily imported action; the action's number becomes the exit code. */
  const lazy =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const action = await load();
      const ctx = createContext(command.optsWithGlobals() as GlobalOptions);
      setExitCode(await (action as (ctx: CliContext, ...rest: unknown[]) => Promise<number>)(ctx, ...args.slice(0, -1)));
    };

  program
    .command('init [dir]')
    .description('scaffold a workspace and a first agent from a template')
    .option('-t, --template <name>', 'template (see `agentctl templates`)')
    .option('-n, --name <name>', 'name of the first agent (a DNS label)')
    .option('-o, --owner <team>', 'owner team')
    .option('--model <model>', 'model the agent uses', undefined)
    .option('--gateway <url>', 'OpenAI-compatible gateway URL (default: offline cassettes)')
    .option('--api-key-env <name>', 'with --gateway: the environment variable that holds the key (its name; default AGENTCTL_GATEWAY_KEY)')
    .option('-y, --yes', 'accept defaults for everything not given; never prompt')
    .option('--force', 'scaffold into a non-empty folder (existing files are kept unless you confirm)')
    .option('--ci-package <spec>', 'what the scaffolded CI installs (default: this agentctl, pinned; a mirror or git URL for your company)')
    .option('--json', 'print what was written as JSON')
    .action(lazy(async () => (await import('./commands/init.js')).initCommand));

  program
    .command('validate [paths...]')
    .description('check specs: schema, references, policy; errors at file:line:col')
    .option('--json', 'machine-readable report')
    .action(lazy(async () => (await import('./commands/validate.js')).validateCommand));

  program
    .command('register <paths...>')
    .description('snapshot specs (and the workspace tools/sub-agents they use) as immutable versions')
    .option('--json', 'machine-readable result')
    .action(lazy(async () => (await import('./commands/register.js')).registerCommand));

  program
    .command('list')
    .alias('ls')
    .description('registered versions')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['Agent', 'Tool', 'Policy']))
    .option('--name <name>', 'only this name')
    .addOption(new Option('--stage <stage>', 'only the version that holds this stage now').choices(['dev', 'canary', 'prod']))
    .addOption(new Option('--status <status>').choices(['draft', 'active', 'deprecated', 'disabled']))
    .option('--json', 'registry rows as JSON')
    .action(lazy(async () => (await import('./commands/list.js')).listCommand));

  program
    .command('show <ref>')
    .description('one version: state, digest, files, dependencies, spec (name = latest version)')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/show.js')).showCommand));

  program
    .command('diff <from> <to>')
    .description('what changed between two registered versions')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/diff.js')).diffCommand));

  program
    .command('promote <ref>')
    .description('move a version to the next stage (dev → canary → prod), gated and audited')
    .addOption(new Option('--to <stage>', 'target stage').choices(['dev', 'canary', 'prod']).makeOptionMandatory())
    .option('--with-deps', 'first promote the sub-agents and tools it locks to the same stage, step by step, each through its own gates')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'the new state as JSON')
    .action(lazy(async () => (await import('./commands/transition.js')).promoteCommand));

  // issue 13: the whole path in one command (validate → register → eval → gates → promote → push).
  program
    .command('release <agent>')
    .description('validate, register (or reuse), eval, check gates, promote stage by stage and push: stops at the first step that cannot pass, with its fix')
    .addOption(new Option('--to <stage>', 'the stage to reach').choices(['dev', 'canary', 'prod']).makeOptionMandatory())
    .option('--remote <name>', 'push to this remote (default: defaultRemote in config)')
    .addOption(new Option('--provider <provider>', 'model provider for the eval (default: gateway.provider in config)').choices(['cassette', 'echo', 'openai']))
    .option('--concurrency <n>', 'eval samples in flight at once', intOption('--concurrency', { min: 1, max: 256, example: 4 }), 4)
    .option('--reason <text>', 'why, for the audit trail of each promotion')
    .option('--dry-run', 'print the plan (what would run, what is reused) and change nothing')
    .option('--json', '{steps:[{step,status,detail,fix?}], ref, stage} on stdout')
    .action(lazy(async () => (await import('./commands/release.js')).releaseCommand));

  for (const [name, what] of [
    ['deprecate', 'mark an active version deprecated: still readable and replayable, no longer promoted'],
    ['disable', 'disable a deprecated version: it refuses new runs'],
  ] as const) {
    program
      .command(`${name} <ref>`)
      .description(what)
      .requiredOption('--reason <text>', 'why, for the audit trail')
      .option('--json', 'the new state as JSON')
      .action(lazy(async () => (await import('./commands/transition.js'))[`${name}Command`]));
  }

  program
    .command('rollback <agent>')
    .description('move a stage back to its previous holder (or --to a version that held it), audited; the version left is marked rolled back')
    .addOption(new Option('--stage <stage>', 'the stage to roll back').choices(['dev', 'canary', 'prod']).makeOptionMandatory())
    .option('--to <version>', 'the version to give the stage back to (it must have held it and still be active)')
    .requiredOption('--reason <text>', 'why, for the audit trail')
    .option('--json', 'the move as JSON')
    .action(lazy(async () => (await import('./commands/transition.js')).rollbackCommand));

  program
    .command('delete <ref>')
    .description('delete a draft version (its number is retired and never reused)')
    .option('--reason <text>', 'why, for the audit trail')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'the result as JSON')
    .action(lazy(async () => (await import('./commands/transition.js')).deleteCommand));

  program
    .command('history <ref>')
    .description('the audit trail of an object or one version')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/history.js')).historyCommand));

  program
    .command('templates')
    .description('the templates `init` and `new` can use')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/templates.js')).templatesCommand));

  program
    .command('new <kind> [name]')
    .description('add an agent, tool or policy to the workspace from a template (or tools from an MCP server: new tool --from-mcp)')
    .option('-o, --owner <team>', 'owner team (default: your team)')
    .option('--from-mcp <server>', 'tools from an MCP server: "<command line>" (stdio) or an http(s) URL (streamable HTTP)')
    .option('--tool <names...>', 'with --from-mcp: the tools to add (their names on the server)')
    .option('--all', 'with --from-mcp: add every tool the server lists')
    .option('--call <json>', 'with --from-mcp: call each chosen read-only tool with these arguments and keep the answer as a mock')
    .option('--json', 'what was written, as JSON')
    .action(lazy(async () => (await import('./commands/new.js')).newCommand));

  program
    .command('schema <kind>')
    .description('print the JSON Schema of agent, tool, policy, config, cassette or samples')
    .option('--out <file>', 'write it to a file instead')
    .action(lazy(async () => (await import('./commands/schema.js')).schemaCommand));

  program
    .command('doctor')
    .description('check this machine, the workspace, its config and its registry (its guard: triggers and indexes)')
    .option('--deep', 'also hash every registered bundle and every blob again')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/doctor.js')).doctorCommand));

  program
    .command('run <agent>')
    .description('run an agent dry (the default): answer on stdout, events on stderr, everything in the event log')
    .option('-i, --input <text>', 'the user input (default: standard input)')
    .addOption(new Option('--provider <provider>', 'model provider (default: gateway.provider in config)').choices(['cassette', 'echo', 'openai']))
    .option('--model <model>', "use this model instead of the agent's")
    .option('--record', 'call the live model (openai) and add its responses to the cassette')
    .option('--live', 'run tools for real (only those declared sideEffects: none or read)')
    .option('--trust-code', 'let code that came with a pulled version run (its signer must be trusted): its command and module tools')
    .option('--session <id>', 'continue a session (its earlier turns go into the context), or start one with this id')
    .option('--json', 'the run record as JSON')
    .action(lazy(async () => (await import('./commands/run.js')).runCommand));

  program
    .command('playground [agent]')
    .alias('pg')
    .description('the terminal playground: conversation, live span tree, status line, past runs')
    .addOption(
      new Option('--provider <provider>', 'model provider (default: config; cassette answers misses with the echo test double)').choices([
        'cassette',
        'echo',
        'openai',
      ]),
    )
    .option('--model <model>', "use this model instead of the agent's")
    .option('--trust-code', 'let code that came with a pulled version run (its signer must be trusted): its javascript assertions')
    .action(lazy(async () => (await import('./commands/playground.js')).playgroundCommand));

  program
    .command('runs')
    .description('recent runs from the event log')
    .option('--agent <name>')
    .option('--version <version>')
    .option('--session <id>', 'only the turns of this session')
    .addOption(new Option('--status <status>').choices(['running', 'succeeded', 'failed', 'needs-human', 'cancelled', 'interrupted']))
    .option('--since <when>', 'e.g. 30m, 24h, 7d, or a date')
    .option('--limit <n>', 'at most this many', intOption('--limit', { min: 1, example: 20 }), 50)
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/runs.js')).runsCommand));

  program
    .command('trace <runId>')
    .description('the span tree of a run (an id, a unique prefix, or "last"), with tokens, cost, latency per span')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/runs.js')).traceCommand));

  program
    .command('replay <runId>')
    .description('re-run against the recorded responses; same outcome or a diff')
    .option('--verify', 'exit 1 when the outcome differs')
    .option('--json', 'the comparison as JSON')
    .action(lazy(async () => (await import('./commands/replay.js')).replayCommand));

  program
    .command('stats')
    .description('success rate, p50/p95 latency, tokens, cost and failure reasons over a window')
    .option('--by <dimensions>', 'comma list of agent, version, team, model, mode', 'agent')
    .option('--since <when>', 'e.g. 24h, 7d, or a date', '7d')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/runs.js')).statsCommand));

  const prices = program.command('prices').description('the price table runs and stats count cost with');
  prices
    .command('import <file>')
    .description('use a LiteLLM price file (model_prices_and_context_window.json), so stats and the gateway count cost alike')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/prices.js')).pricesImportCommand));
  prices
    .command('ls [model]')
    .description('the price table and its source, or the price a model is counted at')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/prices.js')).pricesLsCommand));

  program
    .command('export')
    .description('the event log as JSONL, or as OTLP/JSON traces (OpenTelemetry GenAI conventions)')
    .addOption(new Option('--format <format>', 'jsonl or otlp').choices(['jsonl', 'otlp']).default('jsonl'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--endpoint [url]', 'send OTLP traces to a collector instead (default: OTEL_EXPORTER_OTLP_* or the config)')
    .option('--agent <name>')
    .option('--since <when>')
    .action(lazy(async () => (await import('./commands/runs.js')).exportCommand));

  program
    .command('eval [agent]')
    .description("run an agent's sample set: assertions, baseline comparison, reports, the gate")
    .option('--all', 'every agent in the workspace that has a sample set')
    .option('--baseline <ref>', 'compare with this version or stage ref (default: the version that holds prod now)')
    .option('--repeat <n>', 'run each sample n times: per-sample pass rates show flakiness', intOption('--repeat', { min: 1, max: 1000, example: 5 }), 1)
    .option('--concurrency <n>', 'samples in flight at once', intOption('--concurrency', { min: 1, max: 256, example: 4 }), 4)
    .addOption(new Option('--provider <provider>', 'model provider (default: config)').choices(['cassette', 'echo', 'openai']))
    .option('--model <model>', "use this model instead of the agent's (the same rule as run: --model > AGENTCTL_MODEL > gateway.model > the agent's)")
    // setTimeout fires at once for delays above 2^31-1 ms, so that is the ceiling.
    .option('--timeout <ms>', 'per sample', intOption('--timeout', { min: 1, max: 2 ** 31 - 1, example: 60000 }), 60000)
    .option('--tag <tag...>', 'only samples with one of these tags')
    .option('--no-cache', 'do not share identical model calls between samples')
    .option('--record', 'add live model responses (runs and judge verdicts) to the cassettes')
    .option('--trust-code', 'let code that came with a pulled version run (its signer must be trusted): its javascript assertions')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--md <file>', 'write a Markdown report')
    .option('--json', 'the report as JSON')
    .action(lazy(async () => (await import('./commands/eval.js')).evalCommand));

  program
    .command('approve <ref>')
    .description('approve a version (exactly its digest), as your user and team')
    .option('--with-deps', 'also approve each sub-agent and tool it locks (each its own digest)')
    .option('--note <text>', 'why, for the audit trail')
    .option('--json', 'the approval as JSON')
    .action(lazy(async () => (await import('./commands/gates.js')).approveCommand));

  program
    .command('gates <ref>')
    .description('what each stage would need for a version, and what holds now')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/gates.js')).gatesCommand));

  program
    .command('policy')
    .description('the policies in force')
    .command('diff [name]')
    .description('workspace policies against the registered versions in force: version, digest, changed fields (exit 1 on drift)')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/policy.js')).policyDiffCommand));

  const remote = program.command('remote').description('where approved versions are published: OCI registries or OCI image layouts');
  remote
    .command('add <name> <url>')
    .description('add a remote: oci://host[:port]/repository or file://path')
    .option('--force', 'replace a remote with the same name')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).remoteAddCommand));
  remote
    .command('ls [name] [agent]')
    .description('the configured remotes; or what one holds: versions, stage tags, digests, signers')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).remoteListCommand));
  remote
    .command('rm <name>')
    .description('forget a remote (nothing on it is deleted)')
    .action(lazy(async () => (await import('./commands/remote.js')).remoteRemoveCommand));

  const trust = program.command('trust').description('.agentctl/trust.yaml: which keys speak for which team (reviewed like CODEOWNERS)');
  trust
    .command('add <team> <publicKey>')
    .description("add a person's or a CI's public key to a team (creates the file: keys become identities)")
    .option('--owner <name>', 'who holds the key (required: a key is a person or a CI)')
    .option('--ci', 'a CI key: it signs evidence, never approves')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/trust.js')).trustAddCommand));
  trust
    .command('rm <keyId>')
    .description('retire a key (it signs nothing new; old signatures stay valid), or --revoke it (nothing it signed verifies)')
    .option('--revoke', 'remove it entirely')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/trust.js')).trustRmCommand));
  trust
    .command('ls')
    .description('the trusted keys, by team')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/trust.js')).trustLsCommand));

  const keys = program.command('keys').description('ed25519 signing keys (in the user config folder)');
  keys
    .command('generate')
    .description('create a signing key')
    .option('--name <name>', 'key name', 'default')
    .option('--force', 'replace an existing key of that name')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).keysGenerateCommand));
  keys
    .command('list')
    .description('your signing keys and their ids')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).keysListCommand));

  program
    .command('login <remote>')
    .description("log in to a remote's token service; keeps a refresh token (never the password) in the user config folder")
    .option('--username <user>', 'user name (default: AGENTCTL_REMOTE_<NAME>_USER, or asked on a terminal)')
    .option('--password-stdin', 'read the password or token from stdin (for CI)')
    .option('--json', 'who and until when, as JSON (never a token)')
    .action(lazy(async () => (await import('./commands/login.js')).loginCommand));
  program
    .command('logout <remote>')
    .description('forget the login for a remote')
    .option('--json', 'as JSON')
    .action(lazy(async () => (await import('./commands/login.js')).logoutCommand));

  program
    .command('push <ref>')
    .description('publish a version whose stage gates hold: signed, content-addressed, to an OCI remote')
    .option('--remote <name>', 'remote name or URL (default: defaultRemote)')
    .option('--dry-run', 'show what would be uploaded and what already is')
    .option('--key <name>', 'signing key name (default: signingKey in config, else "default")')
    .option('--json', 'the result as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).pushCommand));

  program
    .command('pull <ref>')
    .description('fetch <remote>/<agent>@<version>, check digests (and with --verify the signature), register locally')
    .option('--verify', 'require a signature by a trusted key')
    .option('--json', 'the result as JSON')
    .action(lazy(async () => (await import('./commands/remote.js')).pullCommand));

  program
    .command('attest <ref>')
    .description(
      "sign this machine's evidence (CI's eval) of a published version and attach it on the remote as a referrer; a bare name is the version in this checkout",
    )
    .option('--remote <name>', 'remote name or URL (default: the one in <ref>, else defaultRemote)')
    .option('--key <name>', 'signing key name (default: AGENTCTL_SIGNING_KEY_PEM, else signingKey in config, else "default")')
    .option('--json', 'the result as JSON')
    .action(lazy(async () => (await import('./commands/attest.js')).attestCommand));

  // Issue 13: feedback on runs, samples from runs, shell completion.
  program
    .command('feedback <runId>')
    .description('rate a run (an id, a unique prefix, or "last") good or bad, as your user and team')
    .option('--good', 'the answer was right')
    .option('--bad', 'the answer was wrong')
    .option('--note <text>', 'why (redacted like everything written)')
    .option('--json', 'the rating as JSON')
    .action(lazy(async () => (await import('./commands/feedback.js')).feedbackCommand));

  const samples = program.command('samples').description("an agent's eval sample set");
  samples
    .command('add <agent>')
    .description("turn a run into a sample of the agent's sample set: its input, tool answers as mocks, model answers in the cassette")
    .requiredOption('--from-run <runId>', 'the run (an id, a unique prefix, or "last")')
    .option('--assert <kinds>', 'comma list of tool-called, routed-to, contains, equals, judge (default: tool-called,contains; asked on a terminal)')
    .option('--rubric <text>', 'the rubric of a judge assertion (with --assert judge)')
    .option('--id <id>', 'the sample id (default: derived from the input)')
    .option('--json', 'the sample as JSON')
    .action(lazy(async () => (await import('./commands/samples.js')).samplesAddCommand));

  program
    .command('completion <shell>')
    .description('print a shell completion script: bash, zsh or fish (e.g. source <(agentctl completion bash))')
    .action(lazy(async () => (await import('./commands/completion.js')).completionCommand));
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const { completeCommand } = await import('./commands/completion.js');
      setExitCode(completeCommand(program, words ?? []));
    });

  program
    .command('help [topic...]')
    .description('help for a command, or a topic: exit-codes')
    .action(async (topic: string[]) => {
      const { helpCommand } = await import('./commands/help.js');
      setExitCode(helpCommand(program, topic));
    });

  // The builder of other commands is commander's again (see buildOnly in command-to-run.ts).
  delete (program as Partial<Pick<Command, 'command'>>).command;
  addGlobalOptions(program);
  return program;
}

/**
 * With positional options the root's global options would only be accepted before the subcommand; each
 * command gets hidden copies so `agentctl runs -C dir` keeps working (optsWithGlobals merges them).
 */
function addGlobalOptions(parent: Command): void {
  for (const command of parent.commands) {
    command
      .addOption(new Option('-C, --cwd <dir>').hideHelp())
      .addOption(new Option('--team <team>').hideHelp())
      .addOption(new Option('--user <user>').hideHelp());
    addGlobalOptions(command);
  }
}
