# %% step:install
!pip --version
!echo "preparing data"
# %% step:data
import json

payload = json.loads('{"rows": [1, 2, 3], "name": "demo"}')
# %% step:use
!echo "using data"
rows = payload["rows"]
print(sum(rows), payload["name"])
