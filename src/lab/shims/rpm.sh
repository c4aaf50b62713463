# rpm: a LAB SHIM, not the real tool. Queries the package lines the dnf
# shim keeps in $SHIM_STATE/rpm/db ("name<TAB>epoch<TAB>version<TAB>release<TAB>arch").
# Supported: -q NAME..., -qa, with --qf/--queryformat using %{NAME},
# %{EPOCH}, %{VERSION}, %{RELEASE}, %{ARCH}, %{DESCRIPTION} and \t, \n;
# --import FILE... and -e/--erase [--allmatches] NAME... for keys.
# As real rpm does, an imported key is a package named gpg-pubkey whose
# version is the key's short id and release its creation time (both lower
# hex), whose arch is (none) and whose description is the armored key
# (kept in $SHIM_STATE/rpm/pubkeys/VERSION-RELEASE); a NAME may also be
# NAME-VERSION or NAME-VERSION-RELEASE.
shim_log rpm "$@"
db=$SHIM_STATE/rpm/db
keys=$SHIM_STATE/rpm/pubkeys
mkdir -p "${db%/*}" "$keys"
[ -f "$db" ] || : > "$db"
all=0 query=0 import=0 erase=0 allmatches=0 format='%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' names=
while [ $# -gt 0 ]; do
    case $1 in
        -qa) query=1 all=1 ;;
        -q) query=1 ;;
        -a | --all) all=1 ;;
        --qf | --queryformat) shift; format=$1 ;;
        --qf=* | --queryformat=*) format=${1#*=} ;;
        --import) import=1 ;;
        -e | --erase) erase=1 ;;
        --allmatches) allmatches=1 ;;
        -*) shim_die 1 "rpm (lab shim): unsupported option $1" ;;
        *) names="$names $1" ;;
    esac
    shift
done
# The db lines a NAME, NAME-VERSION or NAME-VERSION-RELEASE matches.
matching() {
    awk -F '\t' -v n="$1" '$1 == n || $1 "-" $3 == n || $1 "-" $3 "-" $4 == n' "$db"
}
if [ "$import" = 1 ]; then
    status=0
    for file in $names; do
        if ! [ -r "$file" ]; then
            echo "error: $file: import read failed(2)." >&2; status=1; continue
        fi
        if ! grep -q -e '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$file"; then
            echo "error: $file: key 1 not an armored public key." >&2; status=1; continue
        fi
        home=$(mktemp -d)
        pub=$(GNUPGHOME=$home gpg --batch --with-colons --show-keys "$file" 2>/dev/null | awk -F: '$1 == "pub" { print $5 ":" $6; exit }')
        rm -rf "$home"
        if [ -z "$pub" ]; then
            echo "error: $file: key 1 import failed." >&2; status=1; continue
        fi
        version=$(printf '%s' "${pub%%:*}" | tail -c 8 | tr 'A-F' 'a-f')
        release=$(printf '%x' "${pub#*:}")
        if [ -z "$(matching "gpg-pubkey-$version-$release")" ]; then
            sed -n '/-----BEGIN PGP PUBLIC KEY BLOCK-----/,/-----END PGP PUBLIC KEY BLOCK-----/p' "$file" > "$keys/$version-$release"
            printf 'gpg-pubkey\t\t%s\t%s\t(none)\n' "$version" "$release" >> "$db"
        fi
    done
    exit $status
fi
if [ "$erase" = 1 ]; then
    status=0
    for name in $names; do
        found=$(matching "$name")
        count=$(printf '%s' "$found" | grep -c .)
        if [ "$count" = 0 ]; then
            echo "error: package $name is not installed" >&2; status=1; continue
        fi
        if [ "$count" -gt 1 ] && [ "$allmatches" = 0 ]; then
            echo "error: \"$name\" specifies multiple packages:" >&2
            printf '%s\n' "$found" | awk -F '\t' '{ print "  " $1 "-" $3 "-" $4 "." $5 }' >&2
            status=1; continue
        fi
        printf '%s\n' "$found" | while IFS="$(printf '\t')" read -r n e v r a; do
            [ "$n" = gpg-pubkey ] && rm -f "$keys/$v-$r"
        done
        awk -F '\t' -v n="$name" '!($1 == n || $1 "-" $3 == n || $1 "-" $3 "-" $4 == n)' "$db" > "$db.new"
        mv "$db.new" "$db"
    done
    exit $status
fi
[ "$query" = 1 ] || shim_die 1 "rpm (lab shim): only queries (-q, -qa), --import and --erase are supported"
show() {
    while IFS= read -r line; do
        description=
        case $format in
            *%{DESCRIPTION}* | *%{description}*)
                version=$(printf '%s\n' "$line" | cut -f 3)
                release=$(printf '%s\n' "$line" | cut -f 4)
                # Kept with its last newline, as rpm keeps it.
                [ -f "$keys/$version-$release" ] && description=$(cat "$keys/$version-$release"; echo x) && description=${description%x}
                ;;
        esac
        printf '%s\n' "$line" | DESCRIPTION=$description awk -F '\t' -v fmt="$format" '{
            out = fmt
            epoch = ($2 == "" || $2 == "0") ? "(none)" : $2
            description = ENVIRON["DESCRIPTION"]
            gsub(/%\{NAME\}/, $1, out); gsub(/%\{EPOCH\}/, epoch, out)
            gsub(/%\{VERSION\}/, $3, out); gsub(/%\{RELEASE\}/, $4, out)
            gsub(/%\{ARCH\}/, $5, out); gsub(/\\t/, "\t", out); gsub(/\\n/, "\n", out)
            gsub(/%\{(DESCRIPTION|description)\}/, description, out)
            printf "%s", out }'
    done
}
if [ "$all" = 1 ]; then
    show < "$db"
    exit 0
fi
status=0
for name in $names; do
    found=$(matching "$name")
    if [ -n "$found" ]; then
        printf '%s\n' "$found" | show
    else
        echo "package $name is not installed"
        status=1
    fi
done
exit $status
