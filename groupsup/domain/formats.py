"""Session formats: how a case slot's time is split over its phases, as small TOML files.

The built-in formats live beside this module; a pod adds its own as `<store>/formats/*.toml`.
A file with a mistake is refused with a sentence that names the file and the mistake.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from groupsup.domain.errors import GroupsupError, explain

BUILT_IN = Path(__file__).parent / "formats"
DEFAULT_FORMAT = "group-reflective"


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
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise FormatError(f"Format file {path} cannot be read ({error.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FormatError(f"Format file {path} is not valid TOML: {error}.") from None
    try:
        return SessionFormat.model_validate({"id": Path(path).stem} | data)
    except ValidationError as error:
        raise FormatError(f"Format file {path}: {explain(error)}") from None


def available_formats(
    store_root: Path | None = None, problems: list[str] | None = None
) -> dict[str, SessionFormat]:
    """The built-in formats, then the pod's own (which may replace a built-in one). A pod's
    file with a mistake is left out, its reason added to `problems` when given."""
    formats = {path.stem: load_format(path) for path in sorted(BUILT_IN.glob("*.toml"))}
    own = sorted((Path(store_root) / "formats").glob("*.toml")) if store_root else []
    for path in own:
        try:
            formats[path.stem] = load_format(path)
        except FormatError as error:
            if problems is None:
                raise
            problems.append(str(error))
    return formats


def format_named(format_id: str, store_root: Path | None = None) -> SessionFormat:
    problems: list[str] = []  # another pod file's mistake must not stop this format
    formats = available_formats(store_root, problems)
    if format_id not in formats:
        broken = [p for p in problems if f"{format_id}.toml" in p]
        if broken:
            raise FormatError(broken[0])
        raise FormatError(
            f"There is no session format '{format_id}'; choose one of {', '.join(formats)}."
        )
    return formats[format_id]
