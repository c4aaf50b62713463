# mysqldump: a small but well-formed dump of the databases asked for.
shim_log mysqldump "$@"
databases=
all=no
out=
while [ $# -gt 0 ]; do
    case $1 in
        -r | --result-file) shift; out=${1:-} ;;
        --result-file=*) out=${1#--result-file=} ;;
        -A | --all-databases) all=yes ;;
        -B | --databases) ;;
        -u | -p | -h | -P | -S | --user | --host | --port | --socket | --password) shift ;;
        -*) ;;
        *) databases="$databases $1" ;;
    esac
    shift
done
[ $all = no ] || databases="mysql appdb"
[ -n "$databases" ] || shim_die 1 'Usage: mysqldump [OPTIONS] database [tables]'

dump() {
    printf -- '-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n'
    printf -- '-- Host: localhost    Database: %s\n' "${databases# }"
    printf -- '-- ------------------------------------------------------\n-- Server version\t8.0.36\n\n'
    printf '/*!40101 SET NAMES utf8mb4 */;\n'
    for db in $databases; do
        printf '\n--\n-- Current Database: `%s`\n--\n\n' "$db"
        printf 'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `%s` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n\n' "$db"
        printf 'USE `%s`;\n\nDROP TABLE IF EXISTS `runbook_lab`;\n' "$db"
        printf 'CREATE TABLE `runbook_lab` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `host` varchar(64) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n'
        printf 'LOCK TABLES `runbook_lab` WRITE;\nINSERT INTO `runbook_lab` VALUES (1,'"'"'%s'"'"');\nUNLOCK TABLES;\n' "$(hostname)"
    done
    printf '\n-- Dump completed on %s\n' "$(date '+%Y-%m-%d %H:%M:%S')"
}

if [ -n "$out" ]; then dump > "$out"; else dump; fi
