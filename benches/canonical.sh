#!/usr/bin/env bash
# Side-by-side benchmark of drsim and the SimPy peer on the canonical workload
# (shared/bench/README.md). Usage: bash benches/canonical.sh [--no-simpy]
#
# For N = 1,000 x 7 days, 10,000 x 30 days and 100,000 x 1 day it prints drsim's events,
# wall time, events/s, simulated seconds per wall second and peak memory (full monitoring:
# RPO statistics, link use, a 1-day time-series step, all files written). Then the SimPy
# peer (callback link) on N = 1,000 x 7 days, the size it finishes in seconds; it installs
# simpy==4.1.2 into ../simpy-venv on first use (PyPI). Nothing here is asserted: figures are
# recorded in docs/performance.md.
set -euo pipefail
# Read before the loop below: its `set --` replaces the positional parameters.
no_simpy=${1:-}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/drsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-22s %12s %9s %12s %14s %10s\n' "drsim canonical" events wall_s events/s sim_s/wall_s peak_MB
for case in "1000 7" "10000 30" "100000 1"; do
  set -- $case
  $bin gen canonical --vms "$1" --days "$2" --sample-step 1d > "$tmp/s.toml"
  /usr/bin/time -f "%e %M" -o "$tmp/time" $bin run "$tmp/s.toml" --out "$tmp/out" --force --json > "$tmp/summary.json"
  read -r wall kb < "$tmp/time"
  events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events_processed'])" "$tmp/summary.json")
  python3 - "$1" "$2" "$events" "$wall" "$kb" <<'PY'
import sys
n, days, events, wall, kb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
wall = max(wall, 0.01)
print(f"{f'N={n:,} x {days}d':<22} {events:>12,} {wall:>9.2f} {events / wall:>12,.0f} {days * 86400 / wall:>14,.0f} {kb / 1024:>10.1f}")
PY
done

if [ "$no_simpy" != "--no-simpy" ]; then
  venv=../simpy-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install --quiet simpy==4.1.2
  fi
  echo "SimPy peer (callback link), N=1,000 x 7d:"
  "$venv/bin/python" ../shared/bench/simpy_peer.py 1000 7 --link callback
fi
