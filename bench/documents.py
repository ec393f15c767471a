"""Documents benchmark (issue 6): a batch of mixed letters rendered and archived, against bare WeasyPrint.

The office is the one of ``bench/daily.py`` (its generator and its cache are reused; ``--claims`` defaults
to six per letter, 12,000 for 2,000 letters, so that every kind finds enough measures). For each database
(SQLite file in a temporary ``KOFO_DATA_DIR`` by default; ``--backends sqlite,postgresql`` adds a fresh
database on 127.0.0.1:5432, dropped afterwards) the driver generates the office in a first subprocess; a
second one, with ``KOFO_DEBUG=0`` as in production, builds the letters and measures in one process:

(a) kofo end to end: :func:`kofo.documents.actions.produce_letters` with ``parallel=True`` — the letters
    grouped by kind and regime, laid out in batches of 40 on :func:`~kofo.documents.rendering.workers`
    spawned processes, cut into one PDF/A-3b per letter, archived (content-addressed files), one
    ``Document`` row and one audit event per letter. Wall time → ``letters_per_s``; CPU seconds of the
    process and its workers; peak RSS (the sum over the process and its workers, sampled with psutil when
    it is installed — the ``bench`` extra — else the largest single process from ``getrusage``).
(b) the peer, bare WeasyPrint on the same HTML in the same process, one process, nothing of kofo's
    machinery: each letter's body from :func:`~kofo.documents.rendering.render_html`, wrapped in
    ``page_html(bundle, [body], [1])``, rendered with ``weasyprint.HTML(string=…).write_pdf()`` and the
    letter style sheet — one document per letter (``weasyprint_single``, the "bare WeasyPrint cost" of
    the target); and
(c) the same bodies as documents of 40 letters of one kind and regime, one PDF per 40, not cut apart
    (``weasyprint_batch``).

The peers use WeasyPrint's public API as a careful user would: the ``kofo-font:`` URLs of the style sheet
(served by kofo's URL fetcher) become ``file://`` URLs of the same vendored fonts, read by WeasyPrint's own
fetcher; the style sheet is passed as one parsed ``CSS`` (or left in the page when the page template
carries it) and one ``FontConfiguration`` serves all documents of a peer — without it every document
decodes the four WOFF2 fonts again, which a few letters show for information
(``weasyprint_single_fresh_fonts``). The peers write WeasyPrint's default PDF; kofo writes PDF/A-3b. The
HTML is made before the peers' clocks start (``html_seconds``); kofo's time includes its own.
``--peer-letters K`` lets the peers render every (N/K)-th letter only (the mix is kept) and extrapolates
their time to the batch — the field ``extrapolated`` says so; by default they render all.

The batch (``--letters``, default 2,000): letters of several kinds built by kofo's own builders
(:mod:`kofo.documents.letters`) from the generated office's executed measures, each letter a different
measure (no synthetic variation), in the shares of :data:`KIND_SHARES`: Zahlungsaufforderungen
(``payment_demand``), the third party's and the debtor's copy of a PfEV Bank (``garnishment_orders``, both
copies of the same measures), Mitteilungen über die Zustellung of served PfEV Bank (``garnishment_notice``)
and Zahlungsaufforderungen mit Hinweis auf die Vermögensauskunft (``disclosure_demand``); the regime (AO or
SVwVG) is the one of the claims' partners. A kind without a template, or without enough measures, gives
its share to the Zahlungsaufforderung; the JSON's ``mix`` says what was rendered. Measures are drawn at
random (``--seed``).

Prints one JSON line per database and a summary line with the targets (at least 20 letters/s on the 2-core
machine; kofo's wall time under 1.5× the bare WeasyPrint cost, one document per letter). Usage::

    python bench/documents.py [--letters 2000] [--claims N] [--seed 4] [--peer-letters K]
                              [--backends sqlite[,postgresql]] [--cache DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import random
import resource
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # imported as bench.documents (tests)
    from bench import daily
except ImportError:  # run as bench/documents.py: bench/ is on sys.path
    import daily  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
TARGET_LETTERS = 2_000
TARGET_LETTERS_PER_S = 20.0
TARGET_RATIO = 1.5
CLAIMS_PER_LETTER = 6  # a generated office of 6 claims per letter has enough measures of every kind
CLAIMS_MIN = 1_000
ACTOR_NAME = "system:bench"
FRESH_FONTS_LETTERS = 3

#: Letter kinds and their shares of the batch. Both PfEV copies come from the same measures.
KIND_SHARES = (
    ("zahlungsaufforderung", 0.40),
    ("pfev_drittschuldner", 0.15),
    ("pfev_schuldner", 0.15),
    ("pfaendung_mitteilung", 0.15),
    ("va_zahlungsaufforderung", 0.15),
)
FALLBACK_KIND = "zahlungsaufforderung"
PFEV_PAIR = ("pfev_drittschuldner", "pfev_schuldner")


# --- the mix (pure) -----------------------------------------------------------------------------------


def mix_counts(letters: int, kinds: Sequence[str] | None = None) -> dict[str, int]:
    """Letters per kind: the shares of the ``kinds`` given (default all), rounded by largest remainder;
    both PfEV copies equally many; what is left over goes to the Zahlungsaufforderung."""
    available = [kind for kind, _ in KIND_SHARES if kinds is None or kind in kinds]
    if FALLBACK_KIND not in available:
        raise ValueError(f"the mix needs the {FALLBACK_KIND} template")
    weight = sum(share for kind, share in KIND_SHARES if kind in available)
    raw = {kind: share / weight * letters for kind, share in KIND_SHARES if kind in available}
    counts = {kind: int(value) for kind, value in raw.items()}
    rest = letters - sum(counts.values())
    for kind in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True)[:rest]:
        counts[kind] += 1
    if all(kind in counts for kind in PFEV_PAIR):
        pair = min(counts[kind] for kind in PFEV_PAIR)
        for kind in PFEV_PAIR:
            counts[FALLBACK_KIND] += counts[kind] - pair
            counts[kind] = pair
    return counts


def claims_for(letters: int) -> int:
    return max(CLAIMS_MIN, letters * CLAIMS_PER_LETTER)


def sample_indices(total: int, sample: int) -> list[int]:
    """Every (total/sample)-th index, evenly over the batch (which is ordered by kind)."""
    if sample <= 0 or sample >= total:
        return list(range(total))
    return [i * total // sample for i in range(sample)]


# --- the subprocess ----------------------------------------------------------------------------------------


class RssSampler:
    """Peak resident memory of this process and its children while the block runs (psutil, 10 Hz)."""

    def __init__(self) -> None:
        try:
            import psutil
        except ImportError:
            self.process = None
        else:
            self.process = psutil.Process()
        self.peak_bytes = 0
        self.processes_max = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        assert self.process is not None
        total, count = 0, 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(Exception):  # a worker may end between listing and reading
                total += proc.memory_info().rss
                count += 1
        self.peak_bytes = max(self.peak_bytes, total)
        self.processes_max = max(self.processes_max, count)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def __enter__(self) -> RssSampler:
        if self.process is not None:
            self._sample()
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self._stop.set()
            self._thread.join()
            self._sample()

    def report(self) -> dict[str, Any]:
        if self.process is None:
            return {
                "method": "getrusage (psutil not installed): the largest single process",
                "peak_rss_mb_process": round(daily._peak_rss_mb()),
                "peak_rss_mb_largest_child": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                ),
            }
        return {
            "method": "psutil: sum of RSS over the process and its workers, sampled at 10 Hz",
            "peak_rss_mb": round(self.peak_bytes / 2**20),
            "processes_max": self.processes_max,
        }


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the render workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def build_letters(counts: dict[str, int], seed: int) -> tuple[list[Any], dict[str, Any]]:
    """The batch, ordered by kind: each letter from its own executed measure, drawn at random."""
    from django.db.models import Exists, OuterRef

    from kofo.cases.models import Measure, MeasureClaim
    from kofo.documents import letters as builders

    rng = random.Random(seed)
    linked = Exists(MeasureClaim.objects.filter(measure=OuterRef("pk")))
    executed = Measure.objects.filter(linked, executed_on__isnull=False)
    pools = {
        "zahlungsaufforderung": executed.filter(kind="zahlungsaufforderung"),
        "pfev": executed.filter(kind="pfev_bank", third_party__isnull=False),
        "pfaendung_mitteilung": executed.filter(
            kind="pfev_bank", third_party__isnull=False, served_on__isnull=False
        ),
        "va_zahlungsaufforderung": executed.filter(kind="vermoegensauskunft"),
    }

    def draw(pool: str, wanted: int) -> list[Any]:
        ids = sorted(pools[pool].values_list("pk", flat=True))
        chosen = sorted(rng.sample(ids, min(wanted, len(ids))))
        related = ("case__debtor", "case__caseworker", "third_party")
        by_id = Measure.objects.select_related(*related).in_bulk(chosen)
        return [by_id[pk] for pk in chosen]

    wanted = dict(counts)
    short: dict[str, int] = {}
    for kind in [k for k in wanted if k != FALLBACK_KIND]:  # the fallback kind is drawn last
        pool = "pfev" if kind in PFEV_PAIR else kind
        available = pools[pool].count()
        if available < wanted[kind]:
            short[kind] = wanted[kind] - available
    if all(kind in wanted for kind in PFEV_PAIR):
        lacking = max(short.get(kind, 0) for kind in PFEV_PAIR)
        for kind in PFEV_PAIR:
            short[kind] = lacking
    for kind, missing in short.items():
        wanted[kind] -= missing
        wanted[FALLBACK_KIND] += missing

    letters: list[Any] = []
    measures_used = 0
    pfev = wanted.get(PFEV_PAIR[0], 0) if all(kind in wanted for kind in PFEV_PAIR) else 0
    for kind in wanted:
        if kind == PFEV_PAIR[1]:
            continue  # built with its pair
        if kind == PFEV_PAIR[0]:
            measures = draw("pfev", pfev)
            orders = [builders.garnishment_orders(m) for m in measures]
            letters += [pair[0] for pair in orders] + [pair[1] for pair in orders]
        else:
            measures = draw(kind, wanted[kind])
            build = {
                "zahlungsaufforderung": builders.payment_demand,
                "pfaendung_mitteilung": builders.garnishment_notice,
                "va_zahlungsaufforderung": builders.disclosure_demand,
            }[kind]
            letters += [letter for m in measures for letter in build(m)]
        measures_used += len(measures)
    if len(letters) != sum(counts.values()):
        raise SystemExit(
            f"bench/documents.py: the office gave {len(letters)} letters, {sum(counts.values())} wanted — "
            "generate a larger office (--claims)"
        )
    if len({letter.key for letter in letters}) != len(letters):
        raise SystemExit("bench/documents.py: two letters of the batch share a key")
    by_regime: dict[str, Counter[str]] = {}
    for letter in letters:
        by_regime.setdefault(letter.kind, Counter())[letter.regime] += 1
    mix = {
        "letters_by_kind": dict(Counter(letter.kind for letter in letters)),
        "letters_by_kind_and_regime": {kind: dict(sorted(c.items())) for kind, c in by_regime.items()},
        "groups": len({(letter.kind, letter.regime) for letter in letters}),
        "recipients": dict(Counter(letter.recipient_role for letter in letters)),
        "claims_per_letter": dict(
            sorted(Counter(len(letter.data.get("claims", [])) for letter in letters).items())
        ),
        "measures_used": measures_used,
        **({"short_of_measures_given_to_zahlungsaufforderung": short} if any(short.values()) else {}),
    }
    return letters, mix


@dataclass(frozen=True)
class PeerDocument:
    """One document a peer renders: the page HTML (as kofo makes it) and the letter style sheet's text."""

    html: str
    css: str  # "" when the page HTML carries the style sheet itself
    letters: int


