"""The PostgreSQL side of the benchmarks: each gets a schema of its own in BENCH_DATABASE_URL."""

from sqlalchemy import create_engine, text


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def drop_schema(url: str, schema: str, create: bool = False) -> None:
    engine = create_engine(_driver_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            if create:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()


def postgres_schema(url: str, schema: str) -> str:
    """A fresh schema for one benchmark; the URL that puts it first on the search path."""
    drop_schema(url, schema, create=True)
    url = _driver_url(url)
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
