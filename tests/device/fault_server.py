"""The production server (gunicorn, as `farmpatrol serve` runs it) with one fault point, as a process of its own:
`python -m tests.device.fault_server PORT TRIGGER`. While the file TRIGGER exists, the next upload whose last byte
has been written and fsynced kills the whole server (master and workers, SIGKILL) before the photo is stored,
and removes TRIGGER first, so the restarted server runs normally. Settings come from the environment."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from server import create_app
from server.serving import GunicornServer
from server.uploads import service as uploads


def _kill_before_storing(trigger: Path, finish):
    def finish_or_die(upload):
        if trigger.exists():
            trigger.unlink()
            os.killpg(os.getpgid(0), signal.SIGKILL)  # the server's session: master and every worker at once
        return finish(upload)
    return finish_or_die


def main(port: int, trigger: Path) -> None:
    uploads._finish = _kill_before_storing(trigger, uploads._finish)
    app = create_app()
    GunicornServer(app, host="127.0.0.1", port=port, workers=2, threads=4, with_scheduler=False).run()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
