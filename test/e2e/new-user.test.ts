/**
 * A new user's whole path in a real terminal (tmux running bash), reading only what the CLI prints:
 * interactive `init` with one invalid answer corrected, the playground with a question the cassette does
 * not know (^F rates it, ^S saves it as a sample), `release --to prod` stopped by the approval gate and
 * finished after a second reviewer approves, then `pull --verify`. It counts the user's own commands after
 * `init` (the goal: at most 5) and the machine time (under 2 minutes), and asserts every screen it reads.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { hasTmux, tmuxTerminal } from '../support/tmux.js';
import { tempDir } from '../support/workspace.js';

/** The visible screen plus the scrollback, so output that scrolled away is still read. */
const { tmux, start, keys, type, kill, waitFor: waitOn } = tmuxTerminal('user', { join: true, scrollback: 200 });
const waitFor = (text: string | RegExp, timeoutMs = 30_000) => waitOn(text, timeoutMs);

afterEach(kill);

describe.skipIf(!hasTmux)('a new user, from nothing to a verified prod version', () => {
  it('init → playground (^F, ^S) → release --to prod → pull --verify in at most 5 commands', async () => {
    const home = tempDir('agentctl-newuser-');
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'agentctl'), `#!/bin/sh\nexec node ${BIN} "$@"\n`);
    chmodSync(join(bin, 'agentctl'), 0o755);
    // A clean shell: its own config folder, no colour (screens are compared as text), hints as for any terminal.
    const env = [
      `PATH=${bin}:${process.env.PATH}`,
      `XDG_CONFIG_HOME=${join(home, '.config')}`,
      `XDG_CACHE_HOME=${join(home, '.cache')}`,
      'NO_COLOR=1',
      'USER=alice',
      'PS1=$ ',
      'CI=',
      'HISTFILE=/dev/null',
    ];
    start(home, `env -i HOME=${home} ${env.join(' ')} TERM=xterm-256color bash --norc --noprofile`, { width: 80, height: 24 });
    await waitFor('$');

    const started = Date.now();
    let commands = 0;
    /** A command the user types (after init), counted. */
    const run = (line: string) => {
      commands++;
      fresh();
      type(line);
      keys('Enter');
    };
    /** A clean screen and no scrollback, so each wait reads only what the next command prints. */
    const fresh = () => {
      keys('C-l');
      tmux('clear-history', '-t', 'user');
    };

    // init: the default template; an agent name that breaks the rule is re-asked with the rule.
    type('agentctl init my-agents');
    keys('Enter');
    await waitFor('Template');
    keys('Enter');
    await waitFor(/agent.*name/i);
    type('Help Desk');
    keys('Enter');
    const rule = await waitFor(/lowercase|DNS label/i);
    expect(rule).toMatch(/Help Desk/);
    for (let i = 0; i < 'Help Desk'.length; i++) keys('BSpace');
    type('helpdesk');
    keys('Enter');
    await waitFor(/Owner team/i);
    type('team-help');
    keys('Enter');
    await waitFor(/gateway/i);
    keys('Enter');
    // A first signing key: approvals and pushes are signed, so the path to a published version needs one.
    await waitFor('Create your signing key?');
    keys('Enter');
    const initDone = await waitFor(/Next: .*cd my-agents && agentctl playground/);
    expect(initDone).toContain('workspace ready');

    // 1. The playground: a question the cassette does not know is answered by the labelled echo double.
    run('cd my-agents && agentctl playground');
    await waitFor('enter send');
    type('Can I reset my password myself?');
    keys('Enter');
    const answered = await waitFor('TEST DOUBLE');
    expect(answered).toMatch(/helpdesk@/);
    // ^F rates the answer good; ^S saves the turn as an eval sample.
    keys('C-f');
    await waitFor(/good/i);
    keys('g');
    keys('Enter');
    await waitFor(/rated good/i);
    keys('C-s');
    const suggested = await waitFor('enter saves');
    expect(suggested).toContain('save "Can I reset my password myself?" as an eval sample');
    keys('Enter');
    await waitFor(/samples\.yaml/);
    keys('C-c');
    await waitFor(/\n\$\s*$/);

    // 2. release to prod: everything up to the approval gate, which names the second reviewer's command.
    run('agentctl release helpdesk --to prod');
    const stopped = await waitFor(/fix: .*agentctl approve helpdesk@0\.1\.0.*, then agentctl release helpdesk --to prod/, 90_000);
    expect(stopped).toMatch(/✓ validate/);
    expect(stopped).toMatch(/✓ register +registered helpdesk@0\.1\.0/);
    expect(stopped).toMatch(/✓ eval +helpdesk@0\.1\.0: \d+\/\d+ passed \(100\.0%\)/);
    expect(stopped).toMatch(/✗ gates +prod approvals/);
    expect(stopped).not.toMatch(/✓ push/);

    // A second person approves with the command the refusal printed, under their own name (the CLI never
    // fills in a name the author could approve as).
    const printed = /fix: [^:]*: (agentctl approve [^,]+), then/.exec(stopped)?.[1] as string;
    expect(printed).toBe('agentctl approve helpdesk@0.1.0 --with-deps --user <their name>');
    const approve = printed.replace('<their name>', 'bob');
    fresh();
    type(`${approve} --note "read the eval"`);
    keys('Enter');
    await waitFor(/Next: agentctl release helpdesk --to prod/);

    // 3. release again: reuses the registered version, promotes to prod and pushes.
    run('agentctl release helpdesk --to prod');
    const released = await waitFor(/✓ push +published to local\/helpdesk:0\.1\.0, stage tag prod/, 90_000);
    expect(released).toMatch(/✓ register +helpdesk@0\.1\.0 is registered with this digest/);
    expect(released).toMatch(/✓ gates/);
    expect(released).toMatch(/✓ promote .*prod/);
    expect(released).toMatch(/Next: agentctl pull local\/helpdesk@0\.1\.0 --verify|agentctl remote ls local helpdesk/);

    // 4. pull it back, verified.
    run('agentctl pull local/helpdesk@0.1.0 --verify');
    const pulled = await waitFor(/\n\$\s*$/);
    expect(pulled).toMatch(/✓ pulled helpdesk@0\.1\.0 from local sha256:[0-9a-f]{64}: every digest checks out/);
    expect(pulled).toMatch(/✓ signed by own:default/);

    expect(commands).toBeLessThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(120_000);
    // What the keys did is on disk: the saved sample (which the release's eval ran) and the rating.
    const ws = join(home, 'my-agents');
    expect(readFileSync(join(ws, 'agents/helpdesk/evals/samples.yaml'), 'utf8')).toContain('Can I reset my password myself?');
    const stats = await agentctl(['stats', '--json'], { cwd: ws, env: { XDG_CONFIG_HOME: join(home, '.config') } });
    expect(JSON.stringify(JSON.parse(stats.stdout))).toMatch(/"good":1/);
    // The shell goes before the temp folder it stands in is removed.
    kill();
  }, 240_000);
});
