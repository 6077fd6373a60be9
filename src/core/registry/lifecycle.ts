/**
 * The lifecycle as the user meets it: which move a command asks for, and a clear refusal when the
 * move is out of order. The database enforces the same table (migrations.ts); this gives the words.
 */
import { TransitionError } from '../errors.js';

export const STAGES = ['dev', 'canary', 'prod'] as const;
export const STATUSES = ['draft', 'active', 'deprecated', 'disabled'] as const;
export type Stage = (typeof STAGES)[number];
export type Status = (typeof STATUSES)[number];
export type TransitionAction = 'register' | 'promote' | 'deprecate' | 'disable' | 'delete';

export interface State {
  status: Status;
  stage: Stage;
}

export type Request = { action: 'promote'; to: Stage } | { action: 'deprecate' } | { action: 'disable' } | { action: 'delete' };

/** The state a request leads to from `current`, or a TransitionError saying what to do first. */
export function plan(ref: string, current: State, request: Request): State | null {
  const refuse = (message: string, fix: string) => new TransitionError(`${ref}: ${message}`, { where: ref, fix, code: 'out-of-order' });
  switch (request.action) {
    case 'promote': {
      if (current.status === 'deprecated' || current.status === 'disabled') {
        throw refuse(`is ${current.status}; it can no longer be promoted`, 'register a new version and promote that');
      }
      if (request.to === 'dev') {
        if (current.status === 'draft') return { status: 'active', stage: 'dev' };
        throw refuse(`is already active in ${current.stage}`, nextStep(ref, current));
      }
      if (current.status === 'draft') {
        throw refuse(`is a draft; stages go dev → canary → prod`, `agentctl promote ${ref} --to dev`);
      }
      const from = STAGES.indexOf(current.stage);
      const to = STAGES.indexOf(request.to);
      if (to === from) throw refuse(`is already in ${current.stage}`, nextStep(ref, current));
      if (to < from) {
        throw refuse(`is in ${current.stage}; stages only move forward (dev → canary → prod)`, 'to roll back, promote an older version or deprecate this one');
      }
      if (to > from + 1) {
        throw refuse(
          `is in ${current.stage}; it must pass through ${STAGES[from + 1]} before ${request.to}`,
          `agentctl promote ${ref} --to ${STAGES[from + 1]}`,
        );
      }
      return { status: 'active', stage: request.to };
    }
    case 'deprecate':
      if (current.status === 'active') return { status: 'deprecated', stage: current.stage };
      if (current.status === 'draft') throw refuse('is a draft; only active versions are deprecated', `delete the draft instead: agentctl delete ${ref}`);
      throw refuse(`is already ${current.status}`, current.status === 'deprecated' ? `agentctl disable ${ref}` : 'nothing to do');
    case 'disable':
      if (current.status === 'deprecated') return { status: 'disabled', stage: current.stage };
      if (current.status === 'active') throw refuse('is active; deprecate it before disabling it', `agentctl deprecate ${ref} --reason "…"`);
      if (current.status === 'draft') throw refuse('is a draft; drafts are deleted, not disabled', `agentctl delete ${ref}`);
      throw refuse('is already disabled', 'nothing to do');
    case 'delete':
      if (current.status === 'draft') return null;
      throw refuse(
        `is ${current.status}; only drafts can be deleted`,
        current.status === 'active' ? `agentctl deprecate ${ref} --reason "…"` : 'it stays in the registry for replay and audit',
      );
  }
}

function nextStep(ref: string, current: State): string {
  const next = STAGES[STAGES.indexOf(current.stage) + 1];
  return next ? `agentctl promote ${ref} --to ${next}` : 'it is already in prod';
}
