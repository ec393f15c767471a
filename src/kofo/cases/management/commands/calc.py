"""``kofo calc …``: the caseworkers' calculators on the command line (see :mod:`kofo.law.calculators`).

Each prints the result and its derivation in German; ``--json`` prints one object whose ``result`` is the
amount in cents (integer) or the date (ISO 8601), with the ``derivation`` as a list of sentences.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.markup import escape

from kofo.law import calculators
from kofo.law.calculators import Calculation, CalculatorError
from kofo.money import Cents, MoneyParseError


def _today() -> date:
    return timezone.localdate()


def _settings(values: list[str] | None) -> dict[str, Cents]:
    out: dict[str, Cents] = {}
    for item in values or ():
        key, sep, amount = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--einstellung erwartet SCHLÜSSEL=BETRAG, nicht „{item}“.")
        try:
            out[key.strip()] = Cents.parse(amount.strip())
        except MoneyParseError as exc:
            raise CommandError(f"--einstellung {key}: {exc}") from None
    return out


class Command(BaseCommand):
    help = "Rechner: Pfändung (§ 850c ZPO), Säumniszuschläge (§ 240 AO), Fristen, Verjährung, Gebühren."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="rechner", required=True)

        def add(name: str, help_text: str) -> CommandParser:
            p: CommandParser = sub.add_parser(name, help=help_text, description=help_text)
            p.add_argument("--json", action="store_true", help="Ergebnis als ein JSON-Objekt ausgeben")
            return p

        p = add("pfaendung", "Pfändbarer Betrag des Arbeitseinkommens (§ 850c ZPO)")
        p.add_argument("--netto", required=True, help="Nettoeinkommen, z. B. 2150.00 oder 2150,00")
        p.add_argument("--unterhaltspflichten", default="0", help="Zahl der unterhaltsberechtigten Personen")
        p.add_argument("--zeitraum", default="monat", choices=calculators.GARNISHMENT_PERIODS)
        p.add_argument("--stichtag", help="Tag der Lohnzahlung (Vorgabe: heute)")

        p = add("saeumnis", "Säumniszuschläge (§ 240 AO)")
        p.add_argument("--betrag", required=True, help="rückständige Hauptforderung, z. B. 1598.00")
        p.add_argument("--faellig", required=True, help="Fälligkeitstag")
        p.add_argument("--zahlung", help="Tag der Zahlung des Rests (Vorgabe: heute, Zuschläge bis dahin)")
        p.add_argument(
            "--teilzahlung",
            action="append",
            default=[],
            metavar="DATUM:BETRAG",
            help="Teilzahlung, z. B. 2025-03-20:500.00 (mehrfach möglich)",
        )
        p.add_argument("--stundung-bis", help="Stundung bis zu diesem Tag (verschiebt die Fälligkeit)")
        p.add_argument("--land", default="SL", help="Land für die Feiertage (Vorgabe SL)")

        p = add("frist", "Fristende oder Bekanntgabetag (§§ 187–193 BGB, §§ 108, 122 AO)")
        p.add_argument("--beginn", required=True, help="Tag des Ereignisses (Aufgabe zur Post, Zustellung …)")
        p.add_argument("--art", required=True, choices=calculators.PERIOD_KINDS)
        p.add_argument("--land", default="SL", help="Länderkürzel der Feiertage, z. B. SL, NW, BY")

        p = add("verjaehrung", "Zahlungsverjährung (§§ 228–232 AO)")
        p.add_argument("--faellig", required=True, help="Fälligkeitstag")
        p.add_argument(
            "--unterbrechung",
            action="append",
            default=[],
            metavar="DATUM[:ART]",
            help="Unterbrechung (Vorgabe: Vollstreckungsmaßnahme), mehrfach möglich",
        )

        p = add("gebuehr", "Vollstreckungsgebühr nach Regime und Stichtag")
        p.add_argument("--regime", required=True, choices=calculators.REGIMES)
        p.add_argument("--art", required=True, choices=calculators.FEE_KINDS)
        p.add_argument("--betrag", help="Betrag, nach dem sich die Gebühr bemisst")
        p.add_argument("--stunden", help="Dauer der Wegnahme in Stunden, z. B. 1.5")
        p.add_argument("--stichtag", help="Tag, an dem die Gebühr entsteht (Vorgabe: heute)")
        p.add_argument(
            "--einstellung",
            action="append",
            metavar="SCHLÜSSEL=BETRAG",
            help="Wert einer nicht hinterlegten Gebührenstufe, z. B. svwvg_sl.pfaendung.ueber_1000=32.00",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runners: dict[str, Callable[[dict[str, Any]], Calculation]] = {
            "pfaendung": lambda o: calculators.pfaendung(
                o["netto"], o["unterhaltspflichten"], o["zeitraum"], o["stichtag"] or _today()
            ),
            "saeumnis": lambda o: calculators.saeumnis(
                o["betrag"],
                o["faellig"],
                zahlung=o["zahlung"] or _today(),
                teilzahlungen=o["teilzahlung"],
                stundung_bis=o["stundung_bis"],
                land=o["land"],
            ),
            "frist": lambda o: calculators.frist(o["beginn"], o["art"], o["land"]),
            "verjaehrung": lambda o: calculators.verjaehrung(
                o["faellig"], o["unterbrechung"], heute=_today()
            ),
            "gebuehr": lambda o: calculators.gebuehr(
                o["regime"],
                o["art"],
                o["betrag"],
                stunden=o["stunden"],
                stichtag=o["stichtag"] or _today(),
                settings=_settings(o["einstellung"]),
            ),
        }
        try:
            calculation = runners[options["rechner"]](options)
        except CalculatorError as exc:
            if options.get("json"):
                self.stdout.write(
                    json.dumps({"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False)
                )
            raise CommandError(f"{exc.message} [{exc.code}]", returncode=2) from None
        if options.get("json"):
            self.stdout.write(json.dumps(calculation.to_json(), ensure_ascii=False))
            return
        console = Console(file=cast(IO[str], self.stdout), highlight=False, soft_wrap=True)
        console.print(f"[bold]{escape(calculation.title)}[/bold]")
        for step in calculation.derivation:
            console.print(f"  • {step}", markup=False)
        console.print(f"[bold]Ergebnis: {escape(calculation.result_text)}[/bold]")
