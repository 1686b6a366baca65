"""Lay out a genogram and draw it with box-drawing characters: pure logic, no screen.

Generations are rows. Couples stand side by side joined by their line (// divorced,
/ separated, a dashed line for cohabiting); children hang from the couple line, oldest on the
left; twins share one point. A child's other parents (fostering, adoption), emotional
relationships and households cannot be drawn without crossing lines, so each is a line of the
legend under the drawing, as are the years a couple married, separated or divorced; every
household member carries its household's mark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from groupsup.genogram.model import (
    Child,
    ChildKind,
    CoupleStatus,
    Gender,
    Genogram,
    Person,
    PersonKind,
)

LABEL_WIDTH = 14
GAP = 3  # between people who are not a couple
COUPLE_SPACE = 9  # a 7-character couple line and a space each side

_SYMBOLS = {
    (Gender.MALE, "plain"): "□",
    (Gender.FEMALE, "plain"): "○",
    (Gender.OTHER, "plain"): "◇",
    (Gender.MALE, "index"): "▣",
    (Gender.FEMALE, "index"): "◉",
    (Gender.OTHER, "index"): "◈",
    (Gender.MALE, "dead"): "⊠",
    (Gender.FEMALE, "dead"): "⊗",
    (Gender.OTHER, "dead"): "✕",
}
_KIND_SYMBOLS = {
    PersonKind.PREGNANCY: "△",
    PersonKind.MISCARRIAGE: "•",
    PersonKind.STILLBIRTH: "▪",
    PersonKind.TERMINATION: "×",
}
_COUPLE_LINES = {
    CoupleStatus.MARRIED: "───────",
    CoupleStatus.WIDOWED: "───────",
    CoupleStatus.ENGAGED: "─ ─ ─ ─",
    CoupleStatus.COHABITING: "┄┄┄┄┄┄┄",
    CoupleStatus.SEPARATED: "───/───",
    CoupleStatus.DIVORCED: "──//───",
}
_DROPS = {
    ChildKind.BIOLOGICAL: "│",
    ChildKind.ADOPTED: "┊",
    ChildKind.FOSTERED: "┆",
    ChildKind.STEP: "╎",
}
_HOUSEHOLD_MARKS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
_BOX = {
    UP | DOWN: "│", LEFT | RIGHT: "─", DOWN | RIGHT: "┌", DOWN | LEFT: "┐",
    UP | RIGHT: "└", UP | LEFT: "┘", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤",
    DOWN | LEFT | RIGHT: "┬", UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼",
    UP: "│", DOWN: "│", LEFT: "─", RIGHT: "─",
}  # fmt: skip


@dataclass
class Drawing:
    lines: list[str]
    legend: list[str]

    def text(self) -> str:
        parts = ["\n".join(self.lines)] if self.lines else []
        if self.legend:
            parts.append("\n".join(self.legend))
        return "\n\n".join(parts)


def symbol(person: Person) -> str:
    if person.kind in _KIND_SYMBOLS:
        return _KIND_SYMBOLS[person.kind]
    state = "dead" if person.deceased else "index" if person.index else "plain"
    return _SYMBOLS[(person.gender, state)]


def shown_label(person: Person) -> str:
    """The name as drawn: printable characters only, cut to LABEL_WIDTH; else the key."""
    label = " ".join("".join(c if c.isprintable() else " " for c in person.label).split())
    label = label or person.id
    return label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"


def dates(person: Person) -> str:
    """The age, or the years (b1950, 1950–2019); a year of death is kept beside an age."""
    if person.age is None:
        return person.years
    return f"{person.age} d{person.died}" if person.died is not None else str(person.age)


def token(person: Person, mark: str = "") -> str:
    when = dates(person)
    return f"{symbol(person)} {shown_label(person)}{f' {when}' if when else ''}" + (
        f" ⌂{mark}" if mark else ""
    )


def draw(genogram: Genogram) -> Drawing:
    return _Layout(genogram).drawing()


def render(genogram: Genogram) -> str:
    """The drawing and its legend as text (what the minutes put in a fenced block)."""
    return draw(genogram).text()


@dataclass
class Placement:
    """Where the text drawing puts everyone, for other drawings of the same layout (SVG)."""

    columns: dict[str, tuple[int, int]]  # person -> (first column, width in columns)
    generation: dict[str, int]
    families: list[tuple[tuple[str, ...], list[Child]]]  # parents, their children oldest first
    legend: list[str]


def placement(genogram: Genogram) -> Placement:
    layout = _Layout(genogram)
    legend = layout.drawing().legend  # lays everyone out as it draws
    families: dict[tuple[str, ...], list[Child]] = defaultdict(list)
    for link in layout.primary.values():
        families[tuple(link.parents)].append(link)
    return Placement(
        columns={p: (x, len(layout._token(p))) for p, x in layout.x.items()},
        generation=layout.generation,
        families=[
            (parents, sorted(children, key=lambda c: layout._age_key(c.child)))
            for parents, children in families.items()
        ],
        legend=legend,
    )


@dataclass
class _Family:
    parents: tuple[str, ...]
    children: list[Child] = field(default_factory=list)


class _Layout:
    def __init__(self, genogram: Genogram) -> None:
        self.g = genogram
        self.people = {p.id: p for p in genogram.people}
        self.order = {p.id: i for i, p in enumerate(genogram.people)}
        self.primary = self._primary_links()
        self.generation = self._generations()
        self.marks = self._household_marks()
        self.x: dict[str, int] = {}
        self.rows: list[list[list[str]]] = []  # generation -> units -> person ids

    # -- structure -----------------------------------------------------------------------

    def _primary_links(self) -> dict[str, Child]:
        """Each child hangs under one set of parents: the biological one if there is one."""
        primary: dict[str, Child] = {}
        for link in self.g.children:
            held = primary.get(link.child)
            if held is None or (
                held.kind is not ChildKind.BIOLOGICAL and link.kind is ChildKind.BIOLOGICAL
            ):
                primary[link.child] = link
        return primary

    def _generations(self) -> dict[str, int]:
        generation = dict.fromkeys(self.people, 0)
        for _ in range(len(self.people) + 1):  # bounded: a loop in bad data cannot hang
            changed = False
            for link in self.primary.values():
                below = max(generation[p] for p in link.parents) + 1
                if generation[link.child] < below:
                    generation[link.child] = below
                    changed = True
            for couple in self.g.couples:
                level = max(generation[couple.a], generation[couple.b])
                for person in (couple.a, couple.b):
                    if generation[person] != level:
                        generation[person] = level
                        changed = True
            if not changed:
                break
        return generation

    def _household_marks(self) -> dict[str, str]:
        marks: dict[str, str] = {}
        for household, mark in zip(self.g.households, _HOUSEHOLD_MARKS, strict=False):
            for member in household.members:
                marks.setdefault(member, mark)
        return marks

    def _partners(self) -> dict[str, list[str]]:
        partners: dict[str, list[str]] = defaultdict(list)
        for couple in self.g.couples:
            if self.generation[couple.a] == self.generation[couple.b]:
                partners[couple.a].append(couple.b)
                partners[couple.b].append(couple.a)
        return partners

    def _units(self, generation: int) -> list[list[str]]:
        """Couple chains and single people of one generation, each in drawing order."""
        partners = self._partners()
        members = sorted(
            (p for p, g in self.generation.items() if g == generation), key=lambda p: self.order[p]
        )
        seen: set[str] = set()
        units = []
        for start in members:
            if start in seen:
                continue
            component, stack = [], [start]
            while stack:
                person = stack.pop()
                if person not in seen:
                    seen.add(person)
                    component.append(person)
                    stack.extend(partners[person])
            units.append(self._chain(component, partners))
        return units

    def _chain(self, component: list[str], partners: dict[str, list[str]]) -> list[str]:
        if len(component) == 1:
            return component
        ends = [p for p in component if len(partners[p]) == 1]
        if len(ends) == 2 and all(len(partners[p]) <= 2 for p in component):  # a path
            chain, previous = [min(ends, key=lambda p: self.order[p])], None
            while len(chain) < len(component):
                step = next(p for p in partners[chain[-1]] if p != previous)
                previous = chain[-1]
                chain.append(step)
            return chain
        hub = max(component, key=lambda p: (len(partners[p]), -self.order[p]))
        others = sorted((p for p in component if p != hub), key=lambda p: self.order[p])
        return [others[0], hub, *others[1:]]

    def _age_key(self, person_id: str) -> tuple:
        person = self.people[person_id]
        if person.age is not None:
            return (0, -person.age, self.order[person_id])
        if person.born is not None:
            return (0, person.born - 9999, self.order[person_id])
        return (1, 0, self.order[person_id])

    # -- positions -----------------------------------------------------------------------

    def _anchor(self, unit: list[str]) -> float:
        """Where a unit wants to stand: under the parents of its first member who has some."""
        for person in unit:
            link = self.primary.get(person)
            if link and all(p in self.x for p in link.parents):
                return self._drop_x(link.parents)
        return -1.0

    def _drop_x(self, parents: tuple[str, ...] | list[str]) -> float:
        centres = [self.x[p] + len(self._token(p)) / 2 for p in parents]
        if len(parents) == 2:
            left, right = sorted(parents, key=lambda p: self.x[p])
            return (self.x[left] + len(self._token(left)) + self.x[right]) / 2
        return centres[0]

    def _token(self, person_id: str) -> str:
        return token(self.people[person_id], self.marks.get(person_id, ""))

    def place(self) -> None:
        """x of every person, generation by generation; siblings centred under their parents."""
        for generation in sorted(set(self.generation.values())):
            units = self._units(generation)
            if generation > 0:
                units = [self._facing_parents(u) for u in units]
                units.sort(key=self._place_key)
            cursor = 0
            for anchor, group in _grouped(units, self._anchor):
                span = sum(self._unit_span(u) for u in group) + GAP * (len(group) - 1)
                if anchor >= 0:  # the group's centre column under the parents' drop column
                    cursor = max(cursor, round(anchor) - span // 2)
                for unit in group:
                    for person in unit:
                        self.x[person] = cursor
                        cursor += len(self._token(person)) + COUPLE_SPACE
                    cursor += GAP - COUPLE_SPACE
            self.rows.append(units)

    def _parents_x(self, person: str) -> float | None:
        link = self.primary.get(person)
        if link and all(p in self.x for p in link.parents):
            return self._drop_x(link.parents)
        return None

    def _facing_parents(self, unit: list[str]) -> list[str]:
        """Turn a couple chain so that each end stands on the side of its own parents."""
        first, last = self._parents_x(unit[0]), self._parents_x(unit[-1])
        if first is not None and last is not None and first > last:
            return unit[::-1]
        return unit

    def _place_key(self, unit: list[str]) -> tuple:
        """Under the parents; within a sibling group, a unit married into a family on the right
        goes last, one married into a family on the left goes first, the rest oldest first."""
        anchor = self._anchor(unit)
        others = [x for p in unit if (x := self._parents_x(p)) is not None and x != anchor]
        side = 0 if not others else (1 if others[0] > anchor else -1)
        return (anchor, side, min(self._age_key(p) for p in unit))

    def _unit_span(self, unit: list[str]) -> int:
        return sum(len(self._token(p)) for p in unit) + COUPLE_SPACE * (len(unit) - 1)

    # -- drawing -------------------------------------------------------------------------

    def drawing(self) -> Drawing:
        if not self.people:
            return Drawing([], ["(no one in the genogram yet)"])
        self.place()
        lines: list[str] = []
        for index, units in enumerate(self.rows):
            lines.append(self._people_row(units))
            if index + 1 < len(self.rows):
                lines.extend(self._connector_rows(index + 1))
        return Drawing([line.rstrip() for line in lines], self._legend())

    def _people_row(self, units: list[list[str]]) -> str:
        row: dict[int, str] = {}
        couples = {frozenset((c.a, c.b)): c for c in self.g.couples}
        for unit in units:
            for left, right in pairwise(unit):
                couple = couples.get(frozenset((left, right)))
                start = self.x[left] + len(self._token(left)) + 1
                line = _COUPLE_LINES[couple.status] if couple else " " * 7
                for i, char in enumerate(line):
                    row[start + i] = char
            for person in unit:
                for i, char in enumerate(self._token(person)):
                    row[self.x[person] + i] = char
        width = max(row) + 1 if row else 0
        return "".join(row.get(i, " ") for i in range(width))

    def _connector_rows(self, generation: int) -> list[str]:
        """Lines from each couple down to its children. Each family's sibling bar gets its own
        track, so two families' bars never merge; a line crossing another family's bar passes
        over it."""
        families: dict[tuple[str, ...], _Family] = {}
        for link in self.primary.values():
            if self.generation[link.child] == generation:
                key = tuple(link.parents)
                families.setdefault(key, _Family(key)).children.append(link)
        hangs = [self._hang(family) for family in families.values()]
        tracks = _tracks([hang.span for hang in hangs])
        depth = max(tracks, default=0) + 1
        grid = _Grid(depth + 2)
        for family, (hang, track) in enumerate(zip(hangs, tracks, strict=True)):
            for row in range(track + 1):
                grid.add(row, hang.top, family, UP | DOWN)
            grid.bar(track + 1, *hang.span, family)
            grid.add(track + 1, hang.top, family, UP)
            for point in hang.points:
                grid.add(track + 1, point, family, DOWN)
                for row in range(track + 2, depth + 1):
                    grid.add(row, point, family, UP | DOWN)
            for centre, style in hang.drops:
                grid.add(depth + 1, centre, family, UP | DOWN, style)
            for meet, left, right in hang.twins:
                grid.add(depth + 1, meet, family, UP)
                grid.bar(depth + 1, left, right, family, DOWN)
        return grid.lines()

    def _hang(self, family: _Family) -> _Hang:
        hang = _Hang(top=round(self._drop_x(family.parents)))
        twins: dict[str, list[int]] = defaultdict(list)
        for link in sorted(family.children, key=lambda c: self._age_key(c.child)):
            centre = self.x[link.child] + len(self._token(link.child)) // 2
            if link.twin_group:
                twins[link.twin_group].append(centre)
            else:
                hang.points.append(centre)
                hang.drops.append((centre, _DROPS[link.kind]))
        for centres in twins.values():
            meet = (min(centres) + max(centres)) // 2
            hang.points.append(meet)
            hang.twins.append((meet, min(centres), max(centres)))
        return hang

    def _legend(self) -> list[str]:
        name = {p.id: shown_label(p) for p in self.g.people}
        legend = []
        for child in self.g.children:
            if self.primary.get(child.child) is not child:
                parents = " and ".join(name[p] for p in child.parents)
                legend.append(f"{name[child.child]}: {child.kind.value} child of {parents}")
        # In the order the groups were typed (a set's order changes between runs).
        for group in dict.fromkeys(c.twin_group for c in self.g.children if c.twin_group):
            twins = [c for c in self.g.children if c.twin_group == group]
            kind = "identical twins" if twins[0].identical else "twins"
            legend.append(f"{' and '.join(name[c.child] for c in twins)}: {kind}")
        for couple in self.g.couples:
            if couple.years:
                legend.append(f"{name[couple.a]} = {name[couple.b]}: {couple.years}")
        for relation in self.g.relationships:
            legend.append(f"{name[relation.a]} ~ {name[relation.b]}: {relation.bond.value}")
        for household, mark in zip(self.g.households, _HOUSEHOLD_MARKS, strict=False):
            members = ", ".join(name[m] for m in household.members)
            legend.append(f"⌂{mark} {household.name or 'household'}: {members}")
        used = sorted({symbol(p) for p in self.g.people}, key=_SYMBOL_ORDER.index)
        key = "  ".join(f"{s} {_SYMBOL_NAMES[s]}" for s in used)
        return [*legend, f"Key: {key}"]


def _grouped(units: list[list[str]], anchor) -> list[tuple[float, list[list[str]]]]:
    """Consecutive units that hang from the same parents, with where those parents stand."""
    groups: list[tuple[float, list[list[str]]]] = []
    for unit in units:
        where = anchor(unit)
        if groups and groups[-1][0] == where and where >= 0:
            groups[-1][1].append(unit)
        else:
            groups.append((where, [unit]))
    return groups


@dataclass
class _Hang:
    """Where one family's lines go: down from the parents at `top`, to each point on its bar."""

    top: int
    points: list[int] = field(default_factory=list)
    drops: list[tuple[int, str]] = field(default_factory=list)  # (column, line style)
    twins: list[tuple[int, int, int]] = field(default_factory=list)  # (meet, left, right)

    @property
    def span(self) -> tuple[int, int]:
        return min(*self.points, self.top), max(*self.points, self.top)


