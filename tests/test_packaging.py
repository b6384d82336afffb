"""The first run builds crisisbot without a warning: the build backend, run the way pip runs it
(metadata, then the editable wheel `scripts/_venv` installs), with every warning an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_build_backend_warns_about_nothing(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from setuptools import build_meta as backend\n"
        "out = sys.argv[1]  # the backend rewrites sys.argv\n"
        "backend.prepare_metadata_for_build_wheel(out)\n"
        "backend.build_editable(out)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    # A deprecated `project.license` table or the editable-finder notice raises here.
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(tmp_path.glob("crisisbot-*.editable-*.whl"))
    metadata = (tmp_path / "crisisbot-0.1.0.dist-info" / "METADATA").read_text()
    assert "License-Expression: MIT" in metadata
