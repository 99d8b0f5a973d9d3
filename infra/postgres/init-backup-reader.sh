#!/bin/sh
# The role the backup service reads every database with: it can read all data (pg_read_all_data)
# and change none. Run once by the postgres image's entrypoint, after 10-databases.sql; the
# password comes from the environment (compose passes BACKUP_READER_PASSWORD), never from the repo.
set -eu
: "${BACKUP_READER_PASSWORD:?set BACKUP_READER_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres -v pw="$BACKUP_READER_PASSWORD" <<'SQL'
CREATE ROLE backup_reader LOGIN PASSWORD :'pw';
GRANT pg_read_all_data TO backup_reader;
SQL
