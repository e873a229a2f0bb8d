#!/usr/bin/env python3
"""Writes the two example churn imports of scenarios/measured-churn.toml, deterministically
(a fixed linear congruential generator, no library randomness):

- hv-host01-perfmon.csv: what `typeperf "\\Hyper-V Virtual Storage Device(*)\\Write Bytes/sec"
  -si 300 -sc 289 -f CSV` writes on a Hyper-V host over a day (PDH-CSV 4.0, month/day/year
  time stamps with the few milliseconds of drift typeperf shows, the first row blank: a rate
  counter needs two raw samples);
- hv-host02-disk-bytes.csv: time,vm,disk,bytes: the bytes each disk wrote in the 5 minutes
  ending at `time`, as a script that differences a cumulative counter writes it.

Run from the repository root: python3 scenarios/traces/make-measured.py
"""
import datetime
import os

HERE = os.path.dirname(os.path.abspath(__file__))
START = datetime.datetime(2026, 11, 23, 8, 0, 0)  # Monday, the scenario's start
STEP = 300  # seconds
SAMPLES = 289  # a day of 5-minute intervals, plus the first time stamp


class Lcg:
    def __init__(self, seed):
        self.x = seed

    def unit(self):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.x >> 11) / 2**53


def shape(kind, t, rng):
    """Write rate in bytes per second for the interval ending at t."""
    hour = (t - datetime.timedelta(seconds=STEP)).hour
    office = 8 <= hour < 18
    noise = 0.7 + 0.6 * rng.unit()
    if kind == "os":
        return (45_000 if office else 18_000) * noise
    if kind == "sql-data":
        if hour == 1:  # the nightly ETL load
            return 22_000_000 * noise
        return (3_500_000 if office else 900_000) * noise
    if kind == "sql-log":
        return (1_100_000 if office else 250_000) * noise
    if kind == "web":
        return (160_000 if office else 40_000) * noise
    if kind == "file-data":
        return (1_400_000 if office else 60_000) * noise
    if kind == "app-data":
        return (700_000 if office else 120_000) * noise
    raise ValueError(kind)


def perfmon():
    disks = [
        ("sql-01", "sql-01_os.vhdx", "os"),
        ("sql-01", "sql-01_data.vhdx", "sql-data"),
        ("sql-01", "sql-01_log.vhdx", "sql-log"),
        ("web-01", "web-01.vhdx", "web"),
        ("web-02", "web-02.vhdx", "web"),
        ("file-01", "file-01_os.vhdx", "os"),
        ("file-01", "file-01_data.vhdx", "file-data"),
    ]
    header = ['(PDH-CSV 4.0) (W. Europe Standard Time)(-60)'] + [
        "\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-Hyper-V-%s-%s)\\Write Bytes/sec"
        % (vm, vhd)
        for vm, vhd, _ in disks
    ]
    rngs = [Lcg(1000 + i) for i in range(len(disks))]
    drift = Lcg(7)
    lines = [",".join('"%s"' % h for h in header)]
    for k in range(SAMPLES):
        t = START + datetime.timedelta(seconds=k * STEP)
        ms = 0 if k == 0 else int(drift.unit() * 40)
        stamp = t.strftime("%m/%d/%Y %H:%M:%S") + ".%03d" % ms
        if k == 0:
            values = [" "] * len(disks)
        else:
            values = ["%.6f" % shape(kind, t, rng) for (_, _, kind), rng in zip(disks, rngs)]
        lines.append(",".join('"%s"' % c for c in [stamp] + values))
    with open(os.path.join(HERE, "hv-host01-perfmon.csv"), "w", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def disk_bytes():
    series = [("app-01", "0", "os"), ("app-01", "1", "app-data"),
              ("app-02", "0", "os"), ("app-02", "1", "app-data")]
    rngs = [Lcg(2000 + i) for i in range(len(series))]
    lines = ["time,vm,disk,bytes"]
    for k in range(SAMPLES):
        t = START + datetime.timedelta(seconds=k * STEP)
        for (vm, disk, kind), rng in zip(series, rngs):
            b = 0 if k == 0 else int(shape(kind, t, rng) * STEP)
            lines.append("%s,%s,%s,%d" % (t.strftime("%Y-%m-%dT%H:%M:%S"), vm, disk, b))
    with open(os.path.join(HERE, "hv-host02-disk-bytes.csv"), "w", newline="") as f:
        f.write("\n".join(lines) + "\n")


perfmon()
disk_bytes()
