#!/bin/sh
# Lab stand-in: Windows assets get the rdp protocol, the others ssh.
. ./lab_db.sh
lab_log 2018_07_15_set_win_protocol_to_ssh.sh
lab_sql "UPDATE assets_asset SET protocol = IF(platform = 'Windows', 'rdp', 'ssh')" || exit 1
echo "Set protocol: done"
