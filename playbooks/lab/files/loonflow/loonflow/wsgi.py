# Lab stand-in for loonflow's WSGI entry point (uwsgi's wsgi-file).
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.config")


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"loonflow\n"]
