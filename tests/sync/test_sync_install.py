"""System schedules: a real crontab round trip, systemd units checked by systemd itself,
and the Windows schtasks command as text."""

from __future__ import annotations

import re
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PureWindowsPath

import pytest
from filelock import FileLock

from addin.errors import InputError, SyncError
from sheets_sync.install import (
    Cron,
    Schtasks,
    Systemd,
    backend,
    cron_lines,
    cron_spec,
    next_cron_run,
    schedule_id,
    schtasks_create,
    sync_command,
    systemd_units,
    systemd_user_available,
    verify_units,
)
from sheets_sync.schedule import parse_interval

UNRELATED = "# backups\n30 2 * * * /usr/local/bin/backup --all >/dev/null 2>&1\n"


def _crontab() -> str:
    done = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else ""


@pytest.fixture
def user_crontab() -> Iterator[str]:
    """The real crontab holding an unrelated entry; the user's own table is restored after.
    The machine has one crontab per user: the pytest-xdist workers take turns with it."""
    with FileLock(Path(tempfile.gettempdir()) / "potentiel-tests-crontab.lock"):
        saved = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
        subprocess.run(["crontab", "-"], input=UNRELATED, text=True, check=True)
        try:
            yield UNRELATED
        finally:
            if saved.returncode == 0:
                subprocess.run(["crontab", "-"], input=saved.stdout, text=True, check=True)
            else:
                subprocess.run(["crontab", "-r"], capture_output=True, check=False)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "Sales 100% data"
    folder.mkdir()
    path = folder / "sync.toml"
    path.write_text('workbook = "customers.xlsx"\nspreadsheet = "1AbCdEfGhIjKlMnOp"\n')
    return path


def test_crontab_round_trip_keeps_other_entries(user_crontab: str, config: Path) -> None:
    cron = Cron()
    python = Path("/opt/venv/bin/python")
    assert cron.status(config) is None
    assert cron.install(config, parse_interval("15m"), python).startswith("added to your crontab")
    table = _crontab()
    assert table == user_crontab + cron_lines(config, parse_interval("15m"), python)
    found = cron.status(config)
    assert found is not None and found.backend == "cron"
    assert found.entry == cron_lines(config, parse_interval("15m"), python).rstrip("\n")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:(00|15|30|45) \(local time\)",
                        found.next_run or "")
    assert found.log == config.with_suffix(".log")

    cron.install(config, parse_interval("30m"), python)  # replaces, never duplicates
    table = _crontab()
    assert table.count(f"id={schedule_id(config)}") == 1
    assert "*/30 * * * *" in table and "*/15" not in table

    other = config.with_name("other.toml")
    cron.install(other, parse_interval("1h"), python)
    assert cron.remove(config) is not None
    assert _crontab() == user_crontab + cron_lines(other, parse_interval("1h"), python)
    assert cron.remove(config) is None
    cron.remove(other)
    assert _crontab() == user_crontab


def test_cron_entry_is_read_back_by_the_shell_as_the_command(config: Path) -> None:
    python = Path("/home/ann/my env/bin/python")
    marker, entry, _ = cron_lines(config, parse_interval("5m"), python).split("\n")
    assert marker == (f"# potentiel-sync id={schedule_id(config)} every=5m config={config}")
    fields = entry.split(" ", 5)
    assert fields[:5] == ["*/5", "*", "*", "*", "*"]
    # cron turns "\%" into "%" and gives the rest to sh
    assert shlex.split(fields[5].replace("\\%", "%")) == sync_command(config, python)
    assert sync_command(config, python) == [
        str(python), "-m", "addin.cli", "sync", "--config", str(config),
        "--log", str(config.with_suffix(".log"))]


@pytest.mark.parametrize(("every", "spec"), [
    ("1m", "* * * * *"), ("5m", "*/5 * * * *"), ("15m", "*/15 * * * *"), ("30m", "*/30 * * * *"),
    ("60m", "0 * * * *"), ("1h", "0 * * * *"), ("2h", "0 */2 * * *"), ("12h", "0 */12 * * *"),
    ("1d", "0 0 * * *"), ("24h", "0 0 * * *")])
