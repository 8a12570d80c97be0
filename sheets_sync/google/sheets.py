"""The Google side: every Sheets API call of the sync, each one REST request.

A run first asks Drive for the spreadsheet's ``version`` (``files.get``, a few hundred bytes):
unchanged since the last run, and the workbook too, the run ends there.  Otherwise a sync
costs three requests more whatever the size: the metadata (``spreadsheets.get``), every tab in
one ``values:batchGet``, every change in one ``values:batchUpdate`` (and the version once more
after writing, to recognise the run's own changes).  A ``spreadsheets:batchUpdate`` is added
only to create missing tabs, to grow a grid, or to dress a tab (:mod:`.layout`: when it is
created, when its header changes, on ``--reformat``).  Writes use ``valueInputOption=RAW``:
cell text is stored as text, so ``=``, ``+``, ``-``, ``@`` and DDE payloads never become
formulas; numbers are sent as JSON numbers and stay numbers, dates as serial numbers that the
date columns' format shows as dates.  Reads ask for unformatted values and serial dates, so
what comes back is what was written, whatever the spreadsheet's locale.  Only changed cells are
sent; a payload above ``max_payload`` bytes (Google accepts about 2 MB) is split into several
requests.

Rows a person works on never move because of the sync, except to close a gap: a customer
leaving a tab has its row deleted (``deleteDimension``, in the same ``spreadsheets:batchUpdate``
as any growth or dressing, before the cells are written, so the cells' row numbers are those
after the deletion); new rows are appended below the last used row, in call-list order.
Google moves a person's pending edit with its row, as for any collaborator's deletion.
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
from sheets_sync.google.about import COLUMNS as ABOUT_COLUMNS
from sheets_sync.google.about import ROWS as ABOUT_ROWS
from sheets_sync.google.about import (
    about_requests,
    legend_ranges,
    signature_range,
    stamp_range,
)
from sheets_sync.google.about import title as about_title
from sheets_sync.google.auth import authorized_session
from sheets_sync.google.errors import api_error
from sheets_sync.google.layout import (
    Decor,
    Look,
    cell_requests,
    column_of,
    decor_of,
    format_requests,
    read_cells,
    shown_cells,
)
from sheets_sync.google.retry import RetrySession
from sheets_sync.google.transport import open_client
from sheets_sync.merge import ROW, TAB, Plan

MAX_PAYLOAD = 1_800_000
"""Bytes per write request, under Google's recommended 2 MB."""
NEW_TAB_ROWS = 1000
GROW_MARGIN = 500
READ_OPTIONS = {"valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}
DECOR_FIELDS = ("sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description),"
                "conditionalFormats)")


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
    (canonical values); ``positions[tab][column]`` is a 0-based column index; ``width[tab]``
    the header's length; ``last_row[tab]`` the last row holding anything (1 = header only);
    ``headers[tab]`` the header row as it reads; ``stale`` the cells (``tab, row, column,
    value``) that still show an earlier form of their value and are rewritten as it is shown
    now; ``created`` the tabs this run made (already dressed).
    """

    frame: pd.DataFrame
    tabs: Mapping[str, Tab]
    positions: Mapping[str, Mapping[str, int]]
    width: Mapping[str, int]
    last_row: Mapping[str, int]
    headers: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    stale: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"tab": [], "row": [], "column": [], "value": []}))
    created: frozenset[str] = frozenset()
    #: The signature of the look the tabs were last dressed for (read from the About tab).
    dressed_as: str = ""

    @property
    def present(self) -> dict[str, list[str]]:
        """Synced columns each tab's header holds (``remote_columns`` for the merge)."""
        return {tab: list(cols) for tab, cols in self.positions.items()}

    def missing(self, tabs: Sequence[str]) -> list[str]:
        """The synced tabs the spreadsheet does not have yet."""
        return [t for t in tabs if t not in self.tabs]


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

    def read(self, tabs: Sequence[str], look: Look) -> RemoteTabs:
        """The synced tabs' content: metadata, then all tabs in one ``values:batchGet``.
        Headers are recognised in any language or earlier form, values read back canonical."""
        # A synced tab renamed only in case is still that tab (Google's titles are unique
        # case-insensitively): it is keyed by its configured name, and keeps its own title.
        configured = {t.casefold(): t for t in tabs}
        meta = {configured.get(title.casefold(), title): tab
                for title, tab in self.metadata().items()}
        present = [t for t in tabs if t in meta]
        value_ranges: list[dict[str, Any]] = []
        dressed_as = ""
        if present:
            about = about_title(look)
            ranges = [quote_sheet(meta[t].title) for t in present]
            if about in meta:  # what the tabs were dressed for rides along in the same read
                ranges.append(signature_range(look))
            answer = self._call("read the tabs", lambda h: h.values_batch_get(
                self.spreadsheet_id, ranges, params=dict(READ_OPTIONS)))
            value_ranges = answer.get("valueRanges", [])
            if about in meta and len(value_ranges) > len(present):
                cells = value_ranges.pop().get("values") or [[""]]
                dressed_as = str(cells[0][0]) if cells[0] else ""
        frames, positions, width, last_row, headers, stale = [], {}, {}, {}, {}, []
        for tab, value_range in zip(present, value_ranges, strict=True):
            values = value_range.get("values", [])
            header = values[0] if values else []
            where: dict[str, int] = {}
            for index, name in enumerate(header):
                column = column_of(name, look.columns)
                if column is not None and column not in where:
                    where[column] = index
            positions[tab], width[tab], last_row[tab] = where, len(header), len(values)
            headers[tab] = list(header)
            body = list(zip_longest(*values[1:], fillvalue=None))  # columns, padded
            frame = pd.DataFrame({TAB: tab, ROW: np.arange(2, len(values) + 1)})
            for column, index in where.items():
                cells = body[index] if index < len(body) else (None,) * len(frame)
                # a header still the code's name: an earlier version wrote the code's words
                written_in = "en" if str(header[index]).strip() == column else None
                frame[column], old = read_cells(column, np.array(cells, dtype=object), look,
                                                written_in)
                if old.any():
                    stale.append(pd.DataFrame({"tab": tab, "row": frame[ROW][old],
                                               "column": column, "value": frame[column][old]}))
            frames.append(frame)
        frame = (pd.concat(frames, ignore_index=True) if frames
                 else pd.DataFrame({TAB: pd.Series(dtype="str"), ROW: pd.Series(dtype=int)}))
        remote = RemoteTabs(frame, meta, positions, width, last_row, headers,
                            dressed_as=dressed_as)
        return replace(remote, stale=pd.concat(stale, ignore_index=True)) if stale else remote

    def decor(self) -> dict[str, Decor]:
        """The sync's own protections and colour rules of every tab (before dressing tabs
        again): one ``spreadsheets.get``, only on the rare runs that dress an existing tab."""
        answer = self._call("read the tabs' formats", lambda h: h.fetch_sheet_metadata(
            self.spreadsheet_id, params={"fields": DECOR_FIELDS}))
        return {sheet["properties"]["title"]: decor_of(sheet)
                for sheet in answer.get("sheets", [])}

    # -- writing ------------------------------------------------------------------------------

    def setup(self, remote: RemoteTabs, tabs: Sequence[str],
              look: Look) -> tuple[RemoteTabs, int]:
        """Create the missing tabs and the About tab, dressed (:func:`.layout.format_requests`,
        :func:`.about.about_requests`), in one ``spreadsheets:batchUpdate``; the header and
        legend text are written by :meth:`write` with the rows.  Returns the tabs and the
        number of write requests made (0 or 1)."""
        missing = remote.missing(tabs)
        about = about_title(look)
        if not missing and about in remote.tabs:
            return remote, 0
        taken = {t.sheet_id for t in remote.tabs.values()}
        requests: list[dict[str, Any]] = []
        created = dict(remote.tabs)
        where = {c: i for i, c in enumerate(look.columns)}
        for title in missing:
            sheet_id = self.new_sheet_id()
            while sheet_id in taken:
                sheet_id = self.new_sheet_id()
            taken.add(sheet_id)
            tab = Tab(title, sheet_id, NEW_TAB_ROWS, max(26, len(look.columns)))
            created[title] = tab
            requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": title,
                "gridProperties": {"rowCount": tab.rows, "columnCount": tab.cols,
                                   "frozenRowCount": 1}}}})
            requests += format_requests(sheet_id, where, tab.rows, look)
        if about not in remote.tabs:
            sheet_id = self.new_sheet_id()
            while sheet_id in taken:
                sheet_id = self.new_sheet_id()
            created[about] = Tab(about, sheet_id, ABOUT_ROWS, ABOUT_COLUMNS)
            requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": about,
                "gridProperties": {"rowCount": ABOUT_ROWS, "columnCount": ABOUT_COLUMNS}}}})
            requests += about_requests(sheet_id, look)
            missing.append(about)
        self._call("create the tabs " + ", ".join(missing),
                   lambda h: h.batch_update(self.spreadsheet_id, {"requests": requests}))
        return replace(remote, tabs=created,
                       positions={**remote.positions, **{t: {} for t in missing}},
                       width={**remote.width, **{t: 0 for t in missing}},
                       last_row={**remote.last_row, **{t: 0 for t in missing}},
                       headers={**remote.headers, **{t: [] for t in missing}},
                       created=remote.created | set(missing)), 1

    def write(self, plan: Plan, remote: RemoteTabs, look: Look, *,
              reformat: bool = False) -> int:
        """Apply the plan's Sheets side: grow grids and dress the tabs whose header changed
        (or all with ``reformat``) in one ``spreadsheets:batchUpdate``, then every cell in
        ``values:batchUpdate`` requests (one unless above ``max_payload``).  The About tab's
        stamp rides along when anything else is written, its legend when tabs were dressed.
        Returns the number of write requests made."""
        tabs = [t for t in remote.positions if t != about_title(look)]
        layout = {t: self._layout(remote, t, look.columns) for t in tabs}
        data: list[dict[str, Any]] = []
        dressed = []
        for tab in tabs:
            where, _ = layout[tab]
            shown = remote.headers.get(tab, [])
            relabel = [c for c in look.columns
                       if where[c] >= len(shown) or shown[where[c]] != look.label(c)]
            data += [{"range": f"{quote_sheet(tab)}!{column_letter(where[c])}1",
                      "values": [[look.label(c)]]} for c in relabel]
            restyle = reformat or remote.dressed_as != look.signature()
            if tab not in remote.created and (restyle or relabel):
                dressed.append(tab)
        deletes, gone = _deletions(plan.remote_clears, remote)
        data += self._updates(_shifted(remote.stale, gone), layout, look)
        data += self._updates(_shifted(plan.remote_updates, gone), layout, look)
        adds, grow = self._adds(plan.remote_adds, remote, layout, look, gone)
        data += adds
        requests = deletes + [g for g in grow if g]
        rows = {t: remote.tabs[t].rows - len(gone.get(t, ())) for t in tabs}
        for request in requests[len(deletes):]:
            body = request["appendDimension"]
            tab = next(t for t in tabs if remote.tabs[t].sheet_id == body["sheetId"])
            if body["dimension"] == "ROWS":
                if tab not in dressed:  # new rows get the formats and validations of the old
                    requests += cell_requests(body["sheetId"], layout[tab][0], look,
                                              rows[tab], rows[tab] + body["length"])
                rows[tab] += body["length"]
        about = about_title(look)
        if about in remote.tabs and (reformat or dressed or about in remote.created
                                     or remote.dressed_as != look.signature()):
            data += legend_ranges(look)
            data.append({"range": signature_range(look), "values": [[look.signature()]]})
            if about not in remote.created:  # the legend's rows may have moved
                requests += about_requests(remote.tabs[about].sheet_id, look)
        if dressed:
            decor = self.decor()
            for tab in dressed:
                requests += format_requests(remote.tabs[tab].sheet_id, layout[tab][0],
                                            rows[tab], look, decor.get(tab, Decor()))
        made = 0
        if requests:
            self._call("format the tabs", lambda h: h.batch_update(
                self.spreadsheet_id, {"requests": requests}))
            made += 1
        if data and about in remote.tabs:
            data.append(stamp_range(look, plan.remote_changes, len(plan.conflicts)))
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
    def _updates(updates: pd.DataFrame, layout: Mapping[str, tuple[dict[str, int], list[str]]],
                 look: Look) -> list[dict[str, Any]]:
        """One single-cell range per changed cell (adjacent cells are rare and small), each
        value as the tab shows it."""
        if updates.empty:
            return []
        letters = [column_letter(layout[t][0][c]) for t, c in
                   zip(updates["tab"], updates["column"], strict=True)]
        ranges = (updates["tab"].map(quote_sheet) + "!" + pd.Series(letters, index=updates.index)
                  + updates["row"].astype("str"))
        values = updates["value"].astype(object)
        for column in updates["column"].unique():
            mask = updates["column"] == column
            values[mask] = shown_cells(column, values[mask], look)
        values = values.map(json_cell)
        return [{"range": r, "values": [[v]]} for r, v in zip(ranges, values, strict=True)]

    def _adds(self, adds: pd.DataFrame, remote: RemoteTabs,
              layout: Mapping[str, tuple[dict[str, int], list[str]]], look: Look,
              gone: Mapping[str, np.ndarray],
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
        """New rows as blocks below each tab's last used row, in call-list order
        (``look.order``), and the grid growth they need."""
        data: list[dict[str, Any]] = []
        grow: list[dict[str, Any] | None] = []
        for tab in layout:
            where = layout[tab][0]
            rows = adds[adds[TAB] == tab]
            if len(rows) > 1 and tab in look.order:
                rank = pd.Index(list(map(str, look.order[tab]))).get_indexer(
                    rows[look.key].astype(str))
                rank = np.where(rank < 0, len(look.order[tab]), rank)
                rows = rows.iloc[np.argsort(rank, kind="stable")]
            width = max(where.values()) + 1
            deleted = len(gone.get(tab, ()))
            start = max(remote.last_row.get(tab, 0) - deleted, 1) + 1
            end = start + len(rows) - 1
            grid = replace(remote.tabs[tab], rows=remote.tabs[tab].rows - deleted)
            grow.append(_grow(grid, "ROWS", end - grid.rows))
            grow.append(_grow(grid, "COLUMNS", width - grid.cols))
            if rows.empty:
                continue
            block = np.full((len(rows), width), None, dtype=object)
            for column, index in where.items():
                if column in rows:
                    block[:, index] = shown_cells(column, rows[column], look).map(
                        json_cell).to_numpy()
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


def _deletions(clears: pd.DataFrame, remote: RemoteTabs,
               ) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """``deleteDimension`` requests for the rows of customers leaving their tabs (bottom
    first, each run of adjacent rows in one request), and each tab's deleted rows (sorted)."""
    requests, gone = [], {}
    for tab, rows in clears.groupby("tab", sort=True)["row"]:
        ordered = np.unique(rows.to_numpy(dtype=np.int64))
        gone[tab] = ordered
        breaks = np.flatnonzero(np.diff(ordered) != 1) + 1
        for block in reversed(np.split(ordered, breaks)):
            requests.append({"deleteDimension": {"range": {
                "sheetId": remote.tabs[tab].sheet_id, "dimension": "ROWS",
                "startIndex": int(block[0]) - 1, "endIndex": int(block[-1])}}})
    return requests, gone


def _shifted(cells: pd.DataFrame, gone: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Cell writes with their rows as they are once the ``gone`` rows are deleted (writes to a
    deleted row are dropped)."""
    if cells.empty or not gone:
        return cells
    rows = cells["row"].to_numpy(dtype=np.int64).copy()
    keep = np.ones(len(cells), dtype=bool)
    tabs = cells["tab"].to_numpy()
    for tab, deleted in gone.items():
        mine = tabs == tab
        at = rows[mine]
        keep[mine] = ~np.isin(at, deleted)
        rows[mine] = at - np.searchsorted(deleted, at)
    return cells.assign(row=rows)[keep]


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
