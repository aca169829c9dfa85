"""The `ocop` command: parse arguments, call one library function, format the result.

No logic lives here. Errors from the library arrive as OcopError and leave as one plain
sentence on stderr with exit status 1; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TextIO

from ocop_nlp import __version__, i18n
from ocop_nlp.errors import OcopError


def _write(text: str, out: str | None) -> None:
    if out:
        try:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            Path(out).write_text(text, encoding="utf-8", newline="\n")
        except OSError as e:
            raise OcopError(_could_not_write(out, e)) from e
    else:
        if hasattr(sys.stdout, "reconfigure"):  # a console may default to another encoding
            sys.stdout.reconfigure(encoding="utf-8")
        sys.stdout.write(text)


def cmd_extract(a: argparse.Namespace) -> int:
    from ocop_nlp.config import load_settings
    from ocop_nlp.extract.pipeline import extract_article
    from ocop_nlp.extract.views import extraction_markdown
    from ocop_nlp.parse.reader import read_input

    settings = load_settings(allow_private=a.allow_private or None)
    ex = extract_article(read_input(a.input, settings))
    for w in ex.warnings:
        print(i18n.tr("warning: {warning}").format(warning=w), file=sys.stderr)
    if a.format == "md":
        _write(extraction_markdown(ex), a.output)
    else:
        _write(json.dumps(ex.to_dict(), ensure_ascii=False, indent=2) + "\n", a.output)
    return 0


_DRAFT_SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".json": "json",
}


def _draft_format(parser: argparse.ArgumentParser, a: argparse.Namespace) -> str:
    """--format, or the -o file's extension; both given and different is a usage error."""
    by_name = _DRAFT_SUFFIXES.get(Path(a.output).suffix.lower()) if a.output else None
    if a.format and by_name and a.format != by_name:
        parser.error(
            i18n.tr(
                "--format {format} does not match the extension of {output} ({by_name}); "
                "drop one or make them agree."
            ).format(format=a.format, output=a.output, by_name=by_name)
        )
    return a.format or by_name or "md"


def cmd_draft(a: argparse.Namespace) -> int:
    from ocop_nlp.drafts.render import draft, load_extraction_or_article

    fmt = _draft_format(a.parser, a)
    if bool(a.input) == bool(a.db):
        a.parser.error(
            i18n.tr("give the articles to draft from, or a store with --db; not both")
            if a.input
            else i18n.tr("give the articles to draft from, or a store with --db")
        )
    if fmt == "docx" and not a.output:
        raise OcopError(
            i18n.tr("A Word draft is a file: give its name with -o, e.g. -o tom-tat.docx.")
        )
    options = {"evidence": a.evidence, "exclude": a.exclude or ()}
    if a.db:
        from ocop_nlp.drafts.stored import draft_from_store

        out = draft_from_store(
            a.db,
            a.template or "ban-tin",
            fmt,
            filters=_filters(a),
            today=a.as_of,
            top=a.top,
            **options,
        )
    else:
        out = draft([load_extraction_or_article(i) for i in a.input], a.template, fmt, **options)
    if isinstance(out, bytes):
        try:
            Path(a.output).parent.mkdir(parents=True, exist_ok=True)
            Path(a.output).write_bytes(out)
        except OSError as e:
            raise OcopError(_could_not_write(a.output, e)) from e
        return 0
    _write(out, a.output)
    return 0


def cmd_batch(a: argparse.Namespace) -> int:
    from ocop_nlp.batch import run_batch

    s = run_batch(
        a.input,
        a.output,
        workers=a.workers,
        engine=a.engine,
        scheduler=a.scheduler,
        db=a.db,
        reextract=a.reextract,
    )
    print(s.line(), file=sys.stderr)
    if s.ok == 0 and s.skipped == 0 and s.failed > 0:
        print(
            i18n.tr("Nothing succeeded; see the errors file next to the output."), file=sys.stderr
        )
        return 1
    return 0


