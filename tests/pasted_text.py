"""Hypothesis strategies for text as people paste it from PDF and Word, shared by the property
tests of the input models."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Line and paragraph separators, tabs, NUL and other controls, zero-width and bidirectional
# marks, a BOM, full-width space, half-width katakana, ㈱, 旧字体, emoji, an unpaired surrogate,
# and the characters a spreadsheet reads as a formula.
PASTED = (
    "\u2028\u2029\x85\r\n\t\x0b\x0c\x00\x1b\x7f\u200b\ufeff\u202e\u3000ｶﾀｶﾅ㈱髙\U0001f600\ud800=+-@"
)
# Any character but controls and surrogates, which PASTED brings in now and then (and are refused).
ANY = st.characters(exclude_categories=("Cc", "Cs"))


def pasted_text(max_size: int):
    return st.text(alphabet=st.one_of(ANY, ANY, ANY, st.sampled_from(PASTED)), max_size=max_size)


# Each example goes through the real database and pages: a few dozen, the same every run.
THROUGH_THE_APP = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
