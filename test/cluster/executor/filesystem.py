"""A step pod's files on this machine: its volumes and its container layer, and where main sees each of them.

Without a container runtime the step runs on the host, in a private mount namespace (contain.py) where each
folder below is bound at the path main's container would see it: the pod's volumes at their mount paths,
a per-pod "container layer" folder at each top-level directory the template uses (e.g. /cellpipe), and a
private /tmp.
"""
import base64
import os
import posixpath

from .kube import ApiError

# Argo's own mounts (the argoexec binary) and the service-account token: nothing in a step reads them here.
SKIPPED_VOLUMES = ("var-run-argo",)
SKIPPED_PREFIXES = ("kube-api-access-",)


class ContainerPathError(Exception):
    """A path the template uses that the stand-in cannot give the step without a container runtime."""


def _write_items(folder, entries, items):
    """Write ConfigMap/Secret data as the kubelet does: every key as a file, or only `items` at their paths."""
    os.makedirs(folder, exist_ok=True)
    chosen = [(item["key"], item["path"], item.get("mode")) for item in items] if items else [
        (key, key, None) for key in entries
    ]
    for key, path, mode in chosen:
        if key not in entries:
            raise RuntimeError(f"key {key!r} is missing")
        target = os.path.join(folder, os.path.normpath(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(entries[key])
        if mode is not None:
            os.chmod(target, mode)


class PodFilesystem:
    def __init__(self, root, pod, template):
        self.root = root
        self.pod = pod
        self.template = template
        self.volumes_dir = os.path.join(root, "volumes")
        self.layer_dir = os.path.join(root, "layer")
        self.tmp_dir = os.path.join(root, "tmp")
        self.volumes = {volume["name"]: volume for volume in pod.raw["spec"].get("volumes", [])}

    def volume_dir(self, name):
        return os.path.join(self.volumes_dir, name)

    def materialize(self, kube):
        """The kubelet's part: create every volume the pod declares (emptyDir, configMap, secret)."""
        for folder in (self.volumes_dir, self.layer_dir, self.tmp_dir):
            os.makedirs(folder, exist_ok=True)
        for name, volume in self.volumes.items():
            if name in SKIPPED_VOLUMES or name.startswith(SKIPPED_PREFIXES):
                continue
            target = self.volume_dir(name)
            try:
                if "emptyDir" in volume:
                    os.makedirs(target, exist_ok=True)
                elif "configMap" in volume:
                    source = volume["configMap"]
                    data = kube.get(kube.core("configmaps", source["name"]))
                    entries = {k: v.encode() for k, v in (data.get("data") or {}).items()}
                    entries.update({k: base64.b64decode(v) for k, v in (data.get("binaryData") or {}).items()})
                    _write_items(target, entries, source.get("items"))
                elif "secret" in volume:
                    source = volume["secret"]
                    data = kube.get(kube.core("secrets", source["secretName"]))
                    entries = {k: base64.b64decode(v) for k, v in (data.get("data") or {}).items()}
                    _write_items(target, entries, source.get("items"))
                else:
                    raise RuntimeError(f"volume type {sorted(set(volume) - {'name'})} is not supported by the stand-in")
            except (ApiError, RuntimeError) as error:
                raise RuntimeError(f"volume {name!r}: {error}") from None

    def secret_file(self, secret_name, key):
        """Where argoexec finds an artifact credential: the Secret volume the controller added for it."""
        for name, volume in self.volumes.items():
            if volume.get("secret", {}).get("secretName") == secret_name:
                return os.path.join(self.volume_dir(name), key)
        raise RuntimeError(f"no volume of the pod mounts Secret {secret_name!r}")

    def _main_mounts(self):
        for mount in self.pod.main.get("volumeMounts", []):
            name = mount["name"]
            if name in SKIPPED_VOLUMES or name.startswith(SKIPPED_PREFIXES):
                continue
            yield mount

    def _used_paths(self):
        outputs = self.template.get("outputs") or {}
        inputs = self.template.get("inputs") or {}
        paths = [mount["mountPath"] for mount in self._main_mounts()]
        paths += [artifact["path"] for artifact in inputs.get("artifacts") or [] if artifact.get("path")]
        paths += [artifact["path"] for artifact in outputs.get("artifacts") or [] if artifact.get("path")]
        paths += [p["valueFrom"]["path"] for p in outputs.get("parameters") or [] if (p.get("valueFrom") or {}).get("path")]
        if self.pod.main.get("workingDir"):
            paths.append(self.pod.main["workingDir"])
        return paths

    def binds(self):
        """(host folder, container path) pairs, outer paths first, so inner mounts land on top of outer ones."""
        tops = set()
        for path in self._used_paths():
            if not posixpath.isabs(path):
                raise ContainerPathError(f"path {path!r} is not absolute")
            top = "/" + posixpath.normpath(path).lstrip("/").split("/")[0]
            if top == "/tmp":
                continue
            if os.path.isdir(top) and os.listdir(top):
                raise ContainerPathError(
                    f"{path}: the host's {top} is not empty, and without a container runtime the stand-in only "
                    "places paths under top-level folders of their own (e.g. /cellpipe)"
                )
            tops.add(top)
        binds = [(self.tmp_dir, "/tmp")]
        for top in sorted(tops):
            layer = os.path.join(self.layer_dir, top.lstrip("/"))
            os.makedirs(layer, exist_ok=True)
            binds.append((layer, top))
        for mount in self._main_mounts():
            source = os.path.join(self.volume_dir(mount["name"]), mount.get("subPath", ""))
            binds.append((source.rstrip("/") or source, posixpath.normpath(mount["mountPath"])))
        return sorted(binds, key=lambda bind: bind[1].count("/"))

    def host_path(self, container_path):
        """Where a path of main's container is on this machine (the innermost bind that holds it)."""
        path = posixpath.normpath(container_path)
        for source, target in sorted(self.binds(), key=lambda bind: -len(bind[1])):
            if path == target or path.startswith(target.rstrip("/") + "/"):
                return os.path.join(source, posixpath.relpath(path, target))
        raise ContainerPathError(f"{container_path}: not inside any folder the stand-in gives the step")
