# deploy.sh (the KaiwuDB installer): `install` and `upgrade [-l]` record the
# version being installed in $SHIM_STATE/kwdb/version. The version comes from
# $KWDB_VERSION, else a VERSION file, else a kaiwudb package file name in the
# current directory (e.g. packages/kaiwudb-server_2.1.0-1_amd64.deb).
shim_log deploy.sh "$@"
mkdir -p "$SHIM_STATE/kwdb"

package_version() {
    if [ -n "${KWDB_VERSION:-}" ]; then printf '%s\n' "$KWDB_VERSION"; return; fi
    for file in VERSION version; do
        [ -f "$file" ] && { head -n 1 "$file"; return; }
    done
    find . -maxdepth 2 -name '*kaiwudb*' 2>/dev/null |
        sed -n 's/.*kaiwudb[^0-9]*\([0-9][0-9]*\.[0-9][0-9.]*[0-9]\).*/\1/p' | head -n 1
}

version=$(package_version)
[ -n "$version" ] || version=2.1.0
case ${1:-} in
    install)
        [ ! -f "$SHIM_STATE/kwdb/installed" ] || shim_die 1 '[ERROR] KaiwuDB is already installed.'
        printf '%s\n' "$version" > "$SHIM_STATE/kwdb/version"
        : > "$SHIM_STATE/kwdb/installed"
        mkdir -p "$SHIM_STATE/systemd/kaiwudb.service"
        printf '[INSTALL COMPLETED]: KaiwuDB %s has been installed successfully!\n' "$version" ;;
    upgrade)
        if [ -e "$SHIM_STATE/systemd/kaiwudb.service/active" ]; then
            shim_die 1 '[ERROR] KaiwuDB is running, stop it before upgrading.'
        fi
        printf '%s\n' "$version" > "$SHIM_STATE/kwdb/version"
        : > "$SHIM_STATE/kwdb/installed"
        printf '[UPGRADE COMPLETED]: KaiwuDB has been upgraded to %s.\n' "$version" ;;
    uninstall)
        rm -f "$SHIM_STATE/kwdb/installed"
        printf '[UNINSTALL COMPLETED]: KaiwuDB has been uninstalled successfully.\n' ;;
    status) printf 'KaiwuDB %s\n' "$(shim_kwdb_version)" ;;
    *) shim_die 1 "Usage: deploy.sh {install|upgrade|uninstall|status} [-l] (runbook lab shim)" ;;
esac
