"""kofo.law.limitation: Zahlungsverjährung (§§ 228–232 AO).

Every row names the source of its expected value. The arithmetic behind all of them: § 228 Satz 2 AO
(5 years), § 229 Abs. 1 AO (from the end of the calendar year of the due date), § 231 Abs. 3 AO (a new
period from the end of the calendar year in which the interruption ended), § 232 AO (extinguished).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.law.limitation import (
    LimitationEvent,
    LimitationEventKind,
    LimitationStatus,
    interrupts,
    limitation_expiry,
    limitation_status,
    status_for_expiry,
    warning_from,
)

D = date.fromisoformat
K = LimitationEventKind
E = LimitationEvent

INTERRUPTING = [kind for kind in K if kind.interrupts]
NOT_INTERRUPTING = [K.TEILZAHLUNG, K.ANERKENNTNIS, K.NIEDERSCHLAGUNG]


def test_the_kinds_that_do_not_interrupt() -> None:
    # LAW.md: "Not interrupted by partial payment, acknowledgment, or Niederschlagung."
    assert [kind for kind in K if not kind.interrupts] == NOT_INTERRUPTING
    # § 231 Abs. 1 Satz 1 Nr. 1–8 AO, plus the asset search LAW.md names.
    assert set(INTERRUPTING) == set(K) - set(NOT_INTERRUPTING)
    for kind in K:
        assert kind.label_de
        assert kind.citation


EXPIRY_CASES = [
    pytest.param(
        "2020-08-15",
        [],
        {},
        "2025-12-31",
        "§ 229 Abs. 1 AO: due in 2020, period starts 31.12.2020; § 228 AO: 5 years → 31.12.2025",
        id="no-events",
    ),
    pytest.param(
        "2020-12-31",
        [],
        {},
        "2025-12-31",
        "§ 229 Abs. 1 AO: due on the last day of 2020 still starts at the end of 2020",
        id="due-new-years-eve",
    ),
    pytest.param(
        "2021-01-01",
        [],
        {},
        "2026-12-31",
        "§ 229 Abs. 1 AO: due in 2021 → end of 2021 + 5 years",
        id="due-new-years-day",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2023-05-02"))],
        {},
        "2028-12-31",
        "§ 231 Abs. 1 Nr. 3, Abs. 3 AO: enforcement measure in 2023 → end of 2023 + 5 years",
        id="measure",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2023-05-02")), E(K.SCHRIFTLICHE_GELTENDMACHUNG, D("2027-03-01"))],
        {},
        "2032-12-31",
        "§ 231 Abs. 3 AO: the second interruption in 2027 → end of 2027 + 5 years",
        id="two-interruptions",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.SCHRIFTLICHE_GELTENDMACHUNG, D("2020-10-01"))],
        {},
        "2025-12-31",
        "§ 231 Abs. 3 AO: a reminder in the year of the due date starts the same period",
        id="interruption-same-year",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2025-12-31"))],
        {},
        "2030-12-31",
        "§ 231 AO: a measure on the last day 31.12.2025 still interrupts → end of 2025 + 5 years",
        id="interruption-on-last-day",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2026-01-02"))],
        {},
        "2025-12-31",
        "§ 232 AO: extinguished with the end of 31.12.2025; a measure in 2026 revives nothing",
        id="after-expiry",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2026-01-02")), E(K.STUNDUNG, D("2027-05-01"))],
        {},
        "2025-12-31",
        "§ 232 AO: no event after expiry counts, however many",
        id="after-expiry-twice",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.STUNDUNG, D("2024-03-01"), ends_on=D("2026-02-28"))],
        {},
        "2031-12-31",
        "§ 231 Abs. 2 Nr. 1, Abs. 3 AO: a Stundung interrupts until it ends (2026) → end of 2026 + 5 years",
        id="stundung-until-its-end",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VOLLSTRECKUNGSAUFSCHUB, D("2023-11-20"), ends_on=D("2024-11-20"))],
        {},
        "2029-12-31",
        "§ 231 Abs. 1 Nr. 1, Abs. 2, 3 AO: instalment arrangement ending 2024 → end of 2024 + 5 years",
        id="instalment-arrangement",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.INSOLVENZANMELDUNG, D("2022-02-01"))],
        {},
        "2027-12-31",
        "§ 231 Abs. 1 Nr. 4 AO: filing in insolvency in 2022 → end of 2022 + 5 years",
        id="insolvency-filing",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.AUFENTHALTSERMITTLUNG, D("2024-07-01"))],
        {},
        "2029-12-31",
        "§ 231 Abs. 1 Nr. 7 AO: address inquiry in 2024 → end of 2024 + 5 years",
        id="address-search",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VERMOEGENSERMITTLUNG, D("2024-07-01"))],
        {},
        "2029-12-31",
        "LAW.md: a search for the debtor's assets interrupts → end of 2024 + 5 years",
        id="asset-search",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.VERMOEGENSERMITTLUNG, D("2024-07-01"))],
        {"asset_search_interrupts": False},
        "2025-12-31",
        "§ 231 Abs. 1 Nr. 7 AO read narrowly (address only): the asset search changes nothing",
        id="asset-search-not-counted",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.TEILZAHLUNG, D("2024-03-01"))],
        {},
        "2025-12-31",
        "LAW.md, § 231 AO: a partial payment does not interrupt",
        id="partial-payment",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.ANERKENNTNIS, D("2024-03-01"))],
        {},
        "2025-12-31",
        "LAW.md, § 231 AO: an acknowledgment does not interrupt (unlike § 212 BGB)",
        id="acknowledgment",
    ),
    pytest.param(
        "2020-08-15",
        [E(K.NIEDERSCHLAGUNG, D("2024-03-01"))],
        {},
        "2025-12-31",
        "LAW.md, § 261 AO: a Niederschlagung does not interrupt",
        id="niederschlagung",
    ),
    pytest.param(
        "2020-12-15",
        [],
        {"assessed_on": D("2021-02-01")},
        "2026-12-31",
        "§ 229 Abs. 1 Satz 2 AO: not before the end of 2021, when the assessment took effect",
        id="assessment-later-year",
    ),
    pytest.param(
        "2020-12-15",
        [],
        {"assessed_on": D("2020-11-01")},
        "2025-12-31",
        "§ 229 Abs. 1 Satz 2 AO: an assessment of the same year changes nothing",
        id="assessment-same-year",
    ),
    pytest.param(
        "2020-08-15",
        [],
        {"years": 10},
        "2030-12-31",
        "§ 228 Satz 2 AO: 10 years in the cases of §§ 370, 373, 374 AO",
        id="ten-years",
    ),
    pytest.param(
        "2017-05-01",
        [],
        {},
        "2022-12-31",
        "§ 229 Abs. 1 AO: end of 2017 + 5 years; 31.12.2022 (a Saturday) kept by default",
        id="saturday-kept",
    ),
    pytest.param(
        "2017-05-01",
        [],
        {"extend_to_working_day": True},
        "2023-01-02",
        "§ 108 Abs. 3 AO if applied: 31.12.2022 Saturday, 01.01.2023 Sunday and Neujahr → Monday 02.01.2023",
        id="saturday-extended",
    ),
]


@pytest.mark.parametrize(("due_on", "events", "options", "expected", "source"), EXPIRY_CASES)
def test_limitation_expiry(
    due_on: str, events: list[LimitationEvent], options: dict[str, Any], expected: str, source: str
) -> None:
    result = limitation_expiry(D(due_on), events, **options)
    assert result.expires_on == D(expected), source


def test_each_surcharge_is_time_barred_on_its_own() -> None:
    # LAW.md: "Each surcharge is time-barred on its own." Principal due 10.12.2020 → 31.12.2025 (§ 229 AO);
    # the surcharge of the month from 11.01.2021 arises (and is due) in 2021 → 31.12.2026.
    principal = limitation_expiry(D("2020-12-10"))
    surcharge = limitation_expiry(D("2021-01-11"))
    assert principal.expires_on == D("2025-12-31")
    assert surcharge.expires_on == D("2026-12-31")
    # § 231 Abs. 4 AO: a measure that concerns only the principal does not interrupt the surcharge: the
    # caller passes it for the principal only.
    measure = [E(K.VOLLSTRECKUNGSMASSNAHME, D("2025-03-03"))]
    assert limitation_expiry(D("2020-12-10"), measure).expires_on == D("2030-12-31")
    assert limitation_expiry(D("2021-01-11")).expires_on == D("2026-12-31")


def test_reason_and_steps_in_german() -> None:
    # § 231 Abs. 3 AO: enforcement measure on 02.05.2023 → 31.12.2028 (issue 4: `calc verjaehrung`).
    event = E(K.VOLLSTRECKUNGSMASSNAHME, D("2023-05-02"))
    result = limitation_expiry(D("2020-08-15"), [event, E(K.TEILZAHLUNG, D("2024-01-05"))])
    assert result.expires_on == D("2028-12-31")
    assert result.interrupted_by == event
    assert result.reason == (
        "Zahlungsverjährung mit Ablauf des 31.12.2028: fünf Jahre nach Ablauf des Jahres 2023, in dem die "
        "Unterbrechung durch Vollstreckungsmaßnahme vom 02.05.2023 endete (§ 231 Abs. 3 AO)."
    )
    assert result.steps[0] == (
        "Fälligkeit am 15.08.2020: die Verjährung beginnt mit Ablauf des Jahres 2020 (§ 229 Abs. 1 Satz 1 AO)."
    )
    assert result.steps[1] == "Verjährungsfrist fünf Jahre (§ 228 Satz 2 AO): Ablauf am 31.12.2025."
    assert (
        "Vollstreckungsmaßnahme am 02.05.2023: unterbricht die Verjährung (§ 231 Abs. 1 Satz 1 Nr. 3 AO)"
        in (result.steps[2])
    )
    assert result.steps[3] == (
        "Teilzahlung am 05.01.2024: unterbricht die Zahlungsverjährung nicht (§ 231 Abs. 1 AO nennt sie nicht)."
    )
    assert result.steps[-1].startswith("Ergebnis: verjährt mit Ablauf des 31.12.2028")


def test_reason_without_interruption_and_after_expiry() -> None:
    # § 229 Abs. 1 AO: due 2020 → 31.12.2025; § 232 AO: nothing after that counts.
    result = limitation_expiry(D("2020-08-15"), [E(K.VOLLSTRECKUNGSMASSNAHME, D("2026-01-02"))])
    assert result.interrupted_by is None
    assert result.reason == (
        "Zahlungsverjährung mit Ablauf des 31.12.2025: fünf Jahre nach Ablauf des Jahres 2020, in dem die "
        "Forderung fällig wurde (§§ 228, 229 Abs. 1 AO)."
    )
    assert any("erloschen und lebt nicht wieder auf (§ 232 AO)" in step for step in result.steps)


def test_event_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="liegt vor ihrem Beginn"):
        E(K.STUNDUNG, D("2024-03-01"), ends_on=D("2024-02-01"))


def test_period_must_be_positive() -> None:
    with pytest.raises(ValueError):
        limitation_expiry(D("2020-08-15"), years=0)


def test_asset_search_switch() -> None:
    # LAW.md counts asset searches; § 231 Abs. 1 Nr. 7 AO names address inquiries only.
    assert interrupts(K.VERMOEGENSERMITTLUNG) is True
    assert interrupts(K.VERMOEGENSERMITTLUNG, asset_search_interrupts=False) is False
    assert interrupts(K.AUFENTHALTSERMITTLUNG, asset_search_interrupts=False) is True


# --- status ---------------------------------------------------------------------------------------------

STATUS_CASES = [
    pytest.param(
        "2025-06-29",
        [],
        6,
        LimitationStatus.OK,
        "expiry 31.12.2025; warning from 30.06.2025",
        id="before-window",
    ),
    pytest.param(
        "2025-06-30",
        [],
        6,
        LimitationStatus.WARNING,
        "LAW.md: warn 6 months ahead: 31.12. − 6 months = 30.06.",
        id="window-opens",
    ),
    pytest.param(
        "2025-12-31",
        [],
        6,
        LimitationStatus.WARNING,
        "§ 232 AO: the claim lives until the end of 31.12.2025",
        id="last-day",
    ),
    pytest.param(
        "2026-01-01", [], 6, LimitationStatus.EXPIRED, "§ 232 AO: extinguished from 01.01.2026", id="expired"
    ),
    pytest.param(
        "2025-09-29",
        [],
        3,
        LimitationStatus.OK,
        "3 months: warning from 30.09.2025",
        id="three-months-before",
    ),
    pytest.param(
        "2025-09-30",
        [],
        3,
        LimitationStatus.WARNING,
        "3 months: 31.12. − 3 months = 30.09.",
        id="three-months",
    ),
    pytest.param(
        "2026-01-01",
        [E(K.VOLLSTRECKUNGSMASSNAHME, D("2025-05-02"))],
        6,
        LimitationStatus.OK,
        "§ 231 Abs. 3 AO: measure in 2025 → expiry 31.12.2030",
        id="interrupted",
    ),
]


@pytest.mark.parametrize(("today", "events", "warn_months", "expected", "source"), STATUS_CASES)
def test_limitation_status(
    today: str, events: list[LimitationEvent], warn_months: int, expected: LimitationStatus, source: str
) -> None:
    # Claim due 15.08.2020: § 229 Abs. 1 AO → expiry 31.12.2025 without interruption.
    assert limitation_status(D("2020-08-15"), events, D(today), warn_months) is expected, source


def test_status_values_are_machine_codes() -> None:
    assert [status.value for status in LimitationStatus] == ["ok", "warning", "expired"]


def test_warning_from() -> None:
    # § 188 Abs. 3 BGB counted backwards: June has 30 days.
    assert warning_from(D("2025-12-31")) == D("2025-06-30")
    assert warning_from(D("2025-12-31"), warn_months=0) == D("2025-12-31")
    with pytest.raises(ValueError):
        warning_from(D("2025-12-31"), warn_months=-1)


# --- properties -----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
EVENTS = st.builds(
    lambda kind, on, length: LimitationEvent(
        kind, on, None if length is None else date.fromordinal(on.toordinal() + length)
    ),
    st.sampled_from(list(K)),
    DAYS,
    st.one_of(st.none(), st.integers(0, 2000)),
)


@given(due_on=DAYS, events=st.lists(EVENTS, max_size=8))
def test_expiry_is_always_31_december(due_on: date, events: list[LimitationEvent]) -> None:
    # §§ 229 Abs. 1, 231 Abs. 3 AO: periods start and end with a calendar year.
    expires_on = limitation_expiry(due_on, events).expires_on
    assert (expires_on.month, expires_on.day) == (12, 31)
    assert expires_on >= date(due_on.year + 5, 12, 31)


@given(due_on=DAYS, events=st.lists(EVENTS, max_size=6), extra=EVENTS)
def test_an_interruption_never_shortens_the_limitation(
    due_on: date, events: list[LimitationEvent], extra: LimitationEvent
) -> None:
    # § 231 AO: an interruption starts a new period; it never ends the running one earlier.
    before = limitation_expiry(due_on, events).expires_on
    assert limitation_expiry(due_on, [*events, extra]).expires_on >= before


@given(
    due_on=DAYS,
    events=st.lists(EVENTS, max_size=6),
    non_interrupting=st.lists(
        st.builds(LimitationEvent, st.sampled_from(NOT_INTERRUPTING), DAYS), max_size=4
    ),
)
def test_non_interrupting_events_change_nothing(
    due_on: date, events: list[LimitationEvent], non_interrupting: list[LimitationEvent]
) -> None:
    # LAW.md: partial payment, acknowledgment and Niederschlagung do not interrupt.
    before = limitation_expiry(due_on, events)
    after = limitation_expiry(due_on, [*events, *non_interrupting])
    assert (after.expires_on, after.reason, after.interrupted_by) == (
        before.expires_on,
        before.reason,
        before.interrupted_by,
    )


@given(due_on=DAYS, events=st.lists(EVENTS, max_size=6), data=st.data())
def test_event_order_does_not_matter(
    due_on: date, events: list[LimitationEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert limitation_expiry(due_on, shuffled) == limitation_expiry(due_on, events)


@given(due_on=DAYS, event=EVENTS)
def test_an_event_after_expiry_revives_nothing(due_on: date, event: LimitationEvent) -> None:
    # § 232 AO.
    expires_on = limitation_expiry(due_on).expires_on
    if event.on > expires_on:
        assert limitation_expiry(due_on, [event]).expires_on == expires_on


_ORDER = {LimitationStatus.OK: 0, LimitationStatus.WARNING: 1, LimitationStatus.EXPIRED: 2}


@given(expires_year=st.integers(2000, 2060), first=DAYS, second=DAYS, warn_months=st.integers(0, 24))
def test_status_only_moves_towards_expired(
    expires_year: int, first: date, second: date, warn_months: int
) -> None:
    # LAW.md: warn before expiry, stop after it; time never runs backwards.
    expires_on = date(expires_year, 12, 31)
    early, late = sorted((first, second))
    early_status = status_for_expiry(expires_on, early, warn_months=warn_months)
    late_status = status_for_expiry(expires_on, late, warn_months=warn_months)
    assert _ORDER[early_status] <= _ORDER[late_status]
    assert (late_status is LimitationStatus.EXPIRED) == (late > expires_on)
