"""A stand-in for the resolver, so that webhook tests never ask real DNS and never reach a
non-loopback address: names are answered from a table, numeric hosts are parsed locally
(AI_NUMERICHOST, which is how 0x7f000001 becomes 127.0.0.1), anything else does not exist."""

import socket

PUBLIC = "93.184.216.34"  # a public address for *.example.jp names; nothing ever connects to it


def stub_dns(monkeypatch, answers: dict[str, list[str]] | None = None, calls: list | None = None):
    """Answer `answers[name]` for a name, PUBLIC for other *.example.jp names."""
    real = socket.getaddrinfo
    table = dict(answers or {})

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if calls is not None:
            calls.append(host)
        addresses = table.get(host)
        if addresses is None and str(host).endswith(".example.jp"):
            addresses = [PUBLIC]
        if addresses is None:
            return real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table
