"""The .xlsx/.xlsm file format: reading input sheets, writing result sheets into a user's
workbook without touching the rest, editing cells, atomic writes.
"""
