"""Reading the catalog data files of ``seeds/data/``, validated by pydantic models.

The catalogs are data: one JSON file per catalog table under ``seeds/data/<domain>/`` (a list of
entries, one object per row), long Markdown bodies (lessons, infobase entries) in ``.md`` files
beside them, named by the entry's ``content_file``. The seed modules hold only code: they load
their files here, turn the entries into rows and upsert them (:mod:`seeds.upsert`).

Every entry is validated by the pydantic model of its catalog (:class:`Entry` subclasses:
unknown fields are refused, types are strict, enum fields take the values of the database's
enums). A file that does not validate stops the load with a :class:`SeedDataError` naming the
file, the entry (its position and natural key) and the field, e.g.::

    seeds/data/learn/lessons.json: entry 3 ("diatonic_chords_major"), field "quiz.1.answer_index":
    Input should be a valid integer

The files are package data (``[tool.setuptools.package-data]`` in ``pyproject.toml``), read
through :mod:`importlib.resources`, so an installed wheel seeds the same rows as a checkout.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

#: The folder of the data files, relative to the ``seeds`` package.
DATA_DIR = "data"


class SeedDataError(ValueError):
    """A data file of ``seeds/data/`` is missing, is not JSON, or holds an invalid entry.

    The message names the file (``seeds/data/<domain>/<file>``), the entry (its index in the
    file's list and its natural key when it has one) and the field (a dotted path such as
    ``quiz.1.answer_index``), then pydantic's reason.
    """


class Entry(BaseModel):
    """Base of the models of catalog entries: frozen, strict types, no unknown fields.

    Enum-typed fields of subclasses declare ``Field(strict=False)`` so that the JSON string
    value is accepted and checked against the enum.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


E = TypeVar("E", bound=Entry)
T = TypeVar("T")


def data_file(relative: str) -> Traversable:
    """The data file ``seeds/data/<relative>`` (e.g. ``"learn/lessons.json"``)."""
    return resources.files("seeds").joinpath(DATA_DIR, *relative.split("/"))


def display_name(relative: str) -> str:
    """``seeds/data/<relative>``: how errors name a data file."""
    return f"seeds/{DATA_DIR}/{relative}"


def read_json(relative: str) -> Any:
    """Parse ``seeds/data/<relative>``.

    Raises:
        SeedDataError: the file is missing or is not UTF-8 JSON (with line and column).
    """
    try:
        text = data_file(relative).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedDataError(f"{display_name(relative)}: cannot be read ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedDataError(
            f"{display_name(relative)}: not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})"
        ) from exc


def read_markdown(relative: str, *, entry: str, field: str) -> str:
    """The text of the Markdown file ``seeds/data/<relative>``, exactly as stored.

    Args:
        relative: the path below ``seeds/data/``.
        entry, field: how the referring entry and field are named in the error.

    Raises:
        SeedDataError: the file does not exist or cannot be read.
    """
    try:
        return data_file(relative).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedDataError(
            f"{entry}, field {field!r}: the file {display_name(relative)} cannot be read ({exc})"
        ) from exc


def _field_path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "(the entry itself)"


def entry_label(relative: str, index: int, raw: Any, key: str | None) -> str:
    """``seeds/data/<file>: entry <index> ("<natural key>")``: how errors name an entry."""
    label = f"{display_name(relative)}: entry {index}"
    if key is not None and isinstance(raw, dict) and isinstance(raw.get(key), str):
        label += f" ({raw[key]!r})"
    return label


def validate_entry(relative: str, index: int, raw: Any, model: type[E], key: str | None) -> E:
    """Validate one entry of a data file.

    Raises:
        SeedDataError: naming the file, the entry and the first invalid field (with the count
            of further problems, if any).
    """
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SeedDataError(
            f"{entry_label(relative, index, raw, key)}, field {_field_path(first['loc'])!r}: "
            f"{first['msg']}{more}"
        ) from exc


def load_entries(relative: str, model: type[E], *, key: str | None = None) -> tuple[E, ...]:
    """Load and validate ``seeds/data/<relative>``, a JSON list of ``model`` entries.

    Args:
        relative: the file below ``seeds/data/``, e.g. ``"market/items.json"``.
        model: the pydantic model of one entry.
        key: the natural-key field, unique within the file (checked), also used to name an
            entry in errors.

    Returns:
        The validated entries, in file order (the order sets ``sort_order`` where a catalog
        has one).

    Raises:
        SeedDataError: the file is missing, not JSON, not a list, an entry does not validate,
            or two entries share a natural key.
    """
    data = read_json(relative)
    if not isinstance(data, list):
        raise SeedDataError(f"{display_name(relative)}: expected a JSON list of entries")
    entries = tuple(validate_entry(relative, i, raw, model, key) for i, raw in enumerate(data))
    if key is not None:
        seen: set[Any] = set()
        for index, entry in enumerate(entries):
            value = getattr(entry, key)
            if value in seen:
                raise SeedDataError(
                    f"{entry_label(relative, index, data[index], key)}, field {key!r}: "
                    f"duplicate natural key {value!r}"
                )
            seen.add(value)
    return entries


