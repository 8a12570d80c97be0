"""Settings: defaults, overrides in three languages, validation."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from addin import Settings, SettingsError
from addin.core.validation import Validation


def test_defaults_match_the_spec() -> None:
    s = Settings()
    assert (s.churn_days, s.hot_score, s.warm_score, s.abc_a, s.abc_b) == (365, 70, 40, .8, .95)


def test_keys_and_values_in_french_and_dutch() -> None:
    s = Settings.from_mapping({"Date d'analyse": "31/12/2025", "Langue": "Français",
                               "churn days": "400", "cost_per_order": "12,50",
                               "income_bands": "30 000; 60 000"})
    assert s.as_of == date(2025, 12, 31) and s.language == "fr"
    assert (s.churn_days, s.cost_per_order, s.income_bands) == (400, 12.5, (30000.0, 60000.0))
    assert Settings.from_mapping({"taal": "nl"}).language == "nl"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("colour", "red", "unknown setting 'colour'"),
    ("churn_days", "soon", "is not a number"),
    ("churn_days", "1,5", "must be a whole number"),
    ("language", "de", "is not one of en, fr, nl"),
    ("abc_a", "0.99", "abc_a and abc_b"),
])
def test_bad_settings_raise_without_a_collector(key: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_mapping({key: value})


def test_bad_settings_are_recorded_with_their_row_and_defaults_kept() -> None:
    table = pd.DataFrame({"key": ["churn_days", "colour", "hot_score"],
                          "value": ["x", "red", 80]})
    validation = Validation()
    s = Settings.from_frame(table, validation=validation, sheet="Paramètres")
    assert s.churn_days == 365 and s.hot_score == 80
    frame = validation.to_frame()
    assert frame["row"].tolist() == [2, 3]
    assert frame["sheet"].unique().tolist() == ["Paramètres"]


def test_toml_file(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[settings]\nchurn_days = 200\nlanguage = "fr"\n', encoding="utf-8")
    assert Settings.from_toml(path).churn_days == 200
