# dnf (and yum, the same CLI as on EL8+): a LAB SHIM, not the real tool.
# Installed packages are lines "name<TAB>epoch<TAB>version<TAB>release<TAB>arch"
# in $SHIM_STATE/rpm/db (shared with the rpm shim). A repository is a
# [section] of /etc/yum.repos.d/*.repo whose baseurl=file:///DIR names a
# directory with a lab-only index, DIR/packages.tsv: the same five fields
# plus a comma-separated list of required package names.
# Commands: makecache, repoquery, install, remove, upgrade (update), list installed.
tool=${0##*/}
shim_log "$tool" "$@"
db=$SHIM_STATE/rpm/db
mkdir -p "${db%/*}"
[ -f "$db" ] || : > "$db"

assume_yes=0 enable= disable= names= command=
for arg in "$@"; do
    case $arg in
        -y | --assumeyes) assume_yes=1 ;;
        -q | --quiet | --latest-limit=* | --latest-limit | 1 | --qf=* | --queryformat=*) ;;
        --enablerepo=*) enable="$enable ${arg#*=}" ;;
        --disablerepo=*) disable="$disable ${arg#*=}" ;;
        -*) ;;
        *) if [ -z "$command" ]; then command=$arg; else names="$names $arg"; fi ;;
    esac
done
enable=$(printf '%s' "$enable" | tr ',' ' ')
disable=$(printf '%s' "$disable" | tr ',' ' ')

# The index of every enabled repository: "repo<TAB>fields..." lines.
available() {
    cat /etc/yum.repos.d/*.repo 2>/dev/null | awk -v enable=" $enable " -v disable=" $disable " '
        function flush() {
            if (id == "") return
            on = (enabled != "0")
            if (index(enable, " " id " ") || index(enable, " * ")) on = 1
            if (index(disable, " " id " ") || index(disable, " * ")) on = 0
            if (on && url != "") print id "\t" url
        }
        /^\[.*\]/ { flush(); id = substr($0, 2, length($0) - 2); enabled = "1"; url = ""; next }
        /^enabled *=/ { sub(/^enabled *= */, ""); enabled = $0 }
        /^baseurl *=/ { sub(/^baseurl *= *file:\/\//, ""); url = $0 }
        END { flush() }' |
        while IFS='	' read -r id dir; do
            [ -f "$dir/packages.tsv" ] && sed "s/^/$id	/" "$dir/packages.tsv"
        done
}

# The newest available build of NAME (or NAME-VERSION[-RELEASE]): its fields.
best() {
    available | awk -F '\t' -v want="$1" '
        { nvr = $2 "-" $4 "-" $5; nv = $2 "-" $4
          if ($2 == want || nv == want || nvr == want) print $4 "\t" $0 }' |
        sort -t '	' -k1,1V | tail -n 1 | cut -f 3-
}

installed() { awk -F '\t' -v n="$1" '$1 == n' "$db"; }
nevra() { printf '%s-%s-%s.%s' "$1" "$3" "$4" "$5"; }

case $command in
    makecache)
        : > "$SHIM_STATE/rpm/cache-stamp"
        echo "Metadata cache created."
        ;;
    repoquery)
        for name in $names; do
            found=$(best "$name")
            [ -n "$found" ] && printf '%s\n' "$found" | cut -f 1-5
        done
        exit 0
        ;;
    list)
        awk -F '\t' '{ printf "%s.%s\t%s-%s\t@System\n", $1, $5, $3, $4 }' "$db"
        ;;
    install | upgrade | update)
        [ "$assume_yes" = 1 ] || shim_die 1 "Error: This command has to be run with superuser privileges (under the root user on most systems). (the lab shim needs -y)"
        plan= planned=
        pending=$names
        while [ -n "$pending" ]; do
            set -- $pending
            name=$1
            shift
            pending=$*
            found=$(best "$name")
            if [ -z "$found" ]; then
                if [ "$command" != install ] && [ -n "$(installed "$name")" ]; then continue; fi
                printf 'No match for argument: %s\n' "$name"
                shim_die 1 "Error: Unable to find a match: $name"
            fi
            pkg=$(printf '%s' "$found" | cut -f 1)
            have=$(installed "$pkg" | cut -f 1-5)
            want=$(printf '%s' "$found" | cut -f 1-5)
            [ "$have" = "$want" ] && continue
            [ "$command" != install ] && [ -z "$have" ] && continue
            case " $planned " in *" $pkg "*) continue ;; esac
            planned="$planned $pkg"
            plan="$plan $name"
            for dep in $(printf '%s' "$found" | cut -f 6 | tr ',' ' '); do
                [ -n "$(installed "$dep")" ] || pending="$pending $dep"
            done
        done
        if [ -z "$plan" ]; then
            echo "Dependencies resolved."
            echo "Nothing to do."
            echo "Complete!"
            exit 0
        fi
        echo "Dependencies resolved."
        done_installed= done_upgraded=
        for spec in $plan; do
            found=$(best "$spec")
            pkg=$(printf '%s' "$found" | cut -f 1)
            was=$(installed "$pkg")
            awk -F '\t' -v n="$pkg" '$1 != n' "$db" > "$db.new"
            printf '%s\n' "$found" | cut -f 1-5 >> "$db.new"
            mv "$db.new" "$db"
            set -- $(printf '%s' "$found" | cut -f 1-5 | tr '\t' ' ')
            if [ -n "$was" ]; then done_upgraded="$done_upgraded $(nevra "$@")"; else done_installed="$done_installed $(nevra "$@")"; fi
        done
        if [ -n "$done_upgraded" ]; then echo; echo "Upgraded:"; for p in $done_upgraded; do echo "  $p"; done; fi
        if [ -n "$done_installed" ]; then echo; echo "Installed:"; for p in $done_installed; do echo "  $p"; done; fi
        echo
        echo "Complete!"
        ;;
    remove | erase)
        [ "$assume_yes" = 1 ] || shim_die 1 "Error: the lab shim needs -y"
        removed=
        for name in $names; do
            line=$(installed "$name")
            if [ -z "$line" ]; then
                echo "No match for argument: $name"
                continue
            fi
            set -- $(printf '%s' "$line" | tr '\t' ' ')
            removed="$removed $(nevra "$@")"
            awk -F '\t' -v n="$name" '$1 != n' "$db" > "$db.new"
            mv "$db.new" "$db"
        done
        if [ -z "$removed" ]; then
            echo "No packages marked for removal."
            echo "Dependencies resolved."
            echo "Nothing to do."
            echo "Complete!"
            exit 0
        fi
        echo "Dependencies resolved."
        echo
        echo "Removed:"
        for p in $removed; do echo "  $p"; done
        echo
        echo "Complete!"
        ;;
    *)
        shim_die 1 "No such command: $command. Please use /usr/bin/$tool --help (lab shim: makecache, repoquery, list, install, upgrade, remove)"
        ;;
esac
