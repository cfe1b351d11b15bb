#!/usr/bin/env bash
# A one-node SLURM cluster on localhost for the cluster-mode integration test (issue 6).
#   bash .ci/slurm.sh install   Debian's slurmctld, slurmd, slurm-client, munge (if missing)
#   bash .ci/slurm.sh start     munged → slurmctld → slurmd (state under $SLURM_DIR); waits until the node is idle
#   bash .ci/slurm.sh stop      stops the daemons it started, in reverse order (by their PID files)
# Facts from STACK.md: no systemd here; batch_sched_delay=0 and kill_invalid_depend are needed.
set -euo pipefail
SLURM_DIR=${SLURM_DIR:-/tmp/ddmvpa-slurm}
CONF=$SLURM_DIR/slurm.conf
export SLURM_CONF=$CONF

install_slurm() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then return; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
}

start_slurm() {
  mkdir -p "$SLURM_DIR"/{state,spool,log}
  local host; host=$(hostname -s)
  # munge: a key and a socket dir owned by the munge user
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
  if ! pgrep -x munged >/dev/null; then
    su -s /bin/sh munge -c "munged --pid-file=/run/munge/munged.pid" 2>/dev/null || munged --force
  fi
  local node; node=$(slurmd -C | head -1 | sed 's/UpTime=.*//')
  cat > "$CONF" <<CONF
ClusterName=ddmvpa
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
MinJobAge=600
ReturnToService=2
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -f "$CONF"
  slurmd -f "$CONF"
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then echo "slurm: node up ($CONF)"; return; fi
    sleep 1
  done
  echo "slurm: the node did not come up; logs in $SLURM_DIR/log" >&2
  tail -20 "$SLURM_DIR"/log/*.log >&2 || true
  return 1
}

stop_slurm() {
  for d in slurmd slurmctld; do
    local pidf=$SLURM_DIR/$d.pid
    if [ -s "$pidf" ]; then kill "$(cat "$pidf")" 2>/dev/null || true; fi
  done
  sleep 1
  if [ -s /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
}

case "${1:-}" in install) install_slurm ;; start) start_slurm ;; stop) stop_slurm ;; *) echo "usage: slurm.sh install|start|stop" >&2; exit 2 ;; esac
