"""Safe drafting: text from an article made inert, and templates held to their folder and limits.

Article text is untrusted: a title may carry `<script>`, a `javascript:` URL or a newline and a
`#` that would start a heading. So every string a template sees is cleaned of characters XML
cannot hold (Word drafts are XML), HTML drafts escape every value, Markdown drafts escape what
Markdown reads as markup, and only http(s) URLs become links.

A user's template is untrusted code: it renders in `SandboxedEnvironment`, with `*`, `**` and
`%` checked before they build a huge value, an output cap while streaming, and a loader that
refuses any file whose real path lies outside the template's folder. `runner.py` renders it in
a child process, under a timeout and (on POSIX) a memory limit, since a loop or a doubling
string can still outrun any check made inside the template language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from ocop_nlp.errors import TemplateError
from ocop_nlp.extract.views import format_number
from ocop_nlp.i18n import tr

FORMATS = ("md", "html")

# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates and U+FFFE/U+FFFF;
# python-docx raises on them deep inside lxml, and no draft needs them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_char(m: re.Match[str]) -> str:
    c = m.group()
    if c in "\x0b\x0c":  # vertical tab and form feed separate words: keep a space
        return " "
    return "" if c < "\x20" else "\ufffd"


def clean_text(s: str) -> str:
    """`s` without the characters XML cannot hold (lone surrogates become U+FFFD).

    >>> clean_text("Họp\\x1b[31m\\x0cquý \\ud800I")
    'Họp[31m quý \\ufffdI'
    """
    return _NOT_XML.sub(_xml_char, s)


def clean_values(v: Any) -> Any:
    """Every string in a draft context cleaned with `clean_text` (dict keys too)."""
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, dict):
        return {clean_values(k): clean_values(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [clean_values(x) for x in v]
    return v


_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
# At the start of a line these open a heading, list, thematic break, setext underline, table
# or fence (CommonMark 4-5); "5.120 ha" or "-3%" open nothing and stay as written.
_MD_LEADING = re.compile(r"^\s*(?:#{1,6}(?=\s|$)|[-+](?=\s|$|-)|[=|~]|\d{1,9}(?=[.)](?:\s|$)))")
_NEWLINES = re.compile(r"[\r\n]+")


def md_escape(s: str) -> str:
    """Text that Markdown shows as written: no links, HTML, emphasis, headings or new lines.

    >>> md_escape("Tiêu đề\\n# chèn [x](javascript:alert(1)) <b>")
    'Tiêu đề # chèn \\\\[x\\\\](javascript:alert(1)) \\\\<b\\\\>'
    >>> md_escape("1. Thiếu vốn")
    '1\\\\. Thiếu vốn'
    """
    s = _MD_INLINE.sub(r"\\\1", _NEWLINES.sub(" ", s))
    m = _MD_LEADING.match(s)
    if not m:
        return s
    if m.group()[-1].isdigit():  # "1. " opens a list: escape the dot
        return s[: m.end()] + "\\" + s[m.end() :]
    at = len(m.group()) - len(m.group().lstrip())
    return s[:at] + "\\" + s[at:]


def _md_finalize(v: Any) -> Any:
    # Markup is what a filter (`link`, `code`) or the template author (`| safe`) made on purpose.
    return v if isinstance(v, Markup) else md_escape(str(v))


_HTTP = re.compile(r"https?://[^\s/?#]", re.I)


def http_url(u: Any) -> str | None:
    """`u` if it is an http(s) URL, else None: only those may become links."""
    return u.strip() if isinstance(u, str) and _HTTP.match(u.strip()) else None


def _md_link(u: Any) -> Markup:
    url = http_url(u)
    if url is None:
        return Markup(md_escape(str(u)))
    # An autolink may not hold spaces, < or >: percent-encode them.
    return Markup("<" + re.sub(r"[\s<>]", lambda m: quote(m.group()), url) + ">")


def _html_link(u: Any) -> Markup:
    url = http_url(u)
    if url is None:
        return escape(str(u))
    return Markup('<a href="{0}">{0}</a>').format(url)


def _md_code(s: Any) -> Markup:
    """A code span that holds any text: a fence longer than any run of backticks inside."""
    s = _NEWLINES.sub(" ", str(s))
    fence = "`" * (max((len(r) for r in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return Markup(f"{fence}{pad}{s}{pad}{fence}")


def _html_code(s: Any) -> Markup:
    return Markup("<code>{}</code>").format(s)


def _capfirst(s: Any) -> Any:
    return (s[:1].upper() + s[1:]) if s else s


class _BoundedSandbox(jinja2.sandbox.SandboxedEnvironment):
    """The sandbox, with the operators that build huge values in one step checked first.

    Intercepting them also stops Jinja2 from folding `10 ** 100000000` at compile time.
    """

    intercepted_binops = frozenset(["*", "**", "%"])
    max_output = 10_000_000

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right > 0 and right * math.log2(abs(left)) > 100_000:
                raise _TooBig(
                    tr("{left} ** {right} is too large a number").format(left=left, right=right)
                )
        elif operator == "*":
            self._check_repeat(left, right)
        elif operator == "%" and isinstance(left, str):
            for width in re.findall(r"%[-#0 +]*(\d*)(?:\.(\d*))?", left):
                if any(w and int(w) > self.max_output for w in width):
                    raise _TooBig(tr("a % format pads beyond the output limit"))
        return super().call_binop(context, operator, left, right)

    def _check_repeat(self, left: Any, right: Any) -> None:
        for seq, n in ((left, right), (right, left)):
            sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
            if sized and len(seq) * n > self.max_output:
                raise _TooBig(
                    tr("repeating a value {n} times goes beyond the output limit").format(
                        n=f"{n:,}"
                    )
                )
        ints = isinstance(left, int) and isinstance(right, int)
        if ints and left.bit_length() + right.bit_length() > 100_000:
            raise _TooBig(tr("the product is too large a number"))


class _TooBig(jinja2.sandbox.SecurityError):
    """A template asked for a value larger than drafts allow."""


class _OutsideFolder(jinja2.TemplateError):
    """A template file (or a link next to it) leads outside the template's folder."""

    def __init__(self, name: str, target: Path) -> None:
        super().__init__(name)
        self.name, self.target = name, target