def cmd_train(a: argparse.Namespace) -> int:
    from ocop_nlp.learn.report import format_comparison
    from ocop_nlp.learn.train import train_model

    r = train_model(Path(a.output) if a.output else None)
    print(format_comparison(r.comparison))
    print(f"\nwrote {r.model_path} ({r.size_bytes:,} bytes) and {r.meta_path}")
    return 0


def cmd_evaluate(a: argparse.Namespace) -> int:
    from ocop_nlp.learn.report import format_comparison
    from ocop_nlp.learn.train import evaluate_model

    if a.gate or a.update_baseline:
        from ocop_nlp.learn.gate import run_gate
        from ocop_nlp.learn.report import format_gate_result

        r = run_gate(update=a.update_baseline, accept_lower=a.accept_lower)
        print(format_gate_result(r))
        if not r.ok:
            print(r.failures[0], file=sys.stderr)
            return 1
        return 0
    print(format_comparison(evaluate_model()))
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    from ocop_nlp.store.export import export
    from ocop_nlp.track.views import TRACKED_WHAT, export_tracked

    filters = _filters(a)

    def run(out: TextIO) -> int:
        if a.what in TRACKED_WHAT:
            return export_tracked(a.db, out, a.what, a.format, filters)
        return export(a.db, out, a.what, a.format)

    if a.output:
        try:
            Path(a.output).parent.mkdir(parents=True, exist_ok=True)
            with open(a.output, "w", encoding="utf-8", newline="") as f:
                n = run(f)
        except OSError as e:
            raise OcopError(_could_not_write(a.output, e)) from e
    else:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8", newline="")
        n = run(sys.stdout)
    if n == 0:
        which = i18n.tr(" match these filters") if _filtered(filters) else ""
        print(
            i18n.tr("No {what} in {db}{which}; the export is empty.").format(
                what=a.what, db=a.db, which=which
            ),
            file=sys.stderr,
        )
    return 0


def cmd_directives(a: argparse.Namespace) -> int:
    from ocop_nlp.track import query_directives, timeline
    from ocop_nlp.track.views import format_items, format_mentions, open_existing

    filters = _filters(a)
    with open_existing(a.db) as st:
        if a.timeline:
            kind, mentions = timeline(st, a.timeline, filters)
            if not mentions:
                print(
                    i18n.tr("No directives found for {kind} {key!r}.").format(
                        kind=i18n.tr("item") if kind == "item" else i18n.tr("addressee"),
                        key=a.timeline,
                    ),
                    file=sys.stderr,
                )
                return 0
            _write(format_mentions(mentions, a.format), a.output)
            return 0
        items = query_directives(st, filters)
    if not items:
        print(i18n.tr("No tracked directives match these filters."), file=sys.stderr)
        return 0
    _write(format_items(items, a.format), a.output)
    return 0


def cmd_officials(a: argparse.Namespace) -> int:
    from ocop_nlp.track.officials import query_officials
    from ocop_nlp.track.views import format_officials, open_existing

    with open_existing(a.db) as st:
        found = query_officials(
            st, name=a.name, province=a.province, since=a.since, until=a.until, limit=a.limit
        )
    if not found:
        print(i18n.tr("No officials match these filters."), file=sys.stderr)
        return 0
    _write(format_officials(found, a.format), a.output)
    return 0


def cmd_report(a: argparse.Namespace) -> int:
    from ocop_nlp.track.report import build_report

    html = build_report(a.db, _filters(a), indicator=a.indicator)
    _write(html, a.output)
    return 0


def _filters(a: argparse.Namespace):  # noqa: ANN202 - the import stays lazy (fast --help)
    from ocop_nlp.track import Filters

    status = getattr(a, "status", None)
    return Filters(
        since=getattr(a, "since", None),
        until=getattr(a, "until", None),
        province=getattr(a, "province", None),
        site=getattr(a, "site", None),
        issuer=getattr(a, "issuer", None),
        addressee=getattr(a, "addressee", None),
        status="reported done" if status == "done" else status,
        recurring=bool(getattr(a, "recurring", False)),
        q=getattr(a, "q", None),
        limit=getattr(a, "limit", None),
        as_of=getattr(a, "as_of", None),
    )


