"""Announcements from the secretariat to a chosen audience."""
