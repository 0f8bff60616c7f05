"""The audit log of organizer actions: who did what, when."""
