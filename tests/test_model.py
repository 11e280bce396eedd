import copy

import pytest
import yaml
from pydantic import ValidationError

from hep_mcp.model import HEP, Finding
from tests.conftest import EXAMPLES


@pytest.fixture
def data():
    return yaml.safe_load((EXAMPLES / "tkr.yaml").read_text())


def test_example_validates(data):
    hep = HEP.model_validate(data)
    assert hep.response_rules.pain_threshold_points == 2
    assert hep.accountability is True
    assert len(hep.exercises) == 3


@pytest.mark.parametrize(
    "path, value, field",
    [
        (("condition",), "hip_thing", "condition"),
        (("confidence",), 11, "confidence"),
        (("confidence",), -1, "confidence"),
        (("response_rules", "pain_threshold_points"), 0, "response_rules.pain_threshold_points"),
        (("patient_first_name",), "", "patient_first_name"),
        (("exercises",), [], "exercises"),
        (("schedule", "trigger"), "   ", "schedule.trigger"),
        (("milestone", "color"), "red", "milestone.color"),
    ],
)
def test_invalid_values_name_the_field(data, path, value, field):
    bad = copy.deepcopy(data)
    node = bad
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(ValidationError) as exc:
        HEP.model_validate(bad)
    locs = {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}
    assert field in locs


def test_missing_exercise_field_is_named(data):
    bad = copy.deepcopy(data)
    del bad["exercises"][1]["dose"]
    with pytest.raises(ValidationError) as exc:
        HEP.model_validate(bad)
    assert "exercises.1.dose" in {".".join(map(str, e["loc"])) for e in exc.value.errors()}


def test_finding_rejects_unknown_severity():
    with pytest.raises(ValidationError):
        Finding(rule="X", element="format", severity="fatal", message="m")
