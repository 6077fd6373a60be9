/**
 * NO_COLOR (https://no-color.org): when it is set and not empty, the TUI adds no ANSI colour. Ink's chalk
 * does not read it, so every `color`/`backgroundColor`/`borderColor` goes through `colour()`; bold, dim
 * and inverse stay (they are not colour, and the selection and cursor rely on inverse).
 */
export function coloursOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.NO_COLOR);
}

/** The colour to pass to Ink, or undefined under NO_COLOR. Read at render time, so tests can toggle it. */
export function colour<T extends string>(name: T): T | undefined {
  return coloursOff() ? undefined : name;
}
