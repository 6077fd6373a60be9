/** The playground's offline answers: the cassette first; free-form input it does not know goes to the labelled echo double. */
import { echoProvider } from '../providers/echo.js';
import { ModelError, type ModelProvider } from '../providers/types.js';

export function withEchoOnMiss(cassette: ModelProvider): ModelProvider {
  return {
    name: 'cassette+echo',
    testDouble: true,
    async complete(request, options) {
      try {
        return await cassette.complete(request, options);
      } catch (error) {
        if (error instanceof ModelError && error.errorClass === 'cassette-miss') return echoProvider.complete(request, options);
        throw error;
      }
    },
  };
}
