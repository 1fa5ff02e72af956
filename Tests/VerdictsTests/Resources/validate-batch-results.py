#!/usr/bin/env python3
"""Validates a `peil results --format json` document against Internet.nl's batch API
results schema (internetnl-batch-results.schema.json beside this script).

  validate-batch-results.py SCHEMA DOCUMENT     exit 0 when valid; else every error, exit 1
  validate-batch-results.py --extract OPENAPI_YAML SCHEMA
                                                 writes SCHEMA from Internet.nl's openapi.yaml

Needs Python's jsonschema (and PyYAML for --extract); exit 3 naming what is missing.
"""
import json
import sys

SOURCE = ("interface/batch/openapi.yaml of https://github.com/internetstandards/Internet.nl at commit "
          "cec0e01d0b3012ea6f189c88607894a6ccf5fd6b (2026-07-14)")


def referenced(schemas, root):
    """The schema names `root` references, transitively (itself included)."""
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value.split("/")[-1]
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)
    found, pending = set(), [root]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(refs(schemas[name]))
    return found


def converted(node):
    """OpenAPI 3.0 to JSON Schema: `nullable: true` becomes a `null` alternative in `type`."""
    if isinstance(node, dict):
        node = {key: converted(value) for key, value in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [converted(value) for value in node]
    return node


def extract(openapi_path, schema_path):
    import yaml
    with open(openapi_path, encoding="utf-8") as handle:
        schemas = yaml.safe_load(handle)["components"]["schemas"]
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": ("Internet.nl batch API 2.7.0 results response (GET /api/batch/v2/requests/{request_id}/results): "
                     "the schemas that ResultsResponse references, taken unchanged from " + SOURCE + ", Apache License 2.0 "
                     "(c) ECP, NLnet Labs and the Internet.nl contributors. Converted from OpenAPI 3.0 to JSON Schema draft 7 "
                     "by one rule only: 'nullable: true' became a 'null' alternative in 'type'. Extracted by "
                     "Tests/VerdictsTests/Resources/validate-batch-results.py --extract."),
        "$ref": "#/components/schemas/ResultsResponse",
        "components": {"schemas": {name: converted(schemas[name]) for name in sorted(referenced(schemas, "ResultsResponse"))}},
    }
    with open(schema_path, "w", encoding="utf-8") as handle:
        json.dump(schema, handle, indent=2, sort_keys=True, ensure_ascii=False)


def validate(schema_path, document_path):
    try:
        import jsonschema
    except ImportError:
        print("Python's jsonschema is not installed", file=sys.stderr)
        return 3
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(document_path, encoding="utf-8") as handle:
        document = json.load(handle)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    for error in errors:
        print("/".join(str(part) for part in error.absolute_path) + ": " + error.message)
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--extract":
        extract(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(validate(sys.argv[1], sys.argv[2]))
