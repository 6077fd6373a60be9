/**
 * `init`'s prompts in a real pseudo-terminal (tmux), with enquirer itself: an invalid agent name is
 * refused on Enter with the rule, the user corrects it, and init finishes with the next command.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { hasTmux, tmuxTerminal } from '../support/tmux.js';
import { tempDir } from '../support/workspace.js';

const { screen, keys, type, start, waitFor: waitForScreen, kill } = tmuxTerminal('init', { join: true });

afterEach(kill);

describe.skipIf(!hasTmux)('init in a pseudo-terminal', () => {
  it('re-asks an invalid agent name with the rule, takes the corrected one and ends with the next command', async () => {
    const cwd = tempDir();
    // CI= : a person at a terminal, even when the suite itself runs under CI (which never prompts).
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} NO_COLOR=1 AGENTCTL_TEAM= CI=`;
    start(cwd, `env ${env} node ${BIN} init my-agents; echo "init exited $?"; sleep 30`);
    await waitForScreen('Template');
    keys('Enter'); // basic
    await waitForScreen('First agent (or tool) name');
    type('Help_Desk');
    keys('Enter');
    await waitForScreen('use lowercase letters, digits and "-"');
    // Still on the same question, with the answer kept for editing: nothing was written.
    expect(screen()).not.toContain('Owner team');
    expect(existsSync(join(cwd, 'my-agents'))).toBe(false);
    keys(...Array.from({ length: 'Help_Desk'.length }, () => 'BSpace'));
    type('helpdesk');
    keys('Enter');
    await waitForScreen('Owner team');
    keys('Enter'); // the default team
    await waitForScreen('Model gateway');
    keys('Enter'); // offline
    await waitForScreen('Create your signing key?');
    keys('Enter'); // yes: the path to a published version needs one
    const done = await waitForScreen('init exited 0');
    expect(done).toContain('✔ First agent (or tool) name · helpdesk');
    expect(done).toContain('Next: cd my-agents && agentctl playground helpdesk');
    expect(existsSync(join(cwd, 'my-agents/agents/helpdesk/cassettes/default.yaml'))).toBe(true);
    expect(existsSync(join(cwd, '.x/agentctl/keys/default.pub'))).toBe(true);
  });
});
