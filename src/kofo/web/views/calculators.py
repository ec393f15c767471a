"""Rechner: the caseworkers' calculators (Pfändung, Säumniszuschläge, Fristen, Verjährung, Gebühren).

One page with a form per calculator of :mod:`kofo.law.calculators`. A form posts to its own URL: with htmx
the answer is the form (with its errors) and, out of band, the result; without JavaScript the whole page.
The calculators read no data of the office, so every logged-in user may use them and nothing is logged in
the access log of personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from kofo.law.calculators import Calculation, CalculatorError
from kofo.web import rules
from kofo.web.calculator_forms import CALCULATOR_FORMS, CalculatorForm
from kofo.web.views.common import is_htmx, require


class Section:
    """One calculator on the page: its form and, after a POST, its result or error."""

    def __init__(
        self,
        form: CalculatorForm,
        calculation: Calculation | None = None,
        error: CalculatorError | None = None,
    ) -> None:
        self.form = form
        self.name = form.name
        self.calculation = calculation
        self.error = error

    @property
    def result_value(self) -> str:
        """The result for machines (``data-result``): cents as an integer or the date as ISO 8601."""
        return "" if self.calculation is None else str(self.calculation.to_json()["result"])


def _sections(today: date, posted: Section | None = None) -> list[Section]:
    return [
        posted if posted is not None and posted.name == name else Section(form_class(today=today))
        for name, form_class in CALCULATOR_FORMS.items()
    ]


@require(rules.can_use_calculators)
def calculator_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/calculators/page.html", {"sections": _sections(timezone.localdate())})


@require_http_methods(["GET", "POST"])
@require(rules.can_use_calculators)
def calculate(request: HttpRequest, name: str) -> HttpResponse:
    form_class = CALCULATOR_FORMS.get(name)
    if form_class is None:
        raise Http404("Diesen Rechner gibt es nicht.")
    if request.method != "POST":
        # The address of a calculator's answer without JavaScript: opened again, it shows the empty form.
        return redirect(f"{reverse('web:calculators')}#{name}")
    today = timezone.localdate()
    form = form_class(request.POST, today=today)
    section = Section(form)
    if form.is_valid():
        try:
            section.calculation = form.calculate()
        except CalculatorError as exc:
            form.add_calculator_error(exc)
            section.error = exc
    context: dict[str, Any] = {"section": section}
    if is_htmx(request):
        response = render(request, "web/calculators/_response.html", context)
    else:
        context["sections"] = _sections(today, section)
        response = render(request, "web/calculators/page.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
