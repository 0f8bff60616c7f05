"""What can go wrong delivering one message: try it again later, or never."""


class TemporaryFailure(Exception):
    """Try again later. `connection_usable` says whether the rest of the batch can go on."""

    def __init__(self, message: str, connection_usable: bool = False):
        super().__init__(message)
        self.connection_usable = connection_usable


class PermanentFailure(Exception):
    """This message cannot be delivered (a 5xx answer, or a message we cannot even build).

    `flags_address` is set when the server refused the recipient, so bulk mail skips it later.
    """

    def __init__(self, message: str, flags_address: bool = False):
        super().__init__(message)
        self.flags_address = flags_address
