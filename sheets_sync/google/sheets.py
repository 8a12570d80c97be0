"""The Google side: every Sheets API call of the sync, each one REST request.

A run first asks Drive for the spreadsheet's ``version`` (``files.get``, a few hundred bytes):
unchanged since the last run, and the workbook too, the run ends there.  Otherwise a sync
costs three requests more whatever the size: the metadata (``spreadsheets.get``), every tab in
one ``values:batchGet``, every change in one ``values:batchUpdate`` (and the version once more
after writing, to recognise the run's own changes).  A ``spreadsheets:batchUpdate`` is added
only to create missing tabs or to grow a grid.  Writes use ``valueInputOption=RAW``: cell
text is stored as text, so ``=``, ``+``, ``-``, ``@`` and DDE payloads never become formulas;
numbers are sent as JSON numbers and stay numbers.  Only changed cells are sent; a payload
above ``max_payload`` bytes (Google accepts about 2 MB) is split into several requests.

Row removal: the row's synced cells are blanked in place; rows never move.  Deleting rows
(``deleteDimension``) would shift every row below while sales may be typing in it, would cost
a second write request, and would destroy what sales keep in their own extra columns.  Blank
rows are ignored when reading and new rows are appended below the last used row, so the price
is some blank rows left in a tab (a person can delete them at any time).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import zip_longest
from typing import Any

import gspread
import numpy as np
import pandas as pd
from gspread.urls import DRIVE_FILES_API_V3_URL

from addin.errors import SheetsApiError
from addin.workbook.a1 import column_letter, quote_sheet
from sheets_sync.config import SyncConfig
from sheets_sync.google.auth import authorized_session
from sheets_sync.google.errors import api_error
from sheets_sync.google.retry import RetrySession
from sheets_sync.google.transport import open_client
from sheets_sync.merge import ROW, TAB, Plan

MAX_PAYLOAD = 1_800_000
"""Bytes per write request, under Google's recommended 2 MB."""
NEW_TAB_ROWS = 1000
GROW_MARGIN = 500
READ_OPTIONS = {"valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "FORMATTED_STRING", "majorDimension": "ROWS"}
PROTECTION_NOTE = "Computed by the workbook: an edit here is undone at the next sync " \
                  "(and kept in the Conflicts sheet)."


@dataclass(frozen=True)
class Tab:
    """A tab's identity and grid size, from the metadata."""

    title: str
    sheet_id: int
    rows: int
    cols: int


@dataclass(frozen=True)
class RemoteTabs:
    """What one read found: the synced tabs' rows and where each column sits.

    ``frame`` has ``_tab``, ``_row`` (1-based) and every synced column found in a tab's header
    (raw values); ``positions[tab][column]`` is a 0-based column index; ``width[tab]`` the
    header's length; ``last_row[tab]`` the last row holding anything (1 = header only).
    """

    frame: pd.DataFrame
    tabs: Mapping[str, Tab]
    positions: Mapping[str, Mapping[str, int]]
    width: Mapping[str, int]
    last_row: Mapping[str, int]

    @property
    def present(self) -> dict[str, list[str]]:
        """Synced columns each tab's header holds (``remote_columns`` for the merge)."""
        return {tab: list(cols) for tab, cols in self.positions.items()}

    def missing(self, tabs: Sequence[str]) -> list[str]:
        """The synced tabs the spreadsheet does not have yet."""
        return [t for t in tabs if t not in self.tabs]


def _fold(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def json_cell(value: Any) -> Any:
    """A cell value as the Sheets API takes it: numbers and booleans as such, the rest text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else float(value)
    if isinstance(value, datetime | date):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


@dataclass
class SheetsBook:
    """One spreadsheet, reached through a gspread client whose session applies our retry policy.

    ``requests`` counts the HTTP requests really sent (retries included) when the session is a
    :class:`RetrySession`.
    """

    client: gspread.Client
    spreadsheet_id: str
    session: RetrySession | None = None
    max_payload: int = MAX_PAYLOAD
    new_sheet_id: Callable[[], int] = field(default=lambda: random.randrange(1, 2**31 - 1))
    account: str = ""

    @property
    def requests(self) -> int:
        return self.session.sent if self.session is not None else 0

    def _call(self, what: str, action: Callable[[gspread.HTTPClient], Any]) -> Any:
        """Run one API call, turning Google's refusal into a message saying what to do."""
        try:
            return action(self.client.http_client)
        except gspread.exceptions.APIError as err:
            raise api_error(err.response, what, self.account) from None
        except ValueError:  # a 200 answer that is not JSON: a proxy's or portal's page
            raise SheetsApiError(f"Google's answer to '{what}' was not an API answer",
                                 hint="A proxy or captive portal may be in the way; check the "
                                      "network, then sync again.") from None

    # -- reading ------------------------------------------------------------------------------

    def version(self) -> str:
        """Drive's ``version`` of the spreadsheet, which grows with every change anyone makes:
        one ``files.get`` of a few hundred bytes, tried once (a run that cannot tell whether
        something changed simply does the full read, which has its own retries)."""
        url = f"{DRIVE_FILES_API_V3_URL}/{self.spreadsheet_id}"
        params = {"fields": "version,modifiedTime", "supportsAllDrives": "true"}
        once = self.session.trying_once() if self.session is not None else nullcontext()
        with once:
            answer = self._call("tell whether the spreadsheet changed", lambda h: h.request(
                "get", url, params=params).json())
        version = answer.get("version") if isinstance(answer, dict) else None
        if not isinstance(version, str | int) or not str(version).isdigit():
            raise SheetsApiError(f"Google Drive gave no version for the spreadsheet: {answer!r}")
        return str(version)

    def metadata(self) -> dict[str, Tab]:
        """Every tab's title, id and grid size: one ``spreadsheets.get``."""
        params = {"fields": "sheets.properties(sheetId,title,gridProperties(rowCount,"
                            "columnCount))"}
        answer = self._call("read the spreadsheet", lambda h: h.fetch_sheet_metadata(
            self.spreadsheet_id, params=params))
        tabs = {}
        for sheet in answer.get("sheets", []):
            props = sheet.get("properties", {})
            grid = props.get("gridProperties", {})
            tabs[props["title"]] = Tab(props["title"], int(props.get("sheetId", 0)),
                                       int(grid.get("rowCount", 0)),
                                       int(grid.get("columnCount", 0)))
        return tabs

    def read(self, tabs: Sequence[str], columns: Sequence[str]) -> RemoteTabs:
        """The synced tabs' content: metadata, then all tabs in one ``values:batchGet``."""
        # A synced tab renamed only in case is still that tab (Google's titles are unique
        # case-insensitively): it is keyed by its configured name, and keeps its own title.
        configured = {t.casefold(): t for t in tabs}
        meta = {configured.get(title.casefold(), title): tab
                for title, tab in self.metadata().items()}
        present = [t for t in tabs if t in meta]
        value_ranges: list[dict[str, Any]] = []
        if present:
            answer = self._call("read the tabs", lambda h: h.values_batch_get(
                self.spreadsheet_id, [quote_sheet(meta[t].title) for t in present],
                params=dict(READ_OPTIONS)))
            value_ranges = answer.get("valueRanges", [])
        wanted = {_fold(c): c for c in columns}
        frames, positions, width, last_row = [], {}, {}, {}
        for tab, value_range in zip(present, value_ranges, strict=True):
            values = value_range.get("values", [])
            header = values[0] if values else []
            where: dict[str, int] = {}
            for index, name in enumerate(header):
                column = wanted.get(_fold(name))
                if column is not None and column not in where:
                    where[column] = index
            positions[tab], width[tab], last_row[tab] = where, len(header), len(values)
            body = list(zip_longest(*values[1:], fillvalue=None))  # columns, padded
            frame = pd.DataFrame({TAB: tab, ROW: np.arange(2, len(values) + 1)})
            for column, index in where.items():
                cells = body[index] if index < len(body) else (None,) * len(frame)
                frame[column] = np.array(cells, dtype=object)
            frames.append(frame)
        frame = (pd.concat(frames, ignore_index=True) if frames
                 else pd.DataFrame({TAB: pd.Series(dtype="str"), ROW: pd.Series(dtype=int)}))
        return RemoteTabs(frame, meta, positions, width, last_row)

    # -- writing ------------------------------------------------------------------------------

    def setup(self, remote: RemoteTabs, tabs: Sequence[str], header: Sequence[str],
              excel_columns: Sequence[str]) -> RemoteTabs:
        """Create the missing tabs in one ``spreadsheets:batchUpdate``: tab, frozen header row,
        warning-only protection of the Excel-owned columns.  The header text itself is written
        by :meth:`write` with the rows."""
        missing = remote.missing(tabs)
        if not missing:
            return remote
        taken = {t.sheet_id for t in remote.tabs.values()}
        requests: list[dict[str, Any]] = []
        created = dict(remote.tabs)
        for title in missing:
            sheet_id = self.new_sheet_id()
            while sheet_id in taken:
                sheet_id = self.new_sheet_id()
            taken.add(sheet_id)
            tab = Tab(title, sheet_id, NEW_TAB_ROWS, max(26, len(header)))
            created[title] = tab
            requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": title,
                "gridProperties": {"rowCount": tab.rows, "columnCount": tab.cols,
                                   "frozenRowCount": 1}}}})
            requests += [{"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": sheet_id, "startColumnIndex": i, "endColumnIndex": i + 1},
                "description": PROTECTION_NOTE, "warningOnly": True}}}
                for i, name in enumerate(header) if name in excel_columns]
        self._call("create the tabs " + ", ".join(missing),
                   lambda h: h.batch_update(self.spreadsheet_id, {"requests": requests}))
        return replace(remote, tabs=created,
                       positions={**remote.positions, **{t: {} for t in missing}},
                       width={**remote.width, **{t: 0 for t in missing}},
                       last_row={**remote.last_row, **{t: 0 for t in missing}})

    def write(self, plan: Plan, remote: RemoteTabs, header: Sequence[str]) -> int:
        """Apply the plan's Sheets side: grow grids if needed (one ``spreadsheets:batchUpdate``),
        then every cell in ``values:batchUpdate`` requests (one unless above ``max_payload``).
        Returns the number of write requests made."""
        tabs = sorted(set(plan.remote_adds[TAB]) | set(plan.remote_updates["tab"])
                      | set(plan.remote_clears["tab"]), key=str)
        layout = {t: self._layout(remote, t, header) for t in tabs}
        data: list[dict[str, Any]] = []
        for tab in tabs:
            where, new_columns = layout[tab]
            data += [{"range": f"{quote_sheet(tab)}!{column_letter(where[c])}1", "values": [[c]]}
                     for c in new_columns]
        data += self._updates(plan.remote_updates, layout)
        data += self._clears(plan.remote_clears, layout)
        adds, grow = self._adds(plan.remote_adds, remote, layout)
        data += adds
        made = 0
        grow = [g for g in grow if g]
        if grow:
            self._call("grow the tabs", lambda h: h.batch_update(
                self.spreadsheet_id, {"requests": grow}))
            made += 1
        for chunk in self._chunks(data):
            body = {"valueInputOption": "RAW", "data": chunk}
            self._call("write the changes", lambda h, b=body: h.values_batch_update(
                self.spreadsheet_id, b))
            made += 1
        return made

    @staticmethod
    def _layout(remote: RemoteTabs, tab: str,
                header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
        """Column positions in a tab, placing columns its header lacks after the last one."""
        where = dict(remote.positions.get(tab, {}))
        new = [c for c in header if c not in where]
        start = max([remote.width.get(tab, 0), *(i + 1 for i in where.values())])
        for offset, column in enumerate(new):
            where[column] = start + offset
        return where, new

    @staticmethod
    def _updates(updates: pd.DataFrame,
                 layout: Mapping[str, tuple[dict[str, int], list[str]]]) -> list[dict[str, Any]]:
        """One single-cell range per changed cell (adjacent cells are rare and small)."""
        if updates.empty:
            return []
        letters = [column_letter(layout[t][0][c]) for t, c in
                   zip(updates["tab"], updates["column"], strict=True)]
        ranges = (updates["tab"].map(quote_sheet) + "!" + pd.Series(letters, index=updates.index)
                  + updates["row"].astype("str"))
        values = updates["value"].map(json_cell)
        return [{"range": r, "values": [[v]]} for r, v in zip(ranges, values, strict=True)]

    @staticmethod
    def _clears(clears: pd.DataFrame,
                layout: Mapping[str, tuple[dict[str, int], list[str]]]) -> list[dict[str, Any]]:
        """Blank the synced cells of removed rows; other cells of the row stay as they are."""
        data = []
        for tab, rows in clears.groupby("tab", sort=False)["row"]:
            where = layout[tab][0]
            first, last = min(where.values()), max(where.values())
            template = [None] * (last - first + 1)
            for index in where.values():
                template[index - first] = ""
            span = f"{quote_sheet(tab)}!{column_letter(first)}{{0}}:{column_letter(last)}{{0}}"
            data += [{"range": span.format(r), "values": [template]} for r in rows]
        return data

    def _adds(self, adds: pd.DataFrame, remote: RemoteTabs,
              layout: Mapping[str, tuple[dict[str, int], list[str]]],
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
        """New rows as blocks below each tab's last used row, and the grid growth they need."""
        data: list[dict[str, Any]] = []
        grow: list[dict[str, Any] | None] = []
        for tab in layout:
            where = layout[tab][0]
            rows = adds[adds[TAB] == tab]
            width = max(where.values()) + 1
            start = max(remote.last_row.get(tab, 0), 1) + 1
            end = start + len(rows) - 1
            grid = remote.tabs[tab]
            grow.append(_grow(grid, "ROWS", end - grid.rows))
            grow.append(_grow(grid, "COLUMNS", width - grid.cols))
            if rows.empty:
                continue
            block = np.full((len(rows), width), None, dtype=object)
            for column, index in where.items():
                if column in rows:
                    block[:, index] = rows[column].map(json_cell).to_numpy()
            per_row = max(1, len(json.dumps(block[:50].tolist())) // min(len(rows), 50))
            step = max(1, self.max_payload // (2 * per_row))
            for first in range(0, len(rows), step):
                part = block[first:first + step]
                top = start + first
                span = f"{quote_sheet(tab)}!A{top}:{column_letter(width - 1)}{top + len(part) - 1}"
                data.append({"range": span, "values": part.tolist()})
        return data, grow

    def _chunks(self, data: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Ranges packed into requests of at most ``max_payload`` bytes (in order)."""
        chunks: list[list[dict[str, Any]]] = []
        size = self.max_payload + 1
        for item in data:
            cost = len(json.dumps(item)) + 2
            if size + cost > self.max_payload:
                chunks.append([])
                size = 100
            chunks[-1].append(item)
            size += cost
        return chunks


def _grow(tab: Tab, dimension: str, lacking: int) -> dict[str, Any] | None:
    """An ``appendDimension`` request when a grid lacks rows or columns, with some margin."""
    if lacking <= 0:
        return None
    return {"appendDimension": {"sheetId": tab.sheet_id, "dimension": dimension,
                                "length": lacking + (GROW_MARGIN if dimension == "ROWS" else 0)}}


def open_book(config: SyncConfig, credentials: Any = None) -> SheetsBook:
    """The configured spreadsheet, signed in with ``credentials``, through our retry policy
    and (when configured) the emulator endpoint."""
    session = RetrySession(authorized_session(credentials, config.retry), config.retry)
    client = open_client(config.endpoint, session)
    account = str(getattr(credentials, "service_account_email", "") or "")
    return SheetsBook(client, config.spreadsheet, session, account=account)
