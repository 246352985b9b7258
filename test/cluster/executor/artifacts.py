"""Input and output artifacts the way argoexec moves them: S3 locations relocated onto the template's
archiveLocation, tgz archives whose single top entry is the path's base name, raw artifacts written as files."""
import gzip
import os
import tarfile

import boto3
from botocore.config import Config


def location(artifact, template):
    """The artifact's S3 location, missing fields taken from the archive location (argoexec's Relocate)."""
    own = artifact.get("s3") or {}
    repository = (template.get("archiveLocation") or {}).get("s3") or {}
    return {**repository, **own}


def _client(s3, filesystem):
    def credential(selector):
        with open(filesystem.secret_file(selector["name"], selector["key"]), encoding="utf-8") as handle:
            return handle.read().strip()

    scheme = "http" if s3.get("insecure") else "https"
    return boto3.client(
        "s3",
        endpoint_url=f"{scheme}://{s3['endpoint']}",
        aws_access_key_id=credential(s3["accessKeySecret"]),
        aws_secret_access_key=credential(s3["secretKeySecret"]),
        region_name=s3.get("region") or "us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


def _is_tarball(path):
    try:
        with tarfile.open(path, "r:gz") as archive:
            return archive.next() is not None
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile):
        return False


def _untar(archive_path, destination):
    """Extract, then move the archive's single top entry (or the whole extraction) to the destination."""
    staging = destination + ".tmpdir"
    os.makedirs(staging, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(staging, filter="data")
    entries = os.listdir(staging)
    if len(entries) == 1:
        os.rename(os.path.join(staging, entries[0]), destination)
        os.rmdir(staging)
    else:
        os.rename(staging, destination)


def stage_script(template, filesystem):
    """argoexec init for a script template: its source into the argo-staging volume, where main's args name it."""
    if "script" in template:
        path = os.path.join(filesystem.volume_dir("argo-staging"), "script")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(template["script"].get("source", ""))
        os.chmod(path, 0o755)


def load_inputs(template, filesystem):
    """argoexec init: every input artifact into the pod's input-artifacts volume, under the artifact's name."""
    target_dir = filesystem.volume_dir("input-artifacts")
    for artifact in (template.get("inputs") or {}).get("artifacts") or []:
        target = os.path.join(target_dir, artifact["name"])
        os.makedirs(target_dir, exist_ok=True)
        if "raw" in artifact:
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(artifact["raw"]["data"])
            continue
        s3 = location(artifact, template)
        if not s3.get("key"):
            if artifact.get("optional"):
                continue
            raise RuntimeError(f"required artifact {artifact['name']!r} not supplied")
        download = target + ".tmp"
        _client(s3, filesystem).download_file(s3["bucket"], s3["key"], download)
        archive = artifact.get("archive") or {}
        if "none" not in archive and ("tar" in archive or _is_tarball(download)):
            _untar(download, target)
            os.remove(download)
        else:
            os.rename(download, target)


def _tgz(source, archive_path):
    with tarfile.open(archive_path, "w:gz") as archive:
        archive.add(source, arcname=os.path.basename(source.rstrip("/")))


def save_outputs(template, filesystem, staging_dir):
    """argoexec wait: archive and upload each output artifact; returns those saved, each with its key."""
    saved, errors = [], []
    key_prefix = location({}, template).get("key", "")
    for artifact in (template.get("outputs") or {}).get("artifacts") or []:
        source = filesystem.host_path(artifact["path"])
        if not os.path.exists(source):
            if not artifact.get("optional"):
                errors.append(f"{artifact['path']} no such file or directory")
            continue
        archive = artifact.get("archive") or {}
        if "none" in archive:
            file_name, upload = os.path.basename(artifact["path"].rstrip("/")), source
        elif "zip" in archive:
            errors.append(f"{artifact['name']}: zip archives are not supported by the stand-in")
            continue
        else:
            file_name, upload = artifact["name"] + ".tgz", os.path.join(staging_dir, artifact["name"] + ".tgz")
            os.makedirs(staging_dir, exist_ok=True)
            _tgz(source, upload)
        reported = dict(artifact)
        if not (artifact.get("s3") or {}).get("key"):
            reported["s3"] = {"key": f"{key_prefix.rstrip('/')}/{file_name}"}
        s3 = location(reported, template)
        _client(s3, filesystem).upload_file(upload, s3["bucket"], s3["key"])
        saved.append(reported)
    return saved, errors
