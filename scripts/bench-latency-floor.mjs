// The floor of the latency-bound eval bench (bench-eval.mjs): a bare Node client that makes the same calls to
// the same gateway, `concurrency` at a time over keep-alive connections, streaming (SSE) or not, and checks
// that every answer came back (each echoes its question). No workspace, no event log, no checks: what any
// Node program pays to make these calls on this machine (its start included), against which agentctl's
// own overhead shows apart from the host's.
// Usage: node bench-latency-floor.mjs <base url> <samples> <concurrency> <stream: true|false>
import http from 'node:http';

const [base, samplesArg, concurrencyArg, streamArg] = process.argv.slice(2);
const samples = Number(samplesArg);
const stream = streamArg === 'true';
const url = new URL(`${base.replace(/\/$/, '')}/chat/completions`);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyArg) });

function call(i) {
  const question = `question number ${i}`;
  const body = JSON.stringify({
    model: 'echo',
    stream,
    messages: [
      { role: 'system', content: 'Repeat the question.\n' },
      { role: 'user', content: question },
    ],
  });
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d) => {
        text += d;
      });
      response.on('end', () => {
        const content = stream
          ? text
              .split('\n')
              .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
              .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '')
              .join('')
          : JSON.parse(text).choices[0].message.content;
        if (content === question) resolve();
        else reject(new Error(`sample ${i}: answered "${content}"`));
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (next < samples) await call(next++);
  }),
);
agent.destroy();
