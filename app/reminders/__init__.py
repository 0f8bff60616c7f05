"""Reminders before each event, sent once per attendee and rule."""
