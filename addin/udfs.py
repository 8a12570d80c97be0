"""Excel formulas in desktop Excel on Windows: potentiel's formulas as classic xlwings UDFs.

The formulas themselves (arguments, broadcasting, per-cell messages, help) are in
:mod:`addin.app.formulas`, shared with xlwings Lite (Mac, Excel on the web); this module only
registers them with classic xlwings, whose VBA wrappers (the template's ``xlwings.conf``)
call ``addin.udfs``.  Text results that Excel could read as a formula come back with a
leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from addin.app import formulas
from addin.app.formulas import ARGUMENTS, CATEGORY, CELLS, declare, functions, signature

CUSTOMER_TYPE = declare(formulas.CUSTOMER_TYPE, xw.func, xw.arg)
PROSPECT_SCORE = declare(formulas.PROSPECT_SCORE, xw.func, xw.arg)
TEMPERATURE = declare(formulas.TEMPERATURE, xw.func, xw.arg)
MARGIN_RATE = declare(formulas.MARGIN_RATE, xw.func, xw.arg)
MARKUP_RATE = declare(formulas.MARKUP_RATE, xw.func, xw.arg)
DISCOUNT_RATE = declare(formulas.DISCOUNT_RATE, xw.func, xw.arg)
AVG_ORDER_VALUE = declare(formulas.AVG_ORDER_VALUE, xw.func, xw.arg)
CONTRIBUTION = declare(formulas.CONTRIBUTION, xw.func, xw.arg)
BREAK_EVEN_ORDER_VALUE = declare(formulas.BREAK_EVEN_ORDER_VALUE, xw.func, xw.arg)
RFM_SEGMENT = declare(formulas.RFM_SEGMENT, xw.func, xw.arg)
GENERATION = declare(formulas.GENERATION, xw.func, xw.arg)
POTENTIEL_ANALYZE = declare(formulas.POTENTIEL_ANALYZE, xw.func, xw.arg)
POTENTIEL_SEGMENT = declare(formulas.POTENTIEL_SEGMENT, xw.func, xw.arg)

#: Every formula as registered here, in the order the documentation lists them.
FORMULAS: tuple[Callable[..., Any], ...] = (
    CUSTOMER_TYPE, PROSPECT_SCORE, TEMPERATURE, MARGIN_RATE, MARKUP_RATE, DISCOUNT_RATE,
    AVG_ORDER_VALUE, CONTRIBUTION, BREAK_EVEN_ORDER_VALUE, RFM_SEGMENT, GENERATION,
    POTENTIEL_ANALYZE, POTENTIEL_SEGMENT)

__all__ = ["ARGUMENTS", "CATEGORY", "CELLS", "FORMULAS", "functions", "signature",
           *(f.__name__ for f in FORMULAS)]
