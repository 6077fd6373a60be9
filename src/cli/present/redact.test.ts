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

  it('reads a gateway key spelled with an escape, and keeps the headers of the right type when another is wrong', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
    mkdirSync(join(root, '.agentctl'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    writeFileSync(join(root, '.agentctl', 'config.yaml'), '"g\\x61teway":\n  apiKeyEnv: ESCAPED_KEY\n  headers:\n    x-a: "${HDR}"\n    x-b: [1, 2]\n');
    const env = { XDG_CONFIG_HOME: join(root, 'none'), ESCAPED_KEY: 'escaped-value-12345', HDR: 'hdr-value-0123456789' };
    expect(environmentSecrets(env, root)).toEqual(expect.arrayContaining(['escaped-value-12345', 'hdr-value-0123456789']));
  });

  it('reads the same secrets from a config outside the plain subset (a folded block scalar) as from a plain one', () => {
    const env = { MY_GATEWAY: 'gw-live-9f8e7d6c5b4a', HDR: 'hdr-value-0123456789' };
    const secretsOf = (text: string) => {
      const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
      mkdirSync(join(root, '.agentctl'));
      writeFileSync(join(root, '.agentctl', 'config.yaml'), text);
      return environmentSecrets({ ...env, XDG_CONFIG_HOME: join(root, 'none') }, root).sort();
    };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    const plain = secretsOf('gateway:\n  apiKeyEnv: MY_GATEWAY\n  headers:\n    x-key: "Bearer ${HDR}"\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    const library = secretsOf('gateway:\n  apiKeyEnv: MY_GATEWAY\n  headers:\n    x-key: >-\n      Bearer ${HDR}\n');
    expect(plain).toEqual(expect.arrayContaining(['gw-live-9f8e7d6c5b4a', 'Bearer hdr-value-0123456789']));
    expect(library).toEqual(plain);
  });

  it('reads the user config too, and names nothing from a config that never says gateway', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
    mkdirSync(join(root, '.agentctl'));
    mkdirSync(join(root, 'xdg', 'agentctl'), { recursive: true });
    writeFileSync(join(root, '.agentctl', 'config.yaml'), 'team: t\napiKeyEnv: NOT_A_GATEWAY_SETTING\n');
    writeFileSync(join(root, 'xdg', 'agentctl', 'config.yaml'), 'gateway:\n  apiKeyEnv: USER_KEY\n');
    const env = { XDG_CONFIG_HOME: join(root, 'xdg'), USER_KEY: 'user-key-value-9876', NOT_A_GATEWAY_SETTING: 'plain-value-1234' };
    const secrets = environmentSecrets(env, root);
    expect(secrets).toContain('user-key-value-9876');
    expect(secrets).not.toContain('plain-value-1234');
  });

  it('does not fail on a broken config', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentctl-redact-'));
    mkdirSync(join(root, '.agentctl'));
    writeFileSync(join(root, '.agentctl', 'config.yaml'), 'gateway: [unclosed');
    expect(environmentSecrets({ XDG_CONFIG_HOME: join(root, 'none'), AGENTCTL_GATEWAY_KEY: 'k-123456789' }, root)).toContain('k-123456789');
  });
});
