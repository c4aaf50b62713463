# -*- coding: utf-8 -*-
"""Lab stand-in for bk-log's scripts/check_migrate/check_migrate.py, with its
behaviour: migration files (paths relative to the project root) whose
CreateModel fields, AddField/AlterField names or RenameField new names are
"error fields" of field_library.csv are printed as
`File NAME: Field (F) in Model (M) might be replaced by (CORRECT)`, then
"Some field not standard, please check." and exit 1. Like the original it
remembers what it printed (md5s in ./field_error_detail.log) and passes when
run again from the same directory, and exits 0 on any exception."""
import argparse
import csv
import hashlib
import json
import os
import re
import sys

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
MEMORY = "field_error_detail.log"


def field_library():
    cache = os.path.join(BASE_DIR, "field_library.json")
    if not os.path.exists(cache):
        library = {}
        with open(os.path.join(BASE_DIR, "field_library.csv"), encoding="utf-8-sig") as fp:
            for row in list(csv.reader(fp))[1:]:
                for wrong in row[2].split(","):
                    if wrong:
                        library[wrong] = row[0]
        with open(cache, "w", encoding="utf-8") as fp:
            json.dump(library, fp)
    with open(cache, encoding="utf-8") as fp:
        return json.load(fp)


def fields(path):
    """(model, field) of every field a migration creates, adds, alters or renames to."""
    found = []
    model = None
    operation = None
    with open(path, encoding="utf-8") as fp:
        for raw in fp:
            line = raw.strip().strip(",")
            if "CreateModel(" in line:
                operation = "create"
                continue
            if "AddField(" in line or "AlterField(" in line:
                operation = "alter"
                continue
            if "RenameField(" in line:
                operation = "rename"
                continue
            named = re.match(r"(model_name|name|new_name)=['\"]([^'\"]+)['\"]", line)
            if operation == "create" and named and named.group(1) == "name":
                model = named.group(2)
            elif operation == "create" and line.startswith("(") and "Field" in line:
                found.append((model, re.match(r"\(['\"]([^'\"]+)", line).group(1)))
            elif operation in ("alter", "rename") and named:
                if named.group(1) == "model_name":
                    model = named.group(2)
                elif (named.group(1), operation) in (("name", "alter"), ("new_name", "rename")):
                    found.append((model, named.group(2)))
                    operation = None
    return found


def main(argv=None):
    try:
        parser = argparse.ArgumentParser()
        parser.add_argument("filenames", nargs="*")
        args = parser.parse_args(argv)
        library = field_library()
        root = os.path.dirname(os.path.dirname(BASE_DIR))
        errors = []
        for name in args.filenames:
            parts = name.split(os.sep)
            if len(parts) > 1 and parts[-2] == "migrations" and parts[-1].endswith(".py"):
                for model, field in fields(os.path.join(root, name)):
                    if field in library:
                        errors.append(
                            "File {}: Field ({}) in Model ({}) might be replaced by ({})".format(
                                parts[-1], field, model, library[field]
                            )
                        )
        if errors:
            seen = []
            if os.path.exists(MEMORY):
                with open(MEMORY, encoding="utf-8") as fp:
                    seen = json.loads(fp.read().replace("'", '"') or "[]")
            new = []
            for line in errors:
                digest = hashlib.md5(line.encode("utf8")).hexdigest()
                if digest not in seen:
                    print(line)
                    new.append(digest)
            with open(MEMORY, "w", encoding="utf-8") as fp:
                fp.write(str(seen + new))
            if new:
                print("Some field not standard, please check.")
                print("if you still want to commit, try it again")
                return 1
        return 0
    except Exception:  # the original swallows everything, and passes
        print("Unexpected exception occurred")
        return 0


if __name__ == "__main__":
    sys.exit(main())
