"""Partners, agreements, the office, users and roles: master data changed only through audited actions.

Proves on SQLite and PostgreSQL: partners are validated and normalised and every create/change is audited
with its change summary; an amended agreement keeps its former state as a revision and counts its version
(no revision without a change); an agreement's notice end and validity range; the office is one row;
users get exactly one role, Partner users exactly one partner, argon2 hashes and strong passwords; each
role's group holds exactly its permissions; API tokens are issued and revoked through audited actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kofo import settings as kofo_settings
from kofo.audit.chain import verify_chain
from kofo.audit.models import AuditEvent
from kofo.partners.access import roles_of, sync_role_groups
from kofo.partners.actions import (
    do_create_user,
    do_issue_api_token,
    do_revoke_api_token,
    do_save_agreement,
    do_save_office,
    do_save_partner,
)
from kofo.partners.models import (
    Agreement,
    AgreementRevision,
    ApiToken,
    BillingModality,
    Office,
    Partner,
    PartnerKind,
    Regime,
    UserProfile,
)
from kofo.partners.roles import OFFICE_ROLES, ROLE_PERMISSIONS, Role
from tests import factories
from tests.factories import PASSWORD, TEST_ACTOR

User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs half a second per user; test_password_is_hashed_with_argon2 restores kofo's hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _last_event() -> AuditEvent:
    return AuditEvent.objects.latest("id")


def _perms(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {
        f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


# --- partners ---------------------------------------------------------------------------------------------


def test_save_partner_normalises_iban_and_bic_and_audits_the_creation(db: Any) -> None:
    """A new partner is stored with IBAN without spaces in capitals, BIC in capitals; the creation is audited."""
    partner = factories.make_partner(iban="de89 3704 0044 0532 0130 00", bic=" cobadeffxxx ")
    partner.refresh_from_db()
    assert partner.iban == "DE89370400440532013000"
    assert partner.bic == "COBADEFFXXX"
    event = _last_event()
    assert event.action == "partners.create_partner"
    assert (event.object_type, event.object_id, event.partner_id) == (
        "partners.partner",
        str(partner.pk),
        partner.pk,
    )
    created = event.summary["changes"]
    assert created["iban"] == [None, "DE89370400440532013000"]
    assert created["key"] == [None, partner.key]
    assert created["kind"] == [None, "gemeinde"]


def test_save_partner_audits_a_change_with_exactly_the_changed_fields(partner: Partner) -> None:
    """A change is audited as ``{field: [old, new]}`` of the changed fields only."""
    old_city, old_iban = partner.city, partner.iban
    partner.city = "Völklingen"
    partner.iban = (
        "DE02 1203 0000 0000 2020 51" if old_iban != "DE02120300000000202051" else "DE02500105170137075030"
    )
    do_save_partner(partner, actor=TEST_ACTOR)
    event = _last_event()
    assert event.action == "partners.change_partner"
    assert event.summary == {
        "changes": {"city": [old_city, "Völklingen"], "iban": [old_iban, partner.iban.replace(" ", "")]}
    }
    assert Partner.objects.get(pk=partner.pk).city == "Völklingen"
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("iban", "DE89370400440532013001", "iban.invalid"),
        ("iban", "", "blank"),
        ("ags", "1004411", "ags.invalid"),
        ("postcode", "6611", "postcode.invalid"),
        ("bic", "COBADEF", "bic.invalid"),
        ("key", "Gemeinde Wadgassen", "key.invalid"),
        ("kind", "verein", "invalid_choice"),
        ("contact_email", "keine-adresse", "invalid"),
    ],
)
def test_invalid_partner_is_refused_and_nothing_written(db: Any, field: str, value: str, code: str) -> None:
    """Bad master data is refused with the field's code; neither the partner nor an audit event is written."""
    before = (Partner.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        factories.make_partner(**{field: value})
    assert field in excinfo.value.error_dict
    assert code in [error.code for error in excinfo.value.error_dict[field]]
    assert (Partner.objects.count(), AuditEvent.objects.count()) == before


def test_partner_key_is_unique(partner: Partner) -> None:
    """Two partners cannot share a Kurzname (it names their ledger accounts and API paths)."""
    with pytest.raises(ValidationError) as excinfo:
        factories.make_partner(key=partner.key)
    assert "key" in excinfo.value.error_dict


# --- agreements -------------------------------------------------------------------------------------------


def test_conclude_agreement_is_version_one_without_history(partner: Partner) -> None:
    """A concluded agreement is Fassung 1, has no revisions, and its conclusion is audited."""
    agreement = factories.make_agreement(partner)
    assert agreement.version == 1
    assert not agreement.revisions.exists()
    event = _last_event()
    assert event.action == "partners.conclude_agreement"
    assert event.partner_id == partner.pk
    assert event.summary["version"] == 1
    assert event.summary["changes"]["reference"] == [None, agreement.reference]


def test_amending_an_agreement_keeps_revisions_and_counts_versions(partner: Partner) -> None:
    """Every amendment stores the former state as a revision and increments the version."""
    agreement = factories.make_agreement(partner, notice_period_months=6)
    reference = agreement.reference

    agreement.notice_period_months = 3
    do_save_agreement(agreement, actor=TEST_ACTOR, reason="1. Nachtrag")
    agreement.regime = Regime.AO
    agreement.small_amount_threshold_cents = 5000
    do_save_agreement(agreement, actor=TEST_ACTOR, reason="2. Nachtrag")

    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.version == 3
    assert (stored.notice_period_months, stored.regime, stored.small_amount_threshold_cents) == (
        3,
        "ao",
        5000,
    )
    revisions = list(AgreementRevision.objects.filter(agreement=agreement).order_by("version"))
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[0].snapshot["notice_period_months"] == 6
    assert revisions[1].snapshot["notice_period_months"] == 3
    assert revisions[1].snapshot["regime"] == "svwvg_sl"
    assert revisions[1].snapshot["reference"] == reference
    assert [r.reason for r in revisions] == ["1. Nachtrag", "2. Nachtrag"]
    assert {r.changed_by for r in revisions} == {TEST_ACTOR.name}
    event = _last_event()
    assert event.action == "partners.amend_agreement"
    assert event.summary == {
        "version": 3,
        "reason": "2. Nachtrag",
        "changes": {"regime": ["svwvg_sl", "ao"], "small_amount_threshold_cents": [3600, 5000]},
    }


def test_amending_a_stale_instance_still_counts_from_the_stored_version(partner: Partner) -> None:
    """The version follows the stored row, not a stale copy held by the caller."""
    agreement = factories.make_agreement(partner)
    stale = Agreement.objects.get(pk=agreement.pk)
    agreement.financing = "Kostenerstattung je Maßnahme"
    do_save_agreement(agreement, actor=TEST_ACTOR)
    stale.termination_rights = "Kündigung zum Jahresende"
    saved = do_save_agreement(stale, actor=TEST_ACTOR)
    assert saved.version == 3
    assert AgreementRevision.objects.filter(agreement=agreement).count() == 2


def test_saving_an_unchanged_agreement_writes_no_revision(partner: Partner) -> None:
    """No change, no new version, no revision and no audit event."""
    agreement = factories.make_agreement(partner)
    events = AuditEvent.objects.count()
    same = do_save_agreement(Agreement.objects.get(pk=agreement.pk), actor=TEST_ACTOR, reason="nichts")
    assert same.version == 1
    assert not AgreementRevision.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("notice_given_on", "months", "valid_to", "expected"),
    [
        (None, 6, None, None),
        (None, 6, dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
        # Notice on 15 March with 6 months: 15 September, to the end of that month.
        (dt.date(2025, 3, 15), 6, None, dt.date(2025, 9, 30)),
        (dt.date(2025, 3, 31), 6, None, dt.date(2025, 9, 30)),
        (dt.date(2025, 1, 1), 1, None, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 1), 1, None, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2025, 2, 10), 0, None, dt.date(2025, 2, 28)),
        (dt.date(2025, 6, 1), 6, None, dt.date(2025, 12, 31)),  # ends in December
        (dt.date(2025, 7, 1), 5, None, dt.date(2025, 12, 31)),
        (dt.date(2025, 12, 1), 6, None, dt.date(2026, 6, 30)),  # crosses the year
        (dt.date(2025, 1, 31), 12, None, dt.date(2026, 1, 31)),
        (dt.date(2024, 12, 5), 18, None, dt.date(2026, 6, 30)),
        (dt.date(2025, 8, 1), 24, None, dt.date(2027, 8, 31)),
        # The agreement ends earlier anyway: the earlier date counts.
        (dt.date(2025, 3, 15), 6, dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        (dt.date(2025, 3, 15), 6, dt.date(2026, 6, 30), dt.date(2025, 9, 30)),
    ],
)
def test_earliest_end_by_notice(
    notice_given_on: dt.date | None, months: int, valid_to: dt.date | None, expected: dt.date | None
) -> None:
    """Earliest end: notice date plus the notice period, to the end of that month, not after valid_to."""
    agreement = Agreement(
        valid_from=dt.date(2020, 1, 1),
        valid_to=valid_to,
        notice_period_months=months,
        notice_given_on=notice_given_on,
    )
    assert agreement.earliest_end() == expected


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "ok"),
    [
        (dt.date(2025, 1, 1), None, True),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), True),
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31), True),
        (dt.date(2025, 1, 1), dt.date(2024, 12, 31), False),
    ],
)
def test_agreement_validity_range(
    partner: Partner, valid_from: dt.date, valid_to: dt.date | None, ok: bool
) -> None:
    """valid_to is not before valid_from: refused by the action, and by the database constraint itself."""
    if ok:
        agreement = factories.make_agreement(partner, valid_from=valid_from, valid_to=valid_to)
        assert agreement.in_force(valid_from)
        return
    before = (Agreement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        factories.make_agreement(partner, valid_from=valid_from, valid_to=valid_to)
    assert "agreement_valid_range" in str(excinfo.value) or excinfo.value.messages
    assert (Agreement.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            partner=partner,
            reference="KV-roh",
            valid_from=valid_from,
            valid_to=valid_to,
            regime=Regime.AO,
            billing_modality=BillingModality.OFFSET,
        )


def test_current_agreement_and_in_force(partner: Partner) -> None:
    """The agreement in force on a day is the latest one started by then and not yet ended."""
    old = factories.make_agreement(partner, valid_from=dt.date(2023, 1, 1), valid_to=dt.date(2024, 12, 31))
    new = factories.make_agreement(partner, valid_from=dt.date(2025, 1, 1))
    assert partner.current_agreement(dt.date(2024, 6, 1)) == old
    assert partner.current_agreement(dt.date(2025, 6, 1)) == new
    assert partner.current_agreement(dt.date(2022, 12, 31)) is None
    assert old.in_force(dt.date(2024, 12, 31)) and not old.in_force(dt.date(2025, 1, 1))


# --- the office -------------------------------------------------------------------------------------------


def test_office_is_a_singleton(db: Any) -> None:
    """The office is configured once: saving again changes row 1, and its change is audited."""
    first = factories.make_office()
    office = Office.current()
    office.name = "Landesverwaltungsamt"
    office.creditor_id = "de98 zzz 09999999999"
    second = do_save_office(office, actor=TEST_ACTOR)
    assert Office.objects.count() == 1
    assert first.pk == second.pk == 1
    assert Office.current().name == "Landesverwaltungsamt"
    assert Office.current().creditor_id == "DE98ZZZ09999999999"
    event = _last_event()
    assert event.action == "partners.save_office"
    assert event.summary == {"changes": {"name": ["Landesverwaltungsamt Saarland", "Landesverwaltungsamt"]}}


def test_office_can_be_reconfigured_from_a_new_instance(db: Any) -> None:
    """do_save_office turns whatever instance it gets into row 1, also when row 1 already exists."""
    factories.make_office()
    factories.make_office(name="Landesverwaltungsamt")
    assert Office.objects.count() == 1
    assert Office.current().name == "Landesverwaltungsamt"


def test_database_refuses_a_second_office_row(office: Office) -> None:
    """The check constraint office_singleton holds in the database, whoever writes."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(
            id=2,
            name="Zweitamt",
            street="x",
            postcode="66111",
            city="y",
            iban=office.iban,
            creditor_id=office.creditor_id,
        )
    assert Office.objects.count() == 1


@pytest.mark.parametrize(
    ("creditor_id", "code"),
    [("DE97ZZZ09999999999", "creditor_id.checksum"), ("DE98ZZZ", "creditor_id.invalid")],
)
def test_office_with_invalid_creditor_id_is_refused(db: Any, creditor_id: str, code: str) -> None:
    """The SEPA creditor identifier is checked (ISO 7064 mod 97-10) before the office is saved."""
    with pytest.raises(ValidationError) as excinfo:
        factories.make_office(creditor_id=creditor_id)
    assert [e.code for e in excinfo.value.error_dict["creditor_id"]] == [code]
    assert Office.current() is None


# --- users and roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_create_user_assigns_exactly_one_role(db: Any, partner: Partner, role: Role) -> None:
    """A new user is in the role's group only; Partner users are bound to their partner; audited."""
    bound = partner if role == Role.PARTNER else None
    user = factories.make_user(role, bound)
    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    assert roles_of(user) == [role]
    assert UserProfile.objects.get(user=user).partner == bound
    assert user.is_staff == (role == Role.ADMINISTRATION)
    assert not user.is_superuser
    event = _last_event()
    assert event.action == "partners.create_user"
    assert event.summary == {"username": user.username, "role": role.value}
    assert event.partner_id == (partner.pk if bound else None)
    assert PASSWORD not in str(event.summary)


def test_partner_role_requires_a_partner(db: Any) -> None:
    """A Partner user without a partner would see nothing or everything: refused (user.partner_missing)."""
    with pytest.raises(ValidationError) as excinfo:
        factories.make_user(Role.PARTNER, None, username="ohne-partner")
    assert excinfo.value.code == "user.partner_missing"
    assert "braucht einen Partner" in excinfo.value.message
    assert not User.objects.filter(username="ohne-partner").exists()


@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_office_roles_refuse_a_partner(partner: Partner, role: Role) -> None:
    """Office staff are never bound to a partner (user.partner_not_allowed)."""
    with pytest.raises(ValidationError) as excinfo:
        factories.make_user(role, partner, username="gebunden")
    assert excinfo.value.code == "user.partner_not_allowed"
    assert not User.objects.filter(username="gebunden").exists()


def test_password_is_hashed_with_argon2(db: Any, settings: Any) -> None:
    """Passwords are stored as argon2 hashes (kofo's configured first hasher), never in clear."""
    settings.PASSWORD_HASHERS = kofo_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = factories.make_user(Role.INNENDIENST)
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kurz-1!", "password_too_short"),
        ("password1234", "password_too_common"),
        ("839204718293", "password_entirely_numeric"),
        ("sachbearbeiterin", "password_too_similar"),
    ],
)
def test_weak_password_is_refused(db: Any, password: str, code: str) -> None:
    """Passwords follow the validators (length >= 12, not common, not numeric, not like the user name)."""
    with pytest.raises(ValidationError) as excinfo:
        do_create_user(
            username="sachbearbeiterin", password=password, role=Role.INNENDIENST, actor=TEST_ACTOR
        )
    assert code in [error.code for error in excinfo.value.error_list]
    assert not User.objects.filter(username="sachbearbeiterin").exists()


