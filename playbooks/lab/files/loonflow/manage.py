#!/usr/bin/env python
"""Lab stand-in for loonflow's manage.py (Django): `check` imports the
settings as Django does, `runserver ADDR:PORT` serves until stopped (an
address in use: Django's `Error: That port is already in use.`, exit 1); each
request reads the database the settings name (as the views do), so r1.0
code on a 0.3 schema answers 500, and so does every request while the knob
/var/lib/runbook-shims/loonflow/knobs/runserver_error exists (its text is
the error: what a broken view or setting shows). The password goes to the
client in an option file, never in argv."""
import errno
import http.server
import importlib
import os
import subprocess
import sys
import tempfile

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BASE_DIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.config")
ERROR_KNOB = "/var/lib/runbook-shims/loonflow/knobs/runserver_error"


def settings():
    try:
        return importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except Exception as error:  # Django reports any import failure this way.
        sys.stderr.write("django.core.exceptions.ImproperlyConfigured: %s: %s\n" % (type(error).__name__, error))
        sys.exit(1)


def query(conf, sql):
    db = conf.DATABASES["default"]
    with tempfile.TemporaryDirectory() as scratch:
        option_file = os.path.join(scratch, "my.cnf")
        with open(os.open(option_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
            handle.write('[client]\nuser=%s\npassword="%s"\nhost=%s\nport=%s\n' % (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]))
        return subprocess.run(["mariadb", "--defaults-file=" + option_file, "--batch", "--skip-column-names", db["NAME"], "-e", sql],
                              capture_output=True, text=True)


def check():
    conf = settings()
    problems = []
    if not getattr(conf, "DEBUG", False) and not getattr(conf, "ALLOWED_HOSTS", []):
        problems.append("CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.")
    db = getattr(conf, "DATABASES", {}).get("default", {})
    for key in ("ENGINE", "NAME", "USER", "HOST", "PORT"):
        if not db.get(key):
            problems.append("?: (lab.E001) DATABASES['default']['%s'] is not set." % key)
    if problems:
        sys.stderr.write("SystemCheckError: System check identified some issues:\n\n" + "\n".join(problems) + "\n")
        sys.exit(1)
    print("System check identified no issues (0 silenced).")


def runserver(address):
    conf = settings()
    host, _, port = address.rpartition(":")
    from loonflow import LAB_VERSION

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            result = query(conf, "SELECT COUNT(*) FROM workflow_workflowadmin")
            if os.path.exists(ERROR_KNOB):
                with open(ERROR_KNOB) as handle:
                    status, body = 500, handle.read() or "Internal Server Error\n"
            elif result.returncode == 0:
                status, body = 200, "loonflow %s (DEBUG=%s)\n" % (LAB_VERSION, conf.DEBUG)
            else:
                status, body = 500, "django.db.utils.ProgrammingError: %s\n" % result.stderr.strip()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body.encode())

    # As Django's runserver: the banner first, then the bind; an address in
    # use ends it with Django's words on stderr and exit status 1.
    print("Starting development server at http://%s/\nQuit the server with CONTROL-C." % address, flush=True)
    try:
        server = http.server.HTTPServer((host or "127.0.0.1", int(port)), Handler)
    except OSError as error:
        messages = {errno.EACCES: "You don't have permission to access that port.",
                    errno.EADDRINUSE: "That port is already in use.",
                    errno.EADDRNOTAVAIL: "That IP address can't be assigned to."}
        sys.stderr.write("Error: %s\n" % messages.get(error.errno, error.strerror))
        sys.stderr.flush()
        os._exit(1)
    server.serve_forever()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command == "check":
        check()
    elif command == "runserver":
        runserver(sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1:8000")
    else:
        sys.stderr.write("Unknown command: %r (lab stand-in: check, runserver)\n" % command)
        sys.exit(1)
