#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL (team backend) and Chromium (browser
# tests). Idempotent; never downloads a browser of its own (no `playwright install`).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
dpkg -s libatomic1 >/dev/null 2>&1 || need+=(libatomic1)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
