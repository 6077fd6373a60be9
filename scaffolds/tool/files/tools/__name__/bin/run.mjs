// {{name}}: reads the tool input as JSON on stdin and writes the output as JSON on stdout.
let raw = '';
for await (const chunk of process.stdin) raw += chunk;
const { text = '' } = JSON.parse(raw || '{}');
process.stdout.write(JSON.stringify({ words: text.split(/\s+/).filter(Boolean).length }));
