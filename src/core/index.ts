/** agentctl's engine as a library: no terminal code here (no ink, react, commander, enquirer or chalk). */

export * from './doctor.js';
export * from './errors.js';
export * from './registry/blobs.js';
export * from './registry/bundle.js';
export * from './registry/db.js';
export * from './registry/diff.js';
export * from './registry/gates.js';
export * from './registry/lifecycle.js';
export * from './registry/register-specs.js';
export * from './registry/registry.js';
export * from './scaffold/scaffold.js';
export * from './scaffold/templates.js';
export * from './spec/diagnostics.js';
export * from './spec/json-schema.js';
export * from './spec/load.js';
export * from './spec/policy.js';
export * from './spec/references.js';
export * from './spec/refs.js';
export * from './spec/schema.js';
export * from './spec/validate.js';
export * from './spec/yaml.js';
export * from './util/canonical.js';
export * from './workspace/config.js';
export * from './workspace/open.js';
export * from './workspace/workspace.js';
