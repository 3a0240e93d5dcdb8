# Sourced by .ci/run: starts Debian's PostgreSQL on loopback for the run store tests and exports
# MLOPS_TEST_POSTGRES (tests/Mlops.Pipeline.Tests/Tracking/PostgresServer.cs reads it; under CI=true
# those tests fail, not skip, without it). Every step is idempotent and every wait bounded.
# The role's password is made up here, per machine, and never committed.
ci_postgres() {
  local major bin role=mlops_ci database=mlops_ci password_file=/var/lib/postgresql/mlops_ci_password password
  major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -z "$major" ]; then
    echo "ci: error: PostgreSQL is not installed (apt-get install postgresql), so the PostgreSQL run store tests will fail."
    return 0
  fi
  bin=/usr/lib/postgresql/$major/bin
  # A fresh install leaves a cluster 'main'; create one if a previous setup removed it.
  pg_lsclusters -h 2>/dev/null | grep -q "^$major main " || pg_createcluster "$major" main >/dev/null
  # Exit 2: the cluster already runs.
  pg_ctlcluster "$major" main start >/dev/null 2>&1
  local status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    echo "ci: error: pg_ctlcluster $major main start exited $status; see /var/log/postgresql/postgresql-$major-main.log"
    return 0
  fi
  local port
  port=$(pg_lsclusters -h | awk -v m="$major" '$1 == m && $2 == "main" { print $3 }')
  local tries=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "ci: error: PostgreSQL $major did not accept connections on 127.0.0.1:$port within 30 s"
      return 0
    fi
    sleep 1
  done
  if [ ! -s "$password_file" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$password_file")
  fi
  password=$(cat "$password_file")
  # psql runs from / so the postgres user can read its working directory; the role and the
  # database are created only when missing (creating either twice fails).
  (cd / && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres \
      -v role="$role" -v password="$password" -v database="$database" >/dev/null) <<'SQL' || { echo "ci: error: could not create the PostgreSQL test role and database"; return 0; }
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
SQL
  export MLOPS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Database=$database;Username=$role;Password=$password"
  echo "ci: PostgreSQL $major on 127.0.0.1:$port, database $database (MLOPS_TEST_POSTGRES)"
}
