#!/bin/sh
# Lab stand-in: moves asset permissions to the 1.1 model.
. ./lab_db.sh
lab_log 2018_04_11_migrate_permissions.sh
lab_sql "UPDATE perms_assetpermission SET migrated = 1" || exit 1
echo "Migrate permissions: done"
