"""Organizer accounts (事務局) for the console: login, roles, password reset."""