def _tracks(spans: list[tuple[int, int]]) -> list[int]:
    """A track for each span so that no two spans on one track touch (greedy, left first)."""
    ends: list[int] = []
    tracks = [0] * len(spans)
    for index in sorted(range(len(spans)), key=lambda i: spans[i]):
        left, right = spans[index]
        free = next((t for t, end in enumerate(ends) if end + 1 < left), None)
        if free is None:
            free = len(ends)
            ends.append(right)
        ends[free] = right
        tracks[index] = free
    return tracks


class _Grid:
    """Connector cells: each remembers which family drew which line through it."""

    def __init__(self, rows: int) -> None:
        self.cells: list[defaultdict[int, dict[int, int]]] = [
            defaultdict(dict) for _ in range(rows)
        ]
        self.styles: dict[tuple[int, int], str] = {}

    def add(self, row: int, column: int, family: int, bits: int, style: str = "") -> None:
        cell = self.cells[row][column]
        cell[family] = cell.get(family, 0) | bits
        if style:
            self.styles[(row, column)] = style

    def bar(self, row: int, left: int, right: int, family: int, ends: int = 0) -> None:
        if left == right:
            return
        self.add(row, left, family, RIGHT | ends)
        self.add(row, right, family, LEFT | ends)
        for column in range(left + 1, right):
            self.add(row, column, family, LEFT | RIGHT)

    def char(self, row: int, column: int) -> str:
        owners = self.cells[row].get(column)
        if not owners:
            return " "
        crossing = any(bits & (UP | DOWN) == UP | DOWN for bits in owners.values())
        if len(owners) > 1 and crossing:  # two families meet: a vertical passes over a bar
            return "│"
        bits = 0
        for family_bits in owners.values():
            bits |= family_bits
        if bits == UP | DOWN and (row, column) in self.styles:
            return self.styles[(row, column)]
        return _BOX.get(bits, " ")

    def lines(self) -> list[str]:
        rows = []
        for row, cells in enumerate(self.cells):
            width = max(cells) + 1 if cells else 0
            rows.append("".join(self.char(row, column) for column in range(width)))
        return rows


_SYMBOL_NAMES = {
    "□": "male", "○": "female", "◇": "other or unknown", "▣": "index child (male)",
    "◉": "index child (female)", "◈": "index child", "⊠": "died (male)", "⊗": "died (female)",
    "✕": "died", "△": "pregnancy", "•": "miscarriage", "▪": "stillbirth", "×": "termination",
}  # fmt: skip
_SYMBOL_ORDER = list(_SYMBOL_NAMES)
