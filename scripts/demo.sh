#!/usr/bin/env bash
# A scripted walk-through of seeqret in a scratch folder, using the real CLI.
# Nothing outside the scratch folder is touched; it is removed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/seeqret-demo.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
seeqret() { node "$ROOT/dist/cli/bin.js" "$@"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
export SEEQRET="$SCRATCH/home/seeqret"
mkdir -p "$SCRATCH/home" "$SCRATCH/project"
cd "$SCRATCH/project"

step "seeqret init $SCRATCH/home --user demo --email demo@example.com"
seeqret init "$SCRATCH/home" --user demo --email demo@example.com

step "seeqret add key DB_PASSWORD --app myapp --env dev   (value on stdin)"
printf 's3cr3t with spaces & "quotes"\n' | seeqret add key DB_PASSWORD --app myapp --env dev
step "seeqret add key API_KEY sk_test_123 --app myapp --env dev"
seeqret add key API_KEY sk_test_123 --app myapp --env dev
step "seeqret add key FOO bar --env dev"
seeqret add key FOO bar --env dev

step "seeqret list                      (values are redacted)"
seeqret list
step "seeqret get myapp:dev:API_KEY"
seeqret get myapp:dev:API_KEY

step "seeqret edit value myapp:dev:API_KEY sk_test_456   (old value kept in history)"
seeqret edit value myapp:dev:API_KEY sk_test_456
step "seeqret history myapp:dev:API_KEY --reveal"
seeqret history myapp:dev:API_KEY --reveal

step "cat env.template"
printf '# every dev key of myapp, and FOO renamed\nmyapp:dev:\nMY_FOO=:dev:FOO\nMODE=development\n' | tee env.template
step "seeqret env     (writes .env, mode 0600)"
seeqret env
ls -l .env | cut -c1-10
step "cat .env"
cat .env

step "seeqret run -f myapp:dev: -- node -e '...'   (secrets only in the child's environment)"
seeqret run -f myapp:dev: -- node -e 'console.log("child sees API_KEY =", process.env.API_KEY)'

step "seeqret doctor"
seeqret doctor
printf '\nDemo finished; the scratch folder %s is removed.\n' "$SCRATCH"
