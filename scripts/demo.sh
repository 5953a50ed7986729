#!/usr/bin/env bash
# The main job: set up, bring the demo lab up with the blog's veth fault (XDP_TX refused with ENXIO),
# and run xdp-doctor on it. The lab stays up afterwards so you can poke at it; `xdp-doctor lab down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cli=(node dist/src/cli.js)
"${cli[@]}" lab down >/dev/null
"${cli[@]}" lab up --fault veth-peer
echo
# The wizard in a terminal, the plain report otherwise (xdp-doctor decides from the TTYs and CI).
set +e
"${cli[@]}" --lab
code=$?
set -e
echo
echo "The lab is still up: try \`node dist/src/cli.js --lab --fix\`, \`node dist/src/cli.js lab status\`, or \`node dist/src/cli.js lab down\`."
# The veth fault is supposed to make the ladder fail (exit 1); anything else is a real problem.
[ "$code" = 1 ] || [ "$code" = 0 ] || exit "$code"
