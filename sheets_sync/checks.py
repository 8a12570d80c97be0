"""Every configuration problem at once, before a run touches the network.

:func:`sheets_sync.config.load_config` reports what makes the file unreadable (bad TOML; every
unknown key and value of the wrong kind, all in one error).  What a readable configuration can
still get wrong is looked at here, all of it, so a person fixes everything in one go: the
workbook is missing, the spreadsheet id is still the sample's placeholder, the key file or the
OAuth client is missing, no sign-in is cached.  ``potentiel sync check`` prints them; every
run starts with them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sheets_sync.config import ENDPOINT_ENV, OAUTH_CLIENT_ENV, SyncConfig, problems_error
from sheets_sync.google.auth import TOKEN_FILE, config_dir

PLACEHOLDERS = ("YOUR-SPREADSHEET-ID", "YOUR_SPREADSHEET_ID")


def problems(config: SyncConfig, env: Mapping[str, str] | None = None) -> list[str]:
    """What stops this configuration from syncing, each with what to do (empty: none)."""
    env = os.environ if env is None else env
    found = []
    if not config.workbook.is_file():
        found.append(f"the workbook {config.workbook} does not exist (fix 'workbook')")
    if config.spreadsheet.upper() in PLACEHOLDERS:
        found.append("'spreadsheet' is still the sample's placeholder (paste the spreadsheet's "
                     "address from the browser)")
    if config.credentials == "file" and config.credentials_file is not None \
            and not config.credentials_file.is_file():
        found.append(f"the service account key file {config.credentials_file} does not exist "
                     "(download a JSON key in the Google Cloud console, IAM > Service "
                     "accounts > Keys)")
    if config.credentials == "oauth":
        token = config_dir(env) / TOKEN_FILE
        client = config.oauth_client
        if not token.is_file() and (client is None or not client.is_file()):
            found.append(f"no Google sign-in is cached and the OAuth client file "
                         f"{client or '(not set)'} does not exist (set 'oauth_client' or "
                         f"{OAUTH_CLIENT_ENV} to a desktop client's JSON, then run `potentiel "
                         f"sync login --config {config.path.name}`)")
    if config.credentials == "default":
        named = env.get("GOOGLE_APPLICATION_CREDENTIALS")
        if named and not os.path.isfile(named):
            found.append(f"GOOGLE_APPLICATION_CREDENTIALS names {named}, which does not exist")
    if config.credentials == "none" and not config.endpoint:
        found.append(f"credentials = \"none\" works only with 'endpoint' or {ENDPOINT_ENV}")
    return found


def check(config: SyncConfig, env: Mapping[str, str] | None = None) -> None:
    """Raise one :class:`SyncConfigError` listing every problem of ``config``, if any."""
    found = problems(config, env)
    if found:
        raise problems_error(config.path.name, found)
