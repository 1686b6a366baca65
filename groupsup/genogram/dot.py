"""A genogram as Graphviz DOT, so that `dot -Tsvg` draws it with the standard shapes."""

from __future__ import annotations

from groupsup.genogram.drawing import placement
from groupsup.genogram.model import Child, ChildKind, CoupleStatus, Gender, Genogram, Person

_SHAPES = {Gender.MALE: "box", Gender.FEMALE: "ellipse", Gender.OTHER: "diamond"}
_COUPLE_LINES = {CoupleStatus.COHABITING: "style=dashed", CoupleStatus.ENGAGED: "style=dotted"}
_COUPLE_MARKS = {CoupleStatus.SEPARATED: "/", CoupleStatus.DIVORCED: "//"}  # with the years
_CHILD_STYLES = {
    ChildKind.FOSTERED: "style=dashed",
    ChildKind.ADOPTED: "style=dotted",
    ChildKind.STEP: "style=dashed, color=gray40",
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(person: Person) -> str:
    label = person.label
    if person.age is not None:
        label += f"\n{person.age}"
    elif person.born is not None:
        label += f"\nb. {person.born}"
    if person.deceased:
        label += f"\n(died {person.died})" if person.died is not None else "\n(died)"
    attributes = [f"label={quote(label)}", f"shape={_SHAPES[person.gender]}"]
    if person.index:
        attributes.append("peripheries=2")
    if person.deceased:
        attributes.append("style=filled, fillcolor=gray85")
    return f"  {quote(person.id)} [{', '.join(attributes)}];"


def _oldest_first(genogram: Genogram) -> list[Child]:
    """Child links with each family's children oldest first, as the drawing orders them."""
    drawn = [link for _, children in placement(genogram).families for link in children]
    return drawn + [link for link in genogram.children if link not in drawn]


def to_dot(genogram: Genogram, title: str = "genogram") -> str:
    lines = [
        f"graph {quote(title)} {{",
        "  ordering=out;  // children in the order their edges are written: oldest first",
        "  node [fontname=Helvetica];",
        "  edge [fontname=Helvetica];",
    ]
    lines += [_node(person) for person in genogram.people]
    couple_points: dict[frozenset[str], str] = {}
    for number, couple in enumerate(genogram.couples):
        point = f"couple{number}"
        couple_points[frozenset((couple.a, couple.b))] = point
        line_style = _COUPLE_LINES.get(couple.status, "")
        label = " ".join(filter(None, (_COUPLE_MARKS.get(couple.status), couple.years)))
        style = ", ".join(filter(None, (line_style, f"label={quote(label)}" if label else "")))
        lines.append(f'  {point} [shape=point, width=0.05, label=""];')
        lines.append(f"  {{rank=same; {quote(couple.a)}; {point}; {quote(couple.b)}}}")
        lines.append(f"  {quote(couple.a)} -- {point} [{style}];")
        lines.append(f"  {point} -- {quote(couple.b)} [{line_style}];")
    for link in _oldest_first(genogram):
        source = couple_points.get(frozenset(link.parents)) if len(link.parents) == 2 else None
        sources = [source] if source else [quote(p) for p in link.parents]
        for parent in sources:
            lines.append(f"  {parent} -- {quote(link.child)} [{_CHILD_STYLES.get(link.kind, '')}];")
    for relation in genogram.relationships:
        lines.append(
            f"  {quote(relation.a)} -- {quote(relation.b)} "
            f"[label={quote(relation.bond.value)}, color=firebrick, constraint=false];"
        )
    placed: set[str] = set()
    for number, household in enumerate(genogram.households):
        members = [m for m in household.members if m not in placed]
        placed.update(members)
        if members:
            lines.append(f"  subgraph cluster_household{number} {{")
            lines.append(f"    label={quote(household.name or 'household')}; style=dotted;")
            lines.append("    " + " ".join(f"{quote(m)};" for m in members))
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