def test_cron_spec(every: str, spec: str) -> None:
    assert cron_spec(parse_interval(every)) == spec


@pytest.mark.parametrize("every", ["7m", "45m", "1h30m", "5h", "2d", "1d12h"])
def test_cron_cannot_express_every_interval(every: str) -> None:
    with pytest.raises(InputError, match=f"cron cannot run exactly every {every}"):
        cron_spec(parse_interval(every))


@pytest.mark.parametrize("every", ["30s", "90s", "0.5s"])
def test_system_schedules_count_whole_minutes(every: str) -> None:
    with pytest.raises(InputError, match="whole number of minutes"):
        cron_spec(parse_interval(every))
    with pytest.raises(InputError, match="whole number of minutes"):
        schtasks_create(PureWindowsPath(r"C:\s.toml"), parse_interval(every))


@pytest.mark.parametrize(("every", "now", "due"), [
    ("15m", "2026-11-23 09:07:30", "2026-11-23 09:15:00"),
    ("15m", "2026-11-23 09:15:00", "2026-11-23 09:30:00"),
    ("15m", "2026-11-23 23:59:59", "2026-11-24 00:00:00"),
    ("1m", "2026-11-23 09:07:30", "2026-11-23 09:08:00"),
    ("2h", "2026-11-23 09:07:30", "2026-11-23 10:00:00"),
    ("1d", "2026-11-23 09:07:30", "2026-11-24 00:00:00")])
def test_next_cron_run(every: str, now: str, due: str) -> None:
    assert next_cron_run(parse_interval(every), datetime.fromisoformat(now)) == \
        datetime.fromisoformat(due)


def test_systemd_units_as_text(config: Path) -> None:
    python = Path("/home/ann/my env/bin/python")
    units = systemd_units(config, parse_interval("15m"), python)
    name = f"potentiel-sync-{schedule_id(config)}"
    assert sorted(units) == [f"{name}.service", f"{name}.timer"]
    escaped = str(config).replace("%", "%%")
    log = str(config.with_suffix(".log")).replace("%", "%%")
    assert units[f"{name}.service"] == (
        f"[Unit]\nDescription=potentiel: sync {escaped} with Google Sheets\n\n"
        f"[Service]\nType=oneshot\nExecStart=\"/home/ann/my env/bin/python\" \"-m\" "
        f"\"addin.cli\" \"sync\" \"--config\" \"{escaped}\" \"--log\" \"{log}\"\n")
    assert units[f"{name}.timer"] == (
        f"[Unit]\nDescription=potentiel: sync {escaped} every 15m\n\n"
        f"[Timer]\nOnActiveSec=1min\nOnUnitActiveSec=15min\nAccuracySec=30s\n"
        f"Unit={name}.service\n\n[Install]\nWantedBy=timers.target\n")


def test_systemd_accepts_the_units(tmp_path: Path, config: Path) -> None:
    """systemd-analyze checks the files as systemd would load them (where it is installed)."""
    paths = []
    for name, text in systemd_units(config, parse_interval("1h")).items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    assert verify_units(paths) is None
    bad = tmp_path / "broken.service"
    bad.write_text("[Service]\nType=oneshot\nExecStart=no-such-program-anywhere\n")
    problem = verify_units([bad])
    assert problem is None if not _has("systemd-analyze") else "no-such-program" in problem


def _has(program: str) -> bool:
    return subprocess.run(["which", program], capture_output=True, check=False).returncode == 0


def test_the_machine_decides_the_default_scheduler() -> None:
    chosen = backend(None)
    assert chosen.name == ("systemd" if systemd_user_available() else "cron")
    assert backend("cron").name == "cron"
    with pytest.raises(InputError, match="unknown scheduler 'at'"):
        backend("at")


WINDOWS_PYTHON = PureWindowsPath(r"C:\Program Files\Python311\python.exe")
WINDOWS_CONFIG = PureWindowsPath(r"C:\Users\Ann Lee\Sales Data\sync.toml")


