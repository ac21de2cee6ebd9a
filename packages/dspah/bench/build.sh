#!/bin/sh
# Bundle a bench script with the @cmh packages taken from source (not dist/), other deps external.
# Usage: sh packages/dspah/bench/build.sh run   ->  packages/tensor-core/.tmp/dspah-run.mjs (there so tfjs resolves)
set -e
cd "$(dirname "$0")/../../.."
aliases=""
for p in tensor-core datasets hamming-index metrics baselines; do
  aliases="$aliases --alias:@cmh/$p=./packages/$p/src/index.ts"
done
npx esbuild "packages/dspah/bench/$1.ts" --bundle --platform=node --format=esm --packages=external \
  $aliases --outfile="packages/tensor-core/.tmp/dspah-$1.mjs" --log-level=warning
