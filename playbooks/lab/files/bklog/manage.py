#!/usr/bin/env python3
"""Lab stand-in for bk-log's Django manage.py, on the real database named by
the environment (bin/environ.sh: DB_NAME, DB_USERNAME, DB_PASSWORD,
DB_HOST, DB_PORT; the password reaches `mariadb` in an option file only).

  migrate [APP] --noinput   Django's framework apps (contenttypes, auth,
                            admin, sessions) and apps/*/migrations/NNNN_*.py
                            (each holds its SQL in `# lab-sql:` lines), recorded
                            in django_migrations, printed as Django does
  createcachetable NAME     the cache table
  runserver HOST:PORT       the Web: GET /healthz/ answers JSON with VERSION
  celery worker ...         a worker that logs `ready.` and shuts down warm

Every call is logged to /var/log/runbook-shims.log as
`manage.py<TAB>VERSION ARGS`. Knobs (files in
/var/lib/runbook-shims/bklog/knobs/; empty: always, else only when it names
this code's VERSION): migrate_fails (its content may instead name the
migration, APP.NAME, that fails), boot_fails (the Web exits at once),
web_error (the Web logs an ERROR line but serves), healthz_fails (500);
http_delay_ms (default 1000) is how long the Web takes to listen."""
import datetime
import http.server
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
STATE = os.environ.get("RUNBOOK_SHIM_STATE", "/var/lib/runbook-shims")
KNOBS = os.path.join(STATE, "bklog", "knobs")
FRAMEWORK = {
    "contenttypes": [("0001_initial", "CREATE TABLE django_content_type (id INT AUTO_INCREMENT PRIMARY KEY, app_label VARCHAR(100), model VARCHAR(100))")],
    "auth": [("0001_initial", "CREATE TABLE auth_user (id INT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(150))")],
    "admin": [("0001_initial", "CREATE TABLE django_admin_log (id INT AUTO_INCREMENT PRIMARY KEY, action_time DATETIME)")],
    "sessions": [("0001_initial", "CREATE TABLE django_session (session_key VARCHAR(40) PRIMARY KEY, expire_date DATETIME)")],
}


def version():
    with open(os.path.join(ROOT, "VERSION"), encoding="utf-8") as fp:
        return fp.read().strip()


def knob(name):
    """The knob's content when it applies to this code, else None."""
    try:
        with open(os.path.join(KNOBS, name), encoding="utf-8") as fp:
            content = fp.read().strip()
    except OSError:
        return None
    if content and content[0].isdigit() and content != version():
        return None
    return content


def shim_log(args):
    stamp = subprocess.run(["date", "+%Y-%m-%dT%H:%M:%S.%N"], capture_output=True, text=True).stdout.strip()
    with open(os.environ.get("RUNBOOK_SHIM_LOG", "/var/log/runbook-shims.log"), "a", encoding="utf-8") as fp:
        fp.write("{}\tmanage.py\t{} {}\n".format(stamp, version(), " ".join(shlex.quote(a) for a in args)))


