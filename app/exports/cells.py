"""Kinds of cell value a Table may hold besides text, numbers and datetimes."""


class Code(str):
    """A code made of digits (団体コード 011002) that must stay text with its leading zeros: a
    spreadsheet reading CSV would make 011002 the number 11002."""
