#!/usr/bin/env python3
"""mkindex.py LAYOUT NEWTAG TAG:OS/ARCH[/VARIANT]...

Add to the OCI layout an image index tagged NEWTAG whose entries are the
manifests of the given tags, each with the platform given (pull.bats
pushes it with `skopeo copy --all`)."""
import hashlib
import json
import os
import sys

layout, newtag, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
REF = "org.opencontainers.image.ref.name"
with open(os.path.join(layout, "index.json")) as f:
    top = json.load(f)
by_tag = {m.get("annotations", {}).get(REF): m for m in top["manifests"]}
manifests = []
for e in entries:
    tag, plat = e.split(":", 1)
    parts = plat.split("/")
    d = dict(by_tag[tag])
    d.pop("annotations", None)
    d["platform"] = {"os": parts[0], "architecture": parts[1]}
    if len(parts) > 2:
        d["platform"]["variant"] = parts[2]
    manifests.append(d)
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": manifests}).encode()
digest = hashlib.sha256(index).hexdigest()
with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
    f.write(index)
top["manifests"] = [m for m in top["manifests"] if m.get("annotations", {}).get(REF) != newtag]
top["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + digest,
                         "size": len(index), "annotations": {REF: newtag}})
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(top, f)
