"""Left only for app/registrations/forms.py, which this change may not edit: its import moves to
app.registrations.answers at the merge, and then this file goes."""

from app.registrations.answers import ANSWER_LIMITS, answer_problems, choice_problems

__all__ = ["ANSWER_LIMITS", "answer_problems", "choice_problems"]
