#!/usr/bin/env bash
# The test command: set up what is missing, then run the whole suite under a virtual X
# display (headless-gl needs one). Ends with "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
if [[ -z "${DISPLAY:-}" ]]; then
  exec xvfb-run -a -s "-screen 0 1280x1024x24" node scripts/run-tests.mjs "$@"
fi
exec node scripts/run-tests.mjs "$@"
