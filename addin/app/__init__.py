"""What the adapters share: the jobs (analyse, run, demo, the macro buttons), the sides a job
reads and writes (a file, or the workbook open in Excel), and cell conversions for Excel.
"""
