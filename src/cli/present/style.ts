/** Colour through chalk, honouring NO_COLOR and FORCE_COLOR (chalk alone ignores NO_COLOR). */
import chalk, { Chalk, type ChalkInstance } from 'chalk';

function pick(env: NodeJS.ProcessEnv, stream: NodeJS.WritableStream): ChalkInstance {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return chalk;
  if ((env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') {
    return new Chalk({ level: 0 });
  }
  return (stream as NodeJS.WriteStream).isTTY ? chalk : new Chalk({ level: 0 });
}

export const out = pick(process.env, process.stdout);
export const err = pick(process.env, process.stderr);
