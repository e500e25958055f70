"""Versions: definitions round-trip, hash, stay immutable once published, and old pushes are
validated against the version they were filled in."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from inspection_forms import (
    FormDefinitionError,
    FormVersionImmutableError,
    builtin_definitions,
    check_republish,
    load_definition,
    load_definition_file,
    loading,
)


def test_to_dict_is_json_and_round_trips(patrol, all_types_form):
    for definition in (patrol, all_types_form):
        data = json.loads(json.dumps(definition.to_dict(), ensure_ascii=False))
        assert load_definition(data) == definition
        assert load_definition(data).content_hash() == definition.content_hash()


def test_content_hash_tracks_content(patrol):
    data = patrol.to_dict()
    assert len(patrol.content_hash()) == 64
    data["choices"]["crop"][0]["label"] = "稻谷"
    assert load_definition(data).content_hash() != patrol.content_hash()


def test_republish_same_content_is_fine(patrol):
    check_republish(patrol, load_definition(patrol.to_dict()))


def test_republish_changed_content_is_refused(patrol):
    data = patrol.to_dict()
    data["questions"][-2]["label"] = "其他备注"
    with pytest.raises(FormVersionImmutableError, match="farmland_patrol 第 1 版已发布"):
        check_republish(patrol, load_definition(data))


def test_republish_compares_one_version_only(patrol):
    data = {**patrol.to_dict(), "version": 2}
    with pytest.raises(ValueError, match="compares one version"):
        check_republish(patrol, load_definition(data))


def make_v2(v1):
    """v2 adds a required boundary question and drops the 'fruit' crop code."""
    data = copy.deepcopy(v1.to_dict())
    data["version"] = 2
    data["choices"]["crop"] = [c for c in data["choices"]["crop"] if c["code"] != "fruit"]
    data["choices"]["boundary"] = [{"code": "clear", "label": "清楚"}, {"code": "unclear", "label": "不清"}]
    data["questions"].insert(0, {"name": "boundary", "type": "select_one", "label": "地块边界", "choices": "boundary", "required": True})
    return load_definition(data)


def test_old_push_is_validated_against_its_own_version(patrol, photos, codes):
    published = {(d.form_id, d.version): d for d in (patrol, make_v2(patrol))}
    # Filled in months ago on a phone still holding v1.
    push = {
        "form_id": "farmland_patrol",
        "form_version": 1,
        "answers": {
            "cultivation_status": "nongrain",
            "crops": ["fruit"],
            "has_nonag_use": "no",
            "irrigation_canal": "intact",
            "drainage_ditch": "intact",
            "farm_road": "intact",
            "field_ridge": "intact",
        },
        "photos": photos("distant", "close"),
    }
    definition = published[(push["form_id"], push["form_version"])]
    assert definition.validate(push["answers"], push["photos"]) == []
    v2 = published[("farmland_patrol", 2)]
    assert codes(v2.validate(push["answers"], push["photos"])) == {("boundary", "required"), ("crops", "not_a_choice")}


def test_builtin_files_are_named_by_id_and_version(tmp_path, monkeypatch, patrol):
    (tmp_path / "farmland_patrol.v2.yaml").write_text(
        (loading.DEFINITIONS_DIR / "farmland_patrol.v1.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(loading, "DEFINITIONS_DIR", tmp_path)
    loading._builtin.cache_clear()
    try:
        with pytest.raises(FormDefinitionError, match="holds farmland_patrol v1; name it farmland_patrol.v1.yaml"):
            builtin_definitions()
    finally:
        loading._builtin.cache_clear()


def test_builtin_definitions_load(patrol):
    assert patrol in builtin_definitions()


def test_definition_file_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("form_id: [unclosed", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="not valid YAML"):
        load_definition_file(broken)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("form_id: x\nversion: 1\ntitle: 表\nquestions:\n  - {name: a, type: calculate, label: 甲}\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="unknown type 'calculate'") as caught:
        load_definition_file(invalid)
    assert caught.value.__notes__ == [f"in {invalid}"]


def test_definitions_pickle_after_use(patrol, good_patrol_answers):
    patrol.validate(good_patrol_answers)  # builds and caches the answer schema
    again = pickle.loads(pickle.dumps(patrol))
    assert again == patrol and hash(again) == hash(patrol)
    assert again.validate(good_patrol_answers) == patrol.validate(good_patrol_answers)
