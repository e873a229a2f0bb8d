#!/usr/bin/env bash
# Side-by-side benchmark of drsim and the SimPy peer on the canonical workload
# (shared/bench/README.md). Usage: bash benches/canonical.sh [--no-simpy] [--repeat N]
#
# For N = 1,000 x 7 days, 10,000 x 30 days and 100,000 x 1 day it prints drsim's events,
# wall time, events/s, simulated seconds per wall second and peak memory (full monitoring:
# RPO statistics, link use, a 1-day time-series step, all files written). Then the SimPy
# peer (callback link) on N = 1,000 x 7 days, the size it finishes in seconds, each of its
# runs between two drsim runs of the same work, and the ratio of their times; it installs
# simpy==4.1.2 into ../simpy-venv on first use (PyPI).
#
# The machine is shared and noisy (the same binary's time varies by tens of percent from one
# minute to the next): `--repeat N` runs every case N times and prints the fastest and the
# median run. Nothing here is asserted: figures are recorded in docs/performance.md.
set -euo pipefail
simpy=yes
repeat=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-simpy) simpy=no ;;
    --repeat) repeat=${2:?--repeat needs a count}; shift ;;
    *) echo "usage: bash benches/canonical.sh [--no-simpy] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/drsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_drsim SCENARIO: one timed run; prints "wall_s peak_kB events simulate_s" (wall_s: the
# whole process; simulate_s: drsim's own timer around the simulation, the share that compares
# with the peer's `wall_s`, which times its simulation only).
run_drsim() {
  # Outside the timed command: replacing the previous case's folder (100,000 VMs' files) took
  # half a second of the next run's time.
  rm -rf "$tmp/out"
  /usr/bin/time -f "%e %M" -o "$tmp/time" $bin run "$1" --out "$tmp/out" --force --json \
    --timing > "$tmp/summary.json" 2> "$tmp/timing"
  read -r wall kb < "$tmp/time"
  events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events_processed'])" "$tmp/summary.json")
  simulate=$(sed -n 's/.*simulate \([0-9.]*\) s.*/\1/p' "$tmp/timing")
  echo "$wall $kb $events $simulate"
}

printf '%-16s %12s %13s %13s %12s %14s %8s\n' "drsim canonical" events "fastest_s" "median_s" events/s sim_s/wall_s peak_MB
for case in "1000 7" "10000 30" "100000 1"; do
  read -r n days <<< "$case"
  $bin gen canonical --vms "$n" --days "$days" --sample-step 1d > "$tmp/s.toml"
  : > "$tmp/runs"
  for _ in $(seq "$repeat"); do run_drsim "$tmp/s.toml" >> "$tmp/runs"; done
  python3 - "$n" "$days" "$tmp/runs" <<'PY'
import statistics, sys
n, days = int(sys.argv[1]), int(sys.argv[2])
runs = [line.split() for line in open(sys.argv[3])]
walls = sorted(max(float(r[0]), 0.01) for r in runs)
kb, events = max(int(r[1]) for r in runs), int(runs[0][2])
fastest, median = walls[0], statistics.median(walls)
print(f"{f'N={n:,} x {days}d':<16} {events:>12,} {fastest:>13.2f} {median:>13.2f} "
      f"{events / fastest:>12,.0f} {days * 86400 / fastest:>14,.0f} {kb / 1024:>8.1f}")
PY
done

if [ "$simpy" = yes ]; then
  venv=../simpy-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet simpy==4.1.2
  fi
  echo "SimPy peer (callback link) and drsim, N=1,000 x 7d, alternated (drsim, SimPy, drsim):"
  $bin gen canonical --vms 1000 --days 7 --sample-step 1d > "$tmp/s.toml"
  echo "(ratio: the peer's wall_s over drsim's whole process; sim_ratio: over drsim's own"
  echo " simulation timer, the like-for-like figure: the peer's wall_s excludes its start-up)"
  printf '%8s %10s %8s %8s %10s\n' drsim_s simpy_s drsim_s ratio sim_ratio
  for _ in $(seq "$repeat"); do
    read -r before _ _ sim_before < <(run_drsim "$tmp/s.toml")
    peer=$("$venv/bin/python" ../shared/bench/simpy_peer.py 1000 7 --link callback)
    read -r after _ _ sim_after < <(run_drsim "$tmp/s.toml")
    python3 - "$before" "$after" "$sim_before" "$sim_after" "$peer" <<'PY'
import json, sys
before, after, sim_before, sim_after = map(float, sys.argv[1:5])
peer = json.loads(sys.argv[5])
drsim = max((before + after) / 2, 0.01)
sim = max((sim_before + sim_after) / 2, 0.001)
print(f"{before:>8.2f} {peer['wall_s']:>10.2f} {after:>8.2f} {peer['wall_s'] / drsim:>7.0f}x"
      f" {peer['wall_s'] / sim:>9.0f}x")
PY
  done
fi
