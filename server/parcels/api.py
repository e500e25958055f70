from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.filters import check_village_filter
from server.api.parsing import page, parse_query
from server.errors import found
from server.parcels import service
from server.parcels.schemas import ParcelListQuery

bp = Blueprint("parcels", __name__)


@bp.get("/parcels")
@require_principal()
def list_parcels():
    args = parse_query(ParcelListQuery())
    user = current_principal().user
    check_village_filter(user, args["village"])
    query = service.parcels_query(user, bbox_filter=args["bbox"], village_code=args["village"])
    rows, has_more = page(service.feature_rows(query), args, rows=True)
    return jsonify({"type": "FeatureCollection", "features": service.parcel_features(rows), "has_more": has_more})


@bp.get("/parcels/<code>")
@require_principal()
def get_parcel(code: str):
    return jsonify(found(service.parcel_feature(current_principal().user, code), f"图斑不存在或不在辖区内: {code}",
                         field="code"))
