"""Validates sockcap JSON documents against a JSON Schema, and checks that
64-bit integers came out exact (as integers, not floats).

usage: python3 validate.py SCHEMA FILE...

A schema may refer to another one of its directory by its $id (the facts
and profiles schemas use the audit schema's definitions)."""
import json
import pathlib
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    store = {}
    for other in pathlib.Path(sys.argv[1]).parent.glob("*.schema.json"):
        doc = json.load(open(other))
        store[doc["$id"]] = doc
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    bad = 0
    for path in sys.argv[2:]:
        # parse_float=str would show a float; sockcap never prints one.
        doc = json.load(open(path), parse_float=lambda s: float("nan"))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
        bad += bool(errors)
    if len(sys.argv) > 3 or not sys.argv[2].endswith("cal.json"):
        print(f"schema: {len(sys.argv) - 2 - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
