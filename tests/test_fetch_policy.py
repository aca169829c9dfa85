"""The fetch policy without HTTP: `next_step(answer, state)` for each kind of answer, and the
state the loop carries from one request to the next."""

from __future__ import annotations

import copy

import pytest

from ocop_nlp.fetch.policy import (
    Answer,
    FetchLimits,
    FetchState,
    Finish,
    Follow,
    Retry,
    fetch_result,
    next_step,
)

LIMITS = FetchLimits(retries=2, backoff=0.5, max_redirects=2, max_retry_after=30.0, deadline=60.0)
URL = "http://tinh.example.vn/tin-tuc/bai-1.htm"


def state(**kw) -> FetchState:
    s = FetchState(URL, LIMITS, kw.pop("allow", None))
    for name, value in kw.items():
        setattr(s, name, value)
    return s


def answer(status: int, **headers: str) -> Answer:
    return Answer(status=status, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_next_step_reads_its_arguments_and_changes_neither():
    s = state(attempts=1)
    a = answer(503, Retry_After="3")
    before_state, before_answer = copy.deepcopy(s), copy.deepcopy(a)
    assert next_step(a, s) == Retry(3.0)
    assert (s, a) == (before_state, before_answer)


@pytest.mark.parametrize(
    ("status", "outcome"), [(200, "ok"), (203, "ok"), (304, "not-modified"), (404, "http-404")]
)
def test_final_answers_finish_at_once(status, outcome):
    step = next_step(answer(status), state(attempts=1))
    assert isinstance(step, Finish) and step.outcome == outcome
    assert (step.reason is None) == (outcome in ("ok", "not-modified"))


def test_a_failure_the_network_may_cure_is_retried_with_a_doubling_backoff_then_given_up():
    cut = Answer(failure="truncated", reason="The connection broke.", retryable=True)
    assert next_step(cut, state(attempts=1)) == Retry(0.5)
    assert next_step(cut, state(attempts=2, retries=1)) == Retry(1.0)
    step = next_step(cut, state(attempts=3, retries=2))
    assert step == Finish("truncated", "The connection broke. Tried 3 times.")


def test_a_failure_no_retry_cures_finishes_with_its_own_reason():
    bad = Answer(failure="connection", reason="The certificate is expired.", retryable=False)
    assert next_step(bad, state(attempts=1)) == Finish("connection", "The certificate is expired.")


def test_the_spent_deadline_ends_the_fetch_as_a_timeout_whatever_came():
    step = next_step(Answer(failure="deadline"), state(attempts=2))
    assert isinstance(step, Finish) and step.outcome == "timeout"
    assert "fetch_deadline" in (step.reason or "") and "after 2 requests" in (step.reason or "")
    late = Answer(failure="connection", reason="x", retryable=True)
    assert next_step(late, state(attempts=1, left=0.0)).outcome == "timeout"  # type: ignore[union-attr]


def test_5xx_is_retried_but_501_and_505_are_not():
    assert next_step(answer(500), state(attempts=1)) == Retry(0.5)
    step = next_step(answer(502), state(attempts=3, retries=2))
    assert isinstance(step, Finish) and step.outcome == "server-error"
    assert "3 times" in (step.reason or "")
    assert next_step(answer(501), state(attempts=1)).outcome == "server-error"  # type: ignore[union-attr]


def test_429_and_503_wait_what_retry_after_asks_within_the_limit():
    assert next_step(answer(429, Retry_After="7"), state(attempts=1)) == Retry(7.0)
    assert next_step(answer(429), state(attempts=1)) == Retry(0.5)
    too_long = next_step(answer(503, Retry_After="3600"), state(attempts=1))
    assert isinstance(too_long, Finish)
    assert (too_long.outcome, too_long.retry_after) == ("retry-later", 3600.0)
    still = next_step(answer(429), state(attempts=3, retries=2))
    assert isinstance(still, Finish) and still.outcome == "retry-later"
    # 503 without Retry-After is an ordinary server error once the retries are spent.
    assert next_step(answer(503), state(attempts=3, retries=2)).outcome == "server-error"  # type: ignore[union-attr]


def test_redirects_are_followed_in_scope_and_refused_as_loops_beyond_the_limit_or_scope():
    assert next_step(answer(301, Location="/tin/bai-1.htm"), state(attempts=1)) == Follow(
        "http://tinh.example.vn/tin/bai-1.htm"
    )
    loop = next_step(answer(302, Location=URL), state(attempts=2))
    assert isinstance(loop, Finish) and (loop.outcome, loop.final_url) == ("redirect-loop", URL)
    many = next_step(answer(302, Location="/c"), state(attempts=3, hops=2))
    assert isinstance(many, Finish) and many.outcome == "too-many-redirects"
    only_here = state(attempts=1, allow=lambda u: u.startswith("http://tinh.example.vn/tin/"))
    away = next_step(answer(301, Location="http://khac.example.vn/"), only_here)
    assert isinstance(away, Finish) and away.outcome == "off-site"
    fenced = next_step(answer(301, Location="/admin/"), only_here)
    assert isinstance(fenced, Finish) and fenced.outcome == "robots"
    mail = next_step(answer(302, Location="mailto:a@b.vn"), state(attempts=1))
    assert isinstance(mail, Finish) and mail.outcome == "off-site"


def test_the_loop_state_counts_hops_and_retries_and_remembers_where_it_went():
    s = state()
    s.record(answer(301, Location="/b"), 0.2)
    assert s.advance(Follow("http://tinh.example.vn/b")) == 0.0
    s.record(answer(503), 0.3)
    assert s.advance(Retry(0.5)) == 0.5
    assert (s.attempts, s.hops, s.retries, s.current) == (2, 1, 1, "http://tinh.example.vn/b")
    assert s.left == pytest.approx(59.5) and s.status == 503
    # The address followed once is a loop the second time.
    back = next_step(answer(302, Location="/b"), s)
    assert isinstance(back, Finish) and back.outcome == "redirect-loop"


def test_a_304_keeps_the_validators_it_was_asked_with():
    s = state()
    s.record(answer(304), 0.1)
    r = fetch_result(
        s, Finish("not-modified"), answer(304), etag='"v1"', last_modified=None, elapsed=0.1
    )
    assert (r.outcome, r.etag, r.body, r.status, r.attempts) == (
        "not-modified",
        '"v1"',
        None,
        304,
        1,
    )
    ok = Answer(
        status=200,
        headers={"ETag": '"v2"', "Content-Type": "text/html; charset=UTF-8"},
        body=b"<html></html>",
    )
    r = fetch_result(s, Finish("ok"), ok, etag='"v1"', last_modified=None, elapsed=0.1)
    assert (r.etag, r.charset, r.body) == ('"v2"', "utf-8", b"<html></html>")
