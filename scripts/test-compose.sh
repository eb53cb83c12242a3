#!/usr/bin/env bash
# pnpm test:compose — builds the real images and brings the real docker-compose.yml up (podman +
# docker-compose here; see ../shared/notes/containers.md), signs in over HTTP on 127.0.0.1:5000,
# checks that viz and db are not published and that each container sees only its secrets, then
# tears everything down. Ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
PROJECT=${COMPOSE_PROJECT:-enchilada-test}
SHARED=${SHARED_DIR:-../shared}
passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "  ✓ $*"; }
bad()  { failed=$((failed + 1)); echo "  ✗ $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
now() { date +%s.%N; }

if [[ -z ${DOCKER_HOST:-} ]] && ! docker info >/dev/null 2>&1; then
  if [[ -x $SHARED/tools/containers.sh ]]; then
    SHARED=$(cd "$SHARED" && pwd)
    # A podman service or healthcheck loop started from a folder that is gone since (an earlier
    # clone) cannot start containers ("conmon: Failed to get working directory"): stop it, and
    # start them from / so that removing this clone later cannot break them either.
    for pidfile in /run/podman/service.pid /run/podman/healthcheck-loop.pid; do
      pid=$(cat "$pidfile" 2>/dev/null || true)
      if [[ -n $pid ]] && [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == *"(deleted)" ]]; then
        echo "stopping the podman helper $pid started from a deleted folder"; kill "$pid" 2>/dev/null; rm -f "$pidfile"; sleep 1
      fi
    done
    env_file=$(mktemp)
    (cd / && "$SHARED/tools/containers.sh" setup) > "$env_file" || { echo "container setup failed"; echo "0 passed, 1 failed"; exit 1; }
    . "$env_file"
    "$SHARED/tools/containers.sh" standins || { echo "stand-in images failed"; echo "0 passed, 1 failed"; exit 1; }
    standins=1
  fi
fi
COMPOSE=(docker-compose -p "$PROJECT")
docker compose version >/dev/null 2>&1 && [[ -z ${standins:-} ]] && COMPOSE=(docker compose -p "$PROJECT")

cleanup() {
  "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1
  [[ -n ${standins:-} ]] && "$SHARED/tools/containers.sh" teardown "$PROJECT" >/dev/null 2>&1
  rm -rf "$jar_dir"
}
jar_dir=$(mktemp -d)
trap cleanup EXIT

for port in 5000 5006; do
  if curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/"; then
    echo "port $port on 127.0.0.1 is already in use by another process: stop it first (the compose stack publishes 5000, and 5006 must stay closed)"
    echo "0 passed, 1 failed"; exit 1
  fi
done
bash secrets/create-secrets.sh >/dev/null
chmod 644 secrets/db_root_password secrets/db_user_password secrets/db_serve_password secrets/web_secret_key secrets/viz_secret_key

echo "building images"
t0=$(now)
if ! "${COMPOSE[@]}" build 2>&1 | tail -n 3; then bad "images build"; fi
t1=$(now)
echo "build: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
for img in enchilada-web enchilada-viz enchilada-serve; do
  size=$(docker image inspect "$img:latest" --format '{{.Size}}' 2>/dev/null)
  [[ -n $size ]] && echo "image $img: $((size / 1000000)) MB"
done

echo "starting the stack"
t_up=$(now)
for attempt in 1 2; do   # once more if the engine fails to start a container (it has, transiently)
  if "${COMPOSE[@]}" up -d > "$jar_dir/up.log" 2>&1; then tail -n 5 "$jar_dir/up.log"; break; fi
  tail -n 5 "$jar_dir/up.log"; echo "compose up failed (attempt $attempt)"; sleep 2
done
ready=
for _ in $(seq 240); do
  if curl -fsS -o /dev/null http://127.0.0.1:5000/readyz 2>/dev/null; then ready=1; break; fi
  sleep 0.5
done
check "web answers /readyz on 127.0.0.1:5000" test -n "$ready"
if [[ -z $ready ]]; then "${COMPOSE[@]}" logs --tail 40; fi