def sql(statement):
    with tempfile.TemporaryDirectory() as work:
        options = os.path.join(work, "my.cnf")
        with open(options, "w", encoding="utf-8") as fp:
            password = os.environ.get("DB_PASSWORD", "").replace("\\", "\\\\").replace('"', '\\"')
            fp.write('[client]\nuser={}\npassword="{}"\nhost={}\nport={}\n'.format(
                os.environ["DB_USERNAME"], password,
                os.environ.get("DB_HOST", "127.0.0.1"), os.environ.get("DB_PORT", "3306")))
        done = subprocess.run(
            ["mariadb", "--defaults-file=" + options, "--batch", "--skip-column-names", os.environ["DB_NAME"], "-e", statement],
            capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    return done.stdout


def migrations():
    """{app: [(name, sql)]} in Django's order: the framework, then apps/*."""
    found = dict(FRAMEWORK)
    apps = os.path.join(ROOT, "apps")
    for app in sorted(os.listdir(apps)) if os.path.isdir(apps) else []:
        folder = os.path.join(apps, app, "migrations")
        if not os.path.isdir(folder):
            continue
        found[app] = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and name != "__init__.py":
                with open(os.path.join(folder, name), encoding="utf-8") as fp:
                    statements = [line.split("# lab-sql:", 1)[1].strip() for line in fp if "# lab-sql:" in line]
                found[app].append((name[:-3], "; ".join(statements)))
    return found


def migrate(args):
    targets = [a for a in args if not a.startswith("-")]
    known = migrations()
    if targets and targets[0] not in known:
        print("CommandError: No installed app with label '{}'.".format(targets[0]), file=sys.stderr)
        return 1
    apps = [targets[0]] if targets else list(known)
    sql("CREATE TABLE IF NOT EXISTS django_migrations (id INT AUTO_INCREMENT PRIMARY KEY, app VARCHAR(255), name VARCHAR(255), applied DATETIME(6))")
    applied = set(tuple(line.split("\t")) for line in sql("SELECT app, name FROM django_migrations").splitlines())
    print("Operations to perform:")
    print("  Apply all migrations: " + ", ".join(sorted(apps)))
    print("Running migrations:")
    failing = knob("migrate_fails")
    pending = [(app, name, statement) for app in apps for name, statement in known[app] if (app, name) not in applied]
    if not pending:
        print("  No migrations to apply.")
    for app, name, statement in pending:
        sys.stdout.write("  Applying {}.{}...".format(app, name))
        sys.stdout.flush()
        if failing is not None and (failing == "" or failing[0].isdigit() or failing == "{}.{}".format(app, name)):
            print()
            print("Traceback (most recent call last):", file=sys.stderr)
            print('  File "manage.py", line 22, in <module>', file=sys.stderr)
            print("django.db.utils.OperationalError: (1054, \"Unknown column 'space_uid' in 'field list'\")", file=sys.stderr)
            return 1
        if statement:
            sql(statement)
        sql("INSERT INTO django_migrations (app, name, applied) VALUES ('{}', '{}', NOW(6))".format(app, name))
        print(" OK")
    return 0


def log(level, message):
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
    print("{} [{}] bklog {} {}".format(level, now, os.getpid(), message), flush=True)


def runserver(address):
    if knob("boot_fails") is not None:
        print("Traceback (most recent call last):\nModuleNotFoundError: No module named 'apps.log_search.space'", file=sys.stderr, flush=True)
        return 1
    host, port = address.rsplit(":", 1)
    log("INFO", "bk-log {} web booting".format(version()))
    if knob("web_error") is not None:
        log("ERROR", "apps.api.base: request to BKDATA failed: connection refused")
    try:
        with open(os.path.join(KNOBS, "http_delay_ms"), encoding="utf-8") as fp:
            delay = int(fp.read().strip() or 1000)
    except (OSError, ValueError):
        delay = 1000
    time.sleep(delay / 1000)
    body_ok = json.dumps({"result": True, "code": 0, "message": "", "data": {"version": version()}}).encode()
    failing = knob("healthz_fails") is not None

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status = 500 if failing or self.path != "/healthz/" else 200
            body = body_ok if status == 200 else b'{"result": false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            log("INFO", "http " + fmt % args)

    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log("INFO", "listening on {}".format(address))
    server.serve_forever()
    return 0


def celery(args):
    log("INFO", "celery@{} ready.".format(os.uname().nodename))

    def warm(*_):
        log("INFO", "worker: Warm shutdown (MainProcess)")
        sys.exit(0)

    signal.signal(signal.SIGTERM, warm)
    while True:
        time.sleep(1)


def main(args):
    shim_log(args)
    command = args[0] if args else "help"
    if command == "migrate":
        return migrate(args[1:])
    if command == "createcachetable":
        table = args[1] if len(args) > 1 else "django_cache"
        sql("CREATE TABLE IF NOT EXISTS {} (cache_key VARCHAR(255) PRIMARY KEY, value LONGTEXT, expires DATETIME(6))".format(table))
        return 0
    if command == "runserver":
        return runserver(args[1])
    if command == "celery":
        return celery(args[1:])
    print("Unknown command: {!r}\nType 'manage.py help' for usage.".format(command), file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as error:
        print("django.db.utils.OperationalError: " + str(error), file=sys.stderr)
        sys.exit(1)
