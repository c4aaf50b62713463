# rpm: a LAB SHIM, not the real tool. Queries the package lines the dnf
# shim keeps in $SHIM_STATE/rpm/db ("name<TAB>epoch<TAB>version<TAB>release<TAB>arch").
# Supported: -q NAME..., -qa, with --qf/--queryformat using %{NAME},
# %{EPOCH}, %{VERSION}, %{RELEASE}, %{ARCH} and \t, \n.
shim_log rpm "$@"
db=$SHIM_STATE/rpm/db
mkdir -p "${db%/*}"
[ -f "$db" ] || : > "$db"
all=0 query=0 format='%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' names=
while [ $# -gt 0 ]; do
    case $1 in
        -qa) query=1 all=1 ;;
        -q) query=1 ;;
        -a | --all) all=1 ;;
        --qf | --queryformat) shift; format=$1 ;;
        --qf=* | --queryformat=*) format=${1#*=} ;;
        -*) shim_die 1 "rpm (lab shim): unsupported option $1" ;;
        *) names="$names $1" ;;
    esac
    shift
done
[ "$query" = 1 ] || shim_die 1 "rpm (lab shim): only queries (-q, -qa) are supported"
show() {
    awk -F '\t' -v fmt="$format" '{
        out = fmt
        epoch = ($2 == "" || $2 == "0") ? "(none)" : $2
        gsub(/%\{NAME\}/, $1, out); gsub(/%\{EPOCH\}/, epoch, out)
        gsub(/%\{VERSION\}/, $3, out); gsub(/%\{RELEASE\}/, $4, out)
        gsub(/%\{ARCH\}/, $5, out); gsub(/\\t/, "\t", out); gsub(/\\n/, "\n", out)
        printf "%s", out }'
}
if [ "$all" = 1 ]; then
    show < "$db"
    exit 0
fi
status=0
for name in $names; do
    line=$(awk -F '\t' -v n="$name" '$1 == n' "$db")
    if [ -n "$line" ]; then
        printf '%s\n' "$line" | show
    else
        echo "package $name is not installed"
        status=1
    fi
done
exit $status
