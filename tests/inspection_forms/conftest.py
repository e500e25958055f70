"""Fixtures for the forms engine: the standard patrol form, a small form with every question type,
a builder for throwaway definitions, and photo-list helpers."""

from __future__ import annotations

import copy
import hashlib

import pytest

from inspection_forms import builtin_definitions, load_definition

BASE_CHOICES = {
    "yes_no": [{"code": "yes", "label": "是"}, {"code": "no", "label": "否"}],
    "colour": [
        {"code": "red", "label": "红"},
        {"code": "green", "label": "绿"},
        {"code": "blue", "label": "蓝"},
    ],
}

ALL_TYPES_QUESTIONS = [
    {"name": "kind", "type": "select_one", "label": "类别", "choices": "yes_no", "required": True},
    {"name": "colours", "type": "select_multiple", "label": "颜色", "choices": "colour"},
    {"name": "count", "type": "integer", "label": "数量", "min": 0, "max": 10},
    {"name": "ratio", "type": "decimal", "label": "比例", "min": 0, "max": 1, "max_inclusive": False},
    {"name": "area", "type": "area_mu", "label": "面积"},
    {"name": "code", "type": "text", "label": "编号", "pattern": "^[A-Z]{2}[0-9]{4}$"},
    {"name": "seen_on", "type": "date", "label": "日期"},
    {"name": "where", "type": "geopoint", "label": "位置"},
    {"name": "overview", "type": "photo", "label": "全景", "role": "overview", "min_count": 1, "max_count": 2},
]


def make_definition(questions, choices=None, version=1, form_id="test_form"):
    """A definition dict around `questions`; pass it to load_definition (or break it first)."""
    return {
        "form_id": form_id,
        "version": version,
        "title": "测试表单",
        "choices": copy.deepcopy(BASE_CHOICES if choices is None else choices),
        "questions": copy.deepcopy(questions),
    }


def photo_list(*roles: str) -> list[dict[str, str]]:
    """One distinct photo per role given, e.g. photo_list("distant", "close")."""
    return [{"sha256": hashlib.sha256(f"{role}-{i}".encode()).hexdigest(), "role": role} for i, role in enumerate(roles)]


@pytest.fixture
def photos():
    return photo_list


@pytest.fixture
def codes():
    """(field, code) pairs of a list of FieldErrors: what tests assert on."""
    return lambda errors: {(e.field, e.code) for e in errors}


@pytest.fixture
def definition_dict():
    return make_definition


@pytest.fixture
def form():
    """Build and load a throwaway definition from a list of question dicts."""

    def build(questions, choices=None, **kwargs):
        return load_definition(make_definition(questions, choices, **kwargs))

    return build


@pytest.fixture(scope="session")
def all_types_form():
    return load_definition(make_definition(ALL_TYPES_QUESTIONS))


@pytest.fixture(scope="session")
def patrol():
    (definition,) = [d for d in builtin_definitions() if (d.form_id, d.version) == ("farmland_patrol", 1)]
    return definition


@pytest.fixture
def good_patrol_answers():
    """A cultivated parcel with nothing wrong: needs only 远景 + 近景."""
    return {
        "cultivation_status": "grain",
        "crops": ["rice"],
        "has_nonag_use": "no",
        "irrigation_canal": "intact",
        "drainage_ditch": "intact",
        "farm_road": "not_present",
        "field_ridge": "intact",
    }
