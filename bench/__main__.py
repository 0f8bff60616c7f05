"""`make bench`: every benchmark, each with its baseline measured in the same run."""

import os
import platform
import tempfile

os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="reskilling-bench-")

from bench import feed, load, notice, signup  # noqa: E402

if __name__ == "__main__":
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    signup.run()
    feed.run()
    notice.run()
    load.run()
