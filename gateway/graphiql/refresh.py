"""Refresh GraphiQL's browser assets from the npm registry: ``python -m gateway.graphiql.refresh``.

The gateway serves GraphiQL from files shipped inside the package (``gateway/graphiql/static``),
so ``/graphql`` works on a machine without internet access. This script is how those files are
made: for every package pinned in ``static/manifest.json`` it runs ``npm pack <name>@<version>``
(the npm client, so registry mirrors and ``.npmrc`` settings apply), takes the listed production
builds out of the tarball, drops their ``sourceMappingURL`` comment (the maps are not shipped;
a browser asking for them would get 404s), writes them to ``static/`` and records each file's
size and SHA-384 (the page's Subresource Integrity attribute) in the manifest.

Usage::

    python -m gateway.graphiql.refresh                       # the pinned versions again
    python -m gateway.graphiql.refresh --set graphiql=3.9.0  # pin another version, then refresh
    python -m gateway.graphiql.refresh --check               # verify static/ against npm

Pins: GraphiQL 3 is the last major with a UMD build that runs from plain ``<script>`` tags (4
and later are ES modules with Monaco and web workers); ``@graphiql/plugin-explorer`` must match
its ``@graphiql/react`` (3.2.x for GraphiQL 3.9), and React must be 18 (19 ships no UMD build).
Requires ``npm`` on PATH; needs the registry, never at run time.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from gateway.graphiql.manifest import MANIFEST, STATIC, integrity, load_manifest

_SOURCE_MAP = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*?(\*/)?\s*$")


def strip_source_map(data: bytes) -> bytes:
    """``data`` without its trailing ``sourceMappingURL`` comment (JS ``//#`` or CSS ``/*#``)."""
    return _SOURCE_MAP.sub(b"\n", data).rstrip(b"\n") + b"\n"


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download the tarball of ``spec`` (``name@version``) with ``npm pack``.

    Returns:
        The path of the ``.tgz`` in ``workdir``.

    Raises:
        RuntimeError: npm is missing or failed (its stderr is included).
    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH (apt-get install npm)")
    result = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed:\n{result.stderr}")
    filename: str = json.loads(result.stdout)[0]["filename"]
    # npm names scoped tarballs "graphiql-plugin-explorer-3.2.6.tgz" (no @, no slash).
    return workdir / filename.lstrip("@").replace("/", "-")


def extract(tarball: Path, member: str) -> bytes:
    """The bytes of ``package/<member>`` inside an npm tarball.

    Raises:
        KeyError: the tarball has no such file (the package changed its layout).
    """
    with tarfile.open(tarball, "r:gz") as tar:
        handle = tar.extractfile(f"package/{member}")
        if handle is None:
            raise KeyError(member)
        return handle.read()


def fetch(manifest: dict[str, Any], workdir: Path) -> dict[str, bytes]:
    """Every file of the manifest as the registry has it now (source maps stripped)."""
    tarballs = {
        name: npm_pack(f"{name}@{version}", workdir)
        for name, version in manifest["packages"].items()
    }
    return {
        entry["name"]: strip_source_map(extract(tarballs[entry["package"]], entry["path"]))
        for entry in manifest["files"]
    }


def refresh(manifest: dict[str, Any], static: Path = STATIC) -> dict[str, Any]:
    """Download the pinned packages, write their files to ``static`` and return the manifest
    with the new sizes and hashes (the caller writes it)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(manifest, Path(tmp))
    for entry in manifest["files"]:
        data = files[entry["name"]]
        (static / entry["name"]).write_bytes(data)
        entry["bytes"] = len(data)
        entry["sha384"] = integrity(data)
    return manifest


def check(manifest: dict[str, Any], static: Path = STATIC) -> list[str]:
    """The differences between ``static`` and the registry's files of the pinned versions."""
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch(manifest, Path(tmp))
    problems = []
    for entry in manifest["files"]:
        shipped = static / entry["name"]
        if not shipped.exists():
            problems.append(f"{entry['name']}: missing")
        elif shipped.read_bytes() != files[entry["name"]]:
            problems.append(f"{entry['name']}: differs from {entry['package']}")
        elif integrity(files[entry["name"]]) != entry["sha384"]:
            problems.append(f"{entry['name']}: manifest hash is stale")
    return problems


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m gateway.graphiql.refresh", description=__doc__)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PACKAGE=VERSION",
        help="pin another version of a package before refreshing",
    )
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    manifest = load_manifest()
    for pin in args.set:
        name, _, version = pin.rpartition("=")
        if name not in manifest["packages"] or not version:
            parser.error(f"--set {pin}: expected one of {sorted(manifest['packages'])}=VERSION")
        manifest["packages"][name] = version
    if args.check:
        problems = check(manifest)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    manifest = refresh(manifest)
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for entry in manifest["files"]:
        print(f"{entry['bytes']:>9,}  {entry['name']}  ({entry['package']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
