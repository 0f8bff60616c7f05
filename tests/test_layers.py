"""The house rules of docs/architecture.md, read from the source so that a new module follows them
too: one-way dependencies, services that never commit and never read the request, a first
docstring and a size limit for every module, no app object at module level."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MAX_LINES = 450

# The doors: they turn a request, a command or a tick of the scheduler into calls to the
# services, and commit once per unit of work.
DOOR_PACKAGES = {"admin", "api", "scheduling"}
DOOR_MODULES = {"__init__", "cli", "views", "jobs", "delivery", "demo"}
# Web plumbing: reads the request to route, limit, cap or log it; changes nothing.
PLUMBING = {
    "body_limits",
    "errors",
    "extensions",
    "forms",
    "http",
    "logs",
    "metrics",
    "health",
    "ratelimits",
    "redirects",
    "routing",
    "security",
}
# Below the doors: what no domain package may import.
OUTER = ("app.admin", "app.api", "app.webhooks")
REQUEST_STATE = {("flask", "request"), ("flask", "g"), ("flask", "session")}
REQUEST_STATE |= {("flask_login", "current_user")}


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(APP.parent).with_suffix("").parts)


def _package(path: Path) -> str:
    parts = path.relative_to(APP).parts
    return parts[0] if len(parts) > 1 else ""


def _is_door(path: Path) -> bool:
    if _package(path) in DOOR_PACKAGES:
        return True
    if path.stem == "delivery" and _package(path) != "mail":
        return False  # the webhooks' delivery is a service; the mail's is the worker's run
    return path.stem in DOOR_MODULES


def _imports(tree: ast.Module) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@pytest.fixture(scope="module")
def modules():
    return [(path, _tree(path)) for path in _modules()]


def _may_import_outer(path: Path) -> bool:
    """The console, the API and the jobs are doors; the factory, the CLI and the model registry
    at the top wire everything together."""
    if _package(path) in {"admin", "api", "scheduling"}:
        return True
    return _package(path) == "" and path.stem in {"__init__", "cli", "models"}


def test_domain_packages_never_import_the_console_the_api_or_the_webhooks(modules):
    wrong = []
    for path, tree in modules:
        if _may_import_outer(path):
            continue
        own = f"app.{_package(path)}"
        for module, _alias in _imports(tree):
            if module == own or module.startswith(own + "."):
                continue
            if any(module == outer or module.startswith(outer + ".") for outer in OUTER):
                wrong.append(f"{_name(path)} imports {module}")
    assert wrong == []


def test_services_never_read_the_request_and_never_commit(modules):
    wrong = []
    for path, tree in modules:
        if _is_door(path) or path.stem in PLUMBING:
            continue
        for module, name in _imports(tree):
            if (module, name) in REQUEST_STATE:
                wrong.append(f"{_name(path)} imports {module}.{name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                wrong.append(f"{_name(path)}:{node.lineno} commits")
    assert wrong == []


def test_no_module_holds_an_app(modules):
    wrong = []
    for path, tree in modules:
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == "app":
                    wrong.append(f"{_name(path)}:{node.lineno}")
    assert wrong == []


def test_every_module_says_what_it_holds_and_stays_small(modules):
    missing = [
        _name(p) for p, tree in modules if not ast.get_docstring(tree) and p.stem != "__init__"
    ]
    long = [
        f"{_name(p)} ({n} lines)"
        for p, _tree_ in modules
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert (missing, long) == ([], [])