class _FileTooLarge(jinja2.TemplateError):
    def __init__(self, name: str, limit: int) -> None:
        super().__init__(name)
        self.name, self.limit = name, limit


class FolderLoader(jinja2.BaseLoader):
    """Templates from one folder, refusing any path whose real location is outside it."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.real = folder.resolve()
        self.max_bytes = max_bytes

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # split_template_path refuses "..", so only links can lead out; resolve() follows them.
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        real = path.resolve()
        if not real.is_relative_to(self.real):
            raise _OutsideFolder(template, real)
        if not real.is_file():
            raise jinja2.TemplateNotFound(template)
        if real.stat().st_size > self.max_bytes:
            raise _FileTooLarge(template, self.max_bytes)
        mtime = real.stat().st_mtime
        return real.read_text(encoding="utf-8"), str(path), lambda: real.stat().st_mtime == mtime


def make_env(
    fmt: str,
    folder: Path | None = None,
    *,
    max_output: int,
    max_bytes: int,
    filters: dict[str, Callable[..., Any]],
) -> Any:
    """The environment for one output format; HTML escapes every value whatever the file name."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("ocop_nlp", "drafts/templates")]
    if folder is not None:
        loaders.insert(0, FolderLoader(folder, max_bytes))
    env = _BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=fmt == "html",
        finalize=_md_finalize if fmt == "md" else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.max_output = max_output
    env.filters["vi_number"] = format_number
    env.filters["capfirst"] = _capfirst
    env.filters["link"] = _md_link if fmt == "md" else _html_link
    env.filters["code"] = _md_code if fmt == "md" else _html_code
    env.filters.update(filters)
    return env


def _stream(chunks: Iterator[str], max_output: int, label: str) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_output:
            raise TemplateError(
                tr(
                    "The template {label} wrote more than {limit} characters; drafts stop there "
                    "(OCOP_TEMPLATE_MAX_OUTPUT)."
                ).format(label=label, limit=f"{max_output:,}")
            )
        out.append(chunk)
    return clean_text("".join(out))


def render(env: Any, name: str, context: dict[str, Any], label: str) -> str:
    """Render template `name` of `env`, every failure told as one TemplateError sentence."""
    try:
        tpl = env.get_template(name)
        return _stream(tpl.generate(**context), env.max_output, label)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(
            tr("The template {label} has a syntax error on line {line}: {error}.").format(
                label=label, line=e.lineno, error=e.message
            )
        ) from e
    except jinja2.UndefinedError as e:
        raise TemplateError(
            tr(
                "The template {label} uses a value that drafts do not provide ({error}); see the "
                "README for the variables a template can use."
            ).format(label=label, error=e.message)
        ) from e
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            tr(
                "The template {label} includes or extends {name!r}, which is not next to it nor "
                "a built-in template."
            ).format(label=label, name=e.name)
        ) from e
    except _OutsideFolder as e:
        raise TemplateError(
            tr(
                "The template {label} uses {name!r}, which leads outside the template's folder "
                "(to {target}); a template may only use files in its own folder."
            ).format(label=label, name=e.name, target=e.target)
        ) from e
    except _FileTooLarge as e:
        raise TemplateError(
            tr(
                "The template {label} uses {name!r}, which is larger than {limit} bytes "
                "(OCOP_MAX_INPUT_BYTES); a template is smaller."
            ).format(label=label, name=e.name, limit=f"{e.limit:,}")
        ) from e
    except _TooBig as e:
        raise TemplateError(
            tr(
                "The template {label} asks for too large a value ({error}); drafts stop at "
                "{limit} characters (OCOP_TEMPLATE_MAX_OUTPUT)."
            ).format(label=label, error=str(e).rstrip("."), limit=f"{env.max_output:,}")
        ) from e
    except jinja2.sandbox.SecurityError as e:
        raise TemplateError(
            tr(
                "The template {label} reaches into Python internals ({error}); templates may "
                "only use the draft's values."
            ).format(label=label, error=str(e).rstrip("."))
        ) from e
    except jinja2.TemplateError as e:
        raise TemplateError(
            tr("The template {label} could not be rendered: {error}.").format(
                label=label, error=str(e).rstrip(".")
            )
        ) from e
    except UnicodeDecodeError as e:
        raise TemplateError(
            tr("The template {label} is not UTF-8 text; save it as UTF-8.").format(label=label)
        ) from e
    except RecursionError as e:
        raise TemplateError(
            tr(
                "The template {label} calls itself too deeply (a macro or include without end)."
            ).format(label=label)
        ) from e
    except OSError as e:
        raise TemplateError(
            tr("The template {label} could not be read: {reason}.").format(
                label=label, reason=e.strerror or e
            )
        ) from e
    except (ArithmeticError, LookupError, TypeError, ValueError) as e:
        raise TemplateError(
            tr("The template {label} failed while rendering ({error}).").format(
                label=label, error=f"{e.__class__.__name__}: {e}"
            )
        ) from e
