"""Webhooks: organizer-configured URLs told about registrations and events, through an outbox."""
