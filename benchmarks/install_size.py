"""Installed size of the arena wheel in a fresh venv, with and without the `eval` extra (a
benchmark, not a test: the target is a runtime install under 150 MB).

Builds the wheel (`uv build --wheel`), then per variant makes a new venv with the Python running
this script and installs into it with `uv pip install --link-mode=copy` (files copied out of uv's
cache, so the venv holds real bytes). Size = `du -sk` of the venv's site-packages (disk usage, the
same figure `du` prints) and the sum of file sizes beside it; no bytecode unless --compile (pip
compiles .pyc on install by default, uv does not). `--exclude NAME` drops a requirement of the
wheel: the wheel goes in with --no-deps and its Requires-Dist less NAME are installed by
themselves, which is what a pyproject without NAME would pull. Prints one line per variant and
the largest top-level entries of site-packages.

    uv run python benchmarks/install_size.py [--exclude plotly] [--compile] [--top 8]
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# uv as the Makefile runs it (`python3 -m uv`) unless a `uv` is on PATH
UV = [found] if (found := shutil.which("uv")) else ["python3", "-m", "uv"]
MB = 1e6


def run(cmd: list[str], cwd: Path | None = None) -> str:
    """Run a command, stop with its stderr when it fails."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def build_wheel(out: Path) -> Path:
    """The project's wheel, built fresh."""
    run([*UV, "build", "--wheel", "--out-dir", str(out)], cwd=REPO)
    return next(out.glob("arena-*.whl"))


def requirements(wheel: Path, extras: tuple[str, ...]) -> list[str]:
    """The wheel's Requires-Dist for the given extras, markers of other extras dropped."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(name).decode("utf-8"))
    out = []
    for req in meta.get_all("Requires-Dist") or []:
        spec, _, marker = req.partition(";")
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if extra is None or extra.group(1) in extras:
            out.append(spec.strip() if extra else req.strip())
    return out


def dist_name(req: str) -> str:
    """The normalised distribution name of a requirement string."""
    m = re.match(r"[A-Za-z0-9._-]+", req)
    return re.sub(r"[-_.]+", "-", m.group(0)).lower() if m else req


def site_packages(venv: Path) -> Path:
    """The venv's site-packages directory."""
    return next((venv / "lib").glob("python*/site-packages"))


def du_kb(path: Path) -> int:
    """`du -sk`: disk usage in KiB."""
    return int(run(["du", "-sk", str(path)]).split()[0])


def apparent(path: Path) -> int:
    """Sum of file sizes in bytes."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = Path(root, f)
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def install(
    wheel: Path, venv: Path, extras: tuple[str, ...], exclude: set[str], compile_: bool
) -> Path:
    """A fresh venv holding the wheel (with extras) less the excluded requirements."""
    run([*UV, "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = str(venv / "bin" / "python")
    base = [*UV, "pip", "install", "--quiet", "--python", python, "--link-mode=copy"]
    if compile_:
        base.append("--compile-bytecode")
    target = f"{wheel}[{','.join(extras)}]" if extras else str(wheel)
    if not exclude:
        run([*base, target])
    else:
        reqs = [r for r in requirements(wheel, extras) if dist_name(r) not in exclude]
        run([*base, "--no-deps", str(wheel)])
        run([*base, *reqs])
    return site_packages(venv)


def largest(sp: Path, top: int) -> list[tuple[str, int]]:
    """The biggest top-level entries of site-packages by disk usage (KiB)."""
    sizes = [(p.name, du_kb(p)) for p in sp.iterdir() if not p.name.endswith(".dist-info")]
    return sorted(sizes, key=lambda x: -x[1])[:top]


def main() -> None:
    """Build, install each variant, print sizes side by side."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exclude", action="append", default=[], help="requirement to leave out")
    ap.add_argument("--compile", action="store_true", help="compile .pyc as pip does")
    ap.add_argument("--top", type=int, default=8, help="largest packages to list")
    args = ap.parse_args()
    exclude = {dist_name(x) for x in args.exclude}
    with tempfile.TemporaryDirectory(prefix="arena-size-") as tmp:
        wheel = build_wheel(Path(tmp) / "dist")
        print(f"wheel {wheel.name}: {wheel.stat().st_size / MB:.2f} MB")
        print(f"python {sys.version.split()[0]}; bytecode {'yes' if args.compile else 'no'}")
        variants = [("runtime", ()), ("runtime + eval", ("eval",))]
        excluded = [(f"{n} without {', '.join(sorted(exclude))}", e, exclude) for n, e in variants]
        rows = [(n, e, set[str]()) for n, e in variants] + (excluded if exclude else [])
        for i, (name, extras, drop) in enumerate(rows):
            sp = install(wheel, Path(tmp) / f"venv{i}", extras, drop, args.compile)
            kb, size = du_kb(sp), apparent(sp)
            print(f"{name:40} du {kb / 1000:7.1f} MB  files {size / MB:7.1f} MB")
            print(
                "    largest: " + ", ".join(f"{n} {k / 1000:.1f}" for n, k in largest(sp, args.top))
            )


if __name__ == "__main__":
    main()
