"""The `farmpatrol-device` CLI end to end against a live server, with real photos."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from sqlalchemy import select

from server.evidence.storage import original_key
from server.extensions import db
from server.inspections.models import Inspection
from server.photos import service as photos
from sync.cli import main
from tests.sync.helpers import GOOD_ANSWERS


def test_record_sync_status(live_server, token, own_parcels, shared_photos, tmp_path):
    folder = tmp_path / "field"
    folder.mkdir()
    originals = sorted(p for p in shared_photos.iterdir() if p.suffix.lower() == ".jpg")[:3]
    for photo in originals:
        shutil.copy(photo, folder / photo.name)
    home = ["--home", str(tmp_path / "phone")]
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, [*home, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("configure", "--server", live_server, "--token", token)
    run("sync")  # first sync pulls forms and parcels for offline work
    answers = {**GOOD_ANSWERS, "has_nonag_use": "yes",
               "problems": [{"problem_type": "hardening", "area_mu": 0.8}]}
    uuid = run("record", "--parcel", own_parcels[0], "--answers", json.dumps(answers),
               "--photos", str(folder)).strip().splitlines()[-1]
    report = json.loads(run("sync"))
    assert report["pushed"] == {"accepted": 1} and report["photos_uploaded"] == 3
    status = json.loads(run("status"))
    assert status["synced_records"] == 1 and status["photos"]["waiting"] == 0
    assert status["items"]["parcel"] == len(own_parcels)
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
    assert inspection.status == "complete"
    assert [p.role for p in inspection.photos] == ["distant", "close", "detail"]
    for ref, original in zip(inspection.photos, originals):
        assert photos.photo_store().get(original_key(ref.sha256)) == original.read_bytes()
    assert json.loads(run("sync"))["pushed"] == {}  # nothing twice


def test_sync_without_configuration_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "sync"])
    assert result.exit_code != 0 and "configure" in result.output


def test_an_incomplete_record_is_refused_on_the_device_and_a_rejection_is_shown(live_server, token, own_parcels,
                                                                                 shared_photos, tmp_path):
    """Offline, the device checks a record against the form it holds (the server's engine); what the server
    rejects anyway (here: a form version the server never published) is listed with its errors."""
    folder = tmp_path / "field"
    folder.mkdir()
    for photo in sorted(p for p in shared_photos.iterdir() if p.suffix.lower() == ".jpg")[:2]:
        shutil.copy(photo, folder / photo.name)
    home = ["--home", str(tmp_path / "phone")]
    runner = CliRunner()
    runner.invoke(main, [*home, "configure", "--server", live_server, "--token", token], catch_exceptions=False)
    runner.invoke(main, [*home, "sync"], catch_exceptions=False)
    problem = {**GOOD_ANSWERS, "has_nonag_use": "yes", "problems": [{"problem_type": "hardening", "area_mu": 0.8}]}
    refused = runner.invoke(main, [*home, "record", "--parcel", own_parcels[0], "--answers", json.dumps(problem),
                                   "--photos", str(folder)])
    assert refused.exit_code != 0 and "photo_detail" in refused.output
    assert json.loads(runner.invoke(main, [*home, "status"]).output)["records"] == {}

    never_published = runner.invoke(main, [*home, "record", "--parcel", own_parcels[0], "--form-version", "9",
                                           "--answers", json.dumps(GOOD_ANSWERS), "--photos", str(folder)])
    assert never_published.exit_code == 0, never_published.output
    runner.invoke(main, [*home, "sync"])
    status = json.loads(runner.invoke(main, [*home, "status"]).output)
    assert [e["code"] for e in status["not_accepted"][0]["errors"]] == ["unknown_form_version"]
