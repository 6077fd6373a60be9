/**
 * The status line and key help, laid out for the terminal's width. Pure, so it is tested at 80 columns and
 * narrower without a terminal. The line is shortened, never wrapped: a wrapped status line makes the frame
 * taller than Ink expects, and the extra rows are what a redraw leaves behind.
 */
import { wrapText } from './layout.js';
import type { PlaygroundState } from './state.js';

export type Tone = 'plain' | 'bold' | 'dim' | 'double' | 'live' | 'dry' | 'good' | 'bad';

export interface Segment {
  text: string;
  tone: Tone;
}

interface Field {
  key: 'agent' | 'source' | 'provider' | 'double' | 'tokens' | 'cost' | 'latency' | 'rating' | 'mode';
  text: string;
  tone: Tone;
}

/** One character stands for what elision took out. */
export function elide(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  return `${text.slice(0, max - 1)}…`;
}

/** The status line's segments, at most `width` characters in all. */
export function statusSegments(state: PlaygroundState, width: number): Segment[] {
  const { agent, provider, current } = state;
  const budget = agent.maxInputTokens ? `/${agent.maxInputTokens}` : '';
  const costCap = agent.maxCostUsd !== null ? `/${agent.maxCostUsd}` : '';
  const fields: Field[] = [
    { key: 'agent', text: `${agent.name}@${agent.version}`, tone: 'bold' },
    { key: 'source', text: `(${agent.source})`, tone: 'dim' },
    { key: 'provider', text: `${provider.name}/${provider.model ?? agent.model}`, tone: 'plain' },
    ...(current?.testDouble ? [{ key: 'double' as const, text: " TEST DOUBLE: answers are not a model's ", tone: 'double' as const }] : []),
    { key: 'tokens', text: `tokens ${current?.tokens ?? 0}${budget}`, tone: 'plain' },
    { key: 'cost', text: `$${(current?.costUsd ?? 0).toFixed(4)}${costCap}`, tone: 'plain' },
    { key: 'latency', text: `${current?.latencyMs ?? 0} ms`, tone: 'plain' },
    ...(state.rating ? [{ key: 'rating' as const, text: `rated ${state.rating}`, tone: state.rating === 'good' ? ('good' as const) : ('bad' as const) }] : []),
    { key: 'mode', text: state.mode.toUpperCase(), tone: state.mode === 'live' ? 'live' : 'dry' },
  ];
  const set = (key: Field['key'], text: string) => {
    const field = fields.find((f) => f.key === key);
    if (field) field.text = text;
  };
  const drop = (key: Field['key']) => {
    const i = fields.findIndex((f) => f.key === key);
    if (i !== -1) fields.splice(i, 1);
  };
  // Cheapest loss first: where the agent came from, the long label, the model's full name, latency, budgets.
  const steps: (() => void)[] = [
    () => drop('source'),
    () => set('double', ' TEST DOUBLE '),
    () => set('provider', elide(`${provider.name}/${provider.model ?? agent.model}`, 18)),
    () => drop('latency'),
    () => set('agent', elide(`${agent.name}@${agent.version}`, 24)),
    () => set('cost', `$${(current?.costUsd ?? 0).toFixed(4)}`),
    () => set('tokens', `tokens ${current?.tokens ?? 0}`),
    () => drop('provider'),
    () => drop('cost'),
    () => drop('tokens'),
    () => set('double', ' DOUBLE '),
    () => set('agent', elide(`${agent.name}@${agent.version}`, 12)),
  ];
  for (const step of steps) {
    if (length(fields) <= width) break;
    step();
  }
  const overflow = length(fields) - width;
  if (overflow > 0) set('agent', elide(fields[0]?.text ?? '', Math.max(1, (fields[0]?.text.length ?? 0) - overflow)));
  return join(fields);
}

function separator(previous: Field | undefined, field: Field): string {
  if (!previous) return '';
  // The label carries its own padding (it is drawn on a background): no extra space before it.
  if (field.key === 'double') return '';
  if (previous.key === 'double') return '· ';
  return field.key === 'source' ? ' ' : ' · ';
}

function length(fields: Field[]): number {
  return fields.reduce((n, f, i) => n + separator(fields[i - 1], f).length + f.text.length, 0);
}

function join(fields: Field[]): Segment[] {
  return fields.flatMap((f, i) => {
    const sep = separator(fields[i - 1], f);
    return sep
      ? [
          { text: sep, tone: 'plain' as const },
          { text: f.text, tone: f.tone },
        ]
      : [{ text: f.text, tone: f.tone }];
  });
}

/** The key help, broken between keys (never inside one) into lines of at most `width` characters. */
export function helpLines(state: PlaygroundState, width: number): string[] {
  const running = state.current?.status === 'running';
  const keys = [
    'enter send',
    '^R rerun',
    '^A agent',
    '^V version',
    '^D dry/live',
    '^O past runs',
    '^E eval',
    '^F rate',
    '^S save sample',
    `^C ${running ? 'cancel' : 'quit'}`,
  ];
  const lines: string[] = [];
  let line = '';
  for (const key of keys) {
    const next = line ? `${line} · ${key}` : key;
    if (next.length <= width || !line) line = next;
    else {
      lines.push(line);
      line = key;
    }
  }
  if (line) lines.push(line);
  return lines.map((l) => elide(l, width));
}

/** The notice wrapped to the width (it says where a sample went, or what failed and its fix), at most 3 lines. */
export function noticeLines(state: PlaygroundState, width: number): string[] {
  if (!state.notice) return [];
  const lines = wrapText(state.notice, width, '  ');
  return lines.length > 3 ? [...lines.slice(0, 2), elide(lines.slice(2).join(' '), width)] : lines;
}
