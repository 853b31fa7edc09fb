"""evals.faults judges what the customer read against what the platform shows."""

from __future__ import annotations

from evals.faults import CASES, judge, run_case
from evals.replica_restart import Restart


def test_a_claim_without_a_refund_is_a_false_confirmation() -> None:
    out = judge(
        "c", ["Done: your refund of $5.00 has been approved (refund REF-1234567)."], 1, 0, True
    )
    assert out.false_confirmation and not out.false_denial and not out.double_write


def test_a_denial_with_a_refund_is_a_false_denial() -> None:
    out = judge(
        "c", ["The refund did not go through: the order system shows nothing new."], 1, 1, False
    )
    assert out.false_denial and not out.false_confirmation


def test_being_processed_without_a_later_notification_is_unresolved() -> None:
    said = ["Your refund request for order ORD-1000001 is still being processed."]
    assert judge("c", said, 1, 1, notified=False).unresolved
    assert not judge("c", said, 1, 1, notified=True).unresolved
    # Another session's request "already being processed" is not this customer's to resolve.
    other = ["A refund request on order ORD-1000001 is already being processed (reference X)."]
    assert not judge("c", other, 1, 0, notified=False).unresolved


def test_two_refunds_for_one_request_are_a_double_write() -> None:
    assert judge("c", ["..."], 2, 2, True).double_write
    assert not judge("c", ["..."], 2, 1, True).double_write


def test_every_case_names_only_operations_the_platform_has() -> None:
    from app.platform.service import api

    known = {r.operation_id for r in api.routes if getattr(r, "operation_id", None)}  # type: ignore[attr-defined]
    assert {op for case in CASES for op in case.faults} <= known
    assert any(case.sessions == 2 for case in CASES)


def test_a_case_that_never_reached_a_proposal_is_not_exercised() -> None:
    outcome = judge("5xx_always", ["I haven't set anything up or changed anything."], 0, 0, False)
    assert outcome.not_exercised
    assert not (outcome.false_confirmation or outcome.false_denial or outcome.unresolved)
    assert not judge("none", ["...", "approved"], 1, 1, True).not_exercised


def _restart(happened: bool = True) -> Restart:
    if happened:
        return Restart(("r1",), ("r2",), True, 12.0)
    return Restart(("r1",), (), False, 300.0, "no replacement")


def test_a_restart_case_counts_only_if_the_replica_died_and_was_replaced() -> None:
    said = ["Shall I go ahead?", "Done: your refund has been approved (refund REF-1234567)."]
    ran = judge("r", said, 1, 1, True, restart=_restart(), restart_expected=True)
    assert not ran.not_exercised and not ran.missing_write
    assert "replaced by r2" in ran.restart
    alive = judge("r", said, 1, 1, True, restart=_restart(False), restart_expected=True)
    assert alive.not_exercised
    never = judge("r", said, 1, 1, True, restart=None, restart_expected=True)
    assert never.not_exercised
    # Mid-write: the replica died, but the write had already finished (or not started).
    early = judge("r", said, 1, 1, True, restart=_restart(), restart_expected=True, in_flight=False)
    assert early.not_exercised and "not in flight" in early.restart


def test_a_yes_lost_in_a_restart_is_a_missing_write() -> None:
    said = ["Shall I go ahead?", "Something went wrong on our side.", "..."]
    lost = judge("r", said, 1, 0, False, restart=_restart(), restart_expected=True)
    assert lost.missing_write
    # Cases without a restart may rightly end with no refund (5xx always): not missing.
    assert not judge("5xx_always", said, 1, 0, False).missing_write


def test_restart_cases_kill_before_the_yes_and_during_a_held_write() -> None:
    from app.platform.contract import WRITE_DEADLINE_S

    restarts = {case.name: case for case in CASES if case.restart}
    assert {c.restart for c in restarts.values()} == {"before_yes", "mid_write"}
    held = [c.faults["create_refund"].timeout_s for c in restarts.values() if c.faults]
    # One hang ends before the platform's write deadline (it commits after the crash), one
    # after it (rolled back).
    assert min(held) < WRITE_DEADLINE_S < max(held)


async def test_local_runs_report_restart_cases_as_not_applicable() -> None:
    case = next(c for c in CASES if c.restart)
    out = await run_case(case, None, None, None, None, 0.0, 0.0, None)  # type: ignore[arg-type]
    assert out.not_applicable and not out.not_exercised
