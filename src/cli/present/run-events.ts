/** Runtime events as plain lines for stderr, indented by span depth (the live view without a TUI). */
import { checkExhaustive } from '../../core/errors.js';
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { err } from './style.js';

export function createEventPrinter(write: (line: string) => void): (event: RuntimeEvent) => void {
  const depth = new Map<string, number>();
  const pad = (spanId: string | null | undefined) => '  '.repeat((spanId ? (depth.get(spanId) ?? 0) : 0) + 1);
  return (event) => {
    switch (event.type) {
      case 'run.started':
        write(err.bold(`▸ run ${event.runId}  ${event.agent}@${event.version}  ${event.mode} · ${event.provider}/${event.model}`));
        break;
      case 'span.started':
        depth.set(event.spanId, event.parentSpanId ? (depth.get(event.parentSpanId) ?? 0) + 1 : 0);
        if (event.kind === 'sub-agent') write(`${pad(event.spanId)}${err.magenta('↳ sub-agent')} ${event.name}`);
        break;
      case 'context.assembled':
        write(
          `${pad(event.spanId)}${err.dim(`context ${event.tokens} tokens${event.budget ? ` / ${event.budget}` : ''}${event.trimmed.length ? `, trimmed: ${event.trimmed.join(', ')}` : ''}`)}`,
        );
        break;
      case 'model.response': {
        const what = event.toolCalls.length ? `tool calls: ${event.toolCalls.map((c) => c.name).join(', ')}` : event.refusal ? 'refusal' : 'answer';
        const estimated = event.usageEstimated ? ' (estimated)' : '';
        write(
          `${pad(event.spanId)}${err.cyan('model')} ${event.model} → ${what}  ${err.dim(`${event.usage.inputTokens} in / ${event.usage.outputTokens} out${estimated} · $${event.costUsd.toFixed(4)} · ${event.latencyMs} ms`)}`,
        );
        if (event.truncated) write(`${pad(event.spanId)}${err.yellow('(truncated: the model hit its token limit)')}`);
        break;
      }
      case 'model.error':
        // A miss's advice is long and the run's summary prints it in full: the span line only names it.
        write(
          `${pad(event.spanId)}${err.red('model error')} ${event.model}: ${event.errorClass === 'cassette-miss' ? 'no recorded answer (cassette miss)' : event.error}`,
        );
        break;
      case 'policy.decision':
        if (!event.allowed) write(`${pad(event.spanId)}${err.red('policy deny')} ${event.action} ${event.resource} (${event.policy}: ${event.reason})`);
        break;
      case 'tool.call':
        write(`${pad(event.spanId)}${err.yellow('tool')} ${event.tool} ${err.dim(JSON.stringify(event.input))}`);
        break;
      case 'tool.result':
        write(`${pad(event.spanId)}${err.dim(`  ← ${event.source} ${truncate(JSON.stringify(event.output), 100)}`)}`);
        break;
      case 'tool.error':
        write(`${pad(event.spanId)}${err.red(`  ✗ ${event.tool}: ${event.error}`)}`);
        break;
      case 'subagent.routed':
        write(
          `${pad(event.spanId)}${err.magenta('route')} ${event.from} → ${event.to} (${event.by === 'rule' ? `rule /${event.rule}/` : "the model's choice"})`,
        );
        break;
      case 'budget.exceeded':
        write(`${pad(event.spanId)}${err.red('budget exceeded')} ${event.limit}: ${event.value} > ${event.max}`);
        break;
      case 'fallback':
        write(`${pad(event.spanId)}${err.yellow('fallback')} → ${event.to} (${truncate(event.detail, 60)}) because ${truncate(event.reason, 100)}`);
        break;
      case 'run.finished': {
        const mark = event.status === 'succeeded' ? err.green('✓') : event.status === 'cancelled' ? err.yellow('■') : err.red('✗');
        const summary = `${event.steps} step(s) · ${event.usage.inputTokens + event.usage.outputTokens} tokens · $${event.costUsd.toFixed(4)} · ${event.latencyMs} ms`;
        write(`${mark} ${event.status}  ${err.dim(summary)}${event.error ? errorLines(event.error) : ''}`);
        break;
      }
      case 'span.ended':
      case 'model.request':
      case 'model.delta':
        break;
      default:
        checkExhaustive(event);
    }
  };
}

/**
 * A run's error as lines: the problem, then each way on (the runtime joins a problem and its fix with
 * " — ", and alternatives with "; or "), so a long miss reads as a short list instead of one wide line.
 */
export function errorLines(error: string): string {
  const at = error.indexOf(' — ');
  if (at < 0) return `\n  ${err.red(error)}`;
  const ways = error.slice(at + 3).split('; or ');
  return `\n  ${err.red(error.slice(0, at))}${ways.map((way, i) => `\n  ${err.cyan('→')} ${i > 0 ? 'or ' : ''}${way}`).join('')}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
