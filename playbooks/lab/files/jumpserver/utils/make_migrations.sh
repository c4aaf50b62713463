#!/bin/sh
# Lab stand-in for JumpServer's make_migrations.sh (manage.py makemigrations
# and migrate): records this code version's migration in django_migrations.
# knobs/migrate_fails: the migration half-applies, then fails as on a MySQL
# older than 5.6 (the document's error).
. ./lab_db.sh
lab_log make_migrations.sh
lab_sql "CREATE TABLE IF NOT EXISTS assets_asset_protocol (id INT PRIMARY KEY, date_created DATETIME(6) NOT NULL)" || exit 1
lab_sql "INSERT INTO django_migrations (app, name, applied) VALUES ('jumpserver', 'upgrade_to_$(lab_version)', NOW())" || exit 1
if lab_knob migrate_fails; then
    echo "django.db.utils.ProgrammingError: (1064, \"You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '(6) NOT NULL' at line 1\")" >&2
    exit 1
fi
echo "Operations to perform: Apply all migrations. Running migrations: OK"
