import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../core/events/redact.js';
import { environmentSecrets } from './redact.js';

describe('environmentSecrets', () => {
  it('finds the configured key variable, header values from env and secret-named variables', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
    mkdirSync(join(root, '.agentctl'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    writeFileSync(join(root, '.agentctl', 'config.yaml'), 'gateway:\n  apiKeyEnv: MY_GATEWAY\n  headers:\n    x-portkey-key: "${HDR}"\n    x-plain: openai\n');
    const env = {
      XDG_CONFIG_HOME: join(root, 'none'),
      MY_GATEWAY: 'gw-live-9f8e7d6c5b4a',
      HDR: 'hdr-value-0123456789',
      AGENTCTL_REMOTE_HUB_PASSWORD: 'remote-pass-42424242',
      AGENTCTL_SIGNING_KEY_PEM: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeFakeFakeFakeFakeFakeFakeFake\n-----END PRIVATE KEY-----',
      HOME: '/home/someone',
    };
    const secrets = environmentSecrets(env, root);
    expect(secrets).toEqual(expect.arrayContaining(['gw-live-9f8e7d6c5b4a', 'hdr-value-0123456789', 'remote-pass-42424242']));
    expect(secrets).not.toContain('/home/someone');
    expect(secrets).not.toContain('openai');
    const redacted = createRedactor({ literals: secrets }).text(`401 {"error":"bad key gw-live-9f8e7d6c5b4a"} hdr-value-0123456789 remote-pass-42424242`);
    expect(redacted).toBe('401 {"error":"bad key [REDACTED]"} [REDACTED] [REDACTED]');
  });

  it('does not fail on a broken config', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
    mkdirSync(join(root, '.agentctl'));
    writeFileSync(join(root, '.agentctl', 'config.yaml'), 'gateway: [unclosed');
    expect(environmentSecrets({ XDG_CONFIG_HOME: join(root, 'none'), AGENTCTL_GATEWAY_KEY: 'k-123456789' }, root)).toContain('k-123456789');
  });
});
