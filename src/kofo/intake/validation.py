"""Item-by-item validation of an enforcement request (issue 3, item 3).

Checks, each with a machine code and a German message: the agreement is in force and covers the claim
type; the claim is enforceable under the agreement's regime (``kofo.law.enforceability``: § 254 AO or
§§ 30–31 SVwVG with the Land's holidays); the amount reaches the small-amount threshold; the claim is not
time-barred (``kofo.law.limitation``, §§ 228–232 AO; a warning within 6 months); plausibility of dates,
postcode, IBAN and the age of a natural person.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kofo.intake.items import ClaimInput, Problem
from kofo.law.deadlines import format_date
from kofo.law.enforceability import check_enforceability
from kofo.law.limitation import (
    LimitationEvent,
    LimitationEventKind,
    LimitationStatus,
    limitation_expiry,
    status_for_expiry,
)
from kofo.partners.models import Agreement
from kofo.partners.validators import validate_iban

# A natural person older than this is implausible (a typo in the birth year).
AGE_YEARS_MAX = 110
# Younger than this: accepted, but the caseworker is warned (minors are rarely debtors themselves).
AGE_YEARS_ADULT = 18
_POSTCODE_DE = re.compile(r"[0-9]{5}")


@dataclass(frozen=True)
class Verdict:
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def validate_claim(item: ClaimInput, agreement: Agreement | None, *, as_of: dt.date, land: str) -> Verdict:
    problems: list[Problem] = []
    warnings: list[Problem] = []

    # --- agreement ---------------------------------------------------------------------------------
    if agreement is None:
        problems.append(
            Problem(
                "item.no_agreement",
                "",
                f"Am {format_date(as_of)} gilt keine Kooperationsvereinbarung mit dem Partner; "
                "Ersuchen können nicht angenommen werden.",
            )
        )
    elif item.claim_type not in agreement.claim_types:
        problems.append(
            Problem(
                "item.claim_type_not_covered",
                "claim_type",
                f"Die Forderungsart „{item.claim_type}“ ist von der Vereinbarung {agreement.reference} nicht "
                f"erfasst (erfasst: {', '.join(agreement.claim_types)}).",
            )
        )

    # --- amount ------------------------------------------------------------------------------------
    if agreement is not None and item.total < agreement.small_amount_threshold:
        problems.append(
            Problem(
                "item.below_threshold",
                "principal",
                f"Der Gesamtbetrag {item.total} liegt unter der Kleinbetragsgrenze von "
                f"{agreement.small_amount_threshold} der Vereinbarung.",
            )
        )

    # --- plausibility of dates ---------------------------------------------------------------------
    if item.assessment_date > as_of:
        problems.append(
            Problem(
                "item.assessment_in_future",
                "assessment_date",
                f"Das Bescheiddatum {format_date(item.assessment_date)} liegt in der Zukunft.",
            )
        )
    if item.notified_on is not None and item.notified_on < item.assessment_date:
        problems.append(
            Problem(
                "item.notified_before_assessment",
                "notified_on",
                f"Die Bekanntgabe am {format_date(item.notified_on)} liegt vor dem Bescheiddatum "
                f"{format_date(item.assessment_date)}.",
            )
        )
    if item.reminder_date is not None and item.reminder_date < item.due_date:
        problems.append(
            Problem(
                "item.reminder_before_due",
                "reminder_date",
                f"Die Mahnung vom {format_date(item.reminder_date)} liegt vor der Fälligkeit "
                f"{format_date(item.due_date)}.",
            )
        )
    if item.reminder_deadline is not None and item.reminder_date is None:
        problems.append(
            Problem(
                "item.reminder_date_missing",
                "reminder_date",
                "Eine Mahnfrist ist angegeben, aber kein Mahndatum.",
            )
        )
    if item.surcharges and item.surcharges_until is None:
        warnings.append(
            Problem(
                "item.surcharges_until_missing",
                "surcharges_until",
                "Säumniszuschläge sind angegeben, aber nicht bis wann sie berechnet sind.",
            )
        )

    # --- enforceability under the regime -----------------------------------------------------------
    if agreement is not None:
        result = check_enforceability(
            agreement.regime,
            assessment_date=item.assessment_date,
            notified_on=item.notified_on,
            due_on=item.due_date,
            reminder_on=item.reminder_date,
            reminder_deadline=item.reminder_deadline,
            as_of=as_of,
            land=land,
        )
        problems.extend(Problem(p.code, "", p.message_de) for p in result.problems)
        warnings.extend(Problem(w.code, "", w.message_de) for w in result.warnings)

    # --- limitation (§§ 228–232 AO) -----------------------------------------------------------------
    events = []
    if item.reminder_date is not None:
        events.append(LimitationEvent(LimitationEventKind.SCHRIFTLICHE_GELTENDMACHUNG, item.reminder_date))
    expiry = limitation_expiry(item.due_date, events, land=land)
    status = status_for_expiry(expiry.expires_on, as_of)
    if status == LimitationStatus.EXPIRED:
        problems.append(
            Problem(
                "item.time_barred",
                "due_date",
                f"Die Forderung ist seit {format_date(expiry.expires_on + dt.timedelta(days=1))} verjährt "
                f"(§§ 228 ff. AO): {expiry.reason}",
            )
        )
    elif status == LimitationStatus.WARNING:
        warnings.append(
            Problem(
                "item.limitation_soon",
                "due_date",
                f"Die Zahlungsverjährung tritt mit Ablauf des {format_date(expiry.expires_on)} ein.",
            )
        )

    # --- the debtor ----------------------------------------------------------------------------------
    debtor = item.debtor
    if debtor.country == "DE" and not _POSTCODE_DE.fullmatch(debtor.postcode):
        problems.append(
            Problem(
                "item.postcode_invalid",
                "postcode",
                f"Die Postleitzahl „{debtor.postcode}“ hat nicht fünf Ziffern.",
            )
        )
    if debtor.iban:
        try:
            validate_iban(debtor.iban)
        except ValidationError as exc:
            problems.append(Problem("item.iban_invalid", "iban", " ".join(exc.messages)))
    if debtor.email:
        try:
            validate_email(debtor.email)
        except ValidationError:
            problems.append(
                Problem("item.email_invalid", "email", f"Die E-Mail-Adresse „{debtor.email}“ ist ungültig.")
            )
    if debtor.kind == "natural" and debtor.birth_date is not None:
        age = _age(debtor.birth_date, as_of)
        if debtor.birth_date > as_of or age > AGE_YEARS_MAX:
            problems.append(
                Problem(
                    "item.birth_date_implausible",
                    "birth_date",
                    f"Das Geburtsdatum {format_date(debtor.birth_date)} ist unplausibel (Alter {age} Jahre).",
                )
            )
        elif age < AGE_YEARS_ADULT:
            warnings.append(
                Problem(
                    "item.debtor_minor",
                    "birth_date",
                    f"Der Schuldner ist minderjährig ({age} Jahre); bitte gesetzliche Vertretung prüfen.",
                )
            )
    if debtor.kind == "natural" and debtor.birth_date is None:
        warnings.append(
            Problem(
                "item.birth_date_missing",
                "birth_date",
                "Ohne Geburtsdatum ist die Zuordnung zum Schuldner unsicherer.",
            )
        )
    return Verdict(tuple(problems), tuple(warnings))
