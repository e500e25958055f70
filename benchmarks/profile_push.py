"""Where a push spends its time: pyinstrument over pushes of photo-less records through the Flask test client
(the same demo county and benchmark form as bench_sync.py), on SQLite or PostgreSQL.

Run: .venv/bin/python benchmarks/profile_push.py [--database-url postgresql://…/db] [--records 400] [--batch 50]
Prints pyinstrument's text report (needs `pip install pyinstrument`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).parent))
from bench_sync import make_records, prepare_farmpatrol  # noqa: E402

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a new SQLite file)")
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
        tokens, parcels = prepare_farmpatrol(instance, url)
        client = create_app(Config(instance_path=instance, database_url=url, secret_key="bench")).test_client()
        records = make_records(args.records, parcels[0])
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        profiler = Profiler()
        with profiler:
            for i in range(0, len(records), args.batch):
                body = {"device_time": datetime.now(timezone.utc).isoformat(), "records": records[i:i + args.batch]}
                assert client.post("/api/v1/sync/push", json=body, headers=headers).status_code == 200
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
