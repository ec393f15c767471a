"""``kofo createuser USERNAME --role ROLE [--partner KEY]``: create a user with one role."""

from __future__ import annotations

import getpass
import os
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kofo.audit.actors import SystemActor
from kofo.partners.actions import do_create_user
from kofo.partners.models import Partner
from kofo.partners.roles import Role

ROLE_NAMES = {
    "administration": Role.ADMINISTRATION,
    "innendienst": Role.INNENDIENST,
    "aussendienst": Role.AUSSENDIENST,
    "partner": Role.PARTNER,
    "pruefung": Role.PRUEFUNG,
}


class Command(BaseCommand):
    help = "Legt einen Benutzer mit einer Rolle an (Passwort aus KOFO_NEW_PASSWORD, Eingabe oder erzeugt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        parser.add_argument("--partner", help="Kurzname des Partners (nur für die Rolle partner)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--generate-password",
            action="store_true",
            help="Zufälliges Passwort erzeugen und einmal ausgeben",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partner = None
        if options["partner"]:
            partner = Partner.objects.filter(key=options["partner"]).first()
            if partner is None:
                raise CommandError(f"Partner {options['partner']!r} gibt es nicht.")
        generated = False
        password = os.environ.get("KOFO_NEW_PASSWORD", "")
        if options["generate_password"]:
            password, generated = secrets.token_urlsafe(15), True
        elif not password:
            password = getpass.getpass("Passwort: ")
            if password != getpass.getpass("Passwort wiederholen: "):
                raise CommandError("Die Passwörter stimmen nicht überein.")
        try:
            do_create_user(
                username=options["username"],
                password=password,
                role=ROLE_NAMES[options["role"]],
                partner=partner,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                actor=SystemActor("system:cli"),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Benutzer {options['username']} angelegt (Rolle {ROLE_NAMES[options['role']].value})."
        )
        if generated:
            self.stdout.write(f"Passwort (wird nur jetzt angezeigt): {password}")
