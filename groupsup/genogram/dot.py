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


def to_dot(genogram: Genogram, title: str = "genogram") -> str:
    """The genogram in DOT. Each household is a cluster holding its members, adults and children
    alike (someone in two households is drawn in the first). A couple, and a family's children
    oldest first, are held side by side on one rank where Graphviz allows it: within one
    household, or outside any (a rank shared across a household's edge would pull its member
    out). A couple split across households meets at a point below them instead."""
    home: dict[str, int] = {}
    for number, household in enumerate(genogram.households):
        for member in household.members:
            home.setdefault(member, number)
    inside: dict[int | None, list[str]] = {}  # cluster (None: outside any) -> its statements
    for person in genogram.people:
        inside.setdefault(home.get(person.id), []).append(_node(person))
    edges: list[str] = []
    points: dict[frozenset[str], str] = {}
    for number, couple in enumerate(genogram.couples):
        point = f"couple{number}"
        points[frozenset((couple.a, couple.b))] = point
        line_style = _COUPLE_LINES.get(couple.status, "")
        label = " ".join(filter(None, (_COUPLE_MARKS.get(couple.status), couple.years)))
        style = ", ".join(filter(None, (line_style, f"label={quote(label)}" if label else "")))
        a, b = quote(couple.a), quote(couple.b)
        cluster = home.get(couple.a)
        inside.setdefault(cluster if cluster == home.get(couple.b) else None, []).append(
            f'  {point} [shape=point, width=0.05, label=""];'
        )
        if cluster == home.get(couple.b):
            inside[cluster].append(
                f"  {{rank=same; {a} -- {point} [{style}]; {point} -- {b} [{line_style}]}}"
            )
        else:
            edges += [f"  {a} -- {point} [{style}];", f"  {b} -- {point} [{line_style}];"]
    for parents, children in _families(genogram):
        source = points.get(frozenset(parents)) if len(parents) == 2 else None
        for link in children:
            for parent in [source] if source else [quote(p) for p in parents]:
                style = _CHILD_STYLES.get(link.kind, "")
                edges.append(f"  {parent} -- {quote(link.child)} [{style}];")
        clusters = {home.get(link.child) for link in children}
        if len(children) > 1 and len(clusters) == 1:  # oldest on the left
            order = " -- ".join(quote(link.child) for link in children)
            inside[clusters.pop()].append(f"  {{rank=same; {order} [style=invis]}}")
    for relation in genogram.relationships:
        edges.append(
            f"  {quote(relation.a)} -- {quote(relation.b)} "
            f"[label={quote(relation.bond.value)}, color=firebrick, constraint=false];"
        )
    lines = [
        f"graph {quote(title)} {{",
        "  ordering=out;  // children in the order their edges are written: oldest first",
        "  node [fontname=Helvetica];",
        "  edge [fontname=Helvetica];",
    ]
    for number, household in enumerate(genogram.households):
        if number in inside:
            lines.append(f"  subgraph cluster_household{number} {{")
            lines.append(f"    label={quote(household.name or 'household')}; style=dotted;")
            lines += ["  " + line for line in inside[number]]
            lines.append("  }")
    lines += inside.get(None, []) + edges
    lines.append("}")
    return "\n".join(lines) + "\n"


def _families(genogram: Genogram) -> list[tuple[tuple[str, ...], list[Child]]]:
    """Each parent or pair of parents with their children, oldest first, as the drawing has
    them; links the drawing leaves out follow, each on its own."""
    families = [(tuple(parents), links) for parents, links in placement(genogram).families]
    drawn = [link for _, links in families for link in links]
    return families + [
        (tuple(link.parents), [link]) for link in genogram.children if link not in drawn
    ]
