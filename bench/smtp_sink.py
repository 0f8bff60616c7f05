"""A counting SMTP sink for the benchmarks, run as a process of its own so that it does not share
the interpreter (and its GIL) with what is measured:

    python bench/smtp_sink.py PORT

Prints "ready" once it listens on 127.0.0.1:PORT, "accepted N" on SIGUSR1 (and goes on), and
"accepted N" again when SIGTERM or SIGINT ends it. N counts messages whose DATA it answered 250.
"""

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    wanted = {signal.SIGTERM, signal.SIGINT, signal.SIGUSR1}
    signal.pthread_sigmask(signal.SIG_BLOCK, wanted)  # the server thread inherits the mask
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            received = signal.sigwait(wanted)
            with handler.lock:
                print(f"accepted {handler.accepted}", flush=True)
            if received != signal.SIGUSR1:
                break
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
