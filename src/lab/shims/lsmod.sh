# lsmod (shim, with modprobe's): the modules the modprobe shim loaded, then
# the machine's real ones from /proc/modules, in lsmod's columns.
shim_log lsmod "$@"
printf 'Module                  Size  Used by\n'
for loaded in "$SHIM_STATE"/modprobe/loaded/*; do
    [ -e "$loaded" ] || continue
    printf '%-19s %8s  %s\n' "${loaded##*/}" 16384 0
done
[ -r /proc/modules ] && while read -r name size used by _rest; do
    by=${by%,}
    [ "$by" = - ] && by=
    printf '%-19s %8s  %s %s\n' "$name" "$size" "$used" "$by"
done < /proc/modules
exit 0
