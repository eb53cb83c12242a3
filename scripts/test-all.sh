#!/usr/bin/env bash
# The README's test command (and CI's, through .ci/run): installs what a fresh Debian 12 machine
# lacks, starts MariaDB if it does not answer, installs and builds the workspace, writes the
# reference fixtures, runs `pnpm test` and the compose test (`pnpm test:compose`), and ends with one
# line adding them up: N passed, N failed, N skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
log() { echo "[ci] $*"; }

need_pkgs=()
for p in chromium python3-sklearn python3-pandas python3-onnx python3-xgboost; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_pkgs+=("$p")
done
if ! mariadb-admin ping >/dev/null 2>&1 && ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
  need_pkgs+=(mariadb-server)
fi
if ((${#need_pkgs[@]})); then
  log "apt-get install ${need_pkgs[*]}"
  apt-get update -q >/dev/null && apt-get install -y -q "${need_pkgs[@]}" >/dev/null || { log "apt-get failed"; echo "0 passed, 1 failed"; exit 1; }
fi

if ! mariadb-admin ping >/dev/null 2>&1; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 60); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done
fi
mariadb-admin ping >/dev/null 2>&1 || { log "MariaDB does not answer"; echo "0 passed, 1 failed"; exit 1; }

command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10.34.9 >/dev/null 2>&1
log "pnpm $(pnpm --version), node $(node --version)"
pnpm install --frozen-lockfile || { echo "0 passed, 1 failed"; exit 1; }
pnpm build || { log "build failed"; echo "0 passed, 1 failed"; exit 1; }
if grep -q '"fixtures"' package.json; then
  pnpm fixtures || { log "fixtures failed"; echo "0 passed, 1 failed"; exit 1; }
fi

total_p=0; total_f=0; total_s=0
add_counts() {   # reads the last "N passed, N failed[, N skipped]" line of a log
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [[ -z $line ]]; then total_f=$((total_f + 1)); log "$2 printed no counts"; return; fi
  local p f s
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
  s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
  total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
}

out=$(mktemp -d)
log "pnpm test"
pnpm test 2>&1 | tee "$out/test.log"
add_counts "$out/test.log" "pnpm test"
log "pnpm test:compose"
pnpm test:compose 2>&1 | tee "$out/compose.log"
add_counts "$out/compose.log" "pnpm test:compose"

echo "$total_p passed, $total_f failed, $total_s skipped"
[[ $total_f = 0 ]]