def _peer_documents(letters: Sequence[Any]) -> tuple[list[PeerDocument], list[PeerDocument]]:
    """What the peers render: one document per letter, and the same bodies 40 to a document, by kind and
    regime as kofo groups them. The ``kofo-font:`` URLs (kofo's fetcher) become ``file://`` URLs."""
    from kofo.documents import rendering

    fonts = rendering.FONTS_DIR.as_uri() + "/"
    bundles: dict[tuple[str, str], Any] = {}
    groups: dict[tuple[str, str], list[str]] = {}
    singles = []

    def document(bundle: Any, bodies: list[str]) -> PeerDocument:
        html = rendering.page_html(bundle, bodies, [1] * len(bodies))
        css = bundle.sources[rendering.LETTER_CSS]
        css = "" if css in html else css.replace(rendering.FONT_SCHEME, fonts)
        return PeerDocument(html.replace(rendering.FONT_SCHEME, fonts), css, len(bodies))

    for letter in letters:
        group = (letter.kind, letter.regime)
        bundle = bundles.get(group)
        if bundle is None:
            bundle = bundles[group] = rendering.bundle_for(*group)
        body = rendering.render_html(bundle, letter.data)
        singles.append(document(bundle, [body]))
        groups.setdefault(group, []).append(body)
    batches = []
    for group, bodies in groups.items():
        for start in range(0, len(bodies), rendering.BATCH_LETTERS_MAX):
            batches.append(document(bundles[group], bodies[start : start + rendering.BATCH_LETTERS_MAX]))
    return singles, batches


