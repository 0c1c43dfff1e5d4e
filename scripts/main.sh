#!/usr/bin/env bash
# The main job: set up what is missing, train matrix factorization (with biases) on the
# built-in MovieLens-shaped data set, then recommend for one user and list similar items.
# Extra arguments go to `sparsegrad train` (e.g. --scale ml20m --batch-size 25000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
node dist/cli.js train --model mf --biases --scale small --epochs 5 --lr 0.005 --batch-size 1000 --out out/model.sgm "$@"
user=$(node -e "import('./dist/index.js').then(sg => { const m = sg.load('out/model.sgm'); console.log(m.meta.userIds[0]); })")
node dist/cli.js recommend --model out/model.sgm --user "$user" -k 10
item=$(node -e "import('./dist/index.js').then(sg => { const m = sg.load('out/model.sgm'); console.log(m.meta.itemIds[0]); })")
node dist/cli.js similar --model out/model.sgm --item "$item" -k 5