user=$(grep -m1 -E '^\s+MYSQL_USER:' docker-compose.yml | awk '{print $2}')
password=$(cat secrets/db_user_password)
jar=$jar_dir/cookies
login_page=$(curl -fsS -c "$jar" -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/login)
csrf=$(printf '%s' "$login_page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
status=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" -H 'accept: text/html' \
  --data-urlencode "username=$user" --data-urlencode "password=$password" --data-urlencode "_csrf=$csrf" http://127.0.0.1:5000/login)
check "sign-in as $user with the secret's password answers 303 to the Account page (first sign-in)" test "$status" = "303 http://127.0.0.1:5000/account"
# The bootstrap administrator chooses their own web password, so it parts from the database's.
account=$(curl -sS -c "$jar" -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/account)
csrf=$(printf '%s' "$account" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H 'accept: text/html' --data-urlencode "current=$password" \
  --data-urlencode "password=$password-web" --data-urlencode "repeat=$password-web" --data-urlencode "_csrf=$csrf" http://127.0.0.1:5000/account/password)
check "the first administrator chooses a web password (303)" test "$status" = 303
home=$(curl -sS -c "$jar" -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/)
t_signed=$(now)
check "the signed-in home page names the user" grep -q "$user" <<<"$home"
echo "up → signed-in page: $(awk "BEGIN{printf \"%.1f\", $t_signed - $t_up}") s"
# web's /readyz does not wait for viz, which starts beside it: ask until viz answers (up to 60 s; seen
# once in CI: the first request, 11.6 s after up, came before viz listened).
for _ in $(seq 60); do
  doc=$(curl -sS -b "$jar" http://127.0.0.1:5000/viz/documents/overview)
  grep -q '"name":"Plot"' <<<"$doc" && break
  sleep 1
done
echo "up → overview document: $(awk "BEGIN{printf \"%.1f\", $(now) - $t_up}") s"
check "the overview document comes from viz through web's proxy" grep -q '"name":"Plot"' <<<"$doc"
page=$(curl -sS -c "$jar" -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/datasets)
csrf2=$(printf '%s' "$page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
loaded=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H 'accept: text/html' --data-urlencode "_csrf=$csrf2" http://127.0.0.1:5000/datasets/toy/iris/load)
check "loading the Iris toy dataset answers 303" test "$loaded" = 303
check "the datasets page shows Iris loaded with 150 rows" grep -q '150 rows' <<<"$(curl -sS -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/datasets)"
# A training job runs in the viz container (worker threads, onnxruntime) and its results document builds.
iris_id=$(curl -sS -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/datasets | tr '\n' ' ' | sed -n 's/.*<tr data-toy="iris">[^<]*<td><a href="\/datasets\/toy\/iris">.*href="\/datasets\/\([0-9]*\)">Open.*/\1/p' | head -n1)
job=$(curl -sS -b "$jar" -H 'content-type: application/json' -H 'accept: application/json' -H "x-csrf-token: $csrf2" \
  -d "{\"dataset\":${iris_id:-0},\"model\":\"logistic_regression\",\"features\":[\"sepal_length\",\"sepal_width\",\"petal_length\",\"petal_width\"],\"trainFraction\":0.8,\"ranges\":{\"C\":{\"min\":0.1,\"max\":20.1}}}" \
  http://127.0.0.1:5000/api/train | sed -n 's/.*"job":\([0-9]*\).*/\1/p')
state=
for _ in $(seq 120); do
  state=$(curl -sS -b "$jar" -H 'accept: application/json' "http://127.0.0.1:5000/api/jobs/${job:-0}" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
  [[ $state = done || $state = failed || $state = cancelled ]] && break
  sleep 0.5
done
check "a training job runs to done in the viz container (job ${job:-none}: ${state:-no state})" test "$state" = done
model=$(curl -sS -b "$jar" -H 'accept: application/json' "http://127.0.0.1:5000/api/jobs/${job:-0}" | sed -n 's/.*"modelId":\([0-9]*\).*/\1/p')
check "its results document is built from the ONNX model" grep -q 'Confusion matrix, test' <<<"$(curl -sS -b "$jar" "http://127.0.0.1:5000/viz/documents/results?model=${model:-0}")"

# Serving: publish that model, create an API key, and call the prediction API on the published port 8000.
mcsrf=$(curl -sS -c "$jar" -b "$jar" -H 'accept: text/html' "http://127.0.0.1:5000/models/${model:-0}" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
published=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H 'accept: text/html' --data-urlencode "name=iris-compose" --data-urlencode "_csrf=$mcsrf" "http://127.0.0.1:5000/models/${model:-0}/publish")
check "publishing the model as iris-compose answers 303" test "$published" = 303
kpage=$(curl -sS -c "$jar" -b "$jar" -H 'accept: text/html' --data-urlencode "label=compose" --data-urlencode "scope=iris-compose" --data-urlencode "_csrf=$mcsrf" http://127.0.0.1:5000/api-keys)
key=$(printf '%s' "$kpage" | sed -n 's/.*data-testid="new-key-value">\([^<]*\)<.*/\1/p' | head -n1)
check "an API key is created and shown once" test -n "$key"
obs='{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}'
answer=
for _ in $(seq 40); do   # serve notices the new name and key within 5 s
  answer=$(curl -sS -m 5 -H "authorization: Bearer $key" -H 'content-type: application/json' -d "{\"id\":\"compose-1\",\"observation\":$obs}" http://127.0.0.1:8000/v1/models/iris-compose/predict 2>/dev/null)
  grep -q '"prediction"' <<<"$answer" && break
  sleep 0.5
done
check "serve on 127.0.0.1:8000 predicts with the key (${answer:0:80})" grep -q '"prediction":"setosa"' <<<"$answer"
outcome=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $key" -H 'content-type: application/json' -d '{"id":"compose-1","outcome":"setosa"}' http://127.0.0.1:8000/v1/models/iris-compose/outcomes)
check "the stored prediction takes its outcome (200)" test "$outcome" = 200
nokey=$(curl -sS -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -d "{\"id\":\"compose-2\",\"observation\":$obs}" http://127.0.0.1:8000/v1/models/iris-compose/predict)
check "a request without a key is refused (401)" test "$nokey" = 401
check "serve is ready: database reachable, every published model loaded" test "$(curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/readyz)" = 200
# Stateless: two replicas (ephemeral host ports, as two cannot share 8000) serve the same names and
# keys from the database; a prediction stored through one takes its outcome through the other.
SERVE_PUBLISH=8000 "${COMPOSE[@]}" up -d --no-deps --scale serve=2 serve >/dev/null 2>&1
ports=()
for i in 1 2; do ports+=("$(SERVE_PUBLISH=8000 "${COMPOSE[@]}" port --index="$i" serve 8000 2>/dev/null | sed -n 's/.*:\([0-9]*\)$/\1/p')"); done
replica_ok() {   # port id: predicts through that replica, waiting for it to load the model
  for _ in $(seq 60); do
    curl -sS -m 5 -H "authorization: Bearer $key" -H 'content-type: application/json' -d "{\"id\":\"$2\",\"observation\":$obs}" "http://127.0.0.1:$1/v1/models/iris-compose/predict" 2>/dev/null | grep -q '"prediction"' && return 0
    sleep 0.5
  done
  return 1
}
check "--scale serve=2 runs two replicas (host ports ${ports[*]:-none})" test -n "${ports[0]:-}" -a -n "${ports[1]:-}" -a "${ports[0]:-}" != "${ports[1]:-}"
check "replica 1 predicts" replica_ok "${ports[0]:-0}" scale-1
check "replica 2 predicts" replica_ok "${ports[1]:-0}" scale-2
cross=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $key" -H 'content-type: application/json' -d '{"id":"scale-1","outcome":"setosa"}' "http://127.0.0.1:${ports[1]:-0}/v1/models/iris-compose/outcomes")
check "a prediction made through replica 1 takes its outcome through replica 2" test "$cross" = 200
dup=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $key" -H 'content-type: application/json' -d "{\"id\":\"scale-2\",\"observation\":$obs}" "http://127.0.0.1:${ports[0]:-0}/v1/models/iris-compose/predict")
check "an id used through replica 2 is refused as a duplicate by replica 1 (409)" test "$dup" = 409
# Two viz replicas share the training queue (SELECT … FOR UPDATE SKIP LOCKED): two jobs queued at
# once are claimed by different replicas (each runs one job at a time), each runs exactly once, and
# documents build the same through either replica (web's proxy reaches them by the service name).
"${COMPOSE[@]}" up -d --no-deps --scale viz=2 viz >/dev/null 2>&1
sql() {   # one query as root inside the db container, tab-separated, no header
  "${COMPOSE[@]}" exec -T db sh -c 'c=$(command -v mysql || command -v mariadb); exec "$c" -uroot -p"$(cat /run/secrets/db_root_password)" -N -B ml_data -e "$0"' "$1" 2>/dev/null | tr -d '\r'
}
vizes=0
for _ in $(seq 60); do
  vizes=$("${COMPOSE[@]}" ps -q viz 2>/dev/null | grep -c .)
  [[ $vizes -ge 2 ]] && break
  sleep 1
done
check "--scale viz=2 runs two viz replicas ($vizes running)" test "$vizes" -ge 2
sleep 8   # the new replica waits for the schema, then polls the queue every 500 ms
vjobs=()
for _ in 1 2; do
  vjobs+=("$(curl -sS -b "$jar" -H 'content-type: application/json' -H 'accept: application/json' -H "x-csrf-token: $csrf2" \
    -d "{\"dataset\":${iris_id:-0},\"model\":\"svc\",\"features\":[\"sepal_length\",\"sepal_width\",\"petal_length\",\"petal_width\"],\"trainFraction\":0.8}" \
    http://127.0.0.1:5000/api/train | sed -n 's/.*"job":\([0-9]*\).*/\1/p')")
done
vdone=0
for _ in $(seq 240); do
  vdone=$(sql "SELECT COUNT(*) FROM jobs WHERE id IN (${vjobs[0]:-0}, ${vjobs[1]:-0}) AND status = 'done'")
  [[ $vdone = 2 ]] && break
  sleep 0.5
done
check "two jobs queued at once both run to done with two viz replicas (jobs ${vjobs[*]})" test "$vdone" = 2
workers=$(sql "SELECT COUNT(DISTINCT worker) FROM jobs WHERE id IN (${vjobs[0]:-0}, ${vjobs[1]:-0})")
check "the two jobs were claimed by different viz replicas ($workers distinct workers)" test "$workers" = 2
once=$(sql "SELECT COUNT(*) FROM models WHERE job_id IN (${vjobs[0]:-0}, ${vjobs[1]:-0})")
check "each job ran once: one model per job ($once models for 2 jobs)" test "$once" = 2
vmodel=$(sql "SELECT model_id FROM jobs WHERE id = ${vjobs[0]:-0}")
same=0
for _ in 1 2 3 4; do   # the proxy's requests spread over both replicas
  grep -q 'Confusion matrix, test' <<<"$(curl -sS -b "$jar" "http://127.0.0.1:5000/viz/documents/results?model=${vmodel:-0}")" && same=$((same + 1))
done
check "the results document builds on every request with two viz replicas ($same of 4)" test "$same" = 4

# Least privilege (issue 15): serve connects as its own account, which web granted only what
# serve's queries need (services/models/src/serving-account.ts). Everything above ran as it.
serve_user=$(grep -m1 -E '^\s+MYSQL_SERVE_USER:' docker-compose.yml | awk '{print $2}')
db_as() {   # secret user sql: runs one statement in the db container as that account, over TCP (its '%' host)
  "${COMPOSE[@]}" exec -T db sh -c 'MYSQL_PWD=$(cat "/run/secrets/$1") exec mysql -h127.0.0.1 -u"$2" -N -B ml_data -e "$3"' _ "$1" "$2" "$3" 2>&1
}
denied() { local out; out=$(db_as db_serve_password "$serve_user" "$1"); echo "    as $serve_user: $1 → $(grep -m1 -o 'ERROR.*' <<<"$out" | cut -c1-160)"; grep -q 'command denied' <<<"$out"; }
check "serve's database connections are made as $serve_user" \
  test "$(db_as db_root_password root "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '$serve_user'" | tr -d '\r')" -gt 0
echo "  grants of $serve_user (applied by web after migrating):"
db_as db_serve_password "$serve_user" "SHOW GRANTS" | sed 's/^/    /'
# a keyed request now: the windows of the calls above may have expired during the viz checks
curl -sS -o /dev/null -H "authorization: Bearer $key" -H 'content-type: application/json' -d "{\"id\":\"windows-1\",\"observation\":$obs}" "http://127.0.0.1:${ports[0]:-0}/v1/models/iris-compose/predict"
for _ in $(seq 20); do   # serve adds its counts to rate_windows every 250 ms
  hits=$(db_as db_root_password root "SELECT COALESCE(SUM(hits), 0) FROM rate_windows" | tr -d '\r')
  [[ ${hits:-0} -gt 0 ]] && break; sleep 0.5
done
check "serve, as $serve_user, wrote its rate-limit counts to rate_windows ($hits hits)" test "${hits:-0}" -gt 0
limited=
for i in $(seq 40); do   # SERVE_UNKNOWN_KEY_LIMIT (30) per address and window, counted in rate_windows
  limited=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer ek_guess$i" -H 'content-type: application/json' -d "{\"id\":\"g$i\",\"observation\":$obs}" "http://127.0.0.1:${ports[0]:-0}/v1/models/iris-compose/predict")
  [[ $limited = 429 ]] && break
done
check "serve's rate limit answers 429 after the unknown-key allowance (replica 1, request $i: $limited)" test "$limited" = 429
check "$serve_user cannot read users" denied "SELECT username, password_hash FROM users"
check "$serve_user cannot read a model's training split" denied "SELECT split FROM models"
check "$serve_user cannot change models" denied "UPDATE models SET task = 'regression'"
check "$serve_user cannot delete models" denied "DELETE FROM models"
check "$serve_user cannot publish (write published_models)" denied "UPDATE published_models SET model_id = 1"
check "$serve_user cannot create API keys" denied "INSERT INTO api_keys (key_hash, prefix, label) VALUES ('x', 'x', 'x')"
check "$serve_user cannot revoke API keys" denied "UPDATE api_keys SET revoked_at = NOW()"
check "$serve_user cannot read jobs" denied "SELECT id FROM jobs"
check "$serve_user cannot rewrite a stored prediction" denied "UPDATE predictions SET output = '{}'"
check "$serve_user cannot delete predictions" denied "DELETE FROM predictions"
check "serve logged no denied command" bash -c '! grep -q "command denied" <<<"$("$@" logs serve 2>&1)"' _ "${COMPOSE[@]}"


wrong=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar_dir/x" -b "$jar_dir/x" -H 'accept: text/html' \
  --data-urlencode "username=$user" --data-urlencode "password=wrong" --data-urlencode "_csrf=x" http://127.0.0.1:5000/login)
check "a sign-in without a valid CSRF token is refused" test "$wrong" = 403

check "viz is not published to the host" test -z "$("${COMPOSE[@]}" port viz 5006 2>/dev/null)"
check "db is not published to the host" test -z "$("${COMPOSE[@]}" port db 3306 2>/dev/null)"
check "nothing listens on 127.0.0.1:5006" bash -c '! curl -s -m 2 -o /dev/null http://127.0.0.1:5006/healthz'

secrets_of() { "${COMPOSE[@]}" exec -T "$1" sh -c 'ls /run/secrets | sort | tr "\n" " "' 2>/dev/null; }
check "db sees only db_root_password, db_serve_password, db_user_password" test "$(secrets_of db)" = "db_root_password db_serve_password db_user_password "
check "web sees only db_user_password, viz_secret_key, web_secret_key" test "$(secrets_of web)" = "db_user_password viz_secret_key web_secret_key "
check "viz sees only db_user_password, viz_secret_key" test "$(secrets_of viz)" = "db_user_password viz_secret_key "
check "serve sees only db_serve_password" test "$(secrets_of serve)" = "db_serve_password "
for svc in web viz serve; do
  envs=$("${COMPOSE[@]}" exec -T "$svc" env 2>/dev/null)
  leak=
  for s in db_root_password db_user_password db_serve_password web_secret_key viz_secret_key; do
    grep -qF "$(cat secrets/$s)" <<<"$envs" && leak=1
  done
  check "$svc has no secret value in its environment" test -z "$leak"
  check "$svc runs as a non-root user" test "$("${COMPOSE[@]}" exec -T "$svc" id -u 2>/dev/null | tr -d '\r')" != 0
done
trace=$("${COMPOSE[@]}" exec -T web sh -c 'ls web/dist web/dist/routes web/views 2>/dev/null | grep -ci "dev-test\|dev-runner"' 2>/dev/null | tr -d '\r')
check "the production web image has no trace of the development test runner" test "${trace:-0}" = 0
check "the runner's routes answer 404 in production" test "$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -H 'accept: text/html' http://127.0.0.1:5000/dev/tests)" = 404
# Limits and hardening of the app containers (docker-compose.yml: x-hardening, mem_limit, cpus),
# from the engine's view (inspect) and from inside (the kernel's view of process 1).
inspect() { docker inspect --format "$2" "$("${COMPOSE[@]}" ps -q "$1" | head -n1)" 2>/dev/null; }
declare -A MEM=([web]=1073741824 [viz]=4294967296 [serve]=1073741824) CPUS=([web]=1 [viz]=2 [serve]=1)
for svc in web viz serve; do
  check "$svc: read-only root file system (inspect ReadonlyRootfs: $(inspect "$svc" '{{.HostConfig.ReadonlyRootfs}}'))" test "$(inspect "$svc" '{{.HostConfig.ReadonlyRootfs}}')" = true
  check "$svc: writing outside /tmp fails" bash -c '! "$@" exec -T '"$svc"' sh -c "touch /app/.probe" 2>/dev/null' _ "${COMPOSE[@]}"
  check "$svc: memory limit ${MEM[$svc]} bytes (inspect Memory: $(inspect "$svc" '{{.HostConfig.Memory}}'))" test "$(inspect "$svc" '{{.HostConfig.Memory}}')" = "${MEM[$svc]}"
  check "$svc: pids limit 256 (inspect PidsLimit: $(inspect "$svc" '{{.HostConfig.PidsLimit}}'))" test "$(inspect "$svc" '{{.HostConfig.PidsLimit}}')" = 256
  nano=$(inspect "$svc" '{{.HostConfig.NanoCpus}}'); quota=$(inspect "$svc" '{{.HostConfig.CpuQuota}}'); period=$(inspect "$svc" '{{.HostConfig.CpuPeriod}}')
  check "$svc: ${CPUS[$svc]} CPU(s) (inspect NanoCpus: $nano, CpuQuota/CpuPeriod: $quota/$period)" \
    bash -c '[[ $1 = $(($3 * 1000000000)) ]] || { [[ ${2:-0} -gt 0 && ${4:-0} -gt 0 ]] && [[ $(($2 / $4)) = $3 ]]; }' _ "${nano:-0}" "${quota:-0}" "${CPUS[$svc]}" "${period:-0}"
  status=$("${COMPOSE[@]}" exec -T "$svc" cat /proc/1/status 2>/dev/null)
  check "$svc: no effective capabilities (cap_drop ALL: $(grep -m1 CapEff <<<"$status" | tr -s '\t ' ' '))" grep -qE '^CapEff:[[:space:]]+0+$' <<<"$status"
  check "$svc: no new privileges ($(grep -m1 NoNewPrivs <<<"$status" | tr -s '\t ' ' '))" grep -qE '^NoNewPrivs:[[:space:]]+1$' <<<"$status"
done
check "web writes its uploads volume" "${COMPOSE[@]}" exec -T web sh -c 'touch /app/uploads/.probe && rm /app/uploads/.probe'

# Through files: the logs of a long run outgrow what one command-line argument may hold (128 kB).
logs_file=$(mktemp)
secrets_file=$(mktemp)
"${COMPOSE[@]}" logs web viz serve >"$logs_file" 2>/dev/null
for s in db_user_password db_serve_password web_secret_key viz_secret_key; do printf '%s\n' "$(cat "secrets/$s")"; done >"$secrets_file"
check "no secret value appears in the logs ($(wc -c <"$logs_file") bytes read)" bash -c 'test -s "$0" && ! grep -qF -f "$1" "$0"' "$logs_file" "$secrets_file"
rm -f "$logs_file" "$secrets_file"

echo "$passed passed, $failed failed"
[[ $failed = 0 ]]
