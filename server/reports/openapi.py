"""The OpenAPI paths of /reports, merged into the API's document by server/sync/openapi.py."""

from __future__ import annotations

_ERROR = {"$ref": "#/components/schemas/Error"}
_REPORT = {"$ref": "#/components/schemas/Report"}
_DETAIL = {"$ref": "#/components/schemas/ReportDetail"}
_ID = {"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
_YUAN = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "元 as a decimal string"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ERROR, description)


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


SCHEMAS = {
    "PeriodRequest": {"type": "object", "required": ["year"], "properties": {
        "county": {"type": "string", "pattern": r"^\d{6}$", "description": "Default: the caller's county."},
        "year": {"type": "integer"}, "quarter": {"type": "integer", "minimum": 1, "maximum": 4},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "as_of": {"type": "string", "format": "date", "description": "Cut-off (default today or the period's end)."}}},
    "SignoffRequest": {"type": "object", "required": ["township", "action"], "properties": {
        "township": {"type": "string", "pattern": r"^\d{9}$"}, "action": {"type": "string", "enum": ["sign", "return"]},
        "reason": {"type": "string", "description": "Required to return."}}},
    "Report": {"type": "object", "properties": {
        "id": {"type": "integer"}, "county": {"type": "string"},
        "period": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["year", "quarter", "month"]},
                                                    "start": {"type": "string", "format": "date"},
                                                    "end": {"type": "string", "format": "date"},
                                                    "label": {"type": "string"}}},
        "version": {"type": "integer", "nullable": True, "description": "null for the draft"},
        "status": {"type": "string", "enum": ["draft", "issued", "superseded", "finalised"]},
        "status_label": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
        "rule_version": {"type": "integer", "nullable": True}, "snapshot_hash": {"type": "string"},
        "base_yuan": _YUAN, "deduction_yuan": _YUAN, "net_yuan": _YUAN,
        "created_at": {"type": "string", "format": "date-time"},
        "issued_at": {"type": "string", "format": "date-time", "nullable": True},
        "finalised_at": {"type": "string", "format": "date-time", "nullable": True},
        "signoffs": {"type": "array", "items": {"type": "object", "properties": {
            "township": {"type": "string"}, "township_name": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "signed", "returned"]},
            "reason": {"type": "string", "nullable": True}}}}}},
    "ReportDetail": {"allOf": [_REPORT, {"type": "object", "properties": {
        "villages": {"type": "array", "items": {"type": "object", "properties": {
            "village_code": {"type": "string"}, "name": {"type": "string"}, "township_code": {"type": "string"},
            "base_yuan": _YUAN, "deduction_yuan": _YUAN, "net_yuan": _YUAN, "vetoed": {"type": "boolean"},
            "area_mu": {"type": "object"}, "deductions_yuan": {"type": "object"}}}},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "kind": {"type": "string"}, "village_code": {"type": "string"},
            "case_id": {"type": "integer", "nullable": True}, "amount_yuan": _YUAN, "formula_zh": {"type": "string"},
            "note_zh": {"type": "string"}}}},
        "totals": {"type": "object"}, "rounding": {"type": "string"}}}]},
}

PATHS = {
    "/reports": {"get": {
        "summary": "Compensation-deduction reports of the caller's county (none for inspectors)",
        "parameters": [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("year", "limit", "offset")],
        "responses": {"200": {"description": "A page of reports"}, "401": _error("Not logged in")}}},
    "/reports/compute": {"post": {
        "summary": "Compute the period's draft now (county admin); replaces its previous draft",
        "requestBody": _body("PeriodRequest"),
        "responses": {"200": _json(_DETAIL, "The draft with its lines"), "403": _error("Not a county admin"),
                      "404": _error("Another county"), "422": _error("Invalid period")}}},
    "/reports/issue": {"post": {
        "summary": "Issue version n+1 of the period's report (county admin): inputs frozen and hashed",
        "requestBody": _body("PeriodRequest"),
        "responses": {"201": _json(_DETAIL, "The issued version"), "403": _error("Not a county admin"),
                      "404": _error("Another county"), "409": _error("The period is finalised (invalid_report_state)"),
                      "422": _error("Invalid period")}}},
    "/reports/{report_id}": {"parameters": [_ID], "get": {
        "summary": "A report with its villages and deduction lines (a reviewer's township only)",
        "responses": {"200": _json(_DETAIL, "The report"), "404": _error("Not found or out of scope")}}},
    "/reports/{report_id}/diff": {"parameters": [_ID], "get": {
        "summary": "Lines that appeared, disappeared or changed against another version (default: the previous)",
        "parameters": [{"name": "against", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The diff, with the case events behind each line"},
                      "404": _error("Not found or out of scope"), "422": _error("No version to compare with")}}},
    "/reports/{report_id}/signoffs": {"parameters": [_ID], "post": {
        "summary": "A township signs off its part or returns it with a reason",
        "requestBody": _body("SignoffRequest"),
        "responses": {"200": _json(_REPORT, "The report with its sign-offs"), "403": _error("Another township"),
                      "404": _error("Not found or out of scope"), "409": _error("Not issued (invalid_report_state)"),
                      "422": _error("A return without a reason")}}},
    "/reports/{report_id}/finalise": {"parameters": [_ID], "post": {
        "summary": "The county finalises an issued version once every township has signed",
        "responses": {"200": _json(_REPORT, "Finalised"), "403": _error("Not a county admin"),
                      "404": _error("Not found or out of scope"),
                      "409": _error("Townships still to sign, or not issued (invalid_report_state)")}}},
    "/reports/{report_id}/download/{fmt}": {"parameters": [_ID, {
        "name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["xlsx", "pdf", "csv"]}}],
        "get": {"summary": "The report as XLSX, PDF (A4, embedded CJK font) or CSV (UTF-8 with BOM)",
                "responses": {"200": {"description": "The file", "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "application/pdf": {}, "text/csv": {}}},
                    "404": _error("Not found or out of scope")}}},
}
