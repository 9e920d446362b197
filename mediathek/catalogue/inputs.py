"""What staff type and scripts send, before the rules check it: the catalogue services' input.

The staff pages parse their forms into these, the import builds them from spreadsheet rows,
and the JSON API's bodies are these (narrowed to numbers where JSON has them), passed
straight through. ``policy.validate_title`` turns a ``TitleInput`` into a ``TitleData``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class ComponentInput:
    """One part of a kit or game; the quantity as typed (a form's text) or sent (a number)."""

    name: str
    quantity: int | str = 1


@dataclass
class TitleInput:
    """A title as entered; the year as typed or sent. Empty strings mean "not given"."""

    title: str
    media_type: str
    subtitle: str = ""
    authors: str = ""
    isbn: str = ""
    level_min: str | None = None
    level_max: str | None = None
    age_min: str | None = None
    age_max: str | None = None
    languages: Sequence[str] = field(default_factory=list)
    topics: Sequence[str] = field(default_factory=list)
    components: Sequence[ComponentInput] = field(default_factory=list)
    description: str = ""
    publisher: str = ""
    year: int | str | None = None
    series: str = ""
    volume: str = ""
    notes: str = ""


@dataclass
class NewCopies:
    """Copies to add to a title: how many (as typed or sent) and where they stand."""

    count: int | str = 1
    shelf_mark: str = ""


@dataclass
class CopyChange:
    """A staff edit of one copy; ``None`` leaves a field as it is."""

    status: str | None = None
    shelf_mark: str | None = None
    note: str | None = None
