#!/usr/bin/env bash
# System packages the test suite drives for real: LibreOffice (opens our workbooks headless),
# pdftoppm (renders its PDFs to PNG), the metric-compatible fonts Carlito and Caladea (renders
# show Calibri/Cambria widths) and cron (crontab for `potentiel schedule`). Python packages
# come from pyproject extras; these are Debian packages, so they are installed here, once, when
# missing.
set -euo pipefail
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v crontab >/dev/null 2>&1 || missing+=(cron)
fc-list 2>/dev/null | grep -qi carlito || missing+=(fonts-crosextra-carlito)
fc-list 2>/dev/null | grep -qi caladea || missing+=(fonts-crosextra-caladea)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "potentiel tests need: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
echo "installing ${missing[*]} (one time; LibreOffice takes a few minutes)..."
# Another apt (unattended upgrades, a CI image's first boot) may hold the dpkg lock: wait for
# it, up to 10 minutes, instead of failing at once. apt's own progress stays on screen.
wait_for_lock=(-o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive
apt-get "${wait_for_lock[@]}" update
apt-get "${wait_for_lock[@]}" install -y --no-install-recommends \
  -o Dpkg::Progress-Fancy=1 "${missing[@]}"
