"""lotscan.codes stays pure: importing and using it loads no UI toolkit and no database."""

from __future__ import annotations

import subprocess
import sys


def test_codes_import_loads_no_textual_and_no_sqlalchemy() -> None:
    program = (
        "import sys\n"
        "from lotscan.codes.interpret import interpret_text\n"
        "import lotscan.codes.conformance, lotscan.codes.explain\n"
        "interpret_text('\\x5dC10109521234543213\\x1d10ABC\\x1d422528')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy', 'httpx'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
