"""Letters from Django templates to PDF with WeasyPrint, alone or many at once.

Templates are resolved into a :class:`Bundle` — every source a letter needs, by template name — and
rendered by an engine that can only see that bundle (a locmem loader). The bundle's SHA-256 is the letter's
template version; the sources are archived with the document (:class:`~kofo.documents.models.TemplateVersion`),
so rendering the stored data with the stored bundle gives the letter again, whatever an administrator has
changed since.

Where a template comes from, first found wins (``KOFO_LETTER_TEMPLATES`` is the administrator's folder):

1. ``$KOFO_LETTER_TEMPLATES/<regime>/<name>``
2. ``$KOFO_LETTER_TEMPLATES/<name>``
3. the package's ``templates/documents/regimes/<regime>/<name>``
4. the package's ``templates/documents/<name>``

WeasyPrint's cost is mostly per document (fonts, subsetting, the PDF itself), so many letters are laid
out as one document and cut into per-letter PDFs afterwards (:func:`render_letters`). Each letter is its
own page group, so its page numbers start at 1; "Seite x von y" takes the letter's own page count from a
first layout, and letters whose count was guessed wrong are laid out once more.

Security: the renderer fetches nothing but the vendored fonts and ``data:`` URLs (the GiroCode); any other
URL in a template stops the rendering. Variables are autoescaped.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates" / "documents"
FONTS_DIR = (
    Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "kern-ux" / "fonts" / "fira-sans"
)
FONT_SCHEME = "kofo-font:"
PAGE_TEMPLATE = "page.html"
LETTER_CSS = "letter.css"
#: Letters laid out as one WeasyPrint document; more saves little and costs memory.
BATCH_LETTERS_MAX = 40
PDF_VARIANT = "pdf/a-3b"

# fontTools logs a warning for every subset of the vendored fonts' OS/2 table; it says nothing to an operator.
logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logger = logging.getLogger(__name__)


class RenderError(Exception):
    code = "document.render"


@dataclass(frozen=True)
class Bundle:
    """The template sources of one letter kind under one regime."""

    name: str  # the letter's template, e.g. "letters/zahlungsaufforderung.html"
    sources: dict[str, str]

    @functools.cached_property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.sources):
            digest.update(name.encode() + b"\0" + self.sources[name].encode() + b"\0")
        return digest.hexdigest()


def _override_root() -> Path | None:
    value = getattr(settings, "KOFO_LETTER_TEMPLATES", "")
    return Path(value) if value else None


def _candidates(name: str, regime: str) -> list[Path]:
    paths = []
    root = _override_root()
    if root is not None:
        paths += [root / regime / name, root / name]
    return [*paths, PACKAGE_TEMPLATES / "regimes" / regime / name, PACKAGE_TEMPLATES / name]


def _shared_names() -> list[str]:
    """Every template but the letters themselves: the page, the style sheet, the parts letters include."""
    names = []
    for path in sorted(PACKAGE_TEMPLATES.rglob("*")):
        relative = path.relative_to(PACKAGE_TEMPLATES).as_posix()
        if path.is_file() and not relative.startswith(("letters/", "regimes/")):
            names.append(relative)
    return names


def letter_template(kind: str) -> str:
    return f"letters/{kind}.html"


def bundle_for(kind: str, regime: str) -> Bundle:
    """The sources a letter of ``kind`` is rendered with today under ``regime``."""
    sources: dict[str, str] = {}
    for name in [*_shared_names(), letter_template(kind)]:
        for path in _candidates(name, regime):
            if path.is_file():
                sources[name] = path.read_text(encoding="utf-8")
                break
        else:
            raise RenderError(f"Vorlage {name} fehlt.")
    return Bundle(letter_template(kind), sources)


_ENGINES: dict[str, Engine] = {}


def _engine(bundle: Bundle) -> Engine:
    engine = _ENGINES.get(bundle.sha256)
    if engine is None:
        if len(_ENGINES) >= 64:
            _ENGINES.clear()
        engine = _ENGINES[bundle.sha256] = Engine(
            loaders=[("django.template.loaders.locmem.Loader", bundle.sources)],
            builtins=["kofo.documents.templatetags.kofo_documents"],
            autoescape=True,
        )
    return engine


def render_html(bundle: Bundle, data: dict[str, Any]) -> str:
    """One letter's body (an ``<article>``), from its data only."""
    return _engine(bundle).get_template(bundle.name).render(Context(data, autoescape=True))


