"""python-facebook-api (pyfacebook) collecting one Instagram account's media from the sandbox.

`GraphAPI.get_full_connections` pages through `/{ig-user-id}/media` (100 a page, the fields
the Singer tap's shared config asks for, `since` as Alcance's window) and returns every media
at once. Nothing is stored. Prints one JSON line: {"records": metric values received,
"posts": media, "requests": pages}.

Usage: python ig_pyfacebook.py BASE_URL IG_USER_ID SINCE_UNIX   (the token in PEER_IG_TOKEN)
"""

import json
import os
import sys

from pyfacebook import GraphAPI

FIELDS = "id,timestamp,media_type,media_product_type,caption,like_count,comments_count"
METRICS = ("like_count", "comments_count")


def main() -> None:
    base, ig_user_id, since = sys.argv[1], sys.argv[2], sys.argv[3]
    api = GraphAPI(access_token=os.environ["PEER_IG_TOKEN"], version="v21.0", base_url=base.rstrip("/") + "/")
    requests = 0
    original = api.get_connection

    def counted(*args, **kwargs):
        nonlocal requests
        requests += 1
        return original(*args, **kwargs)

    api.get_connection = counted
    data = api.get_full_connections(
        object_id=ig_user_id, connection="media", count=None, limit=100, fields=FIELDS, since=since
    )
    media = data.get("data", [])
    # One record = one metric value of one object: like_count and comments_count of a media.
    records = sum(1 for m in media for k in METRICS if k in m)
    print(json.dumps({"records": records, "posts": len(media), "requests": requests}))


if __name__ == "__main__":
    main()