def test_duplicate_username_is_refused_case_insensitively(db: Any) -> None:
    """User names are unique regardless of case (user.exists)."""
    factories.make_user(Role.INNENDIENST, username="m.mustermann")
    with pytest.raises(ValidationError) as excinfo:
        factories.make_user(Role.PRUEFUNG, username="M.Mustermann")
    assert excinfo.value.code == "user.exists"
    assert User.objects.filter(username__iexact="m.mustermann").count() == 1


def test_role_groups_hold_exactly_their_permissions(db: Any) -> None:
    """sync_role_groups: each role gets its listed permissions, '*' expanded, Prüfung every view_*."""
    sync_role_groups()
    assert _perms(Role.PARTNER) == set(ROLE_PERMISSIONS[Role.PARTNER])
    assert "partners.view_partner" not in _perms(Role.PARTNER)  # its rows: kofo.partners.access.restrict
    assert _perms(Role.AUSSENDIENST) == {
        "partners.view_partner",
        "partners.view_office",
        "partners.use_calculators",
        "cases.view_case",  # reads the debtor file of an order, changes nothing
    }
    assert _perms(Role.INNENDIENST) == set(ROLE_PERMISSIONS[Role.INNENDIENST])
    assert "partners.view_agreement" in _perms(Role.INNENDIENST)

    admin = _perms(Role.ADMINISTRATION)
    for model in ("partner", "agreement", "office", "apitoken", "userprofile", "agreementrevision"):
        for verb in ("add", "change", "delete", "view"):
            assert f"partners.{verb}_{model}" in admin
    assert {"auth.add_user", "auth.change_user", "audit.view_auditevent"} <= admin
    # Nobody may change the ledger or the audit trail through permissions, not even Administration.
    for role in Role:
        assert not any(
            p.startswith(("ledger.add_", "ledger.change_", "ledger.delete_")) for p in _perms(role)
        )
        assert not any(p.startswith(("audit.add_", "audit.change_", "audit.delete_")) for p in _perms(role))

    pruefung = _perms(Role.PRUEFUNG)
    # Prüfung reads and re-computes, never changes: view permissions plus the calculators.
    assert all(p.split(".", 1)[1].startswith("view_") or p == "partners.use_calculators" for p in pruefung)
    assert {
        "partners.view_partner",
        "partners.view_agreementrevision",
        "partners.view_apitoken",
        "partners.view_userprofile",
        "ledger.view_posting",
        "audit.view_auditevent",
        "audit.view_personaldataaccess",
    } <= pruefung
    assert "partners.view_own_partner" in pruefung  # a view_* permission of a kofo app


