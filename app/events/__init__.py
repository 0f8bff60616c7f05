"""Events: public (what visitors see, and whether sign-up is open), lookup (by id, with or
without a lock), console (the console's list, create, publish, unpublish), details (an
EventInput's database rules and writing it), copies (duplicating to the next date), errors and
inputs. Changing an event people signed up for lives in registrations.event_changes."""