def page_html(bundle: Bundle, bodies: Sequence[str], page_totals: Sequence[int]) -> str:
    """The HTML document around one or more letter bodies, each its own page group."""
    letters = [
        {"body": body, "group": f"letter{index % 2}", "pages": total}
        for index, (body, total) in enumerate(zip(bodies, page_totals, strict=True))
    ]
    context = Context({"letters": letters}, autoescape=True)
    return _engine(bundle).get_template(PAGE_TEMPLATE).render(context)


def _fetcher() -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        """Only the vendored fonts and inline ``data:`` URLs; never the network or other files."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(FONT_SCHEME):
                name = url.removeprefix(FONT_SCHEME)
                path = FONTS_DIR / name
                if "/" not in name and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/woff2"})
            raise FatalURLFetchingError(f"Briefvorlagen dürfen nichts nachladen: {url[:80]}")

    return Fetcher(fail_on_errors=True)


@functools.lru_cache(maxsize=1)
def _weasy() -> tuple[Any, Any]:
    from weasyprint.text.fonts import FontConfiguration

    # Release the font configuration before the interpreter tears its modules down (its finaliser needs them).
    atexit.register(_release)
    return _fetcher(), FontConfiguration()


def _release() -> None:
    _STYLESHEETS.clear()
    _weasy.cache_clear()


_STYLESHEETS: dict[str, Any] = {}


def _stylesheet(bundle: Bundle) -> Any:
    """The letter style sheet, parsed once per process: its @font-face rules load the fonts only once."""
    from weasyprint import CSS

    digest = hashlib.sha256(bundle.sources[LETTER_CSS].encode()).hexdigest()
    sheet = _STYLESHEETS.get(digest)
    if sheet is None:
        fetcher, fonts = _weasy()
        sheet = _STYLESHEETS[digest] = CSS(
            string=bundle.sources[LETTER_CSS], url_fetcher=fetcher, base_url="kofo-font:", font_config=fonts
        )
    return sheet


def _layout(html: str, bundle: Bundle) -> Any:
    from weasyprint import HTML

    fetcher, fonts = _weasy()
    document = HTML(string=html, url_fetcher=fetcher, base_url="kofo-font:")
    return document.render(stylesheets=[_stylesheet(bundle)], font_config=fonts)


def _write(document: Any) -> bytes:
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=b"kofo")
    return pdf


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def _letter_starts(document: Any, count: int) -> list[int]:
    """The first page of each letter (every letter begins with the anchor ``letter-<n>``)."""
    starts: dict[int, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-"):
                starts.setdefault(int(anchor.removeprefix("letter-")), number)
    if len(starts) != count:
        raise RenderError("Die Schreiben eines Stapels ließen sich nicht trennen.")
    return [starts[index] for index in range(count)] + [len(document.pages)]


#: Pages letters of one shape had last time (see :func:`_shape`): the first guess for "Seite x von y".
_PAGE_GUESS: dict[tuple[str, int, int, int], int] = {}


def _shape(bundle: Bundle, data: dict[str, Any]) -> tuple[str, int, int, int]:
    """What a letter's length mostly depends on: its template, its claims, creditors and table rows."""
    plan = data.get("plan")
    plan = plan if isinstance(plan, dict) else {}
    rows = len(plan.get("schedule", ())) + len(data.get("history", ())) + len(data.get("third_parties", ()))
    return bundle.sha256, len(data.get("claims", ())), len(data.get("partners", ())), rows


def _lay_out_chunk(bundle: Bundle, bodies: list[str], totals: list[int]) -> tuple[Any, list[int]]:
    document = _layout(page_html(bundle, bodies, totals), bundle)
    starts = _letter_starts(document, len(bodies))
    return document, starts


