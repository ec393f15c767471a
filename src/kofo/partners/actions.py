"""Actions on partners, agreements, the office, users and API tokens (the only way they change)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone

from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import changes, jsonable, record_event
from kofo.partners import tokens
from kofo.partners.models import Agreement, AgreementRevision, ApiToken, Office, Partner, UserProfile
from kofo.partners.roles import Role
from kofo.partners.validators import normalize_iban


def _state(obj: models.Model) -> dict[str, Any]:
    return dict(jsonable(model_to_dict(obj)))


def _stored_state(obj: models.Model) -> dict[str, Any]:
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return _state(stored) if stored is not None else {}


@action
def do_save_office(office: Office, *, actor: Actor) -> Office:
    """Configure the office (one row, id 1): letterhead, bank account, creditor identifier."""
    office.pk = 1
    office._state.adding = not Office.objects.filter(pk=1).exists()
    office.iban = normalize_iban(office.iban)
    office.creditor_id = "".join(office.creditor_id.split()).upper()
    before = _stored_state(office)
    office.full_clean()
    office.save()
    record_event(
        actor=actor,
        action="partners.save_office",
        obj=office,
        summary={"changes": changes(before, _state(office))},
    )
    return office


@action
def do_save_partner(partner: Partner, *, actor: Actor) -> Partner:
    """Create or change a partner's master data."""
    partner.iban = normalize_iban(partner.iban)
    partner.bic = partner.bic.strip().upper()
    created = partner.pk is None
    before = _stored_state(partner)
    partner.full_clean()
    partner.save()
    record_event(
        actor=actor,
        action="partners.create_partner" if created else "partners.change_partner",
        obj=partner,
        partner=partner,
        summary={"changes": changes(before, _state(partner))},
    )
    return partner


@action
def do_save_agreement(agreement: Agreement, *, actor: Actor, reason: str = "") -> Agreement:
    """Conclude or amend an agreement; an amendment keeps the former state as a revision (its history)."""
    created = agreement.pk is None
    previous = None if created else Agreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.full_clean()
    if previous is not None:
        before = _state(previous)
        diff = changes(before, _state(agreement))
        diff.pop("version", None)
        if not diff:
            return previous
        AgreementRevision.objects.create(
            agreement=previous,
            version=previous.version,
            snapshot=before,
            changed_at=timezone.now(),
            changed_by=actor_name(actor),
            reason=reason,
        )
        agreement.version = previous.version + 1
    else:
        diff = changes({}, _state(agreement))
    agreement.save()
    record_event(
        actor=actor,
        action="partners.conclude_agreement" if created else "partners.amend_agreement",
        obj=agreement,
        partner=agreement.partner_id,
        summary={"version": agreement.version, "reason": reason, "changes": diff},
    )
    return agreement


@action
def do_create_user(
    *,
    username: str,
    password: str,
    role: Role,
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    partner: Partner | None = None,
    phone: str = "",
) -> AbstractBaseUser:
    """Create a user with one role; a Partner user must be bound to a partner, office staff must not."""
    if role == Role.PARTNER and partner is None:
        raise ValidationError(
            "Ein Benutzer der Rolle Partner braucht einen Partner.", code="user.partner_missing"
        )
    if role != Role.PARTNER and partner is not None:
        raise ValidationError(
            "Nur Benutzer der Rolle Partner werden an einen Partner gebunden.",
            code="user.partner_not_allowed",
        )
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            "Den Benutzernamen %(name)s gibt es schon.", code="user.exists", params={"name": username}
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.is_staff = role == Role.ADMINISTRATION  # Django admin for master data: Administration only
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    UserProfile.objects.create(user=user, partner=partner, phone=phone)
    record_event(
        actor=actor,
        action="partners.create_user",
        obj=user,
        partner=partner,
        summary={"username": username, "role": role.value},
    )
    return user


@action
def do_issue_api_token(partner: Partner, *, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """Issue a token for ``partner``. Returns the token row and the secret, which is shown only once."""
    if not name.strip():
        raise ValidationError("Bitte eine Bezeichnung für das Token angeben.", code="token.name_missing")
    secret, prefix, digest = tokens.new_token()
    token = ApiToken.objects.create(
        partner=partner,
        name=name.strip()[:80],
        prefix=prefix,
        secret_hash=digest,
        created_by=actor_name(actor),
    )
    record_event(
        actor=actor,
        action="partners.issue_api_token",
        obj=token,
        partner=partner,
        summary={"name": token.name},
    )
    return token, secret


@action
def do_revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor_name(actor)
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor, action="partners.revoke_api_token", obj=token, partner=token.partner_id, summary={}
    )
    return token


@action
def do_change_user(
    user: AbstractBaseUser, *, actor: Actor, fields: dict[str, Any] | None = None
) -> AbstractBaseUser:
    """Save a changed user account (name, e-mail, active flag, groups set by the admin form)."""
    before = _stored_state(user)
    before.pop("password", None)
    user.save()
    after = _state(user)
    after.pop("password", None)
    diff = changes(before, after)
    diff.pop("last_login", None)
    record_event(actor=actor, action="partners.change_user", obj=user, summary={"changes": diff})
    return user
