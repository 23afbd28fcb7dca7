"""Every lotscan module imports on its own, whichever is imported first: an import cycle that
only breaks when one module of it comes first broke `lotscan central import` (its first import
was central/operators.py -> trace/audit_operators.py -> decisions -> audit -> audit_verify ->
audit_operators, half initialised). One fresh interpreter; lotscan's modules dropped between
imports, the third-party ones kept."""

from __future__ import annotations

import subprocess
import sys

_EACH_FIRST = """
import importlib, pkgutil, sys
import lotscan
names = sorted(
    m.name for m in pkgutil.walk_packages(lotscan.__path__, "lotscan.")
    if not m.name.endswith(("__main__", "migrations.env"))  # these run when imported
)
failed = []
for name in names:
    for loaded in [n for n in sys.modules if n == "lotscan" or n.startswith("lotscan.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_when_it_is_the_first_one_imported() -> None:
    done = subprocess.run([sys.executable, "-c", _EACH_FIRST], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    count, *failed = done.stdout.strip().split("\n")
    assert int(count) > 200
    assert [line for line in failed if line] == []
