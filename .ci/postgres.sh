#!/usr/bin/env bash
# Source me: start a local PostgreSQL cluster on 127.0.0.1:5432 with role/db hitl, and
# export HITL_NB_TEST_POSTGRES_URL for the tests (which fail under CI=true without it).
ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$" \
  || pg_createcluster --locale C.UTF-8 -p 5432 "$ver" main >/dev/null
pg_conftool "$ver" main set port 5432
pg_ctlcluster "$ver" main status >/dev/null 2>&1 || pg_ctlcluster "$ver" main start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
(
  cd /
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='hitl'" | grep -q 1 \
    || runuser -u postgres -- psql -qc "CREATE ROLE hitl LOGIN PASSWORD 'hitl'"
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='hitl'" | grep -q 1 \
    || runuser -u postgres -- createdb -O hitl hitl
)
export HITL_NB_TEST_POSTGRES_URL="postgresql://hitl:hitl@127.0.0.1:5432/hitl"
