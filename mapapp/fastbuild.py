"""Build the compiled geoparser (``mapapp/_fastparse.c``) next to its source: ``python -m mapapp.fastbuild``.

``make run`` and ``make test`` run this. It needs a C compiler and Python's headers (both on a machine that can
install packages that compile); without them it says so and exits 0, and ``mapapp.geoparse`` runs its Python code,
which gives the same answers, a few times slower. ``--check`` exits 1 instead when the module cannot be built.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().with_name("_fastparse.c")


def source_hash() -> str:
    """What the module built from the current source reports as its ``SOURCE_HASH``."""
    return hashlib.sha1(SOURCE.read_bytes()).hexdigest()


def built_hash() -> str | None:
    """The ``SOURCE_HASH`` of the module as built, or None when there is none (or it does not load)."""
    try:
        from mapapp import _fastparse
    except ImportError:
        return None
    return getattr(_fastparse, "SOURCE_HASH", None)


def target() -> Path:
    return SOURCE.with_name("_fastparse" + sysconfig.get_config_var("EXT_SUFFIX"))


def build(force: bool = False) -> tuple[bool, str]:
    """(built or already up to date, what happened)."""
    out = target()
    if not force and built_hash() == source_hash():
        return True, f"{out.name} is up to date"
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    if not compiler or not shutil.which(compiler[0]):
        return False, f"no C compiler ({compiler[0] if compiler else 'cc'}) found"
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").exists():
        return False, f"Python's headers are not installed (no {include}/Python.h)"
    # No -ffast-math, and no fused multiply-adds: the scores must come out bit for bit as numpy's.
    flags = ["-O2", "-fPIC", "-shared", "-std=c99", "-ffp-contract=off", "-fno-strict-aliasing", "-Wall"]
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp, out.name)
        command = [*compiler, *flags, f'-DSOURCE_HASH="{source_hash()}"', f"-I{include}", str(SOURCE), "-o",
                   str(built), "-lm"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return False, "the compiler failed:\n" + (result.stderr or result.stdout).strip()[-2000:]
        shutil.move(str(built), out)  # whole or not at all: a running process keeps its old copy
    return True, f"built {out.relative_to(SOURCE.parents[1])}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mapapp.fastbuild", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--check", action="store_true", help="exit 1 when the module cannot be built")
    args = parser.parse_args(argv)
    ok, message = build(force=args.force)
    if ok:
        print(f"compiled geoparser: {message}")
        return 0
    print(f"warning: compiled geoparser not built ({message}); geoparsing will use the slower Python code",
          file=sys.stderr)
    return 1 if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
