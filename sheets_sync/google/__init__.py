"""Google's side of the sync: the Sheets client over gspread, the HTTP transport and endpoint
override, retries with backoff, and credentials.
"""