def _filtered(filters: object) -> bool:
    from ocop_nlp.track import Filters

    return filters != Filters()


def _day(end: bool):  # noqa: ANN202
    def parse(text: str) -> str:
        from ocop_nlp.errors import InputError
        from ocop_nlp.track.dates import parse_day

        try:
            return parse_day(text, end=end)
        except InputError as e:
            raise argparse.ArgumentTypeError(str(e)) from e

    return parse


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, help=i18n.tr("the store (made by `ocop batch --db`)"))


def _add_table_format(p: argparse.ArgumentParser) -> None:
    """--format of the query commands: a table for a terminal, csv or jsonl for scripts."""
    p.add_argument(
        "--format",
        choices=["table", "csv", "jsonl"],
        default="table",
        help=i18n.tr(
            "table for a terminal; csv (UTF-8 with a BOM) or jsonl keep the same keys in every "
            "language"
        ),
    )


def _add_filters(p: argparse.ArgumentParser, status: bool = True) -> None:
    p.add_argument(
        "--since",
        type=_day(False),
        help=i18n.tr("from this day (YYYY, YYYY-MM, YYYY-MM-DD, MM/YYYY or DD/MM/YYYY)"),
    )
    p.add_argument(
        "--until", type=_day(True), help=i18n.tr("up to this day, inclusive (same forms)")
    )
    p.add_argument(
        "--province",
        help=i18n.tr("a province, old or new name (Hà Giang finds the 2025 Tuyên Quang too)"),
    )
    p.add_argument("--site", help=i18n.tr("part of the site's host or name"))
    p.add_argument(
        "--issuer", help=i18n.tr("part of the issuer's title or name (diacritics ignored)")
    )
    p.add_argument("--addressee", help=i18n.tr("an agency, canonical or as written (Sở NN&PTNT)"))
    if status:
        p.add_argument(
            "--status", choices=["open", "overdue", "done"], help=i18n.tr("reported done: done")
        )
        p.add_argument(
            "--recurring",
            action="store_true",
            help=i18n.tr("only items seen in 2 or more articles"),
        )
    p.add_argument(
        "--q", help=i18n.tr("full-text search; ignores case and diacritics (dao tao finds đào tạo)")
    )
    p.add_argument("--limit", type=int, help=i18n.tr("at most this many rows"))
    p.add_argument(
        "--as-of",
        type=_day(True),
        help=i18n.tr(
            "status as known on this day (same forms; a month or year: its last day): later "
            "mentions left out, due dates before it overdue, reports of done published by then"
        ),
    )


def cmd_crawl(a: argparse.Namespace) -> int:
    from ocop_nlp.config import load_settings
    from ocop_nlp.crawl.crawler import CrawlOptions, crawl

    settings = load_settings(contact=a.contact, fetch_timeout=a.timeout, fetch_deadline=a.deadline)
    options = CrawlOptions(
        max_pages=a.max_pages,
        max_seconds=a.max_time,
        delay=a.delay,
        profile=a.profile,
        max_depth=a.max_depth,
        allow_hosts=tuple(a.allow_host or ()),
        recheck_days=a.recheck,
    )
    s = crawl(a.urls, a.db, options=options, settings=settings)
    failure = s.failure()
    if failure:
        print(failure, file=sys.stderr)
    print(s.line(), file=sys.stderr)
    if failure:
        return 1
    return 130 if s.stop == "interrupted" else 0


def cmd_templates(a: argparse.Namespace) -> int:
    from ocop_nlp.drafts.render import list_templates

    for t in list_templates():
        print(f"{t.name:20} {t.description}")
    return 0


