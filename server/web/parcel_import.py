"""Parcel import from the web (/admin/parcels): upload a 三调 file, follow the background job's progress."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from server.parcels import import_jobs
from server.parcels.crs import ParcelSourceError
from server.parcels.import_jobs import ImportStatus
from server.parcels.reader import parse_field_map
from server.web import web
from server.web.shell import ADMINS, page, signed_in_user

STATUS_ZH = {ImportStatus.QUEUED.value: "排队中", ImportStatus.RUNNING.value: "导入中", ImportStatus.DONE.value: "已完成",
             ImportStatus.FAILED.value: "失败"}


@web.get("/admin/parcels")
@page(*ADMINS)
def admin_parcels():
    return _render()


def _render(error: str | None = None, status: int = 200):
    return render_template("admin/parcels.html", jobs=import_jobs.county_jobs(signed_in_user()), status_zh=STATUS_ZH,
                           accepted=", ".join(import_jobs.ACCEPTED_SUFFIXES), error=error, form=request.form), status


@web.post("/admin/parcels")
@page(*ADMINS)
def admin_upload_parcels():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render("请选择要导入的文件", 422)
    try:
        options = {"crs": request.form.get("crs") or None, "layer": request.form.get("layer") or None,
                   "encoding": request.form.get("encoding") or None,
                   "create_territory": request.form.get("create_territory") == "on",
                   "rename_villages": request.form.get("rename_villages") == "on",
                   "field_map": parse_field_map(line for line in request.form.get("fields", "").splitlines()
                                                if line.strip()) or None}
        job = import_jobs.start_import(signed_in_user(), upload.filename, upload.stream, options)
    except (ParcelSourceError, import_jobs.ImportRefused) as err:
        return _render(str(err), 422)
    return redirect(url_for("web.admin_parcel_job", job_id=job.id))


@web.get("/admin/parcels/<int:job_id>")
@page(*ADMINS)
def admin_parcel_job(job_id: int):
    job = import_jobs.county_job(signed_in_user(), job_id) or abort(404)
    return render_template("admin/parcel_job.html", job=job, status_zh=STATUS_ZH,
                           finished=job.status in (ImportStatus.DONE.value, ImportStatus.FAILED.value))
