"""Session formats: how a case slot's time is split over its phases, as small TOML files.

The built-in formats live beside this module; the pods add their own to the store
(`groupsup add-format`, or a folder store's `formats/*.toml`).
A file with a mistake is refused with a sentence that names the file and the mistake.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from groupsup.domain.errors import GroupsupError, explain

BUILT_IN = Path(__file__).parent / "formats"
DEFAULT_FORMAT = "group-reflective"


MAX_FORMAT_BYTES = 1024 * 1024  # a format is a few KB


class FormatError(GroupsupError):
    pass


class Capture(StrEnum):
    """What the run screen puts in front of the facilitator during a phase."""

    PRESENTATION = "presentation"
    NOTES = "notes"
    HYPOTHESES = "hypotheses"
    RESONANCE = "resonance"
    REFLECTION = "reflection"
    NEXT_STEPS = "next-steps"


class Phase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    key: str = Field(min_length=1)
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    share: int = Field(gt=0, le=100)
    capture: Capture


class SessionFormat(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    name: str = Field(min_length=1)
    description: str = ""
    phases: tuple[Phase, ...] = Field(min_length=1)

    @field_validator("phases")
    @classmethod
    def _keys_unique(cls, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
        keys = [phase.key for phase in phases]
        if len(set(keys)) != len(keys):
            raise ValueError("Two phases share the same key; give each phase its own key.")
        return phases


def load_format(path: Path) -> SessionFormat:
    try:
        with Path(path).open("rb") as file:
            text = file.read(MAX_FORMAT_BYTES + 1)  # never the whole of /dev/zero
    except OSError as error:
        raise FormatError(f"Format file {path} cannot be read ({error.strerror}).") from None
    if len(text) > MAX_FORMAT_BYTES:
        raise FormatError(f"Format file {path} is larger than 1 MB, so it is not a format.")
    return read_format(Path(path).stem, text, f"Format file {path}")


def read_format(format_id: str, text: bytes, where: str) -> SessionFormat:
    """The format `format_id` from its TOML `text`; FormatError starting with `where` (which
    names the file, or where the store keeps it) if it has a mistake."""
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FormatError(f"{where} is not valid TOML: {error}.") from None
    try:
        return SessionFormat.model_validate({"id": format_id} | data)
    except ValidationError as error:
        raise FormatError(f"{where}: {explain(error)}") from None


def built_in_formats() -> dict[str, SessionFormat]:
    """The formats groupsup comes with (the policy's among them): a pod's own never replaces
    one."""
    return {path.stem: load_format(path) for path in sorted(BUILT_IN.glob("*.toml"))}


def available_formats(
    own: Mapping[str, tuple[str, bytes]] | None = None, problems: list[str] | None = None
) -> dict[str, SessionFormat]:
    """The built-in formats, then the pods' own (`Store.own_formats`: id -> where it is kept
    and its TOML). One with a mistake, or with a built-in one's key, is left out, its reason
    added to `problems` when given."""
    formats = built_in_formats()
    for format_id, (where, text) in sorted((own or {}).items()):
        try:
            if format_id in formats:  # a built-in one's (the pods' own keys are distinct)
                raise FormatError(
                    f"{where} has the key of a built-in session format, which stays as it is: "
                    "it is left out; give it another name."
                )
            formats[format_id] = read_format(format_id, text, where)
        except FormatError as error:
            if problems is None:
                raise
            problems.append(str(error))
    return formats


def format_problems(own: Mapping[str, tuple[str, bytes]]) -> list[str]:
    """Why each of the pods' own formats that the plan cannot offer is left out, one sentence
    each naming where it is kept."""
    problems: list[str] = []
    available_formats(own, problems)
    return problems


def format_named(
    format_id: str, own: Mapping[str, tuple[str, bytes]] | None = None
) -> SessionFormat:
    problems: list[str] = []  # another pod file's mistake must not stop this format
    formats = available_formats(own, problems)
    if format_id not in formats:
        if own and format_id in own:  # the pods' own, left out for a mistake: say which
            read_format(format_id, own[format_id][1], own[format_id][0])
        raise FormatError(
            f"There is no session format '{format_id}'; choose one of {', '.join(formats)}."
        )
    return formats[format_id]
