# deploy.sh (the KaiwuDB installer): `install` and `upgrade [-l|--local]`
# record the version being installed in $SHIM_STATE/kwdb/version. The
# version comes from $KWDB_VERSION, else a VERSION file, else a kaiwudb
# package file name in the current directory (e.g.
# packages/kaiwudb-server_2.1.0-1_amd64.deb).
#
# `upgrade` refuses, as the real script does, when KWDB is not installed,
# still running, or the package is not newer. With the kwdb knob
# upgrade_fails the new version's import fails half way: as the document
# says, the data directory, certificates and configuration are kept and the
# new version's installed files are removed (kaiwudb can no longer start).
shim_log deploy.sh "$@"
mkdir -p "$SHIM_STATE/kwdb"
# (RUNBOOK_SHIM_ROOT exists for runbook's own tests, outside a lab host.)
data_dir=${RUNBOOK_SHIM_ROOT:-}/var/lib/kaiwudb
config_dir=${RUNBOOK_SHIM_ROOT:-}/etc/kaiwudb

package_version() {
    if [ -n "${KWDB_VERSION:-}" ]; then printf '%s\n' "$KWDB_VERSION"; return; fi
    for file in VERSION version; do
        [ -f "$file" ] && { head -n 1 "$file"; return; }
    done
    find . -maxdepth 2 -name '*kaiwudb*' 2>/dev/null |
        sed -n 's/.*kaiwudb[^0-9]*\([0-9][0-9]*\.[0-9][0-9.]*[0-9]\).*/\1/p' | head -n 1
}

# Is version $1 strictly higher than $2?
higher() {
    [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

version=$(package_version)
[ -n "$version" ] || version=2.1.0
case ${1:-} in
    install)
        [ ! -f "$SHIM_STATE/kwdb/installed" ] || shim_die 1 '[ERROR] KaiwuDB is already installed.'
        printf '%s\n' "$version" > "$SHIM_STATE/kwdb/version"
        : > "$SHIM_STATE/kwdb/installed"
        rm -f "$SHIM_STATE/kwdb/removed"
        mkdir -p "$SHIM_STATE/systemd/kaiwudb.service" "$data_dir" "$config_dir/script"
        [ -f "$data_dir/000001.sst" ] || printf 'kwdb data\n' > "$data_dir/000001.sst"
        [ -f "$config_dir/script/kaiwudb_env" ] ||
            printf 'KAIWUDB_START_ARG="--insecure --listen-addr=0.0.0.0:26257"\n' > "$config_dir/script/kaiwudb_env"
        printf '[INSTALL COMPLETED]: KaiwuDB %s has been installed successfully!\n' "$version" ;;
    upgrade)
        [ -f "$SHIM_STATE/kwdb/installed" ] || shim_die 1 '[ERROR] KaiwuDB is not installed on this node.'
        if [ -e "$SHIM_STATE/systemd/kaiwudb.service/active" ]; then
            shim_die 1 '[ERROR] KaiwuDB is running, stop it before upgrading.'
        fi
        installed=$(shim_kwdb_version)
        higher "$version" "$installed" ||
            shim_die 1 "[ERROR] The new version ($version) must be higher than the installed version ($installed)."
        if [ -e "$SHIM_STATE/kwdb/knobs/upgrade_fails" ]; then
            rm -f "$SHIM_STATE/kwdb/installed"
            : > "$SHIM_STATE/kwdb/removed"
            printf '[ERROR] Failed to import KaiwuDB %s packages. The data directory, certificates and configuration files were kept; the new version was removed. Install the new or the old version by hand.\n' "$version" >&2
            exit 1
        fi
        printf '%s\n' "$version" > "$SHIM_STATE/kwdb/version"
        printf '[UPGRADE COMPLETED]: KaiwuDB has been upgraded to %s.\n' "$version" ;;
    uninstall)
        rm -f "$SHIM_STATE/kwdb/installed"
        printf '[UNINSTALL COMPLETED]: KaiwuDB has been uninstalled successfully.\n' ;;
    status) printf 'KaiwuDB %s\n' "$(shim_kwdb_version)" ;;
    *) shim_die 1 "Usage: deploy.sh {install|upgrade|uninstall|status} [-l] (runbook lab shim)" ;;
esac
