"""The scheduling tests' marker: `integration` tests start real processes (`flask worker`) and
take tens of seconds. They run in `make test` like every other test; deselect them with
`pytest -m "not integration"` for a quick run."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "integration: starts real worker processes; slow, but part of `make test`"
    )