def _not_yet(name: str, issue: int):
    def run(a: argparse.Namespace) -> int:
        print(
            i18n.tr("`ocop {name}` is not in this release yet (tracked in issue {issue}).").format(
                name=name, issue=issue
            ),
            file=sys.stderr,
        )
        return 1

    return run


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ocop",
        description=i18n.tr(
            "Read Vietnamese provincial news; extract meetings, figures, challenges and "
            "directives; draft summaries."
        ),
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"ocop-nlp {__version__}",
        help=i18n.tr("show the version and exit"),
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help=i18n.tr("log what happens to stderr")
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("extract", help=i18n.tr("extract one article (JSON or Markdown)"))
    e.add_argument("input", help=i18n.tr(".txt, .html, .json record, URL, or - for stdin"))
    e.add_argument("--format", choices=["json", "md"], default="json")
    e.add_argument("-o", "--output", help=i18n.tr("write here instead of stdout"))
    e.add_argument(
        "--allow-private",
        action="store_true",
        help=i18n.tr(
            "for a URL: follow a redirect to a private, loopback or link-local address on "
            "another host (refused by default)"
        ),
    )
    e.set_defaults(func=cmd_extract)

    b = sub.add_parser(
        "batch",
        help=i18n.tr("extract many articles into a JSONL file (parallel, resumable)"),
        description=i18n.tr(
            "Extract many articles, one extraction per line of OUT (in any order). "
            "Resumable: ids already in OUT are skipped; with a store, the ids whose text the store "
            "has already extracted are skipped, and an id met again with another text is extracted "
            "as a new version of that article. Failures go to OUT.errors.jsonl."
        ),
    )
    b.add_argument(
        "input", help=i18n.tr(".jsonl / .jsonl.gz of article records, a folder, or a store")
    )
    b.add_argument(
        "-o", "--output", required=True, help=i18n.tr("OUT.jsonl (appended; ids skipped)")
    )
    b.add_argument(
        "--db",
        help=i18n.tr(
            "also record each article and extraction in this store (SQLite); when INPUT is a "
            "store, it is written back to unless --db names another"
        ),
    )
    b.add_argument(
        "--reextract",
        action="store_true",
        help=i18n.tr(
            "with a store: extract again what an older tool, rules or clause-type model "
            "version made (each row then records the versions that made it)"
        ),
    )
    b.add_argument(
        "--workers",
        type=int,
        help=i18n.tr(
            "worker processes (default: one per core; 1 runs in this process); with "
            "--engine dask and no --scheduler, the LocalCluster's workers"
        ),
    )
    b.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help=i18n.tr('local processes (default) or Dask (pip install "ocop-nlp[dask]")'),
    )
    b.add_argument(
        "--scheduler",
        help=i18n.tr(
            "with --engine dask: join this scheduler (tcp://HOST:8786) instead of starting "
            "a LocalCluster here"
        ),
    )
    b.set_defaults(func=cmd_batch)

    d = sub.add_parser(
        "draft",
        help=i18n.tr("draft a meeting summary, news article, conclusion notice or digest"),
        description=i18n.tr(
            "Draft a document from articles or extractions. The format follows the extension "
            "of -o (.md, .html, .docx, .json) unless --format says otherwise."
        ),
    )
    d.add_argument(
        "input",
        nargs="*",
        help=i18n.tr("any INPUT of extract, or an extraction .json (several: ban-tin)"),
    )
    d.add_argument(
        "--db",
        help=i18n.tr(
            "draft from this store instead: ban-tin (the meetings of the period) or "
            "bao-cao-theo-doi (the tracked directives of the period)"
        ),
    )
    d.add_argument(
        "--since", type=_day(False), help=i18n.tr("with --db: from this day (YYYY, YYYY-MM, ...)")
    )
    d.add_argument("--until", type=_day(True), help=i18n.tr("with --db: up to this day, inclusive"))
    d.add_argument("--province", help=i18n.tr("with --db: only this province (old or new name)"))
    d.add_argument(
        "--addressee",
        help=i18n.tr("with --template bao-cao-theo-doi: only the tasks of this agency"),
    )
    d.add_argument(
        "--status",
        choices=["open", "overdue", "done"],
        help=i18n.tr("with --template bao-cao-theo-doi: only the tasks with this status"),
    )
    d.add_argument(
        "--as-of",
        type=_day(False),
        metavar="DATE",
        help=i18n.tr("with --db: the report's date, which decides what is overdue (default today)"),
    )
    d.add_argument(
        "--top",
        type=int,
        metavar="N",
        help=i18n.tr(
            "with --template bao-cao-theo-doi: at most N tasks per addressee, the most repeated "
            "first, and how many more (0: only the number of tasks of each addressee)"
        ),
    )
    d.add_argument(
        "--template", help=i18n.tr("a template name (see `ocop templates`) or a .j2 path")
    )
    d.add_argument(
        "--format",
        choices=["md", "html", "docx", "json"],
        help=i18n.tr("default: from -o, else md"),
    )
    d.add_argument("-o", "--output", help=i18n.tr("write here instead of stdout"))
    d.add_argument(
        "--evidence",
        choices=["footnotes", "appendix", "none"],
        default="footnotes",
        help=i18n.tr("footnotes (default), an appendix at the end, or none for a clean copy"),
    )
    d.add_argument(
        "--exclude",
        nargs="+",
        metavar="ID",
        help=i18n.tr("leave these items out (ids as shown in the evidence: F2 C1 D11)"),
    )
    d.set_defaults(parser=d)
    d.set_defaults(func=cmd_draft)

    x = sub.add_parser(
        "export",
        help=i18n.tr("export articles, extractions or directives from a store"),
        description=i18n.tr("Rows of a store as JSON lines or CSV (UTF-8 with a BOM, for Excel)."),
    )
    _add_store(x)
    x.add_argument(
        "--what",
        choices=[
            "articles",
            "extractions",
            "directives",
            "figures",
            "challenges",
            "items",
            "frontier",
            "fetch-log",
        ],
        default="extractions",
        help=i18n.tr(
            "figures, challenges, directives, items: rows for analysts, with the filters below "
            "(items: tracked directives, as `ocop directives`); frontier and fetch-log: what a crawl "
            "queued and fetched, and why it skipped some"
        ),
    )
    x.add_argument(
        "--format",
        choices=["jsonl", "csv"],
        default="jsonl",
        help=i18n.tr(
            "jsonl (default) or csv (UTF-8 with a BOM, for Excel); the columns keep their "
            "English names in every language, for scripts"
        ),
    )
    x.add_argument("-o", "--output", help=i18n.tr("write here instead of stdout"))
    _add_filters(x)
    x.set_defaults(func=cmd_export)

    dv = sub.add_parser(
        "directives",
        help=i18n.tr("query tracked directives: who was asked what, when, and whether it recurs"),
        description=i18n.tr(
            "Tracked directives of a store: repeats of one order (the same canonical "
            "addressee and a similar action) are one item, with first and last seen, mentions and "
            "status (open / overdue / reported done). Filters combine; --timeline lists one item's "
            "or one addressee's mentions over time with their evidence."
        ),
    )
    _add_store(dv)
    _add_filters(dv)
    _add_table_format(dv)
    dv.add_argument(
        "--timeline", metavar="ITEM|ADDRESSEE", help=i18n.tr("an item id or an addressee")
    )
    dv.add_argument("-o", "--output", help=i18n.tr("write here instead of stdout"))
    dv.set_defaults(func=cmd_directives)

    of = sub.add_parser(
        "officials",
        help=i18n.tr("officials by name and title over time: who chaired and gave directives"),
        description=i18n.tr(
            "The chairs and issuers of a store's articles, one row per person and position, "
            "with the agency, province, first and last seen and the articles (a promotion shows "
            "as a second row). --name ignores case and diacritics."
        ),
    )
    _add_store(of)
    of.add_argument("--name", help=i18n.tr("part of the name (nguyen van an finds Nguyễn Văn An)"))
    of.add_argument(
        "--province",
        help=i18n.tr("a province, old or new name (Hà Giang finds the 2025 Tuyên Quang too)"),
    )
    of.add_argument(
        "--since",
        type=_day(False),
        help=i18n.tr("seen from this day (same forms as directives)"),
    )
    of.add_argument("--until", type=_day(True), help=i18n.tr("seen up to this day, inclusive"))
    of.add_argument("--limit", type=int, help=i18n.tr("at most this many rows"))
    _add_table_format(of)
    of.add_argument("-o", "--output", help=i18n.tr("write here instead of stdout"))
    of.set_defaults(func=cmd_officials)

    rp = sub.add_parser(
        "report",
        help=i18n.tr("one self-contained HTML report of a store's directives and figures"),
        description=i18n.tr(
            "Directives per month by addressee, the top recurring items, the status "
            "mix and an indicator's figures over time, each row linked to its evidence sentence. "
            "One HTML file with inline SVG: no network needed to open it."
        ),
    )
    _add_store(rp)
    _add_filters(rp, status=False)
    rp.add_argument(
        "--indicator",
        default="sản phẩm",
        help=i18n.tr("the unit of the figures to chart over time (default: sản phẩm)"),
    )
    rp.add_argument("-o", "--output", required=True, help=i18n.tr("report.html"))
    rp.set_defaults(func=cmd_report)

    t = sub.add_parser("templates", help=i18n.tr("list the drafting templates"))
    t.set_defaults(func=cmd_templates)

    tr = sub.add_parser(
        "train",
        help=i18n.tr("train the clause-type model on the annotated corpus (needs ../shared/data)"),
        description=i18n.tr(
            "Compare model families with cross-validation grouped by article, fit the "
            "winner on corpora/annotations/pass1*.jsonl and write it to models/ (clause_type.crf "
            "for the CRF over an article's clauses, clause_type.npz/.joblib for the per-clause "
            "model) with its metadata (models/clause_type.json)."
        ),
    )
    tr.add_argument("-o", "--output", help=i18n.tr("a folder for the model instead of models/"))
    tr.set_defaults(func=cmd_train)

    ev = sub.add_parser(
        "evaluate",
        help=i18n.tr("per-label P/R/F1, confusion matrix, rules vs model vs combined (grouped CV)"),
        description=i18n.tr(
            "Cross-validated clause-level report (GroupKFold by article) of rules, "
            "model families and their combination, and item-level scores on held-out articles. "
            "With --gate: the item-level scores of the pipeline as installed (the quality gate)."
        ),
    )
    ev.add_argument(
        "--gate",
        action="store_true",
        help=i18n.tr(
            "score the installed pipeline and the rules against the floors in "
            "corpora/gate_baseline.json; exit 1 below a floor or when the corpus changed"
        ),
    )
    ev.add_argument(
        "--update-baseline",
        action="store_true",
        help=i18n.tr(
            "measure again and write corpora/gate_baseline.json (floors 0.01 under the scores)"
        ),
    )
    ev.add_argument(
        "--accept-lower",
        action="store_true",
        help=i18n.tr(
            "with --update-baseline: allow floors lower than the baseline's on the same corpus"
        ),
    )
    ev.set_defaults(func=cmd_evaluate)

    c = sub.add_parser(
        "crawl",
        help=i18n.tr("collect articles from portals into a store (polite, incremental)"),
        description=i18n.tr(
            "Follow sitemaps, feeds, listings and pagers from the start URLs, store the "
            "articles found (title, date, author, text, the page) in a SQLite store. robots.txt is "
            "obeyed, one request at a time per host with a delay between them. Running the same "
            "command again fetches listings and new articles only; after a crash it resumes."
        ),
    )
    c.add_argument(
        "urls", nargs="+", metavar="URL", help=i18n.tr("start URLs (a portal's home page)")
    )
    c.add_argument("--db", required=True, help=i18n.tr("the store to fill (created when new)"))
    c.add_argument(
        "--max-pages",
        type=int,
        help=i18n.tr(
            "stop after fetching this many pages (default 10,000 per run; the next run goes on)"
        ),
    )
    c.add_argument(
        "--max-time",
        type=float,
        metavar="SECONDS",
        help=i18n.tr("stop after this many seconds (default 21,600, 6 h; the next run goes on)"),
    )
    c.add_argument(
        "--delay",
        type=float,
        help=i18n.tr(
            "seconds between requests to one host (default 1; robots.txt Crawl-delay wins "
            "when larger)"
        ),
    )
    c.add_argument(
        "--profile", help=i18n.tr("a site profile name (sharepoint, wordpress, ...) or .toml")
    )
    c.add_argument(
        "--max-depth", type=int, help=i18n.tr("links to follow from a start URL (default 6)")
    )
    c.add_argument(
        "--allow-host",
        action="append",
        help=i18n.tr("also crawl this host (repeatable); default: only the start URLs' hosts"),
    )
    c.add_argument(
        "--contact", help=i18n.tr("an e-mail or URL for site owners, sent in the User-Agent")
    )
    c.add_argument(
        "--timeout", type=float, help=i18n.tr("seconds a server may stay silent (default 20)")
    )
    c.add_argument(
        "--recheck",
        type=float,
        metavar="DAYS",
        help=i18n.tr(
            "fetch stored articles again (conditionally) when last fetched more than DAYS days "
            "ago; a changed text is updated, the old one kept (default 30; 0: every run)"
        ),
    )
    c.add_argument(
        "--deadline",
        type=float,
        help=i18n.tr(
            "seconds one request may take in all, however the server drips it (default 60)"
        ),
    )
    c.set_defaults(func=cmd_crawl)

    for name, issue, helptext in [
        ("serve", 5, "the web workspace (a later release)"),
    ]:
        x = sub.add_parser(name, help=helptext)
        x.add_argument("args", nargs="*")
        x.set_defaults(func=_not_yet(name, issue))
    # Any command takes --lang (read before the parser is built, so the help is translated too).
    for parser in (p, *sub.choices.values()):
        parser.add_argument(
            "--lang",
            choices=list(i18n.LANGUAGES),
            help=i18n.tr(
                "language of the help and messages: vi or en (default: OCOP_LANG, else the "
                "locale, else en); JSON output is the same in both"
            ),
        )
    return p


