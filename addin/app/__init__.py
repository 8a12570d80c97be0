"""What the adapters share: the jobs (analyse, run, demo, the macro buttons), the sides a job
reads and writes (a file, or the workbook open in Excel), cell conversions for Excel, the
formulas that classic xlwings and xlwings Lite both register, and the files for xlwings Lite.
"""
