#!/usr/bin/env bash
# Audits Ferry's production dependencies for known vulnerabilities of severity high or critical:
#
#   scripts/audit.sh            (from the repository root; needs the lockfile and network access)
#
# Runs `npm audit --omit=dev --audit-level=high` against the configured registry's bulk advisory
# endpoint (POST /-/npm/v1/security/advisories/bulk). Some registries and mirrors do not serve that
# endpoint (they answer 405 Method Not Allowed, or 404); then nothing was checked, and this script
# says so instead of passing or failing as if it had been.
#
# Exit codes:
#   0  audited: no high or critical advisory in production dependencies
#   1  audited: at least one high or critical advisory (the report is printed)
#   2  npm audit failed for another reason (no lockfile, bad arguments...)
#   3  NOT audited: the registry's audit endpoint is unreachable from here; run this where it is
#
# Not part of CI on purpose: its result depends on the network and on advisories published today.
set -uo pipefail

cd "$(dirname "$0")/.."
registry="$(npm config get registry 2>/dev/null || echo 'the configured registry')"
report="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$report" "$errors"' EXIT

npm audit --omit=dev --audit-level=high --json >"$report" 2>"$errors"
status=$?

# What did npm produce? 'audited' (a report with metadata), 'unreachable' (the endpoint failed), or 'other'.
verdict="$(
  node -e '
    const fs = require("node:fs")
    const [reportFile, errorsFile] = process.argv.slice(1)
    const stderr = fs.readFileSync(errorsFile, "utf8")
    let json
    try { json = JSON.parse(fs.readFileSync(reportFile, "utf8")) } catch { json = undefined }
    if (json && json.metadata && json.metadata.vulnerabilities) {
      const v = json.metadata.vulnerabilities
      console.log(`audited high=${v.high ?? 0} critical=${v.critical ?? 0} total=${v.total ?? 0}`)
    } else if (
      /audit endpoint returned an error/i.test(stderr) ||
      (json && (json.statusCode || /security\/(advisories|audits)/.test(String(json.uri ?? json.message ?? "")))) ||
      /E(NOTFOUND|CONNREFUSED|CONNRESET|TIMEDOUT|AI_AGAIN|HOSTUNREACH|NETUNREACH)|ENOAUDIT|\b40[45]\b|\b5\d\d\b/.test(stderr + JSON.stringify(json ?? {}))
    ) {
      const why = json && json.message ? json.message : (stderr.match(/npm (?:warn|error) audit (.*)/) || [])[1] || "no answer"
      console.log(`unreachable ${why}`)
    } else {
      console.log("other")
    }
  ' "$report" "$errors"
)"

case "$verdict" in
audited*)
  # Human-readable report (npm prints nothing more than needed when there is nothing to report).
  npm audit --omit=dev --audit-level=high 2>/dev/null
  if [ "$status" -eq 0 ]; then
    echo "audit: OK, no high or critical advisory in production dependencies (${verdict#audited })"
    exit 0
  fi
  echo "audit: FAILED, high or critical advisories in production dependencies (${verdict#audited })" >&2
  exit 1
  ;;
unreachable*)
  cat >&2 <<EOF
audit: NOT CHECKED. The npm audit endpoint of ${registry} is unreachable from this machine:
  ${verdict#unreachable }
npm audit needs POST /-/npm/v1/security/advisories/bulk, which this registry or mirror does not
serve. Nothing was audited, so this is neither a pass nor a fail. Run scripts/audit.sh on a machine
that can reach https://registry.npmjs.org (or a registry that implements the audit API), e.g.
  npm_config_registry=https://registry.npmjs.org/ scripts/audit.sh
EOF
  exit 3
  ;;
*)
  echo "audit: npm audit failed (exit $status):" >&2
  cat "$errors" >&2
  head -c 2000 "$report" >&2
  exit 2
  ;;
esac
