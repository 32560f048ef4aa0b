#!/usr/bin/env python3
"""The structure of a crate's src/, measured from its own text: import cycles, long files, cfgs.

Usage: scripts/structure.py [SRC_DIR]        (default: src)
       scripts/structure.py --check          fails (exit 1) when an import cycle passes through a
                                             file outside the engine (client.rs, builder.rs,
                                             send.rs, auth.rs), or when docs/architecture.md
                                             does not name every file under src/ (unit-test
                                             files aside) or names one that does not exist

Reads every .rs file under SRC_DIR, maps it to its module path (src/a/b.rs and src/a/b/mod.rs
are `a::b`), and draws an edge from a file to each file whose module it names through `crate::`,
`super::` or `self::` paths (in `use` lines and in code; comments are skipped). Prints:

- the import cycles between files (strongly connected components of more than one file, by
  Tarjan's algorithm), except that a file's own child modules are not counted as a cycle with it
  (a `mod.rs` that re-exports its children, used by them through `super::`, is one module);
- the same between the top-level modules (src/x.rs and src/x/ taken as one), which is the
  layering docs/architecture.md describes;
- files over 500 lines, and the `#[cfg(` count of every file that has one.

Unit-test files (`tests.rs`) are counted but draw no edges: a test may import anything.
"""
import os
import re
import subprocess
import sys

check = "--check" in sys.argv[1:]
args = [a for a in sys.argv[1:] if a != "--check"]
src = args[0] if args else "src"

files = {}
for dirpath, _, names in os.walk(src):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            files[tuple(rel)] = p

mods = set(files)


def resolve(path):
    """The longest prefix of `path` that is a module of a file."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return ()


# Names the crate root re-exports (`pub use module::{A, B}`): `crate::A` is module's.
root_names = {}
root_file = files.get(())
if root_file:
    root_text = open(root_file, encoding="utf8").read()
    for m in re.finditer(r"pub use ([a-z_][a-z0-9_:]*)::\{([^}]*)\}|pub use ([a-z_][a-z0-9_:]*)::(\w+);", root_text):
        path, names = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        for n in re.split(r"[,\s]+", names):
            if n and n[0].isupper() or n in ("block_on",):
                root_names[n] = path.split("::")
    for m in re.finditer(r"pub fn (\w+)", root_text):
        pass

comment = re.compile(r"^\s*//")
path_re = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+|::\{)")
use_group = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)

edges = {m: set() for m in mods}
lines = {}
cfgs = {}
for mod, path in files.items():
    text = open(path, encoding="utf8").read()
    # A unit-test file (`tests.rs`) may import anything: its imports are not the layering.
    is_test = mod[-1:] == ("tests",)
    lines[mod] = text.count("\n")
    code = "\n".join(l for l in text.splitlines() if not comment.match(l))
    cfgs[mod] = len(re.findall(r"#\[cfg\(", code)) + len(re.findall(r"#!\[cfg\(", code))
    is_dir = os.path.basename(path) in ("mod.rs", "lib.rs", "main.rs")
    here = list(mod) if is_dir else list(mod[:-1])  # the module `self` names in a non-mod file is mod
    selfmod = list(mod)

    def base(kw):
        if kw == "crate":
            return []
        if kw == "self":
            return selfmod
        return list(selfmod[:-1])  # super

    targets = []
    for m in use_group.finditer(code):
        b = base(m.group(1)) + [s for s in m.group(2).split("::") if s]
        inner = m.group(3)
        for item in re.split(r",", re.sub(r"\{[^{}]*\}", lambda g: g.group(0).replace(",", " "), inner)):
            item = item.strip()
            if not item:
                continue
            first = re.split(r"[\s{]", item)[0]
            segs = [s for s in first.split("::") if s and s != "self" and s != "*"]
            targets.append(b + segs)
    for m in path_re.finditer(code):
        if m.group(2) == "::{":
            continue
        segs = [s for s in m.group(2).split("::") if s]
        kw = m.group(1)
        b = base(kw)
        while segs and segs[0] == "super":
            b = b[:-1]
            segs = segs[1:]
        targets.append(b + segs)
    for t in targets:
        if t and t[0] in root_names:
            t = root_names[t[0]] + t[1:]
        r = resolve(t)
        if r != mod and r != () and not is_test:
            edges[mod].add(r)
        elif r == () and t:
            pass


def is_ancestor(a, b):
    return len(a) < len(b) and b[: len(a)] == a


def sccs(nodes, edges):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


# File level: an edge between a module and its own descendant does not make a cycle.
file_edges = {m: {t for t in ts if not is_ancestor(m, t) and not is_ancestor(t, m)} for m, ts in edges.items()}
name = lambda m: files[m]
file_cycles = sccs(mods, file_edges)
print(f"files: {len(mods)}, lines: {sum(lines.values())}")
print(f"import cycles between files: {len(file_cycles)}, {sum(len(c) for c in file_cycles)} files in them")
for c in file_cycles:
    print(f"  {len(c)} files: " + ", ".join(name(m) for m in c))

top = lambda m: m[:1]
top_edges = {}
for m, ts in edges.items():
    for t in ts:
        if top(m) and top(t) and top(m) != top(t):
            top_edges.setdefault(top(m), set()).add(top(t))
top_cycles = sccs({top(m) for m in mods if m}, top_edges)
print(f"import cycles between top-level modules: {len(top_cycles)}")
for c in top_cycles:
    print("  " + ", ".join("::".join(m) for m in c))

long = sorted(((lines[m], name(m)) for m in mods if lines[m] > 500), reverse=True)
print(f"files over 500 lines: {len(long)}")
for n, p in long:
    print(f"  {n:5d} {p}")
with_cfg = sorted(((cfgs[m], name(m)) for m in mods if cfgs[m]), reverse=True)
print(f"#[cfg( in {len(with_cfg)} files, {sum(n for n, _ in with_cfg)} in all:")
for n, p in with_cfg:
    print(f"  {n:4d} {p}")

if check:
    engine = {("client",), ("builder",), ("send",), ("auth",)}
    problems = []
    for c in file_cycles:
        outside = [name(m) for m in c if m not in engine]
        if outside:
            problems.append("an import cycle passes through " + ", ".join(outside))
    doc = open("docs/architecture.md", encoding="utf8").read()
    named = set(re.findall(r"`((?:[a-z0-9_]+/)*[a-z0-9_]+\.rs)`", doc))
    for m, p in sorted(files.items()):
        rel = os.path.relpath(p, src)
        if m[-1:] == ("tests",):
            continue
        if rel not in named:
            problems.append(f"docs/architecture.md does not name src/{rel}")
    # Bare names (`mod.rs`, `args.rs`) may name a file anywhere in the repository.
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True).stdout.split()
    basenames = {os.path.basename(p) for p in list(files.values()) + tracked}
    for rel in sorted(named):
        # A path is under src/ (or the repository); a bare name (`mod.rs`) is some file's name.
        exists = os.path.exists(os.path.join(src, rel)) or os.path.exists(rel)
        if not exists and ("/" in rel or rel not in basenames):
            problems.append(f"docs/architecture.md names {rel}, which does not exist")
    if problems:
        print("\n".join("FAILED: " + p for p in problems), file=sys.stderr)
        sys.exit(1)
    print("ok: no import cycle outside the engine; docs/architecture.md names every file of src/")
    sys.exit(0)