@pytest.mark.parametrize("role", [Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG])
def test_role_groups_are_complete_right_after_migrate(db: Any, role: Role) -> None:
    """The groups as left by ``migrate`` (without a manual sync) already hold the ledger read permissions."""
    assert {"ledger.view_account", "ledger.view_transaction", "ledger.view_posting"} <= _perms(role)


def test_sync_role_groups_repairs_a_tampered_group(db: Any) -> None:
    """Re-syncing removes permissions granted by hand: the role model is code, not clicks."""
    group = Group.objects.get(name=Role.PARTNER.value)
    group.permissions.add(*Group.objects.get(name=Role.ADMINISTRATION.value).permissions.all())
    assert len(_perms(Role.PARTNER)) > 1
    sync_role_groups()
    assert _perms(Role.PARTNER) == set(ROLE_PERMISSIONS[Role.PARTNER])


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (Role.PRUEFUNG, ["partners.view_partner", "ledger.view_transaction"], ["partners.change_partner"]),
        (Role.PARTNER, ["partners.view_own_partner"], ["partners.view_partner", "ledger.view_posting"]),
        (Role.AUSSENDIENST, ["partners.use_calculators"], ["partners.view_agreement", "ledger.view_account"]),
        (Role.ADMINISTRATION, ["partners.change_agreement", "auth.add_user"], ["ledger.add_transaction"]),
    ],
)
def test_users_hold_their_roles_permissions(
    partner: Partner, role: Role, allowed: list[str], denied: list[str]
) -> None:
    """has_perm follows the role group (through Django's auth backends)."""
    sync_role_groups()  # see test_role_groups_are_complete_right_after_migrate
    user = factories.make_user(role, partner if role == Role.PARTNER else None)
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    for perm in allowed:
        assert user.has_perm(perm), perm
    for perm in denied:
        assert not user.has_perm(perm), perm


