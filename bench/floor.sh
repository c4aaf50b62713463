# The floor of the benchmark: the twelve steps of bench/twelve-tasks.yml as
# one shell script, sent once per host (`ssh HOST bash -s -- NAME < floor.sh`).
# Nothing can do the same work in fewer logins, round trips or processes.
name=$(hostname)
load=$(cut -d' ' -f1 /proc/loadavg)
systemctl is-active kaiwudb >/dev/null
case $? in 0 | 3) ;; *) exit 1 ;; esac
[ -e /opt/bench-marker ] || echo "$1" > /opt/bench-marker
read -r marker < /opt/bench-marker
summary="$name $load"
[ "$marker" = "$1" ] && [ -n "$summary" ] || exit 1
uname -r >/dev/null
ls /etc | wc -l >/dev/null
uid=$(id -u)
echo "$summary uid=$uid"
true
