"""``kofo token create --partner KEY --name NAME`` / ``kofo token revoke PREFIX`` / ``kofo token list``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kofo.audit.actors import SystemActor
from kofo.partners.actions import do_issue_api_token, do_revoke_api_token
from kofo.partners.models import ApiToken, Partner

CLI = SystemActor("system:cli")


class Command(BaseCommand):
    help = "API-Tokens der Partner ausgeben, auflisten und widerrufen."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Token ausgeben (wird einmal angezeigt)")
        create.add_argument("--partner", required=True)
        create.add_argument("--name", required=True)
        revoke = sub.add_parser("revoke", help="Token widerrufen")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="Tokens auflisten")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "create":
            partner = Partner.objects.filter(key=options["partner"]).first()
            if partner is None:
                raise CommandError(f"Partner {options['partner']!r} gibt es nicht.")
            try:
                token, secret = do_issue_api_token(partner, name=options["name"], actor=CLI)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(
                f"Token {token.prefix} für {partner.name} (wird nur jetzt angezeigt):\n{secret}"
            )
        elif options["subcommand"] == "revoke":
            row = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if row is None:
                raise CommandError(f"Token {options['prefix']!r} gibt es nicht.")
            do_revoke_api_token(row, actor=CLI)
            self.stdout.write(f"Token {row.prefix} widerrufen.")
        else:
            for row in ApiToken.objects.select_related("partner"):
                state = "widerrufen" if row.revoked_at else "aktiv"
                self.stdout.write(f"{row.prefix}\t{row.partner.key}\t{row.name}\t{state}")
