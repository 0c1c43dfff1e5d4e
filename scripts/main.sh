#!/usr/bin/env bash
# The main job: set up what is missing, train matrix factorization on the built-in
# MovieLens-shaped data set with the defaults (no hyper-parameter flags: the defaults are the
# product — biased MF, Funk-SVD regularised, early stopping; the log says which epoch the
# checkpoint kept), then recommend for one user and list similar items.
# Extra arguments go to `sparsegrad train` (e.g. --scale ml20m, or --data ml-100k/u1.base --test ml-100k/u1.test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
node dist/cli.js train --out out/model.sgm "$@"
user=$(node -e "import('./dist/index.js').then(sg => { const m = sg.load('out/model.sgm'); console.log(m.meta.userIds[0]); })")
node dist/cli.js recommend --model out/model.sgm --user "$user" -k 10
item=$(node -e "import('./dist/index.js').then(sg => { const m = sg.load('out/model.sgm'); console.log(m.meta.itemIds[0]); })")
node dist/cli.js similar --model out/model.sgm --item "$item" -k 5
