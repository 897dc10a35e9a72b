"""python-twitter-v2 (pytwitter) collecting one X account's timeline from the sandbox.

Asks for what Alcance's X timeline asks for (same fields, expansions, start time, 100 posts a
page) and follows `meta.next_token` to the end. Nothing is stored: the pages are kept in
memory, as a script built on the client would hold them before writing them anywhere.
Prints one JSON line: {"records": metric values received, "posts": posts, "requests": pages}.

Usage: python x_pytwitter.py BASE_URL USER_ID START_TIME   (the token in PEER_X_TOKEN)
"""

import json
import os
import sys

from pytwitter import Api


def main() -> None:
    base, user_id, start_time = sys.argv[1], sys.argv[2], sys.argv[3]
    api = Api(bearer_token=os.environ["PEER_X_TOKEN"])
    api.BASE_URL_V2 = base.rstrip("/") + "/2"
    pages, token = [], None
    while True:
        page = api.get_timelines(
            user_id=user_id,
            start_time=start_time,
            max_results=100,
            pagination_token=token,
            tweet_fields="created_at,public_metrics,attachments,conversation_id",
            expansions="attachments.media_keys",
            media_fields="type,duration_ms,public_metrics",
            return_json=True,
        )
        pages.append(page)
        token = page.get("meta", {}).get("next_token")
        if not token:
            break
    posts = [t for p in pages for t in p.get("data", [])]
    media = [m for p in pages for m in p.get("includes", {}).get("media", [])]
    # One record = one metric value of one object: each number in a post's or a media's
    # public_metrics.
    records = sum(len(t.get("public_metrics", {})) for t in posts)
    records += sum(len(m.get("public_metrics", {})) for m in media)
    print(json.dumps({"records": records, "posts": len(posts), "requests": len(pages)}))


if __name__ == "__main__":
    main()
