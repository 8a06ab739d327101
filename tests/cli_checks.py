"""Checks shared by the command-line tests (imported by name: pytest puts tests/ on the path)."""

from __future__ import annotations

from simulations.cli import main


def refused(capsys, argv: list[str]) -> tuple[str, str]:
    """Run ``labelwise argv`` and check it was refused as the CLI refuses bad input: exit 2, nothing on stdout, one
    ``error:`` line first and exactly one ``hint:`` line; returns (error line, hint line)."""
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    lines = cap.err.splitlines()
    assert lines[0].startswith("error: ")
    hint = [ln for ln in lines if ln.startswith("hint: ")]
    assert len(hint) == 1
    return lines[0], hint[0]
