"""Two-way sync of segment lists between the workbook and a Google spreadsheet."""
