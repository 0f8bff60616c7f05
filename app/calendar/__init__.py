"""Calendar invites, downloads and feeds (iCalendar)."""
