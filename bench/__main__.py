"""`make bench`: every benchmark, each with its baseline measured in the same run.
`python -m bench floor` (`make bench-floor`): only the product against bench/floor."""

import os
import platform
import sys
import tempfile

os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="reskilling-bench-")

from bench import feed, floorcompare, load, notice, signup  # noqa: E402

if __name__ == "__main__":
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if sys.argv[1:] == ["floor"]:
        floorcompare.run()
        sys.exit(0)
    if sys.argv[1:] == ["burst"]:  # only the 2,000 sign-ups for 100 seats, under gunicorn
        load.run(with_load=False)
        sys.exit(0)
    signup.run()
    feed.run()
    notice.run()
    load.run()
    floorcompare.run()
