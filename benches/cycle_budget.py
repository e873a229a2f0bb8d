#!/usr/bin/env python3
"""Where the instructions of the canonical workload's replication cycles go, by component.

Reads a callgrind profile taken with `--dump-instr=yes` of a release build with debug info,
maps every executed instruction of the engine loop (`sim::run`, `feed_cycle_tick`,
`feed_transfer_done`, where everything on a cycle's path is inlined) to its innermost
inlined function with `addr2line -i`, and sums by component. The standard library's
helpers (slice indexing and its bounds checks, `Vec` access, the binary heap) count for the
drsim function they are inlined into. Usage (docs/performance.md):

    CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release --target-dir /tmp/tdbg
    /tmp/tdbg/release/drsim gen canonical --vms 1000 --days 1 --sample-step 1d > /tmp/c.toml
    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=/tmp/cg.out \
      /tmp/tdbg/release/drsim run /tmp/c.toml --out /tmp/cg-o --force
    python3 benches/cycle_budget.py /tmp/cg.out /tmp/tdbg/release/drsim 1000 1
"""
import collections
import re
import subprocess
import sys

LOOP = ("sim::run", "feed_cycle_tick", "feed_transfer_done")
# First match wins, on the innermost function name of an instruction.
COMPONENTS = [
    ("event queue", r"engine::queue|engine::run"),
    ("fair link", r"model::link"),
    ("replication state machine", r"replication::"),
    ("RPO monitor, arrivals, interval statistics", r"stats::|record::Arrivals|IntervalStats"),
    ("disk write cursors", r"model::workload"),
    ("health judgement", r"health|refresh_health|judge_health|stale_check"),
]
WORLD = "world: event dispatch, actions, transfer starts and ends, byte books"


def instruction_costs(profile):
    """Instruction address -> Ir, for the functions of the engine loop (calls excluded)."""
    costs = collections.Counter()
    names, fn, last, npos, in_call = {}, None, 0, 1, False
    for line in open(profile):
        line = line.rstrip("\n")
        if not line:
            continue
        if line.startswith("positions:"):
            npos = len(line.split()) - 1
            continue
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("fn="):
                fn = names.get(m.group(1))
            continue
        if line.startswith(("cfi=", "cob=", "ob=", "fl=", "fi=", "fe=")):
            continue
        if line.startswith("calls="):
            in_call = True
            continue
        if line[0] in "0123456789+-*":
            fields = line.split()
            tok = fields[0]
            if tok[0] in "+-":
                delta = int(tok[1:], 16) if tok[1:].startswith("0x") else int(tok[1:])
                last += delta if tok[0] == "+" else -delta
            elif tok != "*":
                last = int(tok, 16)
            ir = int(fields[npos]) if len(fields) > npos else 0
            if in_call:
                in_call = False
                continue
            if fn and fn.endswith(LOOP):
                costs[last] += ir
    return costs


def inline_chains(binary, addresses):
    """Address -> [innermost function, its caller, ...] from addr2line -i."""
    out = subprocess.run(
        ["addr2line", "-a", "-i", "-f", "-C", "-e", binary] + [hex(a) for a in addresses],
        capture_output=True, text=True, check=True).stdout.split("\n")
    chains, current, lines = {}, None, []
    for line in out:
        if re.match(r"^0x[0-9a-f]+$", line):
            if current is not None:
                chains[current] = lines[0::2]
            current, lines = int(line, 16), []
        elif line:
            lines.append(line)
    if current is not None:
        chains[current] = lines[0::2]
    return chains


def component(functions):
    """The component of the innermost drsim frame (std's helpers count for their caller)."""
    for f in functions:
        if "drsim::" not in f:
            continue
        for name, pattern in COMPONENTS:
            if re.search(pattern, f):
                return name
        return WORLD
    return "outside drsim's code"


def main():
    profile, binary, vms, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    cycles = vms * days * 288  # 5-minute cycles of the canonical workload
    costs = instruction_costs(profile)
    chains = inline_chains(binary, sorted(costs))
    totals = collections.Counter()
    for address, ir in costs.items():
        totals[component(chains.get(address, []))] += ir
    total = sum(totals.values())
    print(f"{'per cycle':>9} {'share':>6}  component")
    for name, ir in totals.most_common():
        print(f"{ir / cycles:>9,.0f} {100 * ir / total:>5.1f}%  {name}")
    print(f"{total / cycles:>9,.0f} {100.0:>5.1f}%  the engine loop ({total:,} instructions,"
          f" {cycles:,} cycles)")


if __name__ == "__main__":
    main()
