"""The sync configuration: defaults, paths, the id from a URL, every mistake explained."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from addin.core.schema import SALES_COLUMNS
from addin.errors import SyncConfigError
from sheets_sync.config import (
    ENDPOINT_ENV,
    load_config,
    sample_config,
    spreadsheet_id,
)
from sheets_sync.google.retry import RetryPolicy

SID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "sync.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def minimal(**extra: str) -> str:
    lines = ['workbook = "../customers.xlsx"', f'spreadsheet = "{SID}"',
             *(f"{k} = {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n"


def test_defaults_fill_everything_but_workbook_and_spreadsheet(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, minimal()), env={})
    assert config.workbook == (tmp_path / "customers.xlsx").resolve()
    assert config.spreadsheet == SID
    assert config.credentials == "default" and config.credentials_file is None
    assert config.key == "customer_id" and config.segments is None
    assert config.sales_columns == SALES_COLUMNS
    assert config.conflict == "owner-wins" and config.endpoint is None
    assert config.state == tmp_path.resolve() / ".customers.xlsx.potentiel-sync.sqlite"
    assert config.retry == RetryPolicy()
    assert config.excel_columns[0] == "customer_id"


def test_every_contract_key_is_read(tmp_path: Path) -> None:
    text = minimal(credentials='"keys/sa.json"', key='"id"', segments='["Hot", "Lost"]',
                   columns='["name", "score"]', sales_columns='["status"]',
                   conflict='"excel-wins"', endpoint='"http://127.0.0.1:9999/"',
                   state='"state.sqlite"', retry="{ attempts = 3, timeout = 5 }")
    config = load_config(write(tmp_path, text), env={})
    assert config.credentials == "file"
    assert config.credentials_file == (tmp_path / "conf" / "keys" / "sa.json").resolve()
    assert config.segments == ("Hot", "Lost")
    assert config.columns == ("name", "score") and config.excel_columns == ("id", "name", "score")
    assert config.endpoint == "http://127.0.0.1:9999"
    assert config.state == (tmp_path / "conf" / "state.sqlite").resolve()
    assert config.retry == RetryPolicy(attempts=3, timeout=5.0)


def test_a_full_url_gives_the_id() -> None:
    url = f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=0"
    assert spreadsheet_id(url) == SID
    assert spreadsheet_id(f"  {SID} ") == SID
    assert spreadsheet_id("not an id!") is None


def test_the_endpoint_can_come_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, minimal(credentials='"none"'))
    config = load_config(path, env={ENDPOINT_ENV: "http://127.0.0.1:8080"})
    assert config.endpoint == "http://127.0.0.1:8080" and config.credentials == "none"


@pytest.mark.parametrize(("text", "message"), [
    (f'spreadsheet = "{SID}"\n', "'workbook' must be a non-empty text, not '(missing)'"),
    (minimal().replace(SID, "what?"), "'spreadsheet' must be a spreadsheet id or its full"),
    (minimal(credentials='"none"'), "\"none\" works only with an emulator"),
    (minimal(segments='"some"'), "'segments' must be \"all\" or a list"),
    (minimal(segments="[]"), "'segments' must be a non-empty list"),
    (minimal(columns='["a", "a"]'), "'columns' must be a list without repeated names"),
    (minimal(sales_columns='["name"]'), "name is in both"),
    (minimal(conflict='"mine"'), "'conflict' must be \"owner-wins\" or \"excel-wins\""),
    (minimal(endpoint='"ftp://x"'), "is not a web address"),
    (minimal(retry="{ attempts = 0 }"), "'retry' must be at least 1 attempt"),
    (minimal(retry="{ tries = 3 }"), "unknown key 'tries' in [retry] (known: attempts,"),
    (minimal(retry='{ timeout = "soon" }'),
     "[retry] 'timeout' must be a non-negative number of seconds, not 'soon'"),
    (minimal(retry="3"), "'retry' must be a table with some of attempts"),
    (minimal(segment='["Hot"]'), "unknown key 'segment' (did you mean 'segments'?)"),
    (minimal(attempts="3"), "unknown key 'attempts' (it belongs in the [retry] table)"),
    (minimal(oauth_client="3"), "'oauth_client' must be the path of an OAuth client file"),
    ("workbook = \n", "is not valid TOML: line 1, column 12: invalid value: 'workbook ='"),
])
def test_mistakes_are_explained_with_file_and_key(tmp_path: Path, text: str,
                                                  message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SyncConfigError, match=re.escape(message)) as err:
        load_config(path, env={})
    assert str(path) in str(err.value)
    assert "\n" not in err.value.message  # one problem: one line


def test_every_mistake_of_the_file_comes_in_one_error(tmp_path: Path) -> None:
    """A misspelled key, a key under the wrong table, values of the wrong kind at the top
    and in [retry]: all said at once, one a line, with what is expected."""
    text = ('workbook = 3\nspreadsheet = "what?"\nsegmnets = ["Hot"]\n'
            'columns = "name"\nconflict = "mine"\nendpoint = "ftp://x"\n'
            '[retry]\natempts = 3\ntimeout = "soon"\nkey = "id"\n')
    path = write(tmp_path, text)
    with pytest.raises(SyncConfigError) as err:
        load_config(path, env={})
    lines = err.value.message.splitlines()
    assert lines[0] == f"{path} has 9 problems:"
    assert lines[1:] == [
        "  (1) unknown key 'segmnets' (did you mean 'segments'?)",
        "  (2) 'workbook' must be a non-empty text, not 3",
        "  (3) 'spreadsheet' must be a spreadsheet id or its full https:// address, not 'what?'",
        "  (4) 'columns' must be a non-empty list of names, like [\"a\", \"b\"], not 'name'",
        "  (5) 'conflict' must be \"owner-wins\" or \"excel-wins\" or \"sheets-wins\", not "
        "'mine'",
        "  (6) 'endpoint': The Sheets endpoint 'ftp://x' is not a web address (Write it like "
        "\"http://127.0.0.1:8080\", or remove it to use Google.)",
        "  (7) unknown key 'atempts' in [retry] (did you mean 'attempts'?)",
        "  (8) unknown key 'key' in [retry] (it is a top-level key: move it above the [retry] "
        "line)",
        "  (9) [retry] 'timeout' must be a non-negative number of seconds, not 'soon'",
    ]
    assert err.value.exit_code == 2 and "sync init" in str(err.value.hint)
    assert err.value.line().startswith(f"{path} has 9 problems: (1) unknown key 'segmnets'")


def test_a_fixed_file_loads_after_its_one_error(tmp_path: Path) -> None:
    """Fixing what the one error listed is enough: nothing else comes up next."""
    broken = minimal(segmnets='["Hot"]', conflict='"mine"', retry="{ atempts = 3 }")
    with pytest.raises(SyncConfigError, match="has 3 problems"):
        load_config(write(tmp_path, broken), env={})
    fixed = minimal(segments='["Hot"]', conflict='"excel-wins"', retry="{ attempts = 3 }")
    config = load_config(write(tmp_path, fixed), env={})
    assert config.segments == ("Hot",) and config.retry.attempts == 3


def test_a_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, minimal() + "conflict = owner-wins\n")
    with pytest.raises(SyncConfigError) as err:
        load_config(path, env={})
    assert err.value.message == (f"{path} is not valid TOML: line 3, column 12: invalid value: "
                                 "'conflict = owner-wins'")
    assert "double quotes" in str(err.value.hint)


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SyncConfigError, match="does not exist") as err:
        load_config(tmp_path / "nope.toml", env={})
    assert "potentiel sync init" in str(err.value)


def test_the_sample_is_valid_and_documents_every_contract_key(tmp_path: Path) -> None:
    text = sample_config()
    table = tomllib.loads(text)
    for key in ("workbook", "spreadsheet", "credentials", "key", "segments", "columns",
                "sales_columns", "conflict"):
        assert key in table
    assert "endpoint" in text and "oauth_client" in text and "[retry]" in text
    config = load_config(write(tmp_path, text), env={})
    assert config.spreadsheet == "YOUR-SPREADSHEET-ID"
