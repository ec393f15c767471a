"""Tenancy at one choke point (rules of the house, no. 6).

Every read of partner-owned data by a user or an API token goes through an ``access_*`` function here.
Office staff see every partner; a Partner user or a partner's API token sees only its own partner.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser, Group, Permission

from kofo.partners.models import Agreement, ApiToken, Partner, UserProfile
from kofo.partners.roles import KOFO_APPS, ROLE_PERMISSIONS, Role

Principal = AbstractUser | AnonymousUser | ApiToken


class AccessDenied(Exception):
    code = "access.denied"


def bound_partner(principal: Principal) -> Partner | None:
    """The one partner a Partner user or a token is bound to (None for office staff)."""
    if isinstance(principal, ApiToken):
        return principal.partner
    if not principal.is_authenticated:
        return None
    profile = UserProfile.objects.filter(user_id=principal.pk).select_related("partner").first()
    return profile.partner if profile else None


def is_office_staff(principal: Principal) -> bool:
    if isinstance(principal, ApiToken) or not principal.is_authenticated or not principal.is_active:
        return False
    return bool(principal.has_perm("partners.view_partner")) and bound_partner(principal) is None


def access_partners(principal: Principal) -> Any:
    """Partners the principal may see."""
    if isinstance(principal, ApiToken):
        if principal.revoked_at is not None:
            return Partner.objects.none()
        return Partner.objects.filter(pk=principal.partner_id)
    if is_office_staff(principal):
        return Partner.objects.all()
    partner = bound_partner(principal)
    if partner is not None and partner.active and principal.has_perm("partners.view_own_partner"):
        return Partner.objects.filter(pk=partner.pk)
    return Partner.objects.none()


def access_agreements(principal: Principal) -> Any:
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        if principal.has_perm("partners.view_agreement"):
            return Agreement.objects.select_related("partner")
        return Agreement.objects.none()
    return Agreement.objects.filter(partner__in=access_partners(principal)).select_related("partner")


def roles_of(user: AbstractUser | AnonymousUser) -> list[Role]:
    if not user.is_authenticated:
        return []
    names = set(Group.objects.filter(user=user).values_list("name", flat=True))  # type: ignore[misc]
    return [role for role in Role if role.value in names]


def sync_role_groups(using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions of ``ROLE_PERMISSIONS``."""
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        perms: list[Permission] = []
        for entry in wanted:
            app_label, codename = entry.split(".", 1)
            qs = Permission.objects.using(using).filter(content_type__app_label=app_label)
            if codename != "*":
                qs = qs.filter(codename=codename)
            perms.extend(qs)
        group.permissions.set(perms)
    # Prüfung reads everything kofo keeps.
    pruefung = Group.objects.using(using).get(name=Role.PRUEFUNG.value)
    views = Permission.objects.using(using).filter(
        content_type__app_label__in=KOFO_APPS, codename__startswith="view_"
    )
    pruefung.permissions.add(*views)


def restrict(queryset: Any, principal: Principal, partner_field: str = "partner") -> Any:
    """Filter any partner-owned queryset to what ``principal`` may see (the one tenancy rule).

    Office staff with ``partners.view_partner`` see all rows; a Partner user or a token only rows of its
    own (active) partner; everyone else nothing. Apps build their ``access_*`` functions on this.
    """
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        return queryset
    visible = access_partners(principal).values("pk")
    return queryset.filter(**{f"{partner_field}__in": visible})
