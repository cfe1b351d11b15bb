#!/usr/bin/env bash
# Runs the cluster-mode tests against a one-node SLURM on localhost: starts it (the packages must
# be installed: `bash .ci/slurm.sh install`, as .ci/run does), runs the tests, stops what it started.
set -uo pipefail
cd "$(dirname "$0")/.."
export SLURM_CONF=${SLURM_DIR:-/tmp/ddmvpa-slurm}/slurm.conf
started=0
if ! sinfo -h >/dev/null 2>&1; then
  command -v slurmctld >/dev/null || { echo "SLURM is not installed: run 'bash .ci/slurm.sh install' (Debian: slurmctld slurmd slurm-client munge)" >&2; exit 1; }
  bash .ci/slurm.sh start || exit 1
  started=1
fi
npx vitest run --config vitest.slurm.config.ts
rc=$?
[ $started = 1 ] && bash .ci/slurm.sh stop
exit $rc
