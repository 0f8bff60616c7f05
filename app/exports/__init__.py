"""Registrants, attendance and members as tables, written as CSV for Excel or as .xlsx."""
