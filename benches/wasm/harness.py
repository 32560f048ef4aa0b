#!/usr/bin/env python3
"""Helpers of scripts/bench-wasm.sh (stdlib only).

  harness.py sizes NAME=PATH...            Markdown size table: raw and gzip -9 bytes
  harness.py time ROUNDS BASELINE EXPECT NAME=COMMAND...
                                           alternating rounds of each command; every run's
                                           stdout must be EXPECT; medians, spread, ratio
  harness.py swap-core COMPONENT CORE OUT  a component with its (single) core module replaced
  harness.py core COMPONENT OUT            the component's core module, alone
  harness.py top WASM [N]                  the N largest functions and data of a core module
                                           with a name section (built without strip)
"""

import gzip
import resource
import shlex
import statistics
import subprocess
import sys
import time


def gz(data):
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def sizes(pairs):
    print("| program | bytes | gzip -9 bytes |")
    print("|---|---:|---:|")
    for pair in pairs:
        name, path = pair.split("=", 1)
        data = open(path, "rb").read()
        print(f"| {name} | {len(data):,} | {gz(data):,} |")


def time_rounds(rounds, baseline, expect, pairs):
    cmds = [(p.split("=", 1)[0], shlex.split(p.split("=", 1)[1])) for p in pairs]
    wall = {name: [] for name, _ in cmds}
    cpu = {name: [] for name, _ in cmds}
    for r in range(rounds + 1):  # round 0 warms the caches and is not counted
        # Rotate the order each round, so no program always runs first or after the same one.
        order = cmds[r % len(cmds):] + cmds[: r % len(cmds)]
        for name, argv in order:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            p = subprocess.run(argv, capture_output=True, text=True)
            dt = (time.perf_counter() - t0) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
            out = p.stdout.strip()
            if p.returncode != 0 or out != expect:
                sys.exit(
                    f"{name}: exit {p.returncode}, printed {out!r} (expected {expect!r})\n"
                    f"{p.stderr.strip()}"
                )
            if r > 0:
                wall[name].append(dt)
                cpu[name].append(used)
        print(f"round {r}/{rounds} done", file=sys.stderr)

    def paired(series, name):
        # The ratio to the baseline's run of the same round: steadier than the ratio of the
        # medians when the machine's speed drifts.
        ratios = sorted(a / b for a, b in zip(series[name], series[baseline]))
        return statistics.median(ratios), ratios[0], ratios[-1]

    print(
        f"| program | wall ms, median (min–max) | wall vs {baseline}, paired median (min–max) "
        f"| CPU ms, median | CPU vs {baseline}, paired median (min–max) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, _ in cmds:
        w, c = wall[name], cpu[name]
        rw, rc = paired(wall, name), paired(cpu, name)
        print(
            f"| {name} | {statistics.median(w):.0f} ({min(w):.0f}–{max(w):.0f}) "
            f"| {rw[0]:.3f} ({rw[1]:.2f}–{rw[2]:.2f}) | {statistics.median(c):.0f} "
            f"| {rc[0]:.3f} ({rc[1]:.2f}–{rc[2]:.2f}) |"
        )


# --- the binary format, as much as the helpers need ---------------------------------------


def leb(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def enc_leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sections(data):
    i = 8
    while i < len(data):
        sid = data[i]
        size, j = leb(data, i + 1)
        yield sid, i, j, j + size
        i = j + size


def core_modules(component):
    """(start, end) of each core module section payload, outermost only."""
    return [(j, end) for sid, _, j, end in sections(component) if sid == 1]


def core(component, out):
    mods = core_modules(component)
    # The largest core module is the program (the others are wit-component's small shims).
    j, end = max(mods, key=lambda m: m[1] - m[0])
    open(out, "wb").write(component[j:end])


def swap_core(component, new_core, out):
    mods = core_modules(component)
    j, end = max(mods, key=lambda m: m[1] - m[0])
    # Find the section header that starts this payload.
    for sid, start, jj, ee in sections(component):
        if jj == j:
            break
    data = component[:start] + bytes([1]) + enc_leb(len(new_core)) + new_core + component[end:]
    open(out, "wb").write(data)


def top(path, n):
    data = open(path, "rb").read()
    imported = 0
    bodies = []
    names = {}
    data_segs = []
    for sid, _, j, end in sections(data):
        if sid == 2:  # imports: count imported functions (they come first in the index space)
            count, i = leb(data, j)
            for _ in range(count):
                for _ in range(2):
                    ln, i = leb(data, i)
                    i += ln
                kind = data[i]
                i += 1
                if kind == 0:
                    _, i = leb(data, i)
                    imported += 1
                elif kind == 1:
                    i += 1
                    flags, i = leb(data, i)
                    _, i = leb(data, i)
                    if flags & 1:
                        _, i = leb(data, i)
                elif kind == 2:
                    flags, i = leb(data, i)
                    _, i = leb(data, i)
                    if flags & 1:
                        _, i = leb(data, i)
                elif kind == 3:
                    i += 2
        elif sid == 10:
            count, i = leb(data, j)
            for k in range(count):
                size, b = leb(data, i)
                bodies.append((imported + k, b + size - i))
                i = b + size
        elif sid == 11:
            count, i = leb(data, j)
            data_segs.append(("<data section>", end - j))
        elif sid == 0:
            ln, i = leb(data, j)
            name = data[i : i + ln].decode()
            i += ln
            if name != "name":
                continue
            while i < end:
                sub = data[i]
                size, k = leb(data, i + 1)
                if sub == 1:
                    count, m = leb(data, k)
                    for _ in range(count):
                        idx, m = leb(data, m)
                        ln, m = leb(data, m)
                        names[idx] = data[m : m + ln].decode(errors="replace")
                        m += ln
                i = k + size
    total = sum(s for _, s in bodies)
    print(f"code: {total:,} B in {len(bodies)} functions; " + ", ".join(f"{a}: {b:,} B" for a, b in data_segs))
    for idx, size in sorted(bodies, key=lambda b: -b[1])[:n]:
        print(f"{size:8,}  {names.get(idx, f'func[{idx}]')}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sizes":
        sizes(args)
    elif cmd == "time":
        time_rounds(int(args[0]), args[1], args[2], args[3:])
    elif cmd == "core":
        core(open(args[0], "rb").read(), args[1])
    elif cmd == "swap-core":
        swap_core(open(args[0], "rb").read(), open(args[1], "rb").read(), args[2])
    elif cmd == "top":
        top(args[0], int(args[1]) if len(args) > 1 else 40)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
