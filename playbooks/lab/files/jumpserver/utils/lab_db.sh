# Lab stand-in helpers for JumpServer's utils scripts: the database from
# ../config.yml (as the real scripts' manage.py reads it), the password in
# an option file, never in argv.
lab_conf() { sed -n "s/^$1: *//p" ../config.yml | sed "s/^'\(.*\)'\$/\1/; s/^\"\(.*\)\"\$/\1/"; }
lab_version() { sed -n "s/^VERSION = '\(.*\)'\$/\1/p" ../apps/jumpserver/const.py; }
lab_log() {
    printf '%s\t%s\t%s\n' "$(date +%Y-%m-%dT%H:%M:%S.%N)" "$1" "$(lab_version)" >> /var/log/runbook-shims.log
}
lab_knob() { [ -e "/var/lib/runbook-shims/jumpserver/knobs/$1" ]; }
lab_sql() {
    dir=$(umask 077 && mktemp -d)
    printf '[client]\nuser=%s\npassword="%s"\nhost=%s\nport=%s\n' "$(lab_conf DB_USER)" "$(lab_conf DB_PASSWORD)" \
        "$(lab_conf DB_HOST)" "$(lab_conf DB_PORT)" > "$dir/my.cnf"
    mariadb --defaults-file="$dir/my.cnf" "$(lab_conf DB_NAME)" -e "$1"
    status=$?
    rm -rf "$dir"
    return $status
}
