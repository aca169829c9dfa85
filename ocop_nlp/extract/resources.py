"""What extraction reads besides the text, in one object: the lexicons, the clause-type model
and the word segmenter and tagger.

A `Resources` names them (lexicon files, a model directory, a segmenter) and loads each on
first use; everything derived from them (compiled cue patterns, per-clause answers) is kept in
the object too, not in module-level caches, so two pipelines with two lexicon versions or two
models run side by side in one process:

>>> from ocop_nlp.extract.pipeline import Pipeline  # doctest: +SKIP
>>> mine = Resources.default().with_lexicons(cues="my_cues.toml")  # doctest: +SKIP
>>> Pipeline(resources=mine)(article).challenges  # doctest: +SKIP
>>> Pipeline(resources=Resources.default().without_model())(article)  # rules alone  # doctest: +SKIP

A `Resources` pickles as its names only (paths and the segmenter's name): a batch worker or a
Dask worker that unpickles one gets its process's instance for those names, loaded once there.

The stages get the resources through their `Doc`; the extract functions take them as a
`resources=` parameter, and the helpers deep inside the rules find them with `current()`: the
resources of the pipeline (or extract function) running in this thread, else the default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from ocop_nlp.config import LEXICONS, lexicon
from ocop_nlp.errors import ConfigError

if TYPE_CHECKING:
    from ocop_nlp.extract.model import ClauseModel
    from ocop_nlp.extract.sequence import SequenceModel
    from ocop_nlp.nlp.words import Segmenter, Tagged, Words

# The lexicons a pipeline reads and a Resources may take from other files.
EXTRACT_LEXICONS = ("cues", "titles", "units")
P = ParamSpec("P")
T = TypeVar("T")


def default_model_dir() -> Path:
    """`OCOP_MODEL_DIR`, else `models/` at the repository root (an editable install)."""
    env = os.environ.get("OCOP_MODEL_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def _default_model_dir_name() -> str | None:
    return str(default_model_dir())


@dataclass(frozen=True)
class Resources:
    """The lexicons, model and segmenter one pipeline reads (see the module docstring).

    `lexicons`: (name, TOML file) pairs replacing packaged lexicons the extraction reads
    ("cues", "titles", "units"); the others are the packaged ones. (Page furniture, `page`,
    is read when a page is parsed, before any pipeline, so it is always the packaged one.) `model_dir`: the directory of the
    clause-type model, or None for the rules alone. `segmenter`: the word segmenter and POS
    tagger ("underthesea", the only one today).
    """

    lexicons: tuple[tuple[str, str], ...] = ()
    model_dir: str | None = field(default_factory=_default_model_dir_name)
    segmenter: str = "underthesea"
    # What was loaded or derived: never compared, hashed or pickled.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, _ in self.lexicons:
            if name not in EXTRACT_LEXICONS:
                raise ConfigError(
                    f"There is no lexicon called {name!r} that extraction reads; give one of "
                    f"{', '.join(EXTRACT_LEXICONS)}."
                )

    @classmethod
    def default(cls) -> Resources:
        """The packaged lexicons, the model in `default_model_dir()` and underthesea; one
        instance per process, loaded on first use."""
        return _shared(cls())

    def with_lexicons(self, **files: str | os.PathLike[str]) -> Resources:
        """These resources with some lexicons read from files: `with_lexicons(cues="c.toml")`."""
        merged = dict(self.lexicons)
        merged.update({name: str(Path(path).resolve()) for name, path in files.items()})
        return _shared(replace(self, lexicons=tuple(sorted(merged.items()))))

    def with_model(self, directory: str | os.PathLike[str] | None) -> Resources:
        """These resources with the model of `directory` (None: no model, the rules alone)."""
        return _shared(
            replace(self, model_dir=None if directory is None else str(Path(directory).resolve()))
        )

    def without_model(self) -> Resources:
        return self.with_model(None)

    def __reduce__(self) -> tuple[Callable[..., Resources], tuple[Any, ...]]:
        # Names travel, loaded things do not: the receiving process loads its own, once.
        return _unpickle, (self.lexicons, self.model_dir, self.segmenter)

    # --- what the names give, each loaded once --------------------------------------------

    def lexicon(self, name: str) -> dict[str, Any]:
        """The lexicon `name`: the file given for it, else the packaged one."""
        key = ("lexicon", name)
        found = self._memo.get(key)
        if found is None:
            path = dict(self.lexicons).get(name)
            found = lexicon(name) if path is None else _read_lexicon(Path(path))
            self._memo[key] = found
        return found

    def rules_version(self) -> str:
        """One string naming every lexicon version, stored with each extraction."""
        found = self._memo.get("rules_version")
        if found is None:
            found = "+".join(f"{n}:{self.lexicon(n).get('version', '?')}" for n in LEXICONS)
            self._memo["rules_version"] = found
        return found

    def model(self) -> ClauseModel | SequenceModel | None:
        """The clause-type model, or None (no directory, or a model unusable here: it warns
        once, when loaded)."""
        if "model" not in self._memo:
            from ocop_nlp.extract.model import load_model

            self._memo["model"] = (
                None
                if self.model_dir is None
                else load_model(Path(self.model_dir), rules=self.rules_version())
            )
        return self._memo["model"]  # type: ignore[no-any-return]

    @property
    def words(self) -> Segmenter:
        """The word segmenter and POS tagger, with its per-sentence caches."""
        found = self._memo.get("words")
        if found is None:
            found = self._memo["words"] = _segmenter(self.segmenter)
        return found  # type: ignore[no-any-return]


def _read_lexicon(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"The lexicon file {path} cannot be read ({e.strerror}).") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"The lexicon file {path} is not valid TOML: {e}.") from e


# The process's instance for each set of names: what `default()`, the `with_*` methods and
# unpickling return, so a worker loads a model once however many tasks carry its names.
_INSTANCES: dict[Resources, Resources] = {}


def _shared(r: Resources) -> Resources:
    return _INSTANCES.setdefault(r, r)


def _unpickle(
    lexicons: tuple[tuple[str, str], ...], model_dir: str | None, segmenter: str
) -> Resources:
    return _shared(Resources(lexicons, model_dir, segmenter))


def _segmenter(name: str) -> Segmenter:
    # underthesea keeps its models process-wide, and the segmenter's caches are keyed by text
    # alone: resources with other lexicons or models share the process's one.
    if name != "underthesea":
        raise ConfigError(f"Unknown segmenter {name!r}; the only one is underthesea.")
    from ocop_nlp.nlp.words import default_segmenter

    return default_segmenter()


# --- the resources in use --------------------------------------------------------------------

_ACTIVE: ContextVar[Resources | None] = ContextVar("ocop_nlp_resources", default=None)


def current() -> Resources:
    """The resources of the pipeline or extract function running here, else the default."""
    r = _ACTIVE.get()
    return r if r is not None else Resources.default()


def uses_resources(fn: Callable[P, T]) -> Callable[P, T]:
    """Run `fn` with its `resources=` keyword (when given) as the resources in use."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        r = kwargs.get("resources")
        if r is None:
            return fn(*args, **kwargs)
        token = _ACTIVE.set(r)  # type: ignore[arg-type]
        try:
            return fn(*args, **kwargs)
        finally:
            _ACTIVE.reset(token)

    return run


