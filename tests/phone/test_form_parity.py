"""The phone validates a record with the JavaScript port of the form engine before it is saved; the server
validates it again with the Python engine. Both must agree, or an inspector would save records the
server rejects (or be stopped by errors the server would not raise): same fields, codes and messages,
on the shipped form and on a form with every question type, over generated answers and photo lists."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from inspection_forms import builtin_definitions, load_definition
from tests.inspection_forms.conftest import ALL_TYPES_QUESTIONS, make_definition

ENGINE = Path(__file__).with_name("form_engine.mjs")
CASES_PER_FORM = 400

# JSON values of every kind a device could send. No float with an integral value (3.0): JavaScript cannot
# tell it from 3, so the phone never produces one where the Python engine would see a float.
SCALARS = [None, True, False, 0, 1, -1, 7, 10, 11, 999, 1000, 1001, 0.5, -0.5, 0.999, 1000.5, 1e-3, "", "  ",
           "12", "yes", "no", "AB1234", "ab12", "2026-05-03", "2026-02-30", "0050-01-01", "2026-5-3", "其他"]
POINTS = [{"lat": 30.1, "lon": 120.2}, {"lat": 30.1, "lon": 120.2, "accuracy_m": 5.5, "altitude_m": 12},
          {"lat": 91, "lon": 0}, {"lat": 0, "lon": -181}, {"lat": 30.1}, {"lat": "30", "lon": 120.5},
          {"lat": 30.1, "lon": 120.2, "accuracy_m": -1}, {"lat": 30.1, "lon": 120.2, "extra": 1},
          {"lat": None, "lon": 120.2}, {"lat": 30.1, "lon": 120.2, "accuracy_m": None}]
PHOTO_ROLES = ["distant", "close", "detail", "overview", "selfie", 3, None]
SHA = ["a" * 64, "A" * 64, "b" * 64, "c" * 64, "d" * 64, "e" * 64, "f" * 64, "xyz", 5]


def _questions(nodes, repeat=None):
    for node in nodes:
        if node.type in ("group", "repeat"):
            yield from _questions(node.children, node if node.type == "repeat" else repeat)
        yield node, repeat


def _value(rng: random.Random, node, definition) -> object:
    if node.type in ("select_one", "select_multiple"):
        codes = list(definition.choice_codes(node.choices))
        pick = [rng.choice(codes + ["other", "nope"]) for _ in range(rng.randint(0, 3))]
        options = [rng.choice(codes), pick, sorted(set(pick) & set(codes)), [rng.choice(codes)] * 2]
        return rng.choice(options + [rng.choice(SCALARS)])
    if node.type == "geopoint":
        return rng.choice(POINTS + [rng.choice(SCALARS)])
    if node.type == "repeat":
        return rng.choice([None, [], "x", [1], [{} for _ in range(rng.randint(1, 3))]])
    return rng.choice(SCALARS)


def _answers(rng: random.Random, definition) -> dict:
    nodes = list(_questions(definition.children))
    top = [(n, r) for n, r in nodes if r is None and n.type != "group"]
    answers = {}
    for node, _ in rng.sample(top, rng.randint(0, len(top))):
        answers[node.name] = _value(rng, node, definition)
    for node, _ in top:
        if node.type == "repeat" and isinstance(answers.get(node.name), list):
            children = [n for n, r in nodes if r is node and n.type not in ("group", "repeat")]
            for item in answers[node.name]:
                if isinstance(item, dict):
                    for child in rng.sample(children, rng.randint(0, len(children))):
                        item[child.name] = _value(rng, child, definition)
    if rng.random() < 0.15:
        answers[rng.choice(["unknown", "__proto__", "constructor", "photo_distant", "overview"])] = 1
    return answers if rng.random() > 0.03 else rng.choice([None, [], "answers"])


def _photos(rng: random.Random) -> object:
    if rng.random() < 0.05:
        return rng.choice([None, {}, "photos", [1]])
    return [{"sha256": rng.choice(SHA), "role": rng.choice(PHOTO_ROLES)} for _ in range(rng.randint(0, 12))]


def _valid_patrol_answers() -> dict:
    """A complete record with a problem in a repeat: the path every phone takes, so no errors at all."""
    return {"cultivation_status": "nongrain", "crops": ["nursery", "other"], "crop_other_name": "香樟",
            "has_nonag_use": "yes", "problems": [{"problem_type": "other", "problem_type_other": "堆放建材",
                                                   "area_mu": 0.8}],
            "irrigation_canal": "damaged", "irrigation_canal_note": "渠道坍塌", "drainage_ditch": "intact",
            "farm_road": "intact", "field_ridge": "not_present"}


def _run_js(definition: dict, cases: list[dict]) -> list[dict]:
    result = subprocess.run(["node", str(ENGINE)], input=json.dumps({"definition": definition, "cases": cases}),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def _key(errors) -> list[tuple[str, str, str]]:
    return sorted((e["field"], e["code"], e["message"]) for e in errors)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the phone's form engine")
@pytest.mark.parametrize("form_name", ["farmland_patrol", "all_types"])
def test_phone_and_server_form_engines_agree(form_name):
    if form_name == "farmland_patrol":
        definition = next(d for d in builtin_definitions() if d.form_id == "farmland_patrol")
    else:
        definition = load_definition(make_definition(ALL_TYPES_QUESTIONS))
    rng = random.Random(f"parity-{form_name}")
    cases = [{"answers": _answers(rng, definition), "photos": _photos(rng)} for _ in range(CASES_PER_FORM)]
    if form_name == "farmland_patrol":
        photos = [{"sha256": "a" * 64, "role": "distant"}, {"sha256": "b" * 64, "role": "close"},
                  {"sha256": "c" * 64, "role": "detail"}]
        cases.append({"answers": _valid_patrol_answers(), "photos": photos})

    js_results = _run_js(definition.to_dict(), cases)
    js_errors = [result["errors"] for result in js_results]

    python_errors = [[e.to_dict() for e in definition.validate(case["answers"], case["photos"])] for case in cases]
    assert sum(1 for errors in python_errors if errors) > CASES_PER_FORM // 2  # the generator does reach errors
    codes_seen = {e["code"] for errors in python_errors for e in errors}
    assert len(codes_seen) >= 8, codes_seen
    mismatches = [(case, py, js) for case, py, js in zip(cases, python_errors, js_errors) if _key(py) != _key(js)]
    assert not mismatches, json.dumps(mismatches[:3], ensure_ascii=False, indent=1)
    if form_name == "farmland_patrol":
        assert js_errors[-1] == [] and python_errors[-1] == []
    # What the phone saves never holds an answer the server calls hidden or blank-but-present.
    saved_codes = {e.code for result in js_results if result["saved"] is not None
                   for e in definition.validate(result["saved"], [])}
    assert "not_relevant" not in saved_codes, saved_codes
