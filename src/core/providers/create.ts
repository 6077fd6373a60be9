/** Picks the model provider a run uses: the flag, else the workspace config (cassette by default). */
import { EnvironmentError, UsageError } from '../errors.js';
import { cassettesOf } from '../runtime/cassettes.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { PROVIDERS, type ResolvedConfig } from '../workspace/config.js';
import { createCassetteProvider } from './cassette.js';
import { echoProvider } from './echo.js';
import { resolveGatewayHeaders } from './gateway-headers.js';
import { createOpenAIProvider } from './openai.js';
import type { ModelProvider } from './types.js';

export interface ProviderChoice {
  provider: ModelProvider;
  /** Secrets this provider holds, for redaction. */
  secrets: string[];
}

export function createProvider(name: string, config: ResolvedConfig, env: NodeJS.ProcessEnv, agent: AgentSnapshot): ProviderChoice {
  switch (name) {
    case 'cassette':
      return { provider: createCassetteProvider(cassettesOf(agent), { apiKeyEnv: config.apiKeyEnv, gatewayUrl: config.baseUrl }), secrets: [] };
    case 'echo':
      return { provider: echoProvider, secrets: [] };
    case 'openai': {
      if (!config.baseUrl) {
        throw new EnvironmentError('no model gateway is configured for the openai provider', {
          fix: 'set gateway.baseUrl in .agentctl/config.yaml, or AGENTCTL_GATEWAY_URL=http://localhost:4000/v1',
          code: 'no-gateway',
        });
      }
      const apiKey = env[config.apiKeyEnv] || undefined;
      const extra = resolveGatewayHeaders(config.gateway.headers, env);
      const provider = createOpenAIProvider({
        baseUrl: config.baseUrl,
        apiKey,
        headers: extra.headers,
        timeoutMs: config.gateway.timeoutMs,
        retries: config.gateway.retries,
        stream: config.gateway.stream,
        maxTokensParam: config.gateway.maxTokensParam,
        secrets: extra.secrets,
        attribution: config.gateway.attribution,
      });
      return { provider, secrets: [...(apiKey ? [apiKey] : []), ...extra.secrets] };
    }
    default:
      throw new UsageError(`unknown provider "${name}"`, { fix: `use one of: ${PROVIDERS.join(', ')}` });
  }
}
