"""Let the operating system run the sync on a schedule: cron, a systemd user timer, schtasks.

Every backend runs the same command: this Python interpreter, by absolute path (so a virtual
environment keeps working without being activated), ``-m addin.cli sync --config CONFIG --log
LOG``, the log being ``<config>.log`` beside the configuration.  Each installed schedule is named
after a short hash of the configuration's absolute path, so several workbooks can each have
their own and ``remove``/``status`` find exactly this one:

- cron: two lines in the user's crontab, a marker comment then the entry; every other line of
  the crontab is kept as it was;
- systemd: ``potentiel-sync-<id>.service`` and ``.timer`` in ``~/.config/systemd/user``;
- Windows: a Task Scheduler task ``potentiel-sync-<id>``; the ``schtasks`` command is printed,
  and run with ``apply``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from addin.errors import InputError, SyncError
from sheets_sync.schedule import format_interval, parse_interval

BACKENDS = ("cron", "systemd", "schtasks")
SCHTASKS_TR_LIMIT = 261  # characters schtasks accepts in /TR
_MARKER = re.compile(r"^# potentiel-sync id=(\w+) every=(\S+) config=(.*)$")


@dataclass(frozen=True)
class Schedule:
    """One installed schedule as a backend reports it."""

    backend: str
    entry: str                 # what is installed, as the backend shows it
    next_run: str | None       # when the next run is due, in the backend's words
    log: PurePath


def schedule_id(config: PurePath) -> str:
    """A short stable name for the schedule of one configuration file."""
    return hashlib.sha1(str(config).encode("utf-8")).hexdigest()[:8]


def log_path(config: PurePath) -> PurePath:
    """Where scheduled runs append their output: ``sync.toml`` -> ``sync.log``."""
    return config.with_suffix(".log")


def sync_command(config: PurePath, python: PurePath | None = None) -> list[str]:
    """The command a schedule runs, as an argument list."""
    python = python or environment_python()
    return [str(python), "-m", "addin.cli", "sync", "--config", str(config),
            "--log", str(log_path(config))]


def whole_minutes(interval: timedelta) -> int:
    """The interval in minutes; the system schedulers count in whole minutes."""
    seconds = interval.total_seconds()
    if seconds < 60 or seconds % 60:
        raise InputError(f"a system schedule runs every whole number of minutes, not every "
                         f"{format_interval(interval)}",
                         hint="Use e.g. --every 15m, or `potentiel sync --every` for seconds.")
    return int(seconds // 60)


# -- cron ----------------------------------------------------------------------------------------

def cron_spec(interval: timedelta) -> str:
    """The five time fields of a crontab line for an interval cron can express exactly."""
    minutes = whole_minutes(interval)
    if minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    if minutes % 60 == 0 and minutes < 1440 and 24 % (minutes // 60) == 0:
        hours = minutes // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if minutes == 1440:
        return "0 0 * * *"
    raise InputError(f"cron cannot run exactly every {format_interval(interval)}",
                     hint="Use a divisor of an hour (5m, 10m, 15m, 20m, 30m), of a day "
                          "(1h, 2h, 3h, 4h, 6h, 8h, 12h) or 1d; or --using systemd.")


def next_cron_run(interval: timedelta, now: datetime) -> datetime:
    """The next run of :func:`cron_spec`'s entry after ``now`` (its ticks start at midnight)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=whole_minutes(interval))
    return midnight + ((now - midnight) // step + 1) * step


def _cron_quote(argument: str) -> str:
    """Quote for the shell cron runs; ``%`` is a newline to cron unless escaped."""
    quoted = argument if re.fullmatch(r"[\w@%+=:,./-]+", argument) else (
        "'" + argument.replace("'", "'\"'\"'") + "'")
    return quoted.replace("%", "\\%")


def cron_lines(config: PurePath, interval: timedelta, python: PurePath | None = None) -> str:
    """The marker comment and the crontab entry for one configuration."""
    command = " ".join(_cron_quote(a) for a in sync_command(config, python))
    marker = (f"# potentiel-sync id={schedule_id(config)} every={format_interval(interval)} "
              f"config={config}")
    return f"{marker}\n{cron_spec(interval)} {command}\n"


def _run(command: list[str], *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SyncError(f"`{' '.join(command)}` could not run: {err}") from None


class Cron:
    """The user's crontab, through the ``crontab`` command."""

    name = "cron"

    def read(self) -> str:
        done = _run(["crontab", "-l"])
        if done.returncode != 0:
            if "no crontab" in done.stderr.lower():
                return ""
            raise SyncError(f"`crontab -l` failed: {done.stderr.strip()}")
        return done.stdout

    def write(self, text: str) -> None:
        done = _run(["crontab", "-"], stdin=text)
        if done.returncode != 0:
            raise SyncError(f"`crontab` refused the new table: {done.stderr.strip()}",
                            hint="Your crontab was left as it was.")

    @staticmethod
    def _split(text: str, config: PurePath) -> tuple[list[str], list[str]]:
        """The crontab's lines without this config's two lines, and those two lines."""
        wanted = schedule_id(config)
        lines = text.splitlines()
        kept: list[str] = []
        ours: list[str] = []
        index = 0
        while index < len(lines):
            found = _MARKER.match(lines[index])
            if found and found.group(1) == wanted:
                ours = lines[index:index + 2]
                index += 2
                continue
            kept.append(lines[index])
            index += 1
        return kept, ours

    def install(self, config: PurePath, interval: timedelta, python: PurePath | None) -> str:
        lines = cron_lines(config, interval, python)
        kept, _ = self._split(self.read(), config)
        self.write("".join(f"{line}\n" for line in kept) + lines)
        return f"added to your crontab:\n{lines}"

    def remove(self, config: PurePath) -> str | None:
        kept, ours = self._split(self.read(), config)
        if not ours:
            return None
        self.write("".join(f"{line}\n" for line in kept))
        return "removed from your crontab:\n" + "\n".join(ours)

    def status(self, config: PurePath) -> Schedule | None:
        _, ours = self._split(self.read(), config)
        if not ours:
            return None
        found = _MARKER.match(ours[0])
        interval = parse_interval(found.group(2)) if found else None
        due = next_cron_run(interval, datetime.now()) if interval else None
        return Schedule("cron", "\n".join(ours),
                        due.strftime("%Y-%m-%d %H:%M (local time)") if due else None,
                        log_path(config))


# -- systemd -------------------------------------------------------------------------------------

def _systemd_quote(argument: str) -> str:
    """Quote one ExecStart argument: specifiers (%) and variables ($) stay literal."""
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("%", "%%").replace("$", "$$") + '"'


def systemd_units(config: PurePath, interval: timedelta,
                  python: PurePath | None = None) -> dict[str, str]:
    """The service and timer unit files (name -> text) for one configuration."""
    name = f"potentiel-sync-{schedule_id(config)}"
    minutes = whole_minutes(interval)
    what = str(config).replace("%", "%%")
    command = " ".join(_systemd_quote(a) for a in sync_command(config, python))
    service = (f"[Unit]\nDescription=potentiel: sync {what} with Google Sheets\n\n"
               f"[Service]\nType=oneshot\nExecStart={command}\n")
    timer = (f"[Unit]\nDescription=potentiel: sync {what} every {format_interval(interval)}\n\n"
             f"[Timer]\nOnActiveSec=1min\nOnUnitActiveSec={minutes}min\nAccuracySec=30s\n"
             f"Unit={name}.service\n\n[Install]\nWantedBy=timers.target\n")
    return {f"{name}.service": service, f"{name}.timer": timer}


def systemd_user_available() -> bool:
    """Whether this session has a systemd user manager to talk to."""
    if shutil.which("systemctl") is None:
        return False
    return _run(["systemctl", "--user", "show-environment"]).returncode == 0


def verify_units(paths: list[Path]) -> str | None:
    """``systemd-analyze verify`` on unit files: its complaint, or None when it has none."""
    if shutil.which("systemd-analyze") is None:
        return None
    done = _run(["systemd-analyze", "verify", *map(str, paths)])
    return (done.stdout + done.stderr).strip() or "failed" if done.returncode else None


class Systemd:
    """A user timer and its service, managed with ``systemctl --user``."""

    name = "systemd"

    def __init__(self, unit_dir: Path | None = None) -> None:
        self.unit_dir = unit_dir or Path.home() / ".config" / "systemd" / "user"

    def _systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = _run(["systemctl", "--user", *args])
        if done.returncode != 0:
            raise SyncError(f"`systemctl --user {' '.join(args)}` failed: {done.stderr.strip()}")
        return done

    def install(self, config: PurePath, interval: timedelta, python: PurePath | None) -> str:
        units = systemd_units(config, interval, python)
        if not systemd_user_available():
            raise SyncError("systemd has no user session here (`systemctl --user` cannot "
                            "reach it); nothing was installed",
                            hint="Use --using cron, or log in to a desktop or SSH session "
                                 "(systemd starts the user manager then).")
        self.unit_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, text in units.items():
            (self.unit_dir / name).write_text(text, encoding="utf-8")
            paths.append(self.unit_dir / name)
        problem = verify_units(paths)
        if problem:
            for path in paths:
                path.unlink()
            raise SyncError(f"systemd rejects the timer: {problem}")
        timer = next(n for n in units if n.endswith(".timer"))
        self._systemctl("daemon-reload")
        self._systemctl("enable", "--now", timer)
        return f"installed and started {timer} in {self.unit_dir}"

    def remove(self, config: PurePath) -> str | None:
        name = f"potentiel-sync-{schedule_id(config)}"
        paths = [self.unit_dir / f"{name}.timer", self.unit_dir / f"{name}.service"]
        if not paths[0].exists():
            return None
        self._systemctl("disable", "--now", paths[0].name)
        for path in paths:
            path.unlink(missing_ok=True)
        self._systemctl("daemon-reload")
        return f"stopped and removed {paths[0].name} and {paths[1].name}"

    def status(self, config: PurePath) -> Schedule | None:
        timer = self.unit_dir / f"potentiel-sync-{schedule_id(config)}.timer"
        if not timer.exists():
            return None
        listed = self._systemctl("list-timers", "--all", "--no-pager", timer.name).stdout
        return Schedule("systemd", str(timer), listed.strip() or None, log_path(config))


# -- Windows Task Scheduler ----------------------------------------------------------------------

def task_name(config: PurePath) -> str:
    return f"potentiel-sync-{schedule_id(config)}"


def schtasks_create(config: PurePath, interval: timedelta,
                    python: PurePath | None = None) -> list[str]:
    """The ``schtasks /Create`` arguments for one configuration.

    By default ``pythonw.exe`` beside this ``python.exe`` runs it when there is one: no console
    window flashes up at every run (the output goes to the log file anyway).
    """
    if python is None:
        here = Path(environment_python())
        python = here.with_name("pythonw.exe") if (here.with_name("pythonw.exe").exists()
                                                   and here.name.lower() == "python.exe") else here
    minutes = whole_minutes(interval)
    if minutes % 1440 == 0:
        every = ["/SC", "DAILY", "/MO", str(minutes // 1440)]
    elif minutes % 60 == 0 and minutes < 1440:
        every = ["/SC", "HOURLY", "/MO", str(minutes // 60)]
    elif minutes < 1440:
        every = ["/SC", "MINUTE", "/MO", str(minutes)]
    else:
        raise InputError(f"Task Scheduler cannot run exactly every {format_interval(interval)}",
                         hint="Use minutes below a day, whole hours below a day, or whole days.")
    run = subprocess.list2cmdline(sync_command(config, python))
    if len(run) > SCHTASKS_TR_LIMIT:
        raise InputError(f"the scheduled command is {len(run)} characters; Task Scheduler "
                         f"takes at most {SCHTASKS_TR_LIMIT}",
                         hint="Move the configuration to a shorter folder path.")
    return ["schtasks", "/Create", "/F", "/TN", task_name(config), *every, "/TR", run]


class Schtasks:
    """Windows Task Scheduler: prints the ``schtasks`` command, runs it when ``apply``."""

    name = "schtasks"

    def __init__(self, apply: bool = False) -> None:
        self.apply = apply

    def _do(self, command: list[str]) -> str:
        text = subprocess.list2cmdline(command)
        if not self.apply:
            return f"run this command (or add --apply):\n{text}"
        done = _run(command)
        if done.returncode != 0:
            raise SyncError(f"schtasks failed: {(done.stderr or done.stdout).strip()}")
        return done.stdout.strip() or text

    def install(self, config: PurePath, interval: timedelta, python: PurePath | None) -> str:
        return self._do(schtasks_create(config, interval, python))

    def remove(self, config: PurePath) -> str | None:
        command = ["schtasks", "/Delete", "/F", "/TN", task_name(config)]
        if not self.apply:
            return self._do(command)
        done = _run(command)
        return f"deleted the task {task_name(config)}" if done.returncode == 0 else None

    def status(self, config: PurePath) -> Schedule | None:
        query = ["schtasks", "/Query", "/V", "/FO", "LIST", "/TN", task_name(config)]
        if not self.apply:
            return Schedule("schtasks", self._do(query), None, log_path(config))
        done = _run(query)
        if done.returncode != 0:
            return None
        due = next((line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
                    if line.lower().startswith("next run time")), None)
        return Schedule("schtasks", done.stdout.strip(), due, log_path(config))


# -- choosing --------------------------------------------------------------------------------------

Backend = Cron | Systemd | Schtasks


def backend(using: str | None = None, *, apply: bool = False) -> Backend:
    """The scheduler to use: ``using`` when given, else what this machine has.

    Windows has Task Scheduler; elsewhere a working systemd user manager is preferred (it logs,
    and catches up after sleep), then cron.
    """
    if using is None:
        if sys.platform == "win32":
            using = "schtasks"
        elif systemd_user_available():
            using = "systemd"
        elif shutil.which("crontab"):
            using = "cron"
        else:
            raise SyncError("this computer has neither a systemd user session nor crontab",
                            hint="Install cron, or run `potentiel sync --every 15m` in a "
                                 "terminal that stays open.")
    if using == "cron":
        return Cron()
    if using == "systemd":
        return Systemd()
    if using == "schtasks":
        return Schtasks(apply=apply)
    raise InputError(f"unknown scheduler '{using}'", hint=f"Use one of {', '.join(BACKENDS)}.")


def absolute_config(path: Path | str) -> Path:
    """The configuration file a schedule will name: absolute, and checked to exist."""
    config = Path(path).expanduser().resolve()
    if not config.is_file():
        raise InputError(f"the sync configuration {config} does not exist",
                         hint="Create one with `potentiel sync init`.")
    return config


def environment_python() -> PurePath:
    """This interpreter, by absolute path, without resolving a venv's symlink away."""
    return PurePath(os.path.abspath(sys.executable))
