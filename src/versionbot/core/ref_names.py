"""Git's rules for ref names (``git check-ref-format``), and the extra ones ``git tag`` holds.

Pure: no I/O. The configuration is checked with these when it loads (config_tables.py), so that a
``tag_format`` git would refuse is refused before a release commits anything, rather than at
``git tag`` after the release commit is made.

>>> ref_name_problem("refs/tags/v1.2.3") is None
True
>>> tag_name_problem("-1.2.3")
"starts with '-' (git tag takes it for an option)"
"""

from __future__ import annotations

# git's refs.c, check_refname_component: bytes below 0x20, DEL, and these, anywhere.
_FORBIDDEN = frozenset(" ~^:?*[\\\x7f") | frozenset(map(chr, range(0x20)))
# A loose ref is the file ``<component>.lock`` while it is written; file names hold 255 bytes.
_LONGEST_COMPONENT = 250


def ref_name_problem(name: str) -> str | None:
    """Why git refuses the full ref name ``name`` (``refs/tags/v1.0``), or None if it does not:
    the rules of ``git check-ref-format`` (git-check-ref-format(1)), one-level names refused."""
    bad = sorted({c for c in name if c in _FORBIDDEN})
    if bad:
        return f"holds {bad[0]!r}: no control character, space, ~ ^ : ? * [ or \\"
    found = next((text for text in ("..", "@{") if text in name), None)
    if found is not None:
        return f"holds {found!r}"
    if name == "@":
        return "is '@'"
    if name.endswith("."):
        return "ends with '.'"
    return _parts_problem(name.split("/"))


def _parts_problem(components: list[str]) -> str | None:
    """The rules on the parts between slashes: two or more, none empty, none starting with '.'
    nor ending with '.lock'."""
    if len(components) < 2 or "" in components:
        return "has an empty part: '//', or a '/' at either end"
    for component in components:
        if component.startswith("."):
            return f"has a part that starts with '.' ({component!r})"
        if component.endswith(".lock"):
            return f"has a part that ends with '.lock' ({component!r})"
    return None


def tag_name_problem(tag: str) -> str | None:
    """Why ``git tag`` refuses to make the tag ``tag``, or None if it makes it: a ref name
    under ``refs/tags/`` that does not start with '-', each part short enough to be a file."""
    if tag.startswith("-"):
        return "starts with '-' (git tag takes it for an option)"
    problem = ref_name_problem(f"refs/tags/{tag}")
    if problem is not None:
        return problem
    if any(len(part.encode()) > _LONGEST_COMPONENT for part in tag.split("/")):
        return f"has a part longer than {_LONGEST_COMPONENT} bytes (git keeps each as a file)"
    return None
