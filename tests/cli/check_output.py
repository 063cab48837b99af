#!/usr/bin/python3
"""check_output.py - parse the output of the dqp command line with real
parsers and print it flat, one "path<TAB>value" line per leaf, for
tests/cli/test_cli.c.

    check_output.py json FILE   strict JSON (json module; NaN, Infinity and
                                duplicate keys are errors); paths like
                                by_name.c.x1, z[0], results[3].fd_loss_rel
    check_output.py svg FILE    XML (xml.etree); the root must be <svg> in the
                                SVG namespace with width, height and viewBox;
                                prints "rects N", "texts N", "paths N" and one
                                "text<TAB>content" line per <text>
    check_output.py csv FILE    CSV (csv module) with a header and rows of the
                                same width; prints "rows N", "header<TAB>a,b,..",
                                and "row[i].column<TAB>value"

Numbers are printed with repr() (exact round trip), booleans as true/false,
null as null. Exit status 0 when the file parsed, 1 with a message otherwise.
"""
import csv
import json
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("check_output.py: " + msg, file=sys.stderr)
    sys.exit(1)


def leaf(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return str(v).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def flatten(v, path, out):
    if isinstance(v, dict):
        out.append((path if path else ".", "object %d" % len(v)))
        for k, x in v.items():
            flatten(x, (path + "." if path else "") + k, out)
    elif isinstance(v, list):
        out.append((path, "array %d" % len(v)))
        for i, x in enumerate(v):
            flatten(x, "%s[%d]" % (path, i), out)
    else:
        out.append((path, leaf(v)))


def no_constants(name):
    raise ValueError("non-standard JSON constant " + name)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in object: %r" % keys)
    return dict(pairs)


def do_json(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except (ValueError, UnicodeDecodeError) as e:
        fail("%s: invalid JSON: %s" % (path, e))
    if not isinstance(data, dict):
        fail("%s: top-level JSON value is not an object" % path)
    out = []
    flatten(data, "", out)
    for p, v in out:
        print("%s\t%s" % (p, v))


def do_svg(path):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        fail("%s: invalid XML: %s" % (path, e))
    root = tree.getroot()
    if root.tag != SVG_NS + "svg":
        fail("%s: root element is %s, not svg in the SVG namespace" % (path, root.tag))
    for attr in ("width", "height", "viewBox"):
        if attr not in root.attrib:
            fail("%s: <svg> has no %s" % (path, attr))
    counts = {"rect": 0, "text": 0, "path": 0, "line": 0}
    texts = []
    for el in root.iter():
        tag = el.tag[len(SVG_NS):] if el.tag.startswith(SVG_NS) else el.tag
        if tag in counts:
            counts[tag] += 1
        if tag == "text":
            texts.append("".join(el.itertext()))
    print("width\t%s" % root.attrib["width"])
    print("height\t%s" % root.attrib["height"])
    for k in ("rect", "text", "path", "line"):
        print("%ss\t%d" % (k, counts[k]))
    for t in texts:
        print("text\t%s" % leaf(t))


def do_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, strict=True))
    if not rows:
        fail("%s: empty CSV" % path)
    header = rows[0]
    print("rows\t%d" % (len(rows) - 1))
    print("header\t%s" % ",".join(header))
    for i, r in enumerate(rows[1:]):
        if len(r) != len(header):
            fail("%s: row %d has %d fields, header has %d" % (path, i + 1, len(r), len(header)))
        for k, v in zip(header, r):
            print("row[%d].%s\t%s" % (i, k, v))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("json", "svg", "csv"):
        fail("usage: check_output.py json|svg|csv FILE")
    {"json": do_json, "svg": do_svg, "csv": do_csv}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