# --- API tokens -------------------------------------------------------------------------------------------


def test_issue_and_revoke_api_token_are_audited(partner: Partner) -> None:
    """Issuing returns the secret once and stores its hash; revoking is recorded once (idempotent)."""
    token, secret = do_issue_api_token(partner, name="  Fachverfahren  ", actor=TEST_ACTOR)
    assert token.name == "Fachverfahren"
    assert token.active
    assert secret.startswith(f"kofo_{token.prefix}_")
    issued = _last_event()
    assert issued.action == "partners.issue_api_token"
    assert issued.partner_id == partner.pk
    assert secret not in str(issued.summary)

    do_revoke_api_token(token, actor=TEST_ACTOR)
    events = AuditEvent.objects.count()
    again = do_revoke_api_token(token, actor=TEST_ACTOR)
    assert AuditEvent.objects.count() == events
    assert again.revoked_at is not None
    assert again.revoked_by == TEST_ACTOR.name
    assert not ApiToken.objects.get(pk=token.pk).active


def test_api_token_needs_a_name(partner: Partner) -> None:
    """A token without a name cannot be told apart later: refused (token.name_missing)."""
    with pytest.raises(ValidationError) as excinfo:
        do_issue_api_token(partner, name="   ", actor=TEST_ACTOR)
    assert excinfo.value.code == "token.name_missing"
    assert not ApiToken.objects.exists()


def test_partner_kinds_cover_the_public_creditors() -> None:
    """The kinds of public creditors of the cooperation (issue 2, no. 5)."""
    assert {k.value for k in PartnerKind} == {
        "land",
        "landkreis",
        "gemeinde",
        "zweckverband",
        "anstalt",
        "stiftung",
        "sonstige",
    }