def _peer_line(seconds: float, rendered: int, total: int, rss: RssSampler, **extra: Any) -> dict[str, Any]:
    scaled = seconds * total / rendered
    return {
        "letters_rendered": rendered,
        "seconds": round(seconds, 2),
        "seconds_for_batch": round(scaled, 2),
        "extrapolated": rendered != total,
        "letters_per_s": round(total / scaled, 2),
        "ms_per_letter": round(1000 * scaled / total, 1),
        **extra,
        **rss.report(),
    }


def _weasyprint(documents: Sequence[PeerDocument], *, share_fonts: bool = True) -> tuple[float, int]:
    """Bare WeasyPrint: ``HTML(string=…).write_pdf()`` per document, the style sheet passed as a ``CSS``
    (parsed once) and one ``FontConfiguration`` for all documents — or a new one per document."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheets: dict[str, Any] = {}
    pages = 0
    started = time.perf_counter()
    for item in documents:
        if not share_fonts:
            fonts, sheets = FontConfiguration(), {}
        if item.css and item.css not in sheets:
            sheets[item.css] = weasyprint.CSS(string=item.css, font_config=fonts)
        stylesheets = [sheets[item.css]] if item.css else []
        rendered = weasyprint.HTML(string=item.html).render(stylesheets=stylesheets, font_config=fonts)
        rendered.write_pdf()
        pages += len(rendered.pages)
    seconds = time.perf_counter() - started
    del fonts, sheets, rendered  # the FontConfiguration removes its font folder when collected
    gc.collect()
    return seconds, pages


def measure_peers(letters: Sequence[Any], peer_letters: int) -> dict[str, Any]:
    started = time.perf_counter()
    singles, batches = _peer_documents(letters)
    html_seconds = time.perf_counter() - started
    total = len(letters)
    out: dict[str, Any] = {"html_seconds": round(html_seconds, 2)}

    # (b) one document per letter
    picked = [singles[i] for i in sample_indices(total, peer_letters)]
    print(f"  weasyprint: {len(picked)} letters, one document each", file=sys.stderr, flush=True)
    with RssSampler() as rss:
        seconds, pages = _weasyprint(picked)
    out["weasyprint_single"] = _peer_line(
        seconds, len(picked), total, rss, pages=pages,
        reuses="one FontConfiguration and the parsed letter style sheet for all documents",
    )  # fmt: skip

    # (c) documents of 40 letters of one kind and regime, one PDF each, not cut apart
    chosen = batches
    if 0 < peer_letters < total:
        chosen = [
            batches[i]
            for i in sample_indices(len(batches), max(1, round(len(batches) * peer_letters / total)))
        ]
    rendered = sum(item.letters for item in chosen)
    print(f"  weasyprint: {rendered} letters in {len(chosen)} documents", file=sys.stderr, flush=True)
    with RssSampler() as rss:
        seconds, pages = _weasyprint(chosen)
    out["weasyprint_batch"] = _peer_line(
        seconds, rendered, total, rss, documents=len(chosen), letters_per_document_max=40, pages=pages
    )

    # for information: a new FontConfiguration per document decodes the four WOFF2 fonts every time
    few = singles[:FRESH_FONTS_LETTERS]
    seconds, _ = _weasyprint(few, share_fonts=False)
    out["weasyprint_single_fresh_fonts"] = {
        "letters_rendered": len(few),
        "ms_per_letter": round(1000 * seconds / len(few), 1),
        "note": "a new FontConfiguration (and style sheet) per document: the WOFF2 fonts are decoded every time",
    }
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    daily._setup_django()
    from django.db import connection

    from kofo.audit.actors import SystemActor
    from kofo.audit.models import AuditEvent
    from kofo.documents import rendering
    from kofo.documents.actions import produce_letters
    from kofo.documents.models import Document, TemplateVersion
    from kofo.documents.rendering import RenderError

    kinds = []
    for kind, _ in KIND_SHARES:
        try:
            for regime in ("ao", "svwvg_sl"):
                rendering.bundle_for(kind, regime)
        except RenderError:
            continue
        kinds.append(kind)
    counts = mix_counts(args.letters, kinds)

    print(f"  {connection.vendor}: building {args.letters} letters", file=sys.stderr, flush=True)
    started = time.perf_counter()
    letters, mix = build_letters(counts, args.seed)
    build_seconds = time.perf_counter() - started
    mix["kinds_without_template"] = [kind for kind, _ in KIND_SHARES if kind not in kinds]
    mix["source"] = (
        "kofo.documents.letters builders on executed measures of the generated office (bench/daily.py), "
        "one measure per letter (both PfEV copies from the same measures), no synthetic variation"
    )

    # (a) kofo end to end
    events_before = AuditEvent.objects.filter(action="documents.produce_document").count()
    print(f"  {connection.vendor}: produce_letters, {len(letters)} letters", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    cpu = _cpu_seconds()
    with RssSampler() as rss:
        started = time.perf_counter()
        produced = produce_letters(letters, actor=SystemActor(ACTOR_NAME), parallel=True)
        seconds = time.perf_counter() - started
    cpu_seconds = _cpu_seconds() - cpu
    load_after = os.getloadavg()[0]
    print(f"  {connection.vendor}: produced in {seconds:.1f} s", file=sys.stderr, flush=True)
    # WeasyPrint keeps each FontConfiguration's fonts in a temporary folder; the driver points TMPDIR at
    # its own folder, so this counts what the render workers left behind when they ended (and this
    # process's own, still in use, when it rendered a small group itself).
    leftovers = len(list(Path(tempfile.gettempdir()).glob("weasyprint-*")))
    documents = Document.objects.filter(created_by=ACTOR_NAME)
    pages = Counter(documents.values_list("pages", flat=True))
    kofo: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "letters_per_s": round(len(produced.documents) / seconds, 2),
        "ms_per_letter": round(1000 * seconds / len(letters), 1),
        "cpu_seconds": round(cpu_seconds, 1),  # the process and its render workers
        "workers": rendering.workers(),
        "letters_per_layout_max": rendering.BATCH_LETTERS_MAX,
        "pdf_variant": rendering.PDF_VARIANT,
        "documents_new": len(produced.documents),
        "skipped": produced.skipped,
        "failed": produced.failures(),  # an honest run has none; letters per second counts only the made
        "documents": documents.count(),
        "pages_total": sum(p * n for p, n in pages.items()),
        "letters_by_pages": {str(p): n for p, n in sorted(pages.items())},
        "pdf_bytes_total": sum(documents.values_list("size_bytes", flat=True)),
        "audit_events": AuditEvent.objects.filter(action="documents.produce_document").count()
        - events_before,
        "template_versions": TemplateVersion.objects.count(),
        "weasyprint_font_folders_left_in_tmp": leftovers,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        **rss.report(),
    }
    out: dict[str, Any] = {
        # the versions of the document core measured (it changes while the letters are written)
        "code_sha256": {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(Path(rendering.__file__).parent.glob("*.py"))
            if path.stem in ("rendering", "actions", "letters")
        },
        "letters": len(letters),
        "build_letters_seconds": round(build_seconds, 2),
        "mix": mix,
        "kofo": kofo,
    }
    if args.no_peers:
        return out

    # (b), (c) the peers, same process, same letters
    load_before = os.getloadavg()[0]
    peers = measure_peers(letters, args.peer_letters)
    peers["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    out["peers"] = peers
    out.update(_ratios(kofo, peers))
    rendering._weasy.cache_clear()  # the FontConfiguration's __del__ fails at interpreter exit
    gc.collect()
    return out


def _ratios(kofo: dict[str, Any], peers: dict[str, Any]) -> dict[str, Any]:
    single = peers["weasyprint_single"]["seconds_for_batch"]
    batch = peers["weasyprint_batch"]["seconds_for_batch"]
    return {
        "ratio_to_weasyprint_single": round(kofo["seconds"] / single, 2),
        "ratio_to_weasyprint_batch": round(kofo["seconds"] / batch, 2),
        "cpu_ratio_to_weasyprint_single": round(kofo["cpu_seconds"] / single, 2),
    }


# --- driver ----------------------------------------------------------------------------------------------


def _child(step: str, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    return daily.run_child(__file__, step, argv, env)


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"bench": "documents", "summary": True}
    peers = next((line["peers"] for line in results if "peers" in line), None)
    for line in results:
        prefix = f"{line['backend']}_{line['letters']}"
        kofo = line["kofo"]
        summary["letters"] = line["letters"]
        summary[f"{prefix}_letters_per_s"] = kofo["letters_per_s"]
        summary[f"{prefix}_at_least_20_letters_per_s"] = kofo["letters_per_s"] >= TARGET_LETTERS_PER_S
        if peers is None:
            continue
        ratios = line if "ratio_to_weasyprint_single" in line else _ratios(kofo, peers)
        summary[f"{prefix}_ratio_to_weasyprint_single"] = ratios["ratio_to_weasyprint_single"]
        summary[f"{prefix}_ratio_to_weasyprint_batch"] = ratios["ratio_to_weasyprint_batch"]
        summary[f"{prefix}_under_1_5x_bare_weasyprint"] = ratios["ratio_to_weasyprint_single"] < TARGET_RATIO
    if peers is not None:
        extrapolated = "_extrapolated" if peers["weasyprint_single"]["extrapolated"] else ""
        summary[f"weasyprint_single_letters_per_s{extrapolated}"] = peers["weasyprint_single"][
            "letters_per_s"
        ]
        summary[f"weasyprint_batch_letters_per_s{extrapolated}"] = peers["weasyprint_batch"]["letters_per_s"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="Letters rendered and archived, against bare WeasyPrint")
    parser.add_argument(
        "--letters", type=int, default=TARGET_LETTERS, help="letters of the batch (default 2,000)"
    )
    parser.add_argument(
        "--claims", type=int, help=f"claims of the generated office (default {CLAIMS_PER_LETTER} per letter)"
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--peer-letters",
        type=int,
        default=0,
        help="letters the WeasyPrint peers render, extrapolated to the batch (default 0: all)",
    )
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgresql or both (default sqlite)")
    parser.add_argument(
        "--cache",
        metavar="DIR",
        type=Path,
        help="keep and reuse the generated office (bench/daily.py --cache)",
    )
    parser.add_argument("--child", choices=["run"], help=argparse.SUPPRESS)
    parser.add_argument("--no-peers", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.letters < 1:
        parser.error("--letters must be at least 1")
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        print(json.dumps(run(args), ensure_ascii=False), flush=True)
        return

    claims = args.claims or claims_for(args.letters)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not daily._pg_available():
        print("# PostgreSQL on 127.0.0.1:5432 not reachable: SQLite only", file=sys.stderr)
        backends.remove("postgresql")
    office_argv = [
        "--claims", str(claims), "--files-ratio", "2.5", "--partners", "60", "--seed", str(args.seed),
        "--run-date", daily.DEFAULT_RUN_DATE, "--accrued-months", "0",
    ]  # fmt: skip
    results: list[dict[str, Any]] = []
    for index, backend in enumerate(backends):
        with tempfile.TemporaryDirectory(prefix="kofo-bench-documents-") as tmp:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "kofo.settings",
                "KOFO_DEBUG": "0",
                "KOFO_SECRET_KEY": secrets.token_urlsafe(50),
                "KOFO_DATA_DIR": tmp,
                "KOFO_LOG_LEVEL": "WARNING",
                "KOFO_LETTER_TEMPLATES": "",  # the shipped templates
                "PYTHONPATH": str(REPO / "src"),
                # WeasyPrint keeps the fonts of each FontConfiguration in a temporary folder that it does
                # not always remove when a process ends (never in the render workers): keep them in ours.
                "TMPDIR": str(Path(tmp) / "tmp"),
            }
            (Path(tmp) / "tmp").mkdir()
            name = f"kofo_bench_documents_{os.getpid()}"
            if backend == "sqlite":
                env["KOFO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"  # daily's file name
            else:
                daily._pg_admin(f"DROP DATABASE IF EXISTS {name}")
                daily._pg_admin(f"CREATE DATABASE {name}")
                env["KOFO_DATABASE_URL"] = f"{daily.PG_SERVER}/{name}"
            argv = ["--letters", str(args.letters), "--seed", str(args.seed)]
            argv += ["--peer-letters", str(args.peer_letters)]
            if index > 0:
                argv.append("--no-peers")  # the peers do not touch the database: measured once
            try:
                print(f"# {backend}: office of {claims} claims", file=sys.stderr, flush=True)
                generated = daily._generated_state(backend, office_argv, env, tmp, name, args.cache)
                print(f"# {backend}: {args.letters} letters", file=sys.stderr, flush=True)
                measured = _child("run", argv, env)
            finally:
                if backend == "postgresql":
                    with contextlib.suppress(Exception):
                        daily._pg_admin(f"DROP DATABASE IF EXISTS {name}")
        line = {
            "bench": "documents",
            "backend": backend,
            "claims": claims,
            "seed": args.seed,
            **measured,
            "generate": generated,
        }
        if "peers" not in line and results and "peers" in results[0]:
            line["peers_from"] = (
                f"the {results[0]['backend']} run above (the peers do not touch the database)"
            )
            line.update(_ratios(line["kofo"], results[0]["peers"]))
        results.append(line)
        print(json.dumps(line, ensure_ascii=False), flush=True)
    print(json.dumps(_summary(results), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
