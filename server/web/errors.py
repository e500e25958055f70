"""zh-CN error pages in the shell's layout. An expired form (CSRF token no longer valid) is shown again with
what the user typed, ready to send with a fresh token; passwords are never echoed back."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from server.errors import http_error_json, wants_json
from server.web import web
from server.web.csrf import CSRF_FIELD, FORM_EXPIRED

_TITLES = {400: "请求无效", 403: "无权访问", 404: "页面不存在", 405: "不支持该操作", 413: "文件过大"}
_HINTS = {403: "当前账号的角色或辖区无权查看该页面。", 404: "该页面不存在，或所查看的内容不在您的辖区内。",
          413: "上传的文件超过了大小限制。"}
_NOT_KEPT = {CSRF_FIELD, "password"}
# What people type, shown again with its label; other fields (action, version, selections) go back hidden.
TYPED_FIELDS_ZH = {"note": "说明/原因", "reason": "原因", "deadline": "整改期限", "username": "用户名", "display_name": "姓名",
                   "name": "设备名称", "crs": "坐标系", "layer": "图层", "encoding": "属性编码", "fields": "字段对应"}


def _error_page(err: HTTPException):
    if wants_json():
        return http_error_json(err)
    expired = err.code == 400 and err.description == FORM_EXPIRED
    kept = [(name, value) for name, value in request.form.items(multi=True) if name not in _NOT_KEPT] if expired else []
    return render_template("error.html", code=err.code, title="表单已过期" if expired else _TITLES.get(err.code, err.name),
                           hint=err.description if expired or err.code == 400 else _HINTS.get(err.code, ""),
                           expired=expired, kept=kept, labels=TYPED_FIELDS_ZH, action=request.path), err.code


for _code in _TITLES:
    web.app_errorhandler(_code)(_error_page)
