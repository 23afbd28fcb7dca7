"""Command mistakes in the line-by-line station (`lotscan demo --headless`) are answered as the
commands are since U12, plainly and with what to do next, never with a verdict word: the last
tester found `/override` mistakes, `/short` with no pick list, `/confirm` with nothing to confirm
and `/mode hold` by an operator still answered REJECTED, though no scan was judged."""

from __future__ import annotations

from tests.integration.cli.test_tester_hfixB import events_recorded, lotscan

VERDICT_WORDS = ("REJECTED", "ACCEPTED", "WARNING", "NOT RECORDED")


def test_command_mistakes_are_answered_plainly_with_what_to_do_next() -> None:
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    typed = [
        "/override BOGUS",
        "/override SUPERVISOR_APPROVED 9001",
        "/short",
        "/confirm",
        "/mode hold",
        "/harvest harvest_date 13/01/2026",
        "PL:PL-4001",
        "/short",
    ]
    out = lotscan("demo", "--headless", stdin="OP:1003\n" + "\n".join(typed) + "\n").output
    said = [line for line in out.splitlines() if line.startswith(">")]
    answers = dict(zip(typed, said[1:], strict=False))
    assert len(said) >= len(typed) + 1, said
    for command, answer in zip(typed, said[1:], strict=False):
        assert answer.startswith(">  · "), (command, answer)
        assert not any(word in answer for word in VERDICT_WORDS), (command, answer)
    assert "'BOGUS' is not an override reason" in answers["/override BOGUS"]
    assert "one of SUPERVISOR_APPROVED" in answers["/override BOGUS"]
    assert "scanning their badge" in answers["/override SUPERVISOR_APPROVED 9001"]
    assert "Scan the pick list (PL:...) first" in said[3]
    assert "Nothing to confirm" in answers["/confirm"] and "Scan the label" in answers["/confirm"]
    assert "Mode unchanged (lookup)" in answers["/mode hold"]
    assert "Carla Picker is not a supervisor" in answers["/mode hold"]
    assert "'13/01/2026' is not a date: type it as YYYY-MM-DD" in said[6], said[6]
    assert "Line 1 not closed short: give the reason first (/reason TEXT" in said[8], said[8]
    assert events_recorded("pick.short") == 0
