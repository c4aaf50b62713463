# modprobe (shim: lab hosts share the machine's kernel, so nothing is really
# loaded): load/unload as state files under $SHIM_STATE/modprobe/loaded/,
# which the lsmod shim lists. Messages and exit codes as kmod's modprobe.
shim_log modprobe "$@"
dir=$SHIM_STATE/modprobe
mkdir -p "$dir/loaded"
release=$(uname -r)
available() {
    case " dummy br_netfilter overlay nf_conntrack 8021q bonding ip_vs vxlan loop " in
        *" $1 "*) return 0 ;;
    esac
    [ -n "$(find "/lib/modules/$release" -name "$1.ko*" 2>/dev/null | head -n 1)" ]
}
dry=false remove=false first=false quiet=false
while [ $# -gt 0 ]; do
    case $1 in
        -n | --dry-run | --show) dry=true ;;
        -r | --remove) remove=true ;;
        --first-time) first=true ;;
        -q | --quiet) quiet=true ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
[ $# -gt 0 ] || shim_die 1 'modprobe: ERROR: missing parameters. See -h.'
name=$(printf '%s' "$1" | tr - _)
shift
if $remove; then
    [ -e "$dir/loaded/$name" ] || { $quiet && exit 1; shim_die 1 "modprobe: FATAL: Module $name is not currently loaded"; }
    $dry || rm -f "$dir/loaded/$name"
    exit 0
fi
available "$name" || { $quiet && exit 1; shim_die 1 "modprobe: FATAL: Module $name not found in directory /lib/modules/$release"; }
if [ -e "$dir/loaded/$name" ]; then
    $first && shim_die 1 "modprobe: ERROR: could not insert '$name': Module already in kernel"
    exit 0
fi
$dry || printf '%s\n' "$*" > "$dir/loaded/$name"
