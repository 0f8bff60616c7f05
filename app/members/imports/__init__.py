"""Importing the secretariat's contact list (Excel or CSV) as members: reading the file, choosing
its columns, a preview of every row, the import in one transaction, and its undo."""
