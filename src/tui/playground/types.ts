/** The playground's contract lives in core (core/session builds the controller); the TUI only renders it. */
export type { AgentInfo, PastEvent, PastRun, PlaygroundController, ProviderInfo } from '../../core/session/playground-types.js';
