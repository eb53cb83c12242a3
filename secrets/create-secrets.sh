#!/usr/bin/env bash
# Creates every missing secret file in this folder with random content; never overwrites one.
# The folder is made private (0700) and the files readable (0644) so that the containers' non-root
# users can read the bind-mounted files while other host users cannot reach them.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chmod 700 "$dir"
for name in db_root_password db_user_password db_serve_password web_secret_key viz_secret_key; do
  file="$dir/$name"
  if [[ -s $file ]]; then
    echo "kept    secrets/$name"
    continue
  fi
  case $name in
    *_password) len=24 ;;   # typed by people: shorter, still ~143 bits
    *) len=48 ;;
  esac
  (umask 022; head -c 256 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$len" > "$file")
  chmod 644 "$file"
  echo "created secrets/$name"
done
echo "Sign in with the MYSQL_USER of docker-compose.yml and the password in secrets/db_user_password."
