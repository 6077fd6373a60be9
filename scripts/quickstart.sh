#!/usr/bin/env bash
# The quick start: scaffold a workspace in a temp folder and walk the local loop, offline, on the
# embedded defaults (offline cassettes, no gateway, no network).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
agentctl() { node "$here/bin/agentctl.js" "$@"; }
step() { printf '\n\033[1m$ agentctl %s\033[0m\n' "$*" >&2; agentctl "$@"; }

# A new folder on every run, kept afterwards: the last line says where it is and how to go on from it.
work="$(mktemp -d "${TMPDIR:-/tmp}/agentctl-quickstart.XXXXXX")"
# Isolate from the user's own config so the quick start behaves the same everywhere, and keep what it
# caches (the eval's compiled code) in its own folder too.
export XDG_CONFIG_HOME="$work/.config"
export XDG_CACHE_HOME="$work/.cache"
cd "$work"

step init my-agents --template main-sub --name triage --owner team-qa --yes
cd my-agents
step validate
# Keys are identities: the author's key and a reviewer's key speak for team-qa (.agentctl/trust.yaml,
# reviewed like CODEOWNERS); everything recorded from here on is signed by the key that did it.
step keys generate
step keys generate --name reviewer
step trust add team-qa "$XDG_CONFIG_HOME/agentctl/keys/default.pub" --owner author
step trust add team-qa "$XDG_CONFIG_HOME/agentctl/keys/reviewer.pub" --owner reviewer
step register agents/triage policies/default.yaml
step list
step show triage@0.1.0
step promote triage@0.1.0 --to dev --with-deps --reason "first cut"
step promote triage@0.1.0 --to canary --with-deps --reason "smoke tested"
step history triage
step run triage -i "What is the status of LOGIN-42?"
step run triage -i "Plan the login page release"
step trace last
step replay last --verify
step stats --by agent,version --since 1h
# Dependencies follow their stage: triage's sub-agents need their own eval evidence for prod.
step eval --all --junit eval.xml --md eval.md
step gates triage@0.1.0
# The author may not approve their own version (policies/default.yaml): a reviewer does, with their key.
AGENTCTL_SIGNING_KEY=reviewer step approve triage@0.1.0 --with-deps --note "read the eval report"
step gates triage@0.1.0
step promote triage@0.1.0 --to prod --with-deps --reason "eval passed, approved"
step run triage@prod -i "What is the status of LOGIN-42?"
step history triage@0.1.0
# Publish to the embedded remote (an OCI image layout in .agentctl/oci), signed with the author's key,
# then pull it into a second workspace and verify every digest and the signature.
step push triage@0.1.0 --dry-run
step push triage@0.1.0
step remote ls local
mkdir -p "$work/consumer/.agentctl" && printf 'team: team-ops\n' > "$work/consumer/.agentctl/config.yaml"
(cd "$work/consumer" && step remote add team "file://$work/my-agents/.agentctl/oci" && step pull team/triage@0.1.0 --verify)
step doctor

printf '\n\033[1;32mquick start ok\033[0m: scaffolded, validated, registered, ran dry, traced, replayed, evaluated, approved, promoted to prod, published and pulled back (verified) triage@0.1.0\n' >&2
# The command to go on with, runnable as printed: the installed agentctl, else this checkout's.
# (type -P: the agentctl function above does not count.)
if type -P agentctl >/dev/null; then cli=agentctl; else cli="node $(printf '%q' "$here/bin/agentctl.js")"; fi
printf 'The workspace is kept in %s. Next: \033[36mcd %s && %s playground triage\033[0m\n' "$work/my-agents" "$(printf '%q' "$work/my-agents")" "$cli" >&2