def render_letters(bundle: Bundle, datas: Sequence[dict[str, Any]]) -> list[Rendered]:
    """Render letters of one bundle together and cut them apart: one PDF per letter, in order.

    Each letter's page total is guessed from what letters of the same shape had before; the letters whose
    guess was wrong are laid out once more with their true count — the footer does not change the flow, so
    the second layout is final.
    """
    results: list[Rendered] = []
    for start in range(0, len(datas), BATCH_LETTERS_MAX):
        chunk = datas[start : start + BATCH_LETTERS_MAX]
        shapes = [_shape(bundle, data) for data in chunk]
        bodies = [render_html(bundle, data) for data in chunk]
        guesses = [_PAGE_GUESS.get(shape, 1) for shape in shapes]
        document, starts = _lay_out_chunk(bundle, bodies, guesses)
        pages = [document.pages[starts[i] : starts[i + 1]] for i in range(len(bodies))]
        for shape, letter_pages in zip(shapes, pages, strict=True):
            _PAGE_GUESS[shape] = len(letter_pages)
        wrong = [i for i, letter_pages in enumerate(pages) if len(letter_pages) != guesses[i]]
        redo = document
        if wrong:
            counts = [len(pages[i]) for i in wrong]
            redo, redo_starts = _lay_out_chunk(bundle, [bodies[i] for i in wrong], counts)
            for position, i in enumerate(wrong):
                pages[i] = redo.pages[redo_starts[position] : redo_starts[position + 1]]
        redone = set(wrong)
        for index in range(len(bodies)):
            source = redo if index in redone else document
            results.append(Rendered(_write(source.copy(pages[index])), len(pages[index])))
    return results


def render_letter(bundle: Bundle, data: dict[str, Any]) -> Rendered:
    return render_letters(bundle, [data])[0]


def merge(pdfs: Sequence[bytes]) -> bytes:
    """One PDF of many (the print batch), pages in order."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    writer.add_metadata({"/Producer": "kofo"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, page after page (the reproduction check, tests). PDFium reads a page in a few
    milliseconds, about twenty times faster than pure-Python extraction, which matters for a day's check."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
    finally:
        document.close()
    return "\n".join(page.replace("\r\n", "\n") for page in pages)


def workers() -> int:
    """Processes for mass rendering: one per core, at most four (WeasyPrint is single-threaded)."""
    return max(1, min(4, os.cpu_count() or 1))


def _init_worker() -> None:
    import django

    django.setup()


@dataclass(frozen=True)
class Failed:
    """A letter whose chunk could not be rendered (a broken template override, a font that cannot be read …):
    the other chunks are kept, and the print step reports this one."""

    message: str


def _render_chunk(args: tuple[Bundle, list[dict[str, Any]]]) -> list[Rendered] | list[Failed]:
    from weasyprint.urls import FatalURLFetchingError  # WeasyPrint lets it through its own handlers

    bundle, datas = args
    try:
        return render_letters(bundle, datas)
    except (
        Exception,
        FatalURLFetchingError,
    ) as exc:  # one chunk must not lose the others; the caller reports
        logger.exception("Stapel der Vorlage %s nicht gerendert", bundle.name)
        ours = isinstance(exc, (RenderError, FatalURLFetchingError))
        message = str(exc) if ours else f"{type(exc).__name__}: {exc}"
        return [Failed(message[:300])] * len(datas)


def render_groups(
    groups: Sequence[tuple[Bundle, Sequence[dict[str, Any]]]], *, parallel: bool
) -> list[list[Rendered | Failed]]:
    """Render several groups of letters (one bundle each), in chunks of :data:`BATCH_LETTERS_MAX` letters; with
    ``parallel`` the chunks go to one pool of worker processes, one per core. A chunk that fails gives
    :class:`Failed` for each of its letters; the rest are rendered all the same."""
    chunks = [
        (index, bundle, list(datas[i : i + BATCH_LETTERS_MAX]))
        for index, (bundle, datas) in enumerate(groups)
        for i in range(0, len(datas), BATCH_LETTERS_MAX)
    ]
    results: list[list[Rendered | Failed]] = [[] for _ in groups]
    count = min(workers(), len(chunks)) if parallel else 1
    if count <= 1:
        for index, bundle, datas in chunks:
            results[index].extend(_render_chunk((bundle, datas)))
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker) as pool:
        parts = pool.map(_render_chunk, [(bundle, datas) for _, bundle, datas in chunks])
        for (index, _, _), part in zip(chunks, parts, strict=True):
            results[index].extend(part)
    return results