def load_object(relative: str, model: type[E]) -> E:
    """Load and validate ``seeds/data/<relative>``, one JSON object of ``model``.

    Raises:
        SeedDataError: as :func:`load_entries` (the entry is named ``entry 0``).
    """
    return validate_entry(relative, 0, read_json(relative), model, None)


def check_references(
    relative: str,
    entries: Sequence[Entry],
    field: str,
    known: Collection[Any],
    *,
    key: str,
    target: str,
) -> None:
    """Check that ``field`` of every entry of ``seeds/data/<relative>`` names a known row.

    Args:
        relative: the file of ``entries``.
        entries: the validated entries.
        field: the referring field, e.g. ``"topic"``.
        known: the natural keys it may take (e.g. the topic keys).
        key: the entries' own natural-key field (to name an entry in the error).
        target: the referred file, for the message, e.g. ``"learn/topics.json"``.

    Raises:
        SeedDataError: naming the first entry whose ``field`` is not in ``known``.
    """
    for index, entry in enumerate(entries):
        value = getattr(entry, field)
        if value not in known:
            raw = {key: getattr(entry, key)}
            raise SeedDataError(
                f"{entry_label(relative, index, raw, key)}, field {field!r}: "
                f"{value!r} is not in {display_name(target)}"
            )


def load_constant(relative: str, data: Any, name: str, kind: type[T]) -> T:
    """Validate the entry ``name`` of the JSON object ``data`` (read from
    ``seeds/data/<relative>``) as ``kind``, e.g. ``tuple[tuple[str, int], ...]``: JSON arrays
    become tuples, types are strict (a JSON integer is accepted where a float is expected).

    Raises:
        SeedDataError: ``data`` is not an object, has no entry ``name``, or the entry does not
            validate; the message names the file, the entry and the field (its position path,
            e.g. ``3.4``: the fifth field of the fourth item).
    """
    if not isinstance(data, dict) or name not in data:
        raise SeedDataError(f"{display_name(relative)}: no entry {name!r}")
    try:
        return TypeAdapter(kind, config=ConfigDict(strict=True)).validate_json(
            json.dumps(data[name])
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise SeedDataError(
            f"{display_name(relative)}: entry {name!r}, field {_field_path(first['loc'])!r}: "
            f"{first['msg']}"
        ) from exc


def as_dicts(entries: Sequence[Entry]) -> tuple[dict[str, Any], ...]:
    """The entries as JSON-ready dicts holding the fields their file sets (enums as values)."""
    return tuple(entry.model_dump(mode="json", exclude_unset=True) for entry in entries)


def with_markdown(
    relative: str,
    entries: Sequence[dict[str, Any]],
    *,
    key: str,
    into: str,
    file_field: str = "content_file",
) -> tuple[dict[str, Any], ...]:
    """Replace each entry's ``file_field`` (a path relative to the folder of ``relative``) by
    the Markdown text of that file, under ``into``.

    Args:
        relative: the JSON file the entries come from, e.g. ``"learn/lessons.json"``.
        entries: the entries as dicts (:func:`as_dicts`).
        key: the natural-key field (to name an entry in the error).
        into: the field receiving the text, e.g. ``"content_markdown"``.
        file_field: the field holding the file name.

    Raises:
        SeedDataError: a named file does not exist or cannot be read.
    """
    folder = relative.rpartition("/")[0]
    out = []
    for index, entry in enumerate(entries):
        path = f"{folder}/{entry[file_field]}" if folder else entry[file_field]
        text = read_markdown(path, entry=entry_label(relative, index, entry, key), field=file_field)
        out.append(
            {
                (into if k == file_field else k): (text if k == file_field else v)
                for k, v in entry.items()
            }
        )
    return tuple(out)


__all__ = [
    "DATA_DIR",
    "Entry",
    "SeedDataError",
    "as_dicts",
    "check_references",
    "data_file",
    "display_name",
    "entry_label",
    "load_constant",
    "load_entries",
    "load_object",
    "read_json",
    "read_markdown",
    "validate_entry",
    "with_markdown",
]
