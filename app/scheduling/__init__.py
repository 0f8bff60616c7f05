"""The scheduler that runs inside `flask worker`, one active at a time."""
