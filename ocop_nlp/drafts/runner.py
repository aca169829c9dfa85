"""A user's template renders here, in a child process: `python -m ocop_nlp.drafts.runner`.

A template is code, and checks inside the template language cannot stop every loop or
doubling string; a child process can be stopped from outside. The parent sends the draft
context as JSON on stdin and waits OCOP_TEMPLATE_TIMEOUT seconds; on POSIX the child caps its
own address space at OCOP_TEMPLATE_MAX_MEMORY (RLIMIT_AS), so a runaway allocation ends in
MemoryError instead of the machine swapping. Windows has no RLIMIT_AS: the timeout alone holds.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ocop_nlp
from ocop_nlp.config import Settings
from ocop_nlp.errors import TemplateError
from ocop_nlp.i18n import language, tr, use_language

log = logging.getLogger(__name__)


def render_in_child(
    path: Path, fmt: str, context: dict[str, Any], label: str, settings: Settings
) -> str:
    """The draft from the user's template at `path`, rendered in a bounded child process."""
    request = {
        "template": str(path.absolute()),
        "label": label,
        "format": fmt,
        "context": context,
        "max_output": settings.template_max_output,
        "max_bytes": settings.max_input_bytes,
        "max_memory": settings.template_max_memory,
        "lang": language(),  # the child's messages speak the parent's language
    }
    # The child imports this very copy of the package, whatever the working folder.
    root = str(Path(ocop_nlp.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ocop_nlp.drafts.runner"],
            input=json.dumps(request).encode("ascii"),
            capture_output=True,
            timeout=settings.template_timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise TemplateError(
            tr(
                "The template {label} took longer than {seconds} s to render and was stopped "
                "(OCOP_TEMPLATE_TIMEOUT); look for a loop that runs too long."
            ).format(label=label, seconds=f"{settings.template_timeout:g}")
        ) from None
    except OSError as e:
        raise TemplateError(
            tr("Could not start the process that renders the template {label}: {reason}.").format(
                label=label, reason=e.strerror or e
            )
        ) from e
    try:
        answer = json.loads(proc.stdout.decode("utf-8", "surrogatepass"))
    except ValueError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("text"), str):
        return answer["text"]
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        raise TemplateError(answer["error"])
    log.info("template process said: %s", proc.stderr.decode("utf-8", "replace")[-2000:])
    raise TemplateError(
        tr(
            "The template {label} stopped the process rendering it (exit status {status}), most "
            "likely beyond {memory} of memory (OCOP_TEMPLATE_MAX_MEMORY)."
        ).format(label=label, status=proc.returncode, memory=_mb(settings.template_max_memory))
    )


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no address-space limit, the parent's timeout holds
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> int:
    from ocop_nlp.drafts.render import _env
    from ocop_nlp.drafts.sandbox import render

    request = json.loads(sys.stdin.buffer.read())
    use_language(request.get("lang", "en"))
    label = request["label"]
    _limit_memory(request["max_memory"])
    settings = Settings(
        template_max_output=request["max_output"], max_input_bytes=request["max_bytes"]
    )
    path = Path(request["template"])
    try:
        env = _env(request["format"], path.parent, settings)
        text = render(env, path.name, request["context"], label)
        answer = {"text": text}
    except TemplateError as e:
        answer = {"error": str(e)}
    except MemoryError:
        answer = {
            "error": tr(
                "The template {label} needed more than {memory} of memory and was stopped "
                "(OCOP_TEMPLATE_MAX_MEMORY)."
            ).format(label=label, memory=_mb(request["max_memory"]))
        }
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