def _hostile_input(e: Exception) -> str:
    """The sentence for an input that exhausted the interpreter rather than broke a rule."""
    if isinstance(e, RecursionError):
        return i18n.tr(
            "the input is nested too deeply to be read (about a thousand levels of brackets or "
            "tags); give a flatter file."
        )
    if isinstance(e, MemoryError):
        return i18n.tr("the input needed more memory than there is; give a smaller input.")
    return i18n.tr(
        "the input holds text that cannot be read or written as UTF-8 ({error}); repair or "
        "re-export the file."
    ).format(error=e)


def _could_not_write(path: str, e: OSError) -> str:
    return i18n.tr("Could not write {path}: {reason}.").format(path=path, reason=e.strerror or e)


def main(argv: list[str] | None = None) -> int:
    before = i18n.language()
    i18n.use_language(i18n.pick_language(sys.argv[1:] if argv is None else argv))
    try:
        return _run(argv)
    finally:  # the language is this command's; a program that calls main() keeps its own
        i18n.use_language(before)


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except OcopError as e:
        print(str(e), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            i18n.tr("Stopped by the user; a batch can be resumed with the same command."),
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`ocop extract x | head`); point stdout at devnull so
        # the interpreter's last flush does not print a second error (Python docs, SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (RecursionError, MemoryError, UnicodeError) as e:
        # The causes known so far are refused with their own sentence; this is the last resort
        # for an input hostile in a way not met yet.
        if args.verbose:
            traceback.print_exc()
        print(
            i18n.tr("ocop {command} stopped: {reason}").format(
                command=args.command, reason=_hostile_input(e)
            ),
            file=sys.stderr,
        )
        return 1
    except Exception as e:  # noqa: BLE001 - users get a sentence; -v shows the traceback
        if args.verbose:
            traceback.print_exc()
        print(
            i18n.tr(
                "ocop {command} stopped on an unexpected error ({error}); this is a bug, please "
                "report it with the input (run with -v for the details)."
            ).format(command=args.command, error=f"{e.__class__.__name__}: {e}"),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
