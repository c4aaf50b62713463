# mysql: takes SQL from -e or stdin and keeps it in $SHIM_STATE/mysql/queries.sql.
shim_log mysql "$@"
mkdir -p "$SHIM_STATE/mysql"
sql=
from_args=no
while [ $# -gt 0 ]; do
    case $1 in
        -e | --execute) shift; sql=${1:-}; from_args=yes ;;
        --execute=*) sql=${1#--execute=}; from_args=yes ;;
        -u | -p | -h | -P | -S | -D | --user | --host | --port | --socket | --database) shift ;;
        *) ;;
    esac
    shift
done
[ $from_args = yes ] || sql=$(cat)
printf '%s\n' "$sql" >> "$SHIM_STATE/mysql/queries.sql"
case $(printf '%s' "$sql" | tr 'A-Z' 'a-z') in
    *'version()'*) printf 'version()\n8.0.36\n' ;;
    *'show databases'*) printf 'Database\ninformation_schema\nappdb\nmysql\n' ;;
esac
