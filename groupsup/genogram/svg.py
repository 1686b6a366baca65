"""The genogram drawn as SVG, from the same layout as the text drawing.

McGoldrick and Gerson's symbols: a square for a male, a circle for a female, a diamond for
other or unknown; a doubled outline for the index child; a cross through the symbol for a death;
a triangle for a pregnancy, a small dot for a miscarriage, a small square for a stillbirth and a
cross for a termination; birth and death years under the name. Couples are joined by a line
between their symbols (// divorced, / separated, dashed cohabiting, dotted engaged) with the
years they married, separated or divorced above it, children hang from it oldest on the left, twins
from one point
(joined by a bar when identical), fostered, adopted and step children by dashed or dotted
drops. Households are dashed enclosures; emotional relationships are coloured lines between
two people. Every name is escaped: the SVG is XML, and nothing in it can run.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from groupsup.genogram.drawing import Placement, placement, shown_label
from groupsup.genogram.model import (
    Bond,
    ChildKind,
    Couple,
    CoupleStatus,
    Gender,
    Genogram,
    Person,
    PersonKind,
)

COLUMN = 7.5  # px per column of the text layout
ROW = 120  # px between generations
SIZE = 26  # a symbol's width and height
TOP = 24
_FONT = "font-family: 'DejaVu Sans', Arial, sans-serif"
_DROP_STYLES = {
    ChildKind.ADOPTED: 'stroke-dasharray="2 3"',
    ChildKind.FOSTERED: 'stroke-dasharray="6 4"',
    ChildKind.STEP: 'stroke-dasharray="6 4" stroke="#777"',
}
_COUPLE_STYLES = {
    CoupleStatus.COHABITING: 'stroke-dasharray="6 4"',
    CoupleStatus.ENGAGED: 'stroke-dasharray="2 3"',
}
_BONDS = {  # colour, dash pattern
    Bond.CLOSE: ("#2a7d2a", ""),
    Bond.FUSED: ("#2a7d2a", ""),
    Bond.DISTANT: ("#555", "2 4"),
    Bond.CONFLICT: ("#c0392b", "8 3"),
    Bond.HOSTILE: ("#c0392b", ""),
    Bond.CUT_OFF: ("#555", "10 3 2 3"),
    Bond.ABUSE: ("#8e44ad", ""),
    Bond.NEGLECT: ("#8e44ad", "4 3"),
}


def to_svg(genogram: Genogram, title: str = "Genogram") -> str:
    """An SVG document of the genogram; `viewBox` lets it scale to any width."""
    return _Picture(genogram, placement(genogram)).svg(title)


def width_of(svg: str) -> int:
    """The width in pixels `to_svg` gave its drawing, for outputs that scale it to the page."""
    found = re.search(r'width="(\d+)"', svg)
    if found is None:
        raise ValueError("not a drawing made by to_svg: it has no width")
    return int(found.group(1))


class _Picture:
    def __init__(self, genogram: Genogram, layout: Placement) -> None:
        self.g = genogram
        self.layout = layout
        self.people = {p.id: p for p in genogram.people}
        self.parts: list[str] = []

    def centre(self, person: str) -> tuple[float, float]:
        column, width = self.layout.columns[person]
        return (column + width / 2) * COLUMN, TOP + 14 + self.layout.generation[person] * ROW

    def svg(self, title: str) -> str:
        households = [self._household(n, h.members) for n, h in enumerate(self.g.households)]
        for couple in self.g.couples:
            self._couple(couple)
        for parents, children in self.layout.families:
            self._children(parents, children)
        for relation in self.g.relationships:
            self._relationship(relation.a, relation.b, relation.bond)
        for person in self.g.people:
            self._person(person)
        columns = max((c + w for c, w in self.layout.columns.values()), default=10)
        generations = max(self.layout.generation.values(), default=0) + 1
        width = round(columns * COLUMN + 2 * COLUMN)
        height = round(TOP + (generations - 1) * ROW + SIZE + 60)
        body = "\n".join(households + self.parts)
        label = quoteattr(_printable(title))
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label={label}>\n'
            f"<title>{_text(title)}</title>\n"
            f'<g fill="none" stroke="#111" stroke-width="1.5" style="{_FONT}">\n'
            f"{body}\n</g>\n</svg>\n"
        )

    # -- people -------------------------------------------------------------------------

    def _person(self, person: Person) -> None:
        x, y = self.centre(person.id)
        half = SIZE / 2
        shapes = [_symbol(person, x, y, half)]
        if person.index:
            shapes.append(_symbol(person, x, y, half + 4))
        if person.deceased:
            shapes.append(
                f'<path d="M{x - half - 3},{y - half - 3} L{x + half + 3},{y + half + 3} '
                f'M{x + half + 3},{y - half - 3} L{x - half - 3},{y + half + 3}"/>'
            )
        label = shown_label(person)
        years = person.years if person.age is None else f"d{person.died}" if person.died else ""
        texts = [
            f'<text x="{x}" y="{y + half + 16}" text-anchor="middle" font-size="12" '
            f'fill="#111" stroke="none">{_text(label)}</text>'
        ]
        if years:
            texts.append(
                f'<text x="{x}" y="{y + half + 30}" text-anchor="middle" font-size="11" '
                f'fill="#444" stroke="none">{years}</text>'
            )
        if person.age is not None and person.kind is PersonKind.PERSON:  # the age inside
            texts.append(
                f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-size="10" fill="#111" '
                f'stroke="none">{person.age}</text>'
            )
        self.parts.append(
            f'<g class="person" data-key={quoteattr(_printable(person.id))}>'
            f"<title>{_text(person.label)}</title>{''.join(shapes + texts)}</g>"
        )

    # -- lines --------------------------------------------------------------------------

    def _couple(self, couple: Couple) -> None:
        status = couple.status
        (xa, ya), (xb, yb) = sorted((self.centre(couple.a), self.centre(couple.b)))
        if couple.years:  # written above the middle of the line, as genograms date a couple
            years = "  ".join(f"{w[0]}. {year}" for w, year in couple.dated() if year is not None)
            self.parts.append(
                f'<text class="couple-years" x="{(xa + xb) / 2}" y="{(ya + yb) / 2 - 10}" '
                f'text-anchor="middle" font-size="10" fill="#444" stroke="none">{years}</text>'
            )
        half = SIZE / 2
        if ya != yb:  # partners drawn in different generations: a plain line between them
            self.parts.append(f'<path d="M{xa},{ya} L{xb},{yb}" {_COUPLE_STYLES.get(status, "")}/>')
            return
        self.parts.append(
            f'<path d="M{xa + half},{ya} H{xb - half}" {_COUPLE_STYLES.get(status, "")}/>'
        )
        middle = (xa + xb) / 2
        slashes = {CoupleStatus.SEPARATED: [0], CoupleStatus.DIVORCED: [-4, 4]}.get(status, [])
        for offset in slashes:
            mx = middle + offset
            self.parts.append(f'<path d="M{mx - 4},{ya + 7} L{mx + 4},{ya - 7}"/>')

    def _drop_point(self, parents: tuple[str, ...]) -> tuple[float, float]:
        points = [self.centre(p) for p in parents]
        if len(points) == 2 and points[0][1] == points[1][1]:  # from the couple line
            return (points[0][0] + points[1][0]) / 2, points[0][1]
        x, y = points[0]
        return x, y + SIZE / 2 + (4 if self.people[parents[0]].index else 0)

    def _children(self, parents: tuple[str, ...], children) -> None:
        top_x, top_y = self._drop_point(parents)
        generation = max(self.layout.generation[c.child] for c in children)
        child_y = TOP + 14 + generation * ROW - SIZE / 2 - 4
        bar_y = child_y - 26
        points: list[float] = []
        twins: dict[str, list] = {}
        for link in children:
            if link.twin_group:
                twins.setdefault(link.twin_group, []).append(link)
                continue
            x, _ = self.centre(link.child)
            points.append(x)
            style = _DROP_STYLES.get(link.kind, "")
            self.parts.append(f'<path d="M{x},{bar_y} V{child_y}" {style}/>')
        for group in twins.values():
            xs = [self.centre(link.child)[0] for link in group]
            meet = (min(xs) + max(xs)) / 2
            points.append(meet)
            for x in xs:
                self.parts.append(f'<path d="M{meet},{bar_y} L{x},{child_y}"/>')
            if group[0].identical:
                left, right = (meet + (x - meet) * 0.5 for x in (min(xs), max(xs)))
                middle = (bar_y + child_y) / 2
                self.parts.append(f'<path d="M{left},{middle} H{right}"/>')
        span = [*points, top_x]
        self.parts.append(
            f'<path d="M{top_x},{top_y} V{bar_y} M{min(span)},{bar_y} H{max(span)}"/>'
        )

    def _relationship(self, a: str, b: str, bond: Bond) -> None:
        (xa, ya), (xb, yb) = self.centre(a), self.centre(b)
        colour, dashes = _BONDS[bond]
        bend = 30 if ya == yb else 0
        control_x, control_y = (xa + xb) / 2, (ya + yb) / 2 - bend
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        width = 3 if bond in (Bond.FUSED, Bond.HOSTILE) else 1.5
        self.parts.append(
            f'<path class="relationship" d="M{xa},{ya} Q{control_x},{control_y} {xb},{yb}" '
            f'stroke="{colour}" stroke-width="{width}"{dash} opacity="0.8"/>'
            f'<text x="{control_x}" y="{control_y + bend / 2 - 3}" text-anchor="middle" '
            f'font-size="10" fill="{colour}" stroke="none">{escape(bond.value)}</text>'
        )

    def _household(self, number: int, members: list[str]) -> str:
        boxes = [self.centre(m) for m in members]
        inset = 5 * number  # households that overlap stay apart at the edges
        left = min(x for x, _ in boxes) - 44 + inset
        right = max(x for x, _ in boxes) + 44 - inset
        top = min(y for _, y in boxes) - SIZE / 2 - 12 + inset
        bottom = max(y for _, y in boxes) + SIZE / 2 + 40 - inset
        name = self.g.households[number].name or "household"
        return (
            f'<rect class="household" x="{left}" y="{top}" width="{right - left}" '
            f'height="{bottom - top}" rx="14" stroke="#3a6ea5" stroke-dasharray="5 4"/>'
            f'<text x="{right - 6}" y="{top + 12}" text-anchor="end" font-size="10" fill="#3a6ea5" '
            f'stroke="none">{_text(name)}</text>'
        )


def _printable(value: str) -> str:
    # XML cannot hold control characters at all; they become spaces.
    return "".join(c if c.isprintable() else " " for c in value)


def _text(value: str) -> str:
    return escape(_printable(value))


def _symbol(person: Person, x: float, y: float, half: float) -> str:
    if person.kind is PersonKind.PREGNANCY:
        return f'<path d="M{x},{y - half} L{x + half},{y + half} L{x - half},{y + half} Z"/>'
    if person.kind is PersonKind.MISCARRIAGE:
        return f'<circle cx="{x}" cy="{y}" r="{half / 3}" fill="#111"/>'
    if person.kind is PersonKind.STILLBIRTH:
        side = half * 0.7
        return f'<rect x="{x - side}" y="{y - side}" width="{2 * side}" height="{2 * side}"/>'
    if person.kind is PersonKind.TERMINATION:
        s = half / 2
        return f'<path d="M{x - s},{y - s} L{x + s},{y + s} M{x + s},{y - s} L{x - s},{y + s}"/>'
    if person.gender is Gender.MALE:
        return f'<rect x="{x - half}" y="{y - half}" width="{2 * half}" height="{2 * half}"/>'
    if person.gender is Gender.FEMALE:
        return f'<circle cx="{x}" cy="{y}" r="{half}"/>'
    return f'<path d="M{x},{y - half} L{x + half},{y} L{x},{y + half} L{x - half},{y} Z"/>'
