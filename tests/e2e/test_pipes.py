"""A reader that goes away (`konkurs status … | head`) ends the command as a shell expects."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.e2e.conftest import REPO, SLUG, Cli, Contests


def test_a_closed_pipe_ends_a_table_command_with_141_and_no_traceback(
    cli: Cli, contests: Contests
) -> None:
    contests.collecting()
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        done = subprocess.run([sys.executable, "-m", "konkurs", "status", SLUG], cwd=REPO,
                              env=cli.env, stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=60, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr
