# Creates serve's own database account (issue 15, least privilege). Mounted into the database
# image's /docker-entrypoint-initdb.d, so it runs once, when the db container initialises an empty
# volume, after the image has created MYSQL_DATABASE and MYSQL_USER. It is sourced by the image's
# entrypoint (kept non-executable on purpose: the official mysql image then lends it
# docker_process_sql, the stand-in its `sql`); for a volume made before this script existed, run it
# by hand: `docker compose exec db bash /docker-entrypoint-initdb.d/serve-account.sh`.
#
# The account gets no privilege here: MySQL and MariaDB refuse a table grant before the table
# exists, and web's migrations create the tables later. Instead the application account may pass
# on its own privileges on MYSQL_DATABASE (GRANT OPTION), and web grants serve exactly the columns
# listed in services/models/src/serving-account.ts after every migration.
serve_account_main() {
  local user=${MYSQL_SERVE_USER:-enchilada_serve} file=${MYSQL_SERVE_PASSWORD_FILE:-/run/secrets/db_serve_password}
  local app=${MYSQL_USER:?MYSQL_USER is not set} database=${MYSQL_DATABASE:?MYSQL_DATABASE is not set} password
  if [[ ! -r $file ]]; then
    echo "serve-account.sh: $file is missing or unreadable: serve's account is not created" >&2
    return 1
  fi
  password=$(<"$file")
  serve_lit() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }   # an SQL string literal
  serve_idt() { printf '`%s`' "${1//\`/\`\`}"; }                            # an SQL identifier
  local statements
  statements="CREATE USER IF NOT EXISTS $(serve_lit "$user")@'%' IDENTIFIED BY $(serve_lit "$password");
ALTER USER $(serve_lit "$user")@'%' IDENTIFIED BY $(serve_lit "$password");
GRANT ALL PRIVILEGES ON $(serve_idt "$database").* TO $(serve_lit "$app")@'%' WITH GRANT OPTION;"
  if declare -F docker_process_sql >/dev/null; then
    printf '%s\n' "$statements" | docker_process_sql          # the official image's entrypoint
  elif declare -F sql >/dev/null; then
    printf '%s\n' "$statements" | sql                         # the stand-in's entrypoint (../shared/notes/containers.md)
  else                                                        # by hand, in a running db container
    local root=${MYSQL_ROOT_PASSWORD:-}
    [[ -z $root && -n ${MYSQL_ROOT_PASSWORD_FILE:-} ]] && root=$(<"$MYSQL_ROOT_PASSWORD_FILE")
    printf '%s\n' "$statements" | MYSQL_PWD=$root mysql -uroot
  fi
  echo "serve-account.sh: created $user@'%' (privileges follow from web); $app may grant on $database" >&2
}
serve_account_main
