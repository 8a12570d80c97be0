"""One palette with one meaning everywhere: what a colour on a result says to the reader.

The Excel result sheets (conditional formats) and the Google Sheets tabs (conditional format
rules) colour the same values the same way, so a salesperson reads a colour once and knows it in
both places.  Four meanings, each a (font, fill) pair of ARGB colours:

- ``opportunity`` — worth a call now (hot prospects): blue, never the red of a loss;
- ``good`` — healthy (loyal customers, Champions, ABC A, high profitability): green;
- ``watch`` — keep an eye on it (warm prospects, At Risk, ABC B, disloyal): amber;
- ``act`` — something is going wrong (lost customers, Can't Lose, low profitability): red;
- ``neutral`` — shown but unremarkable (cold prospects, ABC C and D): grey.
"""

from __future__ import annotations

#: meaning -> (font ARGB, fill ARGB)
MEANINGS: dict[str, tuple[str, str]] = {
    "opportunity": ("FF1F4E78", "FFBDD7EE"),
    "good": ("FF006100", "FFC6EFCE"),
    "watch": ("FF9C5700", "FFFFEB9C"),
    "act": ("FF9C0006", "FFFFC7CE"),
    "neutral": ("FF595959", "FFEDEDED"),
}

#: column -> canonical value -> meaning.  The values are canonical (the code's words); each
#: surface shows them in the workbook's language.
COLOURED_VALUES: dict[str, dict[str, str]] = {
    "temperature": {"hot": "opportunity", "warm": "watch", "cold": "neutral"},
    "customer_type": {"lost": "act", "disloyal": "watch", "loyal": "good"},
    "abc_class": {"A": "good", "B": "watch", "C": "neutral", "D": "neutral"},
    "rfm_segment": {"Can't Lose": "act", "At Risk": "watch", "Champions": "good"},
    "profitability": {"high": "good", "low": "act"},
}