def test_schtasks_command_quotes_paths_with_spaces() -> None:
    command = schtasks_create(WINDOWS_CONFIG, parse_interval("15m"), WINDOWS_PYTHON)
    name = f"potentiel-sync-{schedule_id(WINDOWS_CONFIG)}"
    assert subprocess.list2cmdline(command) == (
        f"schtasks /Create /F /TN {name} /SC MINUTE /MO 15 /TR "
        r'"\"C:\Program Files\Python311\python.exe\" -m addin.cli sync --config '
        r'\"C:\Users\Ann Lee\Sales Data\sync.toml\" --log '
        r'\"C:\Users\Ann Lee\Sales Data\sync.log\""')
    assert command[-1] == (r'"C:\Program Files\Python311\python.exe" -m addin.cli sync --config '
                           r'"C:\Users\Ann Lee\Sales Data\sync.toml" --log '
                           r'"C:\Users\Ann Lee\Sales Data\sync.log"')


@pytest.mark.parametrize(("every", "schedule"), [
    ("1m", ["/SC", "MINUTE", "/MO", "1"]), ("90m", ["/SC", "MINUTE", "/MO", "90"]),
    ("1h", ["/SC", "HOURLY", "/MO", "1"]), ("6h", ["/SC", "HOURLY", "/MO", "6"]),
    ("1d", ["/SC", "DAILY", "/MO", "1"]), ("2d", ["/SC", "DAILY", "/MO", "2"])])
def test_schtasks_schedule_types(every: str, schedule: list[str]) -> None:
    command = schtasks_create(WINDOWS_CONFIG, parse_interval(every), WINDOWS_PYTHON)
    assert command[5:9] == schedule


def test_schtasks_refuses_what_task_scheduler_cannot_hold() -> None:
    with pytest.raises(InputError, match="Task Scheduler cannot run exactly every 1d12h"):
        schtasks_create(WINDOWS_CONFIG, parse_interval("36h"), WINDOWS_PYTHON)
    deep = PureWindowsPath("C:\\" + "\\".join(["a long folder name"] * 8) + "\\sync.toml")
    with pytest.raises(InputError, match="Task Scheduler takes at most 261") as caught:
        schtasks_create(deep, parse_interval("15m"), WINDOWS_PYTHON)
    assert caught.value.hint == "Move the configuration to a shorter folder path."


def test_schtasks_without_apply_only_prints() -> None:
    tasks = Schtasks(apply=False)
    shown = tasks.install(WINDOWS_CONFIG, parse_interval("15m"), WINDOWS_PYTHON)
    assert shown.startswith("run this command (or add --apply):\nschtasks /Create /F /TN ")
    removal = tasks.remove(WINDOWS_CONFIG)
    assert removal is not None and removal.endswith(
        f"schtasks /Delete /F /TN potentiel-sync-{schedule_id(WINDOWS_CONFIG)}")
    status = tasks.status(WINDOWS_CONFIG)
    assert status is not None and status.entry.endswith(
        f"schtasks /Query /V /FO LIST /TN potentiel-sync-{schedule_id(WINDOWS_CONFIG)}")


def test_forced_systemd_without_a_user_session_installs_nothing(tmp_path: Path,
                                                                config: Path) -> None:
    units = tmp_path / "units"
    if systemd_user_available():  # a machine with a user manager: the real install and removal
        scheduler = Systemd(units)
        assert scheduler.install(config, parse_interval("15m"), None).startswith("installed")
        assert scheduler.status(config) is not None
        assert scheduler.remove(config) is not None
        assert list(units.iterdir()) == []
        return
    with pytest.raises(SyncError, match=r"systemd has no user session here") as caught:
        Systemd(units).install(config, parse_interval("15m"), None)
    assert caught.value.hint is not None and "--using cron" in caught.value.hint
    assert not units.exists()
    assert Systemd(units).status(config) is None
    assert Systemd(units).remove(config) is None
