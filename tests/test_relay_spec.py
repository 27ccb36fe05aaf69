"""The relay chapter quotes every public definition of ``reference/relay`` (relay is a network
package, outside the consensus coverage rule, but its wire formats are published)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RELAY = sorted((ROOT / "reference" / "relay").glob("*.py"))


def _quoted() -> set[tuple[str, str]]:
    text = (ROOT / "spec" / "relay.md").read_text(encoding="utf-8")
    pattern = (
        r"literalinclude\} \.\./reference/relay/(\w+)\.py\n:language: python\n:pyobject: (\S+)"
    )
    return set(re.findall(pattern, text))


@pytest.mark.parametrize("module", RELAY, ids=lambda path: path.name)
def test_every_public_relay_definition_is_quoted(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    public = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    ]
    quoted = _quoted()
    missing = [name for name in public if (module.stem, name) not in quoted]
    assert not missing, f"spec/relay.md does not quote {module.name}: {', '.join(missing)}"
