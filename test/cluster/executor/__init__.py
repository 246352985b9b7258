"""The executor stand-in: the part of a Kubernetes node and of Argo's argoexec that the test cluster has no program for."""
