// A local OpenAI-compatible endpoint for the latency-bound eval bench: answers every chat completion
// after the given latency (ms) with the last user message, streamed (SSE) or not as the request asks.
// Prints its base URL on stdout once listening. Usage: node bench-gateway.mjs 50
import { createServer } from 'node:http';

const latencyMs = Number(process.argv[2] ?? 50);
const usage = { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 };

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => {
    body += d;
  });
  req.on('end', () => {
    const request = JSON.parse(body || '{}');
    const question = [...(request.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
    setTimeout(() => {
      if (request.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta, finish, extra = {}) =>
          `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: request.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
        res.end(`${chunk({ role: 'assistant', content: question }, null)}${chunk({}, 'stop', { usage })}data: [DONE]\n\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content: question }, finish_reason: 'stop' }],
          usage,
        }),
      );
    }, latencyMs);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/v1`));
