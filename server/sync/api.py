from flask import Blueprint, jsonify

from server.api.parsing import parse_json, parse_query
from server.sync import service
from server.sync.device_auth import current_device, require_device
from server.sync.openapi import openapi_spec
from server.sync.schemas import PullQuerySchema, PushBodySchema

bp = Blueprint("sync", __name__)


@bp.post("/sync/push")
@require_device
def push():
    body = parse_json(PushBodySchema())
    return jsonify(service.push(current_device(), body["device_time"], body["records"]))


@bp.get("/sync/pull")
@require_device
def pull():
    args = parse_query(PullQuerySchema())
    return jsonify(service.pull(current_device().user, args["cursor"], args["limit"]))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