class active:  # noqa: N801 - used as a statement: `with active(resources): ...`
    """`with active(resources):` makes them the resources in use for the block."""

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def __enter__(self) -> Resources:
        self._token = _ACTIVE.set(self.resources)
        return self.resources

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.reset(self._token)


def per_resources(build: Callable[Concatenate[Resources, P], T]) -> Callable[P, T]:
    """`build(resources, *args)` once per resources in use and arguments: the compiled form
    of a lexicon, kept in the resources (it replaces a module-level `functools.cache`)."""

    # The rules ask for their patterns hundreds of times per article: the lookup stays short.
    @wraps(build)
    def get(*args: P.args, **kwargs: P.kwargs) -> T:
        r = _ACTIVE.get() or Resources.default()
        key = (get, *args, *kwargs.items()) if args or kwargs else get
        found = r._memo.get(key, _MISSING)
        if found is _MISSING:
            found = r._memo[key] = build(r, *args, **kwargs)
        return found  # type: ignore[no-any-return]

    return get


_MISSING = object()


def per_resources_lru(maxsize: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A `functools.lru_cache(maxsize)` of `fn` for each resources in use: for answers about a
    text that depend on the lexicons (is this clause a challenge, which cues are in it)."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        @wraps(fn)
        def get(*args: P.args, **kwargs: P.kwargs) -> T:
            memo = (_ACTIVE.get() or Resources.default())._memo
            cached = memo.get(get)
            if cached is None:
                cached = memo[get] = lru_cache(maxsize=maxsize)(fn)
            return cached(*args, **kwargs)  # type: ignore[no-any-return,arg-type]

        return get

    return wrap


def word_spans(text: str) -> Words:
    """`nlp.words` segmentation of `text` by the segmenter in use (cached per sentence)."""
    return current().words.word_spans(text)


def pos_spans(text: str) -> Tagged:
    """`nlp.words` POS tags of `text` by the tagger in use (cached per sentence)."""
    return current().words.pos_spans(text)
