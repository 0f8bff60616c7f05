"""Entry point for gunicorn and `flask`: the only place an app is built at import time."""

from app import create_app

app = create_app()
