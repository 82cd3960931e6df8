"""Whatever a registry or criteria file holds, loading it gives a result or an InputError, never a crash."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portalscore.contract.errors import InputError
from portalscore.criteria import load_criteria_set
from portalscore.registry import load_registry

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["ministry", "province", "http://127.0.0.1:9/", "mic-2024", "lognormal", "p75", "Cà Mau", "ủy"]),
)
keys = st.one_of(
    st.sampled_from(
        [
            "portals",
            "id",
            "name",
            "kind",
            "url",
            "max_pages",
            "include",
            "exclude",
            "overrides",
            "extends",
            "criteria",
            "groups",
            "points",
            "rule",
            "type",
            "p10",
            "median",
            "evidence",
            "statistic",
            "when_missing",
            "version",
            "title_vi",
            "title_en",
            "grades",
        ]
    ),
    st.text(max_size=6),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _write(tmp_path, data, name: str):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@FUZZ
@given(documents)
def test_registry_loader_never_crashes(tmp_path, data):
    path = _write(tmp_path, data, "registry.yaml")
    try:
        registry = load_registry(path)
    except InputError as e:
        assert "registry.yaml" in str(e)
    else:
        assert registry.portals and all(
            p.kind in ("ministry", "province", "national", "other") for p in registry.portals
        )


@FUZZ
@given(documents)
def test_criteria_loader_never_crashes(tmp_path, data):
    path = _write(tmp_path, data, "set.yaml")
    try:
        load_criteria_set(str(path))
    except InputError as e:
        assert "set.yaml" in str(e) or "mic-" in str(e)


@FUZZ
@given(st.binary(max_size=300))
def test_registry_loader_survives_any_bytes(tmp_path, raw):
    path = tmp_path / "registry.yaml"
    path.write_bytes(raw)
    try:
        load_registry(path)
    except InputError as e:
        assert "registry.yaml" in str(e)
