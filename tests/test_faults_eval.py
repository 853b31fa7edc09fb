"""evals.faults judges what the customer read against what the platform shows."""

from __future__ import annotations

from evals.faults import CASES, judge


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
