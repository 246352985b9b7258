"""A small Kubernetes API client (standard library): JSON requests with a bearer token, merge patches."""
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request

MERGE_PATCH = "application/merge-patch+json"


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status


class Kube:
    def __init__(self, server, ca_file, token, namespace):
        self.server = server.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca_file)
        self.token = token
        self.namespace = namespace

    def request(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read() or b"{}").get("message", "")
            except ValueError:
                message = ""
            raise ApiError(error.code, message) from None

    def core(self, resource, name=""):
        return f"/api/v1/namespaces/{self.namespace}/{resource}" + (f"/{urllib.parse.quote(name)}" if name else "")

    def custom(self, group_version, resource, name=""):
        base = f"/apis/{group_version}/namespaces/{self.namespace}/{resource}"
        return base + (f"/{urllib.parse.quote(name)}" if name else "")

    def list_pods(self, label_selector):
        return self.request("GET", self.core("pods") + "?labelSelector=" + urllib.parse.quote(label_selector))["items"]

    def get(self, path):
        return self.request("GET", path)

    def create(self, path, body):
        return self.request("POST", path, body)

    def merge_patch(self, path, body):
        return self.request("PATCH", path, body, MERGE_PATCH)

    def delete(self, path):
        return self.request("DELETE", path)
